"""Slip sheets and the combined binder: a table of contents up front (rows link to their
exhibits), then slip sheet + exhibit, one bookmark per exhibit; every part of a split
binder gets its own bookmarks and contents links."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from intake_desktop.core.exhibits.model import BuiltExhibit
from intake_desktop.core.exhibits.tables import table_fonts
from intake_desktop.core.pdf.stamp import save_pdf


def slip_sheet(path: Path, label: str, description: str, cite: str) -> None:
    """A plain page with the exhibit's label large and centred (fonts embedded)."""
    regular, bold = table_fonts()
    c = canvas.Canvas(str(path), pagesize=letter, initialFontName=regular)
    w, h = letter
    c.setTitle(label)
    c.setFont(bold, 40)
    c.drawCentredString(w / 2, h / 2 + 20, label.upper())
    c.setFont(regular, 14)
    y = h / 2 - 20
    for line in simpleSplit(description, regular, 14, w - 144)[:6]:
        c.drawCentredString(w / 2, y, line)
        y -= 18
    if cite:
        c.setFont(regular, 10)
        c.drawCentredString(w / 2, y - 10, cite)
    c.showPage()
    c.save()


@dataclass(frozen=True)
class TocLink:
    """A clickable row of the table of contents: on binder page `page` (from 0), `rect`
    in points, leading to binder page `target` (from 0)."""

    page: int
    rect: tuple[float, float, float, float]
    target: int


@dataclass(frozen=True)
class BinderLayout:
    """What later steps need to give every part of a split binder its own bookmarks and
    working contents links."""

    toc_pages: int
    marks: list[tuple[str, int]]  # (bookmark title, binder page from 0)
    links: list[TocLink]


TOC_TITLE = "Table of contents"
_TOC_MARGIN = 54.0
_TOC_SIZE = 10.0
_TOC_LEADING = 12.5


def _toc_columns(width: float) -> tuple[float, float, float, float]:
    """x of the label, description, Bates range and (right edge of) page columns."""
    usable = width - 2 * _TOC_MARGIN
    return (_TOC_MARGIN, _TOC_MARGIN + 0.15 * usable, _TOC_MARGIN + 0.56 * usable,
            width - _TOC_MARGIN)


def table_of_contents(
    path: Path, title: str, rows: Sequence[tuple[str, str, str, int]], offset: int
) -> list[tuple[int, tuple[float, float, float, float], int]]:
    """Front pages listing every exhibit: label, description, Bates range (or page count)
    and the binder page it starts on (`rows` give pages counted after the contents;
    `offset`, the number of contents pages, is added). Returns (contents page, row box,
    row index) for the links."""
    regular, bold = table_fonts()
    w, h = letter
    x_label, x_desc, x_cite, x_page = _toc_columns(w)
    c = canvas.Canvas(str(path), pagesize=letter, initialFontName=regular)
    c.setTitle(TOC_TITLE)
    boxes = []
    page = 0

    def header() -> float:
        c.setFont(bold, 16)
        c.drawCentredString(w / 2, h - 72, TOC_TITLE)
        c.setFont(regular, 11)
        y = h - 92
        for line in simpleSplit(title, regular, 11, w - 2 * _TOC_MARGIN)[:3]:
            c.drawCentredString(w / 2, y, line)
            y -= 14
        y -= 14
        c.setFont(bold, _TOC_SIZE)
        for x, text in ((x_label, "Exhibit"), (x_desc, "Description"), (x_cite, "Bates range")):
            c.drawString(x, y, text)
        c.drawRightString(x_page, y, "Page")
        c.setLineWidth(0.6)
        c.line(_TOC_MARGIN, y - 4, x_page, y - 4)
        return y - 4 - _TOC_LEADING - 2

    y = header()
    for n, (label, description, cite, start) in enumerate(rows):
        desc_lines = simpleSplit(description, regular, _TOC_SIZE, x_cite - x_desc - 10) or [""]
        label_lines = simpleSplit(label, bold, _TOC_SIZE, x_desc - x_label - 6) or [""]
        cite_lines = [cite.replace(_CITE_BREAK, "")]
        if pdfmetrics.stringWidth(cite_lines[0], regular, _TOC_SIZE) > x_page - 34 - x_cite:
            cite_lines = cite.split(_CITE_BREAK)
        height = max(len(desc_lines), len(label_lines), len(cite_lines)) * _TOC_LEADING
        if y - height < _TOC_MARGIN:
            c.showPage()
            page += 1
            y = header()
        top = y + _TOC_LEADING - 3
        c.setFont(bold, _TOC_SIZE)
        for k, line in enumerate(label_lines):
            c.drawString(x_label, y - k * _TOC_LEADING, line)
        c.setFont(regular, _TOC_SIZE)
        for k, line in enumerate(desc_lines):
            c.drawString(x_desc, y - k * _TOC_LEADING, line)
        for k, line in enumerate(cite_lines):
            c.drawString(x_cite, y - k * _TOC_LEADING, line.strip())
        c.drawRightString(x_page, y, str(start + offset))
        bottom = y - height + _TOC_LEADING - 4
        boxes.append((page, (x_label - 2, bottom, x_page + 2, top), n))
        y -= height + 4
    c.showPage()
    c.save()
    return boxes


