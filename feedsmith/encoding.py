"""Bytes to text, the way a browser would, plus the repairs Arabic news sites need.

Part of the fetch stage. ``BoundedInflater`` undoes gzip/deflate Content-Encoding without
letting a small body expand past the size cap. ``decode_document`` takes a document's bytes
(and the charset from the HTTP header, if any) and returns ``(text, codec)``, where ``codec``
is Python's name for the encoding used (``"utf-8"``, ``"cp1256"``, ``"iso8859-6"`` …).

Order of evidence, as in the WHATWG encoding sniffing algorithm: a byte-order mark, then the
HTTP header charset, then ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` / the XML
declaration in the first 4 KB, then detection. On top of that, because sites lie about their
encoding, a declaration is only believed if the bytes agree with it:

* a declared encoding that cannot decode the bytes (``utf-8`` on windows-1256 bytes, the most
  common lie) is skipped;
* bytes that are valid UTF-8 with non-ASCII characters are UTF-8 whatever the label says;
* a Western single-byte label (windows-1252, ISO-8859-1, ASCII) on bytes that read as runs of
  Arabic words in windows-1256 or ISO-8859-6 is taken to be that Arabic encoding. Latin-1
  decoding never fails, so without this check such pages come out as mojibake (ÇáÚÑÈíÉ).

Detection, when nothing declared survives, tries UTF-8, then the two Arabic encodings, then
charset-normalizer, then windows-1252 (the web's default).
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib

logger = logging.getLogger(__name__)

__all__ = ["BoundedInflater", "codec_name", "decode_document", "find_declared_charset"]

# How far into the document to look for <meta charset>. WHATWG says 1024 bytes; news sites
# often put scripts and styles first, so look a little further.
META_SCAN_BYTES = 4096

# WHATWG labels Python does not know, or knows differently. Browsers decode ISO-8859-1 and
# ASCII labels as windows-1252 (C1 bytes 0x80-0x9F are punctuation there, not controls).
_LABEL_OVERRIDES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-user-defined": "cp1252",
    "x-cp1252": "cp1252",
    "x-cp1256": "cp1256",
    "iso-8859-6-i": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "csiso88596i": "iso8859-6",
    "csiso88596e": "iso8859-6",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "x-mac-roman": "mac-roman",
    "unicode-1-1-utf-8": "utf-8",
}
# Codecs that are not character encodings of web pages, or are unsafe to honour (UTF-7 is a
# known XSS vector and browsers refuse it).
_REFUSED = {"utf-7", "undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"}

# Single-byte Western encodings whose decoding never (or almost never) fails, so a wrong label
# cannot be caught by a decode error.
_WESTERN = {"cp1252", "iso8859-1", "iso8859-15", "ascii", "latin-1"}
_ARABIC_CANDIDATES = ("cp1256", "iso8859-6")
# Of the non-ASCII characters, the share that must sit in runs of two or more Arabic letters
# for the bytes to count as Arabic. Arabic text scores ~1.0; Spanish or German windows-1252
# scores near 0 (its accented letters become isolated Arabic letters inside Latin words),
# Russian windows-1251 about 0.5 (half its letters are French letters in windows-1256).
_ARABIC_SHARE = 0.85
_ARABIC_MIN_CHARS = 4

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ARABIC_RUN = re.compile(r"[\u0600-\u06ff\u0750-\u077f]{2,}")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_META = re.compile(rb"<meta\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:+-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([a-zA-Z0-9_.:+-]+)""", re.I)
# Bytes windows-1252 leaves undefined in Python; browsers map them to the same code point.
_CP1252_HOLES = {0xDC00 + b: b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def codec_name(label: str) -> str | None:
    """Python's codec name for an encoding label from a header or a page, or None if the
    label is unknown or refused.

    >>> codec_name("Windows-1256"), codec_name("arabic"), codec_name("ISO-8859-1")
    ('cp1256', 'iso8859-6', 'cp1252')
    """
    key = label.strip().strip("\"'").strip().lower()
    if not key:
        return None
    key = _LABEL_OVERRIDES.get(key, key)
    try:
        info = codecs.lookup(key)
    except LookupError:
        return None
    # base64, rot13, zlib … are codecs but not text encodings.
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return _LABEL_OVERRIDES.get(info.name, info.name)


def decode_document(
    body: bytes, *, header_charset: str | None = None, override: str | None = None
) -> tuple[str, str]:
    """Decode a page's bytes; returns ``(text, codec name)``.

    ``override`` (a source's configured ``encoding``) wins over everything; an unknown
    override raises LookupError. The text never contains a byte-order mark.

    >>> decode_document("<p>مرحبا بالعالم</p>".encode("cp1256"), header_charset="utf-8")
    ('<p>مرحبا بالعالم</p>', 'cp1256')
    """
    if override:
        codec = codec_name(override)
        if codec is None:
            raise LookupError(f"unknown encoding {override!r}")
        logger.debug("encoding %s: forced by the source's configuration", codec)
        return _decode(body, codec), codec

    for bom, codec in _BOMS:
        if body.startswith(bom):
            logger.debug("encoding %s: byte-order mark", codec)
            return body[len(bom) :].decode(codec, errors="replace"), codec

    meta_label = find_declared_charset(body)
    for label, where in ((header_charset, "HTTP header"), (meta_label, "meta declaration")):
        if not label:
            continue
        codec = codec_name(label)
        if codec is None:
            logger.debug("ignoring unknown charset %r from the %s", label, where)
            continue
        if where == "meta declaration" and codec.startswith(("utf-16", "utf-32")):
            # A page that could be scanned as ASCII for <meta> is not UTF-16 (WHATWG rule).
            codec = "utf-8"
        result = _believe(body, codec, where)
        if result is not None:
            return result

    return _detect(body)


def find_declared_charset(body: bytes) -> str | None:
    """The charset a page declares about itself in its first 4 KB, if any."""
    head = body[:META_SCAN_BYTES]
    match = _XML_DECL.match(head)
    if match:
        return match.group(1).decode("ascii")
    head = _COMMENT.sub(b"", head)
    for tag in _META.finditer(head):
        attrs = {
            m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or b"")
            for m in _ATTR.finditer(tag.group(0))
        }
        if attrs.get(b"charset"):
            return attrs[b"charset"].decode("ascii", errors="replace")
        if attrs.get(b"http-equiv", b"").strip().lower() == b"content-type":
            param = _CHARSET_PARAM.search(attrs.get(b"content", b""))
            if param:
                return param.group(1).decode("ascii")
    return None


