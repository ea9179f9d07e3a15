"""What a file is, by content (libmagic plus a few structural checks), and what its name claims.

Extends `intake_desktop.core.mime.detect_type` with a coarse *kind* that selects the
converter, and with the kind the extension claims, so a lying extension is recorded.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from intake_desktop.core.mime import detect_type

PDF = "pdf"
IMAGE = "image"
EMAIL = "email"
MSG = "msg"
OFFICE = "office"
TEXT = "text"
CSV = "csv"
HTML = "html"
ZIP = "zip"
OTHER = "other"
# Kinds whose converter writes into the work folder (a PDF or extracted children).
WRITING_KINDS = frozenset({"image", "email", "msg", "office", "text", "csv", "html", "zip"})

EXTENSION_KINDS: dict[str, str] = {
    ".pdf": PDF,
    **dict.fromkeys(
        (".jpg", ".jpeg", ".jpe", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp",
         ".heic", ".heif"),
        IMAGE,
    ),
    ".eml": EMAIL,
    ".msg": MSG,
    **dict.fromkeys(
        (".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf"),
        OFFICE,
    ),
    **dict.fromkeys((".txt", ".text", ".log", ".md"), TEXT),
    ".csv": CSV,
    **dict.fromkeys((".htm", ".html"), HTML),
    ".zip": ZIP,
}

IMAGE_MIMES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/bmp", "image/x-ms-bmp", "image/webp",
    "image/tiff", "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence",
    "image/avif",
})
OFFICE_MIMES = frozenset({
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "text/rtf", "application/rtf",
})
OFFICE_MIME_PREFIXES = (
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
)
OLE_MIMES = frozenset({"application/cdfv2", "application/x-ole-storage"})
# Members that make a ZIP an Office Open XML or OpenDocument file.
OFFICE_ZIP_MARKERS = ("[Content_Types].xml", "mimetype")

# Suffix LibreOffice needs to pick its import filter when the name lies.
OFFICE_SUFFIX_BY_MIME = {
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "text/rtf": ".rtf",
    "application/rtf": ".rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}


@dataclass(frozen=True)
class Detection:
    mime: str  # libmagic's MIME type
    kind: str  # which converter handles it
    claimed: str | None  # the kind the extension claims (None: unknown extension)

    @property
    def extension_mismatch(self) -> bool:
        return self.claimed is not None and self.claimed != self.kind and not _compatible(
            self.claimed, self.kind
        )


def _compatible(claimed: str, kind: str) -> bool:
    # A .txt holding CSV or a .csv holding plain text is not a lie worth a flag.
    return {claimed, kind} <= {TEXT, CSV}


def _looks_like_email(path: Path) -> bool:
    """Header lines (`Name: value`) including From/Date/Subject before the first blank line."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16384)
    except OSError:
        return False
    names = set()
    for line in head.splitlines():
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue
        name, sep, _ = line.partition(b":")
        if not sep or not name or b" " in name:
            return False
        names.add(name.strip().lower())
    return b"from" in names and (b"date" in names or b"subject" in names)


def _zip_is_office(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist()[:50])
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return any(m in names for m in OFFICE_ZIP_MARKERS)


def kind_of(mime: str, path: Path, claimed: str | None) -> str:
    m = mime.lower()
    if m == "application/pdf":
        return PDF
    if m in IMAGE_MIMES:
        return IMAGE
    if m == "message/rfc822":
        return EMAIL
    if m == "application/vnd.ms-outlook":
        return MSG
    if m in OFFICE_MIMES or m.startswith(OFFICE_MIME_PREFIXES):
        return OFFICE
    if m in OLE_MIMES:
        # A compound file libmagic could not name: trust a .msg or Office extension.
        return claimed if claimed in (MSG, OFFICE) else OTHER
    if m in ("application/zip", "application/x-zip-compressed"):
        return OFFICE if _zip_is_office(path) else ZIP
    if m == "text/html":
        return HTML
    if m == "text/csv":
        return CSV
    if m.startswith("text/"):
        if claimed in (EMAIL, MSG) and _looks_like_email(path):
            return EMAIL
        return CSV if claimed == CSV else TEXT
    return OTHER


def detect(path: Path) -> Detection:
    mime = detect_type(path)
    claimed = EXTENSION_KINDS.get(path.suffix.lower())
    return Detection(mime=mime, kind=kind_of(mime, path, claimed), claimed=claimed)