_CITE_BREAK = "\x00"  # where a range too long for one line goes on to a second


def _cite(ex: BuiltExhibit) -> str:
    """The Bates range, marked where it may break (never inside a number)."""
    if ex.bates_first is None or ex.bates_last is None or ex.bates is None:
        return f"{ex.pages} pages"
    if ex.bates_first == ex.bates_last:
        return ex.bates_first
    return f"{ex.bates_first}{ex.bates.range_separator}{_CITE_BREAK}{ex.bates_last}"


def _link(pdf: pikepdf.Pdf, rect: tuple[float, float, float, float],
          target: pikepdf.Object) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array([round(v, 2) for v in rect]),
        Border=pikepdf.Array([0, 0, 0]),
        Dest=pikepdf.Array([target, pikepdf.Name.Fit]),
    ))


def apply_navigation(pdf: pikepdf.Pdf, layout: BinderLayout, first: int, last: int) -> None:
    """Bookmarks and contents links of binder pages `first`-`last` (from 1) onto `pdf`,
    which holds exactly those pages: every part of a split binder gets its own bookmarks
    (an exhibit that began in an earlier part is marked 'continued') and links that lead
    only to pages inside the part."""
    with pdf.open_outline() as outline:
        outline.root.clear()
        if first - 1 < layout.toc_pages:
            outline.root.append(pikepdf.OutlineItem(TOC_TITLE, 0))
        for n, (name, start) in enumerate(layout.marks):
            end = layout.marks[n + 1][1] if n + 1 < len(layout.marks) else 10**9
            if first - 1 <= start <= last - 1:
                outline.root.append(pikepdf.OutlineItem(name, start - (first - 1)))
            elif start < first - 1 < end:  # the exhibit runs on into this part
                outline.root.append(pikepdf.OutlineItem(f"{name} (continued)", 0))
    for index in range(min(layout.toc_pages, last) - (first - 1)):
        page = pdf.pages[index]
        kept = [a for a in page.obj.get("/Annots", pikepdf.Array())
                if a.get("/Subtype") != pikepdf.Name.Link]
        for link in layout.links:
            if link.page == index + first - 1 and first - 1 <= link.target <= last - 1:
                kept.append(_link(pdf, link.rect, pdf.pages[link.target - (first - 1)].obj))
        page.obj.Annots = pikepdf.Array(kept)
    pdf.Root.PageMode = pikepdf.Name.UseOutlines


def make_binder(
    path: Path, exhibits: Sequence[BuiltExhibit], work: dict[int, Path], title: str
) -> BinderLayout:
    """The combined binder: a table of contents up front (each row links to its exhibit),
    then each exhibit's slip sheet and pages, one bookmark per exhibit."""
    starts, page = [], 0
    for ex in exhibits:
        starts.append(page)
        page += (1 if ex.slip_sheet is not None else 0) + ex.pages
    rows = [(ex.label, ex.entry.description, _cite(ex), start + 1)
            for ex, start in zip(exhibits, starts, strict=True)]
    toc = path.with_name(f".toc-{path.name}")
    toc_pages = 1
    for _ in range(4):  # page numbers depend on how many pages the contents take
        boxes = table_of_contents(toc, title, rows, toc_pages)
        with pikepdf.open(toc) as t:
            made = len(t.pages)
        if made == toc_pages:
            break
        toc.unlink()
        toc_pages = made
    marks = [(f"{ex.label} - {ex.entry.description}", toc_pages + start)
             for ex, start in zip(exhibits, starts, strict=True)]
    links = [TocLink(p, rect, toc_pages + starts[n]) for p, rect, n in boxes]
    layout = BinderLayout(toc_pages, marks, links)
    try:
        with ExitStack() as stack:
            binder = pikepdf.new()
            contents = stack.enter_context(pikepdf.open(toc))
            binder.pages.extend(contents.pages)
            for ex, start in zip(exhibits, starts, strict=True):
                ex.binder_page = toc_pages + start + 1
                if ex.slip_sheet is not None:
                    slip = stack.enter_context(pikepdf.open(ex.slip_sheet))
                    binder.pages.extend(slip.pages)
                src = stack.enter_context(pikepdf.open(work[ex.entry.position]))
                binder.pages.extend(src.pages)
            apply_navigation(binder, layout, 1, len(binder.pages))
            binder.docinfo["/Title"] = title
            save_pdf(binder, path)
    finally:
        toc.unlink(missing_ok=True)
    return layout


def navigate_part(path: Path, layout: BinderLayout, first: int, last: int) -> None:
    """Give one part of a split binder (binder pages `first`-`last`) its bookmarks and
    links, in place (written beside it, then moved over it)."""
    fixed = path.with_name(f".nav-{path.name}")
    with pikepdf.open(path) as pdf:
        apply_navigation(pdf, layout, first, last)
        save_pdf(pdf, fixed)
    os.replace(fixed, path)