def _believe(body: bytes, codec: str, where: str) -> tuple[str, str] | None:
    """Decode with a declared encoding if the bytes agree with it, else None."""
    if codec.startswith(("utf-16", "utf-32")) and b"\x00" not in body[:1024]:
        # UTF-16 text without a BOM is full of NULs; ASCII-looking bytes are not UTF-16.
        logger.debug("%s says %s but the bytes have no NULs", where, codec)
        return None
    if codec != "utf-8" and _is_utf8_text(body):
        logger.debug("encoding utf-8: %s says %s but the bytes are valid UTF-8", where, codec)
        return body.decode("utf-8"), "utf-8"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        logger.debug("%s says %s but byte %d does not decode (%s)", where, codec, exc.start, exc)
        text = None
    if codec in _WESTERN or codec in _ARABIC_CANDIDATES:
        # Latin-1-like labels never fail to decode, and windows-1256 defines all 256 bytes, so
        # a wrong label among these is only visible in what the text looks like.
        arabic = _arabic(body)
        if arabic is not None and arabic[1] != codec:
            logger.debug(
                "encoding %s: %s says %s but the bytes are Arabic", arabic[1], where, codec
            )
            return arabic
        if codec == "cp1252":
            # Only the five undefined bytes failed: browsers decode them anyway.
            logger.debug("encoding cp1252: from the %s", where)
            return _decode(body, codec), codec
    if text is None:
        return None
    logger.debug("encoding %s: from the %s", codec, where)
    return text, codec


def _detect(body: bytes) -> tuple[str, str]:
    if _is_utf8_text(body) or body.isascii():
        logger.debug("encoding utf-8: nothing declared, bytes are valid UTF-8")
        return body.decode("utf-8"), "utf-8"
    arabic = _arabic(body)
    if arabic is not None:
        logger.debug("encoding %s: nothing usable declared, bytes read as Arabic", arabic[1])
        return arabic
    try:
        import charset_normalizer  # imported here: only needed for undeclared non-Arabic pages
    except ImportError:  # pragma: no cover - it is a declared dependency
        best = None
    else:
        best = charset_normalizer.from_bytes(body).best()
    codec = codec_name(best.encoding) if best is not None else None
    if codec is not None:
        logger.debug("encoding %s: detected by charset-normalizer", codec)
        return _decode(body, codec), codec
    logger.debug("encoding cp1252: nothing declared or detected, the web's default")
    return _decode(body, "cp1252"), "cp1252"


def _decode(body: bytes, codec: str) -> str:
    if codec == "utf-8":
        return body.decode("utf-8-sig", errors="replace")
    if codec == "cp1252":
        return body.decode("cp1252", errors="surrogateescape").translate(_CP1252_HOLES)
    return body.decode(codec, errors="replace")


def _is_utf8_text(body: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character (pure ASCII proves nothing)."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _arabic(body: bytes) -> tuple[str, str] | None:
    """The Arabic single-byte encoding these bytes are written in, if they clearly are."""
    if body.isascii():
        return None
    best: tuple[float, str, str] | None = None
    for codec in _ARABIC_CANDIDATES:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
        in_runs = sum(len(run) for run in _ARABIC_RUN.findall(text))
        if in_runs < _ARABIC_MIN_CHARS:
            continue
        share = in_runs / non_ascii
        if share >= _ARABIC_SHARE and (best is None or share > best[0]):
            best = (share, text, codec)
    return None if best is None else (best[1], best[2])


class BoundedInflater:
    """Undoes gzip/deflate Content-Encoding with a bound on the output, so a small compressed
    body cannot expand into gigabytes before the size cap is checked (a gzip bomb)."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._obj: zlib._Decompress | None = None
        self._wbits = 0

    def _new(self, first: bytes) -> zlib._Decompress:
        if self.coding == "deflate":
            # "deflate" should be zlib-wrapped; some servers send raw deflate. Look at the header.
            zlib_header = (
                len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] * 256 + first[1]) % 31 == 0
            )
            self._wbits = 15 if zlib_header else -15
        else:
            self._wbits = 16 + 15
        return zlib.decompressobj(self._wbits)

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decompress ``data``; returns at most ``limit + 1`` bytes (one more means too big).
        Raises ValueError for a corrupt stream."""
        out = bytearray()
        while data and len(out) <= limit:
            if self._obj is None or self._obj.eof:
                if self._obj is not None and not data.strip(b"\x00\r\n "):
                    break  # padding after the last gzip member
                self._obj = self._new(data)  # first member, or the next of a multi-member gzip
            try:
                out += self._obj.decompress(data, limit + 1 - len(out))
            except zlib.error as exc:
                raise ValueError(f"corrupt {self.coding} body ({exc})") from exc
            data = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail
        return bytes(out)

    @property
    def complete(self) -> bool:
        return self._obj is None or self._obj.eof or self._wbits == -15
