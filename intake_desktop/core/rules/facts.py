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
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
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


# Month names of the languages civil documents most often arrive in (French, Spanish,
# Portuguese), for dates such as "12 juin 2019" or "12 de junio de 2019". Accents are
# stripped before matching (OCR often drops them): "fevrier", "marco".
_FOREIGN_MONTHS = {
    name: index
    for names in (
        "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro",
    )
    for index, name in enumerate(names.split(), start=1)
}
_FOREIGN_DMY = re.compile(
    r"\b(\d{1,2})(?:er|º|°)?\s+(?:de\s+)?("
    + "|".join(sorted(_FOREIGN_MONTHS, key=len, reverse=True))
    + r")\s+(?:de\s+)?((?:19|20)\d\d)\b",
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


# Labels that introduce a date which is not the document's own date: a passport's holder
# was born on it, a card expires on it, an employee was hired on it.
_NOT_DOCUMENT = re.compile(
    r"(birth|\bborn\b|\bd\.?\s?o\.?\s?b\b|expir|expires|\bvalid\s+(until|thru|through|to)\b|"
    r"\bhire[d]?\b|date\s+of\s+hire|naissance|nacimiento|nascimento|\bnee?\s+le\b|"
    r"\bnacid[oa]\b|\bnascid[oa]\b|\bperiod\b|"
    r"\bfrom\b\s*$|\bdue\b|next\s+appointment)",
    re.IGNORECASE,
)
# Labels that introduce the document's own date, strongest first.
_DOCUMENT_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (
        ("date of issue", r"(date\s+of\s+issue|issue\s+date|date\s+issued|issued(\s+on)?|"
                          r"delivree?\s+le|fait\s+(?:a\s+[^,\n]{1,40},?\s+)?le|"
                          r"fecha\s+de\s+(?:expedicion|emision)|expedid[ao]\s+(?:el|en)|"
                          r"data\s+de\s+emissao|emitid[ao]\s+em)\W*$"),
        ("pay date", r"(pay\s+date|check\s+date|payment\s+date|paid\s+on)\W*$"),
        ("date of service", r"(date\s+of\s+service|service\s+date|dos|visit\s+date|"
                            r"date\s+of\s+visit)\W*$"),
        ("notice date", r"(notice\s+date|date\s+of\s+notice|receipt\s+date|received\s+date)\W*$"),
        # "Dated:" opens its line; "the memo dated May 1" in a sentence is another document's.
        ("dated", r"^\W*(dated|date\s+signed|signed\s+on|executed\s+on|date\s+of\s+report|"
                  r"report\s+date|statement\s+date)\W*$"),
        ("date", r"(^|\s)date\W*$"),
    )
)
_LABEL_WINDOW = 40


@dataclass(frozen=True)
class TextDate:
    """A date read from a document's text and why it was taken."""

    date: str
    label: str | None  # the label that introduced it ("pay date", "dated"), None: unlabelled
    position: int

    @property
    def source(self) -> str:
        return f"text:{self.label}" if self.label else "text"


def without_accents(text: str) -> str:
    """The text with accents removed, one character for one ("Délivré" -> "Delivre"): each
    letter becomes the first character of its compatibility decomposition. ASCII text has
    nothing to remove (it is most text, and this runs for every file the rules see)."""
    if text.isascii():
        return text
    table = {ord(ch): unicodedata.normalize("NFKD", ch)[0]
             for ch in set(text) if not ch.isascii() and ch.isalpha()}
    return text.translate(table)


