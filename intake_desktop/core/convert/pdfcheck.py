"""PDFs as received: integrity (qpdf through pikepdf), encryption, text layer, facts."""

from __future__ import annotations

import base64
import logging
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from intake_desktop.core.convert.base import (
    FLAG_CORRUPT,
    FLAG_ENCRYPTED,
    FLAG_NOT_SEARCHABLE,
    FLAG_PASSWORD,
    ConversionError,
)
from intake_desktop.core.convert.facts import date_from_pdf, snippet
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pdf.text import read_page_texts, text_reader

PDF_MIME = "application/pdf"
PLACEHOLDER_TITLES = frozenset({"", "untitled", "(anonymous)", "unknown"})
PASSWORD_REASON = "password-protected, ask the client for the password"
DAMAGED_FIX = (
    "ask the sender for a new copy; the file as received is kept in Review/ unchanged"
)


class DamagedPdf(ConversionError):
    """qpdf had to reconstruct the file (broken cross-reference table, bytes after
    %%EOF, truncation): `repair_pdf` may make a verified working copy."""

    def __init__(self, what: str, *, damage: str, **kwargs: Any) -> None:
        self.damage = damage
        super().__init__(what, **kwargs)


@dataclass(frozen=True)
class Repair:
    """A repaired copy whose pages two independent readers agree on."""

    path: Path
    pages: int
    damage: str


