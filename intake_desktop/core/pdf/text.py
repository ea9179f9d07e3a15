"""The text of a PDF's pages; which pages carry text, which are only images (need OCR), and
which fonts are not embedded."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Name

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pdf.streams import DEFAULT_DECODE_CAP, STREAM, scan_page

if TYPE_CHECKING:
    from pypdf import PdfReader


@contextmanager
def text_reader(path: Path, *, decrypt: bool = False) -> Iterator[PdfReader | None]:
    """A pypdf reader for the text of `path`, open for the `with` block (None: encrypted,
    unless `decrypt`, which tries the empty password). It reads the file where it needs
    to, not the whole file into memory first (pypdf does that when given a path: a 1 GiB
    PDF would be read entirely to extract a page of text). Raises what pypdf raises on a
    file it cannot read."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with open(path, "rb") as stream:
        reader = PdfReader(stream)
        if reader.is_encrypted:
            if not decrypt:
                yield None
                return
            reader.decrypt("")
        yield reader


def read_page_texts(
    reader: PdfReader, *, max_pages: int, max_chars: int, into: list[str] | None = None
) -> list[str]:
    """The text of each page as pypdf reads it, in order, up to `max_pages` pages or the page
    that takes the total past `max_chars` characters, appended to `into` (a new list if
    None) and returned. Raises what pypdf raises; the pages read before are then in `into`."""
    texts: list[str] = [] if into is None else into
    size = 0
    for page in reader.pages[:max_pages]:
        words = page.extract_text() or ""
        texts.append(words)
        size += len(words)
        if size > max_chars:
            break
    return texts


def open_pdf(path: Path) -> pikepdf.Pdf:
    """Open a PDF for reading, turning library errors into errors a person can act on."""
    try:
        return pikepdf.open(path, access_mode=STREAM)
    except pikepdf.PasswordError as exc:
        raise IntakeError(
            "the PDF is protected by a user (open) password",
            path=path,
            fix="ask the sender for an unlocked copy; courts reject encrypted PDFs",
        ) from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise IntakeError(
            f"cannot read the PDF ({exc})",
            path=path,
            fix="check that it is a complete PDF; ask the sender for a new copy",
        ) from exc


def image_only_pdf_pages(pdf: pikepdf.Pdf, cap: int = DEFAULT_DECODE_CAP) -> list[int]:
    """1-based numbers of pages that draw images but show no text (an open Pdf)."""
    result = []
    for number, page in enumerate(pdf.pages, 1):
        scan = scan_page(pdf, page.obj, cap)
        if not scan.shows_text and (scan.images or scan.inline_images):
            result.append(number)
    return result


def image_only_pages(pdf: Path) -> list[int]:
    """1-based numbers of pages with images but no extractable text (candidates for OCR).

    Text drawn invisibly (an OCR layer, render mode 3) counts as text.
    """
    with open_pdf(pdf) as doc:
        return image_only_pdf_pages(doc)


def _font_embedded(font: pikepdf.Object) -> bool:
    subtype = font.get(Name.Subtype)
    if subtype == Name.Type3:
        return True  # glyphs are content streams inside the font
    if subtype == Name.Type0:
        descendants = font.get(Name.DescendantFonts)
        if not descendants:
            return False
        return all(_font_embedded(d) for d in descendants)
    descriptor = font.get(Name.FontDescriptor)
    if descriptor is None:
        return False
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def unembedded_fonts(pdf: pikepdf.Pdf) -> dict[str, list[int]]:
    """Base font name -> 1-based pages using it, for fonts whose glyphs are not in the file."""
    found: dict[str, list[int]] = {}
    checked: dict[tuple[int, int], bool] = {}
    for number, page in enumerate(pdf.pages, 1):
        stack = [page.obj.get(Name.Resources)]
        seen_res: set[tuple[int, int]] = set()
        while stack:
            res = stack.pop()
            if res is None or not isinstance(res, pikepdf.Dictionary):
                continue
            fonts = res.get(Name.Font)
            if isinstance(fonts, pikepdf.Dictionary):
                for _key, font in fonts.items():
                    if not isinstance(font, pikepdf.Dictionary):
                        continue
                    key = font.objgen
                    ok = checked.get(key) if key != (0, 0) else None
                    if ok is None:
                        ok = _font_embedded(font)
                        if key != (0, 0):
                            checked[key] = ok
                    if not ok:
                        name = str(font.get(Name.BaseFont, "unnamed")).lstrip("/")
                        pages = found.setdefault(name, [])
                        if not pages or pages[-1] != number:
                            pages.append(number)
            xobjects = res.get(Name.XObject)
            if isinstance(xobjects, pikepdf.Dictionary):
                for _key, xobj in xobjects.items():
                    if (
                        isinstance(xobj, pikepdf.Stream)
                        and xobj.get(Name.Subtype) == Name.Form
                        and xobj.objgen not in seen_res
                    ):
                        seen_res.add(xobj.objgen)
                        stack.append(xobj.get(Name.Resources))
    return found