def _dates_with_positions(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for m in _LONG.finditer(text):
        day = _iso(int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2)))
        if day:
            found.append((m.start(), day))
    for m in _LONG_DMY.finditer(text):
        day = _iso(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))
        if day:
            found.append((m.start(), day))
    for m in _FOREIGN_DMY.finditer(text):
        day = _iso(int(m.group(3)), _FOREIGN_MONTHS[m.group(2).lower()], int(m.group(1)))
        if day:
            found.append((m.start(), day))
    for m in _ISO.finditer(text):
        day = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day:
            found.append((m.start(), day))
    for m in _US.finditer(text):
        day = _iso(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        if day:
            found.append((m.start(), day))
    return sorted(found)


def document_date_in_text(text: str) -> TextDate | None:
    """The document's own date in its text: a date under a document label ("Date of
    issue", "Pay date", "Date of service", "Dated") wins; dates under other labels (date of
    birth, expiry, pay period, hire date) are never taken; else the first unlabelled date."""
    best: tuple[int, int, TextDate] | None = None
    text = without_accents(text)
    for position, day in _dates_with_positions(text):
        line_start = text.rfind("\n", 0, position) + 1
        line = text[line_start:position]
        before = line[-_LABEL_WINDOW:]
        if _NOT_DOCUMENT.search(before):
            continue
        rank, label = len(_DOCUMENT_LABELS), None
        for index, (name, pattern) in enumerate(_DOCUMENT_LABELS):
            if pattern.search(line if pattern.pattern.startswith("^") else before):
                rank, label = index, name
                break
        if label is None and before.rstrip().endswith(":") and before.strip(" :"):
            # "Some other label: <date>" that is not a document label: weaker than a bare date.
            rank += 1
        candidate = (rank, position, TextDate(day, label, position))
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    return best[2] if best else None


def date_in_text(text: str) -> str | None:
    """The document's date in its text (see `document_date_in_text`), as YYYY-MM-DD."""
    found = document_date_in_text(text)
    return found.date if found else None


def _pdf_date(value: Any) -> str | None:
    m = re.match(r"(?:D:)?((?:19|20)\d\d)(\d\d)(\d\d)", str(value or ""))
    return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def pdf_facts(path: Path) -> dict[str, Any]:
    """Title, first-page text and document date of a PDF (first page only)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    facts: dict[str, Any] = {}
    try:
        # Read through the open file: given a path, pypdf reads all of it into memory first
        # (a 500 MB scan, in the filing process, for the first page's text).
        with open(path, "rb") as stream:
            reader = PdfReader(stream)
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
            if info is not None:
                found = _pdf_date(info.get("/CreationDate"))
                if found:
                    # When the file was made (often the scan or conversion day): recorded,
                    # but never taken as the document's own date.
                    facts["metadata_date"] = found
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
            facts["document_date_source"] = "email_date"
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


# Sources a document date may come from, most trusted first. PDF and Office metadata dates
# are when a file was made (a scan, a conversion), not what the document says: recorded as
# `metadata_date` and never used to name a file.
DATE_SOURCES = ("email_date", "text:<label>", "filename", "capture_date", "text", "parent", "none")

_RECEIPT = re.compile(r"\b((?:IOE|MSC|EAC|WAC|LIN|SRC|NBC|YSC)\d{10})\b")
_FORM = re.compile(
    r"\b(I-\d{2,3}[A-Z]?|N-\d{3}|G-\d{2,4}|DS-\d{3,4}|AR-11|ETA-9089|EOIR-\d{1,2}[A-Z]?)\b"
)
_TRANSLATION = re.compile(
    r"(certified translation|certificate of translation|translated from|true and accurate "
    r"translation|competent to translate)",
    re.IGNORECASE,
)
_LANGUAGES = (
    ("French", re.compile(r"\b(acte de naissance|acte de mariage|republique francaise|nee? le|"
                          r"officier de l'etat civil|etat civil)\b", re.IGNORECASE)),
    ("Spanish", re.compile(r"\b(acta de nacimiento|acta de matrimonio|registro civil|nacid[oa]|"
                           r"certifica que)\b", re.IGNORECASE)),
    ("Portuguese", re.compile(r"\b(certidao|nascimento|casamento|registro civil das pessoas)\b",
                              re.IGNORECASE)),
)


def text_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Facts read from a document's text: USCIS receipt number, form number, the language
    of a foreign-language civil document, and whether it is a translation."""
    text = without_accents(
        str(facts.get("first_page_text") or facts.get("ocr_text") or "")[:MAX_TEXT_CHARS]
    )
    found: dict[str, Any] = {}
    receipt = _RECEIPT.search(text)
    if receipt:
        found["receipt_number"] = receipt.group(1)
    form = _FORM.search(text)
    if form:
        found["form_number"] = form.group(1)
    translated = _TRANSLATION.search(text)
    if translated:
        found["translation"] = True
        source = re.search(r"translat\w*\s+from\s+(?:the\s+)?([A-Z][a-z]+)", text)
        if source:
            found["language"] = source.group(1)
    else:
        for language, pattern in _LANGUAGES:
            if pattern.search(text):
                found["language"] = language
                break
    return found


def choose_date(facts: Mapping[str, Any], name: str) -> tuple[str | None, str]:
    """The document's date and where it came from (one of DATE_SOURCES, `text:<label>`
    naming the label). None with "none" when nothing trustworthy says it."""
    known = str(facts.get("document_date") or "")[:10] or None
    source = str(facts.get("document_date_source") or "")
    if known and source == "email_date":
        return known, "email_date"
    found = document_date_in_text(str(facts.get("first_page_text") or "")[:MAX_TEXT_CHARS])
    if found is not None and found.label:
        return found.date, found.source
    named = (known if known and source == "filename" else None) or date_in_name(name)
    if named:
        return named, "filename"
    capture = str(facts.get("capture_date") or "")[:10] or None
    if capture:
        return capture, "capture_date"
    if found is not None:
        return found.date, found.source
    if known and source not in ("pdf_metadata", "office_metadata", ""):
        return known, source
    return None, "none"