def _pypdf_pages(path: Path, limit: int) -> list[str] | None:
    """Text of every page as pypdf reads it (its own, tolerant parser); None: it cannot."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path), strict=False)
        pages = reader.pages
        if len(pages) > limit:
            return None
        return [page.extract_text() or "" for page in pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, ZeroDivisionError, NotImplementedError, IndexError):
        return None


def _contents_readable(pdf: pikepdf.Pdf) -> bool:
    """Every page has its content, and every content stream decodes within the caps."""
    from intake_desktop.core.pdf.streams import CONTENT_DECODE_CAP, bounded_decode

    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        if contents is None:
            return False
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        for stream in streams:
            if not isinstance(stream, pikepdf.Stream):
                return False
            try:
                bounded_decode(stream, CONTENT_DECODE_CAP, what="the page content")
            except (IntakeError, pikepdf.PdfError, ValueError, zlib.error):
                return False
    return True


def repair_pdf(path: Path, dest: Path, *, scan_pages: int = 2000) -> Repair | None:
    """Rebuild a damaged PDF with qpdf into `dest` and keep it only when nothing was lost:
    the copy opens without warnings, every page's content is there and decodes, its page
    count matches the page tree's own count, and pypdf (a second, independent parser)
    reads the original with the same number of pages and the same text on every page.
    None: not recoverable (`dest` is removed)."""
    try:
        with pikepdf.open(path) as pdf:
            damage = "; ".join(re.sub(re.escape(str(path)) + r":? ?", "", str(w))
                               for w in pdf.get_warnings()[:3])
            declared = int(pdf.Root.Pages.get("/Count", -1))
            if declared < 1 or declared > scan_pages or declared != len(pdf.pages):
                return None
            pdf.save(dest)
        with pikepdf.open(dest) as repaired:
            if repaired.get_warnings() or len(repaired.pages) != declared:
                dest.unlink(missing_ok=True)
                return None
            if not _contents_readable(repaired):
                dest.unlink(missing_ok=True)
                return None
    except (pikepdf.PdfError, RuntimeError, ValueError, OSError, TypeError, AttributeError):
        dest.unlink(missing_ok=True)
        return None
    original_text = _pypdf_pages(path, scan_pages)
    repaired_text = _pypdf_pages(dest, scan_pages)
    if (original_text is None or repaired_text is None
            or len(original_text) != declared or original_text != repaired_text):
        dest.unlink(missing_ok=True)
        return None
    return Repair(dest, declared, damage)


@dataclass
class PdfFacts:
    page_count: int
    title: str | None = None
    date: str | None = None
    first_page_text: str = ""
    image_only_pages: int = 0
    flags: list[str] = field(default_factory=list)
    pages_with_text: int = 0  # pages whose content (or forms) show text
    # Text of every page (bounded), read with the first page's: None when not read.
    page_texts: list[str] | None = None


MAX_CONTENT_SCAN = 16 * 1024 * 1024  # decoded bytes of page content inspected, at most
# A text-showing operator after its string operand: `(..) Tj`, `[..] TJ`, `<..> '`.
_TEXT_OP = re.compile(rb"[)\]>]\s*(?:Tj|TJ|'|\")")


def _bounded_content(stream: pikepdf.Object) -> bytes | None:
    """A content stream's bytes, decoded with a cap (None: unknown filter or over the cap),
    so a compressed bomb in a content stream cannot exhaust memory."""
    data = stream.read_raw_bytes()
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else (
        [str(filters)] if filters is not None else [])
    try:
        for name in names:
            if name == "/ASCII85Decode":
                text = b"".join(data.split()).removesuffix(b"~>").removeprefix(b"<~")
                data = base64.a85decode(text)
            elif name == "/ASCIIHexDecode":
                data = bytes.fromhex(b"".join(data.split()).removesuffix(b">").decode())
            elif name == "/FlateDecode":
                inflater = zlib.decompressobj()
                data = inflater.decompress(data, MAX_CONTENT_SCAN)
                if inflater.unconsumed_tail:
                    return None
            else:
                return None
    except (ValueError, zlib.error):
        return None
    return data[:MAX_CONTENT_SCAN]


def _has_text_ops(obj: pikepdf.Object) -> bool | None:
    """Whether a page or form content shows text (None: cannot tell cheaply)."""
    try:
        contents = obj.get("/Contents") if obj.get("/Type") == pikepdf.Name.Page else obj
        if contents is None:
            return False
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        for stream in streams:
            data = _bounded_content(stream)
            if data is None:
                return None
            if _TEXT_OP.search(data):
                return True
        return False
    except (pikepdf.PdfError, TypeError, ValueError, AttributeError):
        return None


def _page_text_and_images(page: pikepdf.Page) -> tuple[bool | None, bool]:
    """(shows text, shows images) for a page and the forms it draws (one level deep)."""
    has_images = False
    has_text = _has_text_ops(page.obj)
    try:
        res = page.obj.get("/Resources")
        xobjects = res.get("/XObject") if res is not None else None
        if xobjects is not None:
            for _name, xo in xobjects.items():
                subtype = xo.get("/Subtype")
                if subtype == pikepdf.Name.Image:
                    has_images = True
                elif subtype == pikepdf.Name.Form:
                    inner = xo.get("/Resources")
                    inner_x = inner.get("/XObject") if inner is not None else None
                    if inner_x is not None and any(
                        x.get("/Subtype") == pikepdf.Name.Image for _n, x in inner_x.items()
                    ):
                        has_images = True
                    if not has_text and _has_text_ops(xo) is True:
                        has_text = True
    except (pikepdf.PdfError, AttributeError, TypeError, ValueError):
        return None, False
    return has_text, has_images


def first_page_text(path: Path) -> str:
    """Text of page 1 (pypdf caps decoded stream sizes, so a bomb cannot exhaust memory)."""
    try:
        # pypdf opens an owner-locked PDF with the empty password: so does this.
        with text_reader(path, decrypt=True) as reader:
            first = read_page_texts(reader, max_pages=1, max_chars=0) if reader else []
        return snippet(first[0]) if first else ""
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, ZeroDivisionError, NotImplementedError):
        return ""


# The text read at once for search, at most (core/search_text: MAX_CHARS, MAX_PAGES).
TEXT_CHARS = 400_000
TEXT_PAGES = 2_000


def page_texts(path: Path) -> list[str] | None:
    """The text of every page (up to TEXT_PAGES pages or TEXT_CHARS characters) as pypdf
    reads it, in one parse; None for an encrypted PDF or one pypdf cannot read (the
    callers then read what they need their own way, as before)."""
    try:
        with text_reader(path) as reader:
            if reader is None:
                return None
            return read_page_texts(reader, max_pages=TEXT_PAGES, max_chars=TEXT_CHARS)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, ZeroDivisionError, NotImplementedError, IndexError):
        return None


def pdf_facts(path: Path, *, scan_pages: int = 2000, received: bool = True) -> PdfFacts:
    """Open, check and describe a PDF. Raises ConversionError (to Review) when it is damaged
    or needs a user password. `received=False` for PDFs we made ourselves (no flags)."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise ConversionError(
            PASSWORD_REASON, path=path, flags=(FLAG_PASSWORD,), detected_type=PDF_MIME,
            fix="file the unlocked copy the client sends",
        ) from None
    except (pikepdf.PdfError, RuntimeError, ValueError) as exc:
        raise ConversionError(
            f"damaged PDF, cannot be read ({exc})".replace(str(path) + ": ", ""),
            path=path, flags=(FLAG_CORRUPT,), detected_type=PDF_MIME, fix=DAMAGED_FIX,
        ) from None
    with pdf:
        warnings = [str(w) for w in pdf.get_warnings()]
        damage = [w for w in warnings if "damaged" in w or "reconstruct" in w or "EOF" in w]
        if damage:
            detail = "; ".join(w.replace(str(path) + ": ", "") for w in damage[:3])
            raise DamagedPdf(
                f"damaged or truncated PDF ({detail}): pages may be missing",
                path=path, flags=(FLAG_CORRUPT,), detected_type=PDF_MIME, fix=DAMAGED_FIX,
                damage=detail,
            )
        try:
            count = len(pdf.pages)
        except pikepdf.PdfError as exc:
            raise ConversionError(
                f"damaged PDF, page tree unreadable ({exc})", path=path,
                flags=(FLAG_CORRUPT,), detected_type=PDF_MIME, fix=DAMAGED_FIX,
            ) from None
        if count == 0:
            raise ConversionError("the PDF has no pages",
                                  path=path, flags=(FLAG_CORRUPT,), detected_type=PDF_MIME,
                                  fix=DAMAGED_FIX)
        facts = PdfFacts(page_count=count)
        if received and pdf.is_encrypted:
            facts.flags.append(FLAG_ENCRYPTED)
        info: dict[str, Any] = {}
        try:
            docinfo = pdf.docinfo
            for key in ("/Title", "/CreationDate", "/ModDate"):
                if key in docinfo:
                    info[key] = str(docinfo[key])
        except (pikepdf.PdfError, ValueError, UnicodeDecodeError):
            pass
        title = info.get("/Title", "").strip()
        facts.title = title if title.lower() not in PLACEHOLDER_TITLES else None
        facts.date = date_from_pdf(info.get("/CreationDate")) or date_from_pdf(
            info.get("/ModDate")
        )
        if received:
            for page in list(pdf.pages)[:scan_pages]:
                has_text, has_images = _page_text_and_images(page)
                if has_images and has_text is False:
                    facts.image_only_pages += 1
                facts.pages_with_text += has_text is True
            if facts.image_only_pages:
                facts.flags.append(FLAG_NOT_SEARCHABLE)
    if received:
        # One parse for the rules (page 1) and the search index (every page).
        facts.page_texts = page_texts(path)
    if facts.page_texts is not None:
        facts.first_page_text = snippet(facts.page_texts[0]) if facts.page_texts else ""
    else:
        facts.first_page_text = first_page_text(path)
    return facts


def page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def pikepdf_version() -> str:
    return f"pikepdf {pikepdf.__version__} (qpdf {pikepdf.__libqpdf_version__})"
