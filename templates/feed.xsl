<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an RSS 2.0 or Atom feed opened in a browser as a readable page. Rendered once per
     build by jinja2 for the interface strings; the feed's own language sets the direction. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="lang" select="normalize-space(/rss/channel/language | /atom:feed/@xml:lang)"/>
  <xsl:variable name="primary" select="translate(substring-before(concat($lang, '-'), '-'),
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/>
  <xsl:variable name="dir">
    <xsl:choose>
      <xsl:when test="$primary = 'ar' or $primary = 'fa' or $primary = 'ur' or $primary = 'he'
        or $primary = 'ps' or $primary = 'sd' or $primary = 'ug' or $primary = 'yi'">rtl</xsl:when>
      <xsl:otherwise>ltr</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="self"
    select="/rss/channel/atom:link[@rel = 'self']/@href | /atom:feed/atom:link[@rel = 'self']/@href"/>
  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="home"
    select="/rss/channel/link | /atom:feed/atom:link[@rel = 'alternate']/@href"/>
  <xsl:variable name="about" select="/rss/channel/description | /atom:feed/atom:subtitle"/>

  <xsl:template match="/">
    <html lang="{$lang}" dir="{$dir}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="$title"/> · {{ t.feed }}</title>
        <link rel="stylesheet" href="../style.css"/>
      </head>
      <body>
        <header class="masthead">
          <div class="wrap">
            <p class="brand"><a href="{$home}"><bdi><xsl:value-of select="$title"/></bdi></a></p>
            <xsl:if test="normalize-space($about) != ''">
              <p class="tagline" dir="auto"><xsl:value-of select="$about"/></p>
            </xsl:if>
          </div>
        </header>
        <main class="wrap">
          <div class="notice">
            <strong>{{ t.feed_notice }}</strong>
            <code><xsl:value-of select="$self"/></code>
          </div>
          <ol class="stories full">
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="story">
      <div class="story-text">
        <a class="story-title" href="{link}" dir="auto"><xsl:value-of select="title"/></a>
        <p class="meta"><xsl:value-of select="pubDate"/></p>
      </div>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="story">
      <div class="story-text">
        <a class="story-title" href="{atom:link[not(@rel) or @rel = 'alternate']/@href}" dir="auto">
          <xsl:value-of select="atom:title"/>
        </a>
        <p class="meta">
          <xsl:value-of select="translate(substring(atom:published | atom:updated[not(../atom:published)], 1, 16), 'T', ' ')"/>
        </p>
      </div>
    </li>
  </xsl:template>
</xsl:stylesheet>
