"""Dates found in pages, as timezone-aware datetimes (part of the extract stage).

Takes a string from a page (an ISO timestamp from ``<time datetime>`` or a meta tag, or a date
written out in Arabic or English) and returns an aware ``datetime``, or ``None`` when the string
is not a date we can read without guessing.

Order of attempts:

1. ISO 8601 (``2024-12-08T10:30:00+03:00``, ``2024-12-08``) with :func:`datetime.fromisoformat`.
2. Our own reader for "day month-name year [time]" in Arabic, which dateparser does not cover
   for the Levantine month names (``كانون الأول``) nor for the doubled form news sites use
   (``8 ديسمبر/كانون الأول 2024``). Arabic-Indic digits are read as digits.
3. dateparser, wrapped so that no input makes it raise, and asked twice with two different
   reference times: if the answers differ the string was relative ("منذ ساعتين", "yesterday")
   and is only accepted when the caller passed ``now``. A day, a month and a year are required
   otherwise, so "8 ديسمبر" is not completed with the current year.

Naive results get the source's time zone (an IANA name); a bad name falls back to UTC.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

__all__ = ["parse_date"]

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_MARKS = re.compile("[\u064b-\u065f\u0640\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")

# Month names in the families Arabic sites use: Egyptian/Gulf (from English), Levantine (Syriac),
# and the Maghreb spellings (from French). Longest names are tried first.
_MONTHS: dict[str, int] = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يونية": 6, "يوليو": 7, "يولية": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9,
    "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "افريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7,
    "يوليوز": 7, "أوت": 8, "اوت": 8, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
}  # fmt: skip
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
# day, month name (optionally "name/name" or "name (name)"), year, then an optional time.
_ARABIC_DATE = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:من\s+)?(?P<m1>{_MONTH_RE})"
    rf"(?:\s*[/\-(]\s*(?P<m2>{_MONTH_RE})\s*\)?)?\s*[,،]?\s*(?P<year>\d{{4}})(?!\d)"
    r"(?:[^\d]{0,12}?(?P<h>\d{1,2})[:.](?P<min>\d{2})(?::(?P<s>\d{2}))?"
    r"\s*(?P<ampm>صباحا|صباحًا|مساء|مساءً|ص|م|am|pm|AM|PM)?)?"
)
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_PM = {"مساء", "مساءً", "م", "pm", "PM"}
_AM = {"صباحا", "صباحًا", "ص", "am", "AM"}
_MAX_LEN = 200  # longer strings are prose, not dates; dateparser would be slow on them too


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.debug("unknown time zone %r, using UTC", name)
        return UTC


def _aware(value: datetime, zone: tzinfo) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _from_iso(text: str, zone: tzinfo) -> datetime | None:
    if not _ISO.match(text):
        return None
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), zone)
    except ValueError:
        return None


def _from_arabic(text: str, zone: tzinfo) -> datetime | None:
    match = _ARABIC_DATE.search(text)
    if not match:
        return None
    month = _MONTHS[match["m1"]]
    if match["m2"] and _MONTHS[match["m2"]] != month:
        return None  # "ديسمبر/كانون الثاني" contradicts itself: do not pick one
    hour = int(match["h"]) if match["h"] else 0
    minute = int(match["min"]) if match["min"] else 0
    second = int(match["s"]) if match["s"] else 0
    if match["ampm"] in _PM and hour < 12:
        hour += 12
    elif match["ampm"] in _AM and hour == 12:
        hour = 0
    try:
        value = datetime(int(match["year"]), month, int(match[1]), hour, minute, second)
    except ValueError:
        return None
    return value.replace(tzinfo=zone)


def _dateparser(
    text: str, zone_name: str, languages: Sequence[str], base: datetime
) -> datetime | None:
    import dateparser  # slow to import; only needed for the forms our readers do not cover

    settings = {
        "TIMEZONE": zone_name,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": base.replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "PARSERS": ["timestamp", "relative-time", "absolute-time"],
        # Arabic (and most non-US) sites write 08/12/2024 for 8 December.
        "DATE_ORDER": "MDY" if languages[0] == "en" else "DMY",
    }
    try:
        return dateparser.parse(text, languages=list(languages), settings=settings)
    except Exception as exc:  # dateparser raises assorted errors on odd input
        log.debug("dateparser failed on %r: %s", text, exc)
        return None


def parse_date(
    text: str,
    *,
    timezone: str = "UTC",
    languages: Sequence[str] = ("ar", "en"),
    now: datetime | None = None,
) -> datetime | None:
    """Read a date from page text; return an aware datetime, or None rather than a guess.

    ``timezone`` (IANA name) is given to dates that carry no offset. Relative dates
    ("منذ ساعتين", "2 hours ago") are read only when ``now`` is passed. Never raises.

    >>> parse_date("2024-12-08T10:30:00+03:00").isoformat()
    '2024-12-08T10:30:00+03:00'
    >>> parse_date("الأحد 8 كانون الأول 2024 - 10:30", timezone="Asia/Damascus").isoformat()
    '2024-12-08T10:30:00+03:00'
    >>> parse_date("منذ ساعتين") is None
    True
    """
    if not isinstance(text, str):
        return None
    cleaned = " ".join(_MARKS.sub("", text).translate(_DIGITS).split())
    if not cleaned or len(cleaned) > _MAX_LEN:
        log.debug("not a date (empty or too long): %r", text[:80])
        return None
    zone = _zone(timezone)
    value = _from_iso(cleaned, zone) or _from_arabic(cleaned, zone)
    if value is not None:
        return value
    langs = [lang for lang in languages if isinstance(lang, str) and lang] or ["en"]
    zone_name = timezone if zone is not UTC else "UTC"
    if now is not None:
        base = now if now.tzinfo else now.replace(tzinfo=zone)
        first = _dateparser(cleaned, zone_name, langs, base.astimezone(zone))
        if first is not None:
            return first
        log.debug("unparseable date %r", text)
        return None
    # Without a reference time, ask with two bases: an answer that moves with the base was
    # relative, and would be a guess.
    base_a = datetime(2001, 1, 1, 12, tzinfo=zone)
    base_b = base_a + timedelta(days=400, hours=5)
    first = _dateparser(cleaned, zone_name, langs, base_a)
    if first is None:
        log.debug("unparseable date %r", text)
        return None
    second = _dateparser(cleaned, zone_name, langs, base_b)
    if second != first:
        log.debug("relative or incomplete date %r needs a reference time; ignored", text)
        return None
    return first
