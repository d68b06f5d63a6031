"""feedsmith's default templates: pages, the feed stylesheet and the CSS (package data)."""
