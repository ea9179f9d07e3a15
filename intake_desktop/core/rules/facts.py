"""Light fact extraction for the naming rules: dates, PDF title, first-page text, EXIF
capture date, email sender and subject.

Facts already present (from the conversion stage's Prepared.facts) win; this only fills
the gaps, reading at most the first page of a PDF and the headers of an email. Key names
are shared with core/convert: email_from, email_subject, pdf_title, document_date,
first_page_text, capture_date.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Mapping
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

MAX_TEXT_CHARS = 4000
MAX_HEADER_BYTES = 256 * 1024

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9

_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_US = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])[/.-](0?[1-9]|[12]\d|3[01])[/.-]((?:19|20)\d\d)(?!\d)")
_LONG = re.compile(
    r"\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(\d{1,2}),?\s+"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_LONG_DMY = re.compile(
    r"\b(\d{1,2})\s+(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def date_in_name(name: str) -> str | None:
    """A date written in a file name: 2024-03-01, 20240301, 2024_03_01 or 03-01-2024."""
    for m in _ISO.finditer(name):
        found = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    for m in _US.finditer(name):
        found = _iso(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        if found:
            return found
    return None


def date_in_text(text: str) -> str | None:
    """The first date in a document's text ("March 1, 2024", "1 March 2024", ISO, US)."""
    found: list[tuple[int, str]] = []
    for m in _LONG.finditer(text):
        day = _iso(int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2)))
        if day:
            found.append((m.start(), day))
            break
    for m in _LONG_DMY.finditer(text):
        day = _iso(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))
        if day:
            found.append((m.start(), day))
            break
    for m in _ISO.finditer(text):
        day = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day:
            found.append((m.start(), day))
            break
    for m in _US.finditer(text):
        day = _iso(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        if day:
            found.append((m.start(), day))
            break
    return min(found)[1] if found else None


def _pdf_date(value: Any) -> str | None:
    m = re.match(r"(?:D:)?((?:19|20)\d\d)(\d\d)(\d\d)", str(value or ""))
    return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def pdf_facts(path: Path) -> dict[str, Any]:
    """Title, first-page text and document date of a PDF (first page only)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    facts: dict[str, Any] = {}
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            return facts
        info = reader.metadata
        if info is not None and info.title:
            facts["pdf_title"] = str(info.title).strip()
        if len(reader.pages):
            text = reader.pages[0].extract_text() or ""
            facts["first_page_text"] = text[:MAX_TEXT_CHARS]
            found = date_in_text(text[:MAX_TEXT_CHARS])
            if found:
                facts["document_date"] = found
        if "document_date" not in facts and info is not None:
            found = _pdf_date(info.get("/CreationDate"))
            if found:
                facts["document_date"] = found
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return facts
    return {k: v for k, v in facts.items() if v}


def image_facts(path: Path) -> dict[str, Any]:
    """The camera capture date (EXIF DateTimeOriginal, else DateTime) of an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            exif = img.getexif()
            raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError, Image.DecompressionBombError):
        return {}
    m = re.match(r"((?:19|20)\d\d):(\d\d):(\d\d)", str(raw or ""))
    found = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    return {"capture_date": found} if found else {}


def email_facts(path: Path) -> dict[str, Any]:
    """Sender address, subject and date of an .eml file (headers only)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(MAX_HEADER_BYTES)
    except OSError:
        return {}
    try:
        msg = BytesHeaderParser(policy=default_policy).parsebytes(head)
        sender = str(msg.get("From", "") or "")
        subject = str(msg.get("Subject", "") or "")
        date_header = str(msg.get("Date", "") or "")
    except (ValueError, TypeError, IndexError, LookupError):
        return {}
    facts: dict[str, Any] = {}
    address = email.utils.parseaddr(sender)[1]
    if address:
        facts["email_from"] = address.lower()
    if subject.strip():
        facts["email_subject"] = " ".join(subject.split())
    if date_header:
        try:
            parsed = email.utils.parsedate_to_datetime(date_header)
            facts["document_date"] = parsed.date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    return facts


def extract_facts(path: Path, detected_type: str, known: Mapping[str, Any]) -> dict[str, Any]:
    """`known` facts plus what can be read cheaply from `path`; `known` wins on conflicts."""
    suffix = path.suffix.lower()
    found: dict[str, Any] = {}
    # The conversion stage's facts mean the file was read already: do not read it twice.
    if detected_type == "application/pdf":
        if "first_page_text" not in known:
            found = pdf_facts(path)
    elif detected_type.startswith("image/"):
        if "capture_date" not in known:
            found = image_facts(path)
    elif (detected_type == "message/rfc822" or suffix == ".eml") and not (
        "email_from" in known or "email_subject" in known
    ):
        found = email_facts(path)
    return {**found, **known}
