"""Facts for the naming rules: dates found in names and metadata, text snippets."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from typing import Any

from intake_desktop.core.convert.base import FIRST_PAGE_CHARS

# 2024-03-05, 2024_03_05, 2024.03.05, 20240305 (a year 19xx/20xx first)
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
# 03.05.24, 03-05-2024, 3_5_24 (month first unless day_first)
_SHORT = re.compile(r"(?<!\d)(\d{1,2})[-_.](\d{1,2})[-_.](\d{4}|\d{2})(?!\d)")


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def date_from_name(name: str, *, day_first: bool = False) -> str | None:
    """The first date written in a file name, as YYYY-MM-DD (None when there is none)."""
    for m in _ISO.finditer(name):
        found = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    for m in _SHORT.finditer(name):
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(y) if len(y) == 4 else 2000 + int(y) if int(y) < 70 else 1900 + int(y)
        month, day = (b, a) if day_first else (a, b)
        found = _valid(year, month, day)
        if found:
            return found
    return None


def date_from_pdf(value: str | None) -> str | None:
    """`D:20240305...` (PDF date string) to YYYY-MM-DD."""
    if not value:
        return None
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", value.strip())
    if not m or not m.group(2) or not m.group(3):
        return None
    return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def date_from_exif(value: str | None) -> str | None:
    """`2024:03:05 10:11:12` (EXIF DateTimeOriginal) to YYYY-MM-DD."""
    if not value:
        return None
    m = re.match(r"(\d{4})[:\-](\d{2})[:\-](\d{2})", str(value).strip())
    return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def date_from_header(value: str | None) -> tuple[str | None, str | None]:
    """An email Date header: (ISO 8601 timestamp, YYYY-MM-DD) or (None, None)."""
    if not value:
        return None, None
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None, None
    return when.isoformat(), when.date().isoformat()


def snippet(text: str) -> str:
    """The first ~2000 characters with runs of blank space collapsed."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n", text)
    return text.strip()[:FIRST_PAGE_CHARS]


DATE_SOURCES = ("email_date", "filename", "capture_date", "pdf_metadata")


def choose_document_date(candidates: dict[str, str | None]) -> tuple[str | None, str | None]:
    """The document date by trust: email Date header, a date written in the file name,
    EXIF capture date, then PDF metadata (often the scan date). Returns (date, source)."""
    for source in DATE_SOURCES:
        value = candidates.get(source)
        if value:
            return value, source
    return None, None


def put(facts: dict[str, Any], key: str, value: Any) -> None:
    """Set a fact only when it is known (no empty strings or None in the facts)."""
    if value is None or value == "":
        return
    facts[key] = value
