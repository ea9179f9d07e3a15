"""Table writers shared by the exhibit index and the chronology: CSV (UTF-8 with BOM, so
Excel reads it), Word (python-docx) and PDF (reportlab).

PDF text is set in an embedded TrueType font (DejaVu Sans Condensed, or the Bitstream Vera
that reportlab ships) and wrapped only at spaces; a value too long for its cell is split by
reportlab between characters, never with an invisible break character that the font may
not have. Column widths come from the content: each column gets the width its longest
unbreakable value needs (a whole Bates range, a whole SHA-256 where it fits), and the
description columns take what is left.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "IDTableSans"
FONT_BOLD = "IDTableSans-Bold"
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"),
)
CELL_SIZE = 7.5  # points, PDF
DOCX_SIZE = 8.0  # points, Word
CELL_PAD = 3.0  # left and right padding inside a PDF cell
DOCX_PAD = 5.4 + 1.0  # Word's default cell margin (0.075 in) on each side, and a point
# Word files are set in Arial (or its metric twin Liberation Sans): measured with the
# Helvetica metrics, which are the same widths.
DOCX_FONT = "Arial"
DOCX_METRICS = ("Helvetica", "Helvetica-Bold")
PAGE = landscape(letter)
BLANK_WIDTH = 0.65 * inch  # room to write a date or initials by hand
MARGIN = 0.4 * inch


def table_fonts() -> tuple[str, str]:
    """Register (once) and return the regular and bold TrueType fonts for tables."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT, FONT_BOLD
    regular, bold = SYSTEM_FONTS
    if not (regular.is_file() and bold.is_file()):
        base = Path(reportlab.__file__).parent / "fonts"
        regular, bold = base / "Vera.ttf", base / "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
    return FONT, FONT_BOLD


@dataclass(frozen=True)
class Caption:
    """The block above a table: centred heading lines, the parties on the left, the form's
    title and case number on the right, then labelled boxes (judge, attorneys ...)."""

    heading: Sequence[str] = ()
    parties: Sequence[str] = ()  # ("MARIA REYES", "v.", "ACME LOGISTICS, INC.")
    form_title: str = ""
    case_number: str = ""
    boxes: Sequence[tuple[str, str]] = ()  # (label, value), three per row


@dataclass(frozen=True)
class TableData:
    """A titled table: what every index and chronology writer takes."""

    title: str
    subtitle: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    flex: Sequence[int] = ()  # columns that take the spare width (descriptions)
    keep: Sequence[int] = ()  # columns whose values should not wrap when room allows
    blank: Sequence[int] = ()  # columns left blank to be written in by hand (kept wide)
    highlight: Sequence[int] = ()  # body rows (from 0) to set off: bold, shaded
    footer: Sequence[str] = ()  # a totals row for Word and PDF (CSV stays pure data)
    caption: Caption | None = None
    appendix: TableData | None = field(default=None)  # a second table below (file copy)


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def column_widths(table: TableData, usable: float, size: float, pad: float,
                  fonts: tuple[str, str] | None = None) -> list[float]:
    """Widths (points) summing to `usable`, sized to the content.

    A column's minimum is its longest word (its whole value for `keep` columns); its
    natural width the longest value on one line. Spare room goes to the `flex` columns;
    when room is short, columns give up width beyond their minimum in proportion.
    `fonts` (regular, bold) to measure with: default the embedded PDF fonts.
    """
    regular, bold = fonts or table_fonts()
    n = len(table.columns)
    # (cells, font) for every body row: highlighted rows and the footer are set in bold
    body = [(list(r), bold if k in table.highlight else regular)
            for k, r in enumerate(table.rows)]
    if table.footer:
        body.append((list(table.footer), bold))
    natural, minimum = [], []
    for i in range(n):
        head = table.columns[i]
        cells = [(r[i], f) for r, f in body if i < len(r)]
        head_words = max((_width(w, bold, size) for w in head.split()), default=0.0)
        nat = max([_width(head, bold, size)] + [_width(c, f, size) for c, f in cells])
        if i in table.keep:
            low = max([head_words] + [_width(c, f, size) for c, f in cells])
        else:
            low = max([head_words] + [_width(w, f, size) for c, f in cells
                                      for w in c.split()])
        if i in table.blank:
            nat = low = max(nat, BLANK_WIDTH)
        natural.append(nat + 2 * pad + 0.5)  # half a point: never wrap on rounding
        minimum.append(min(low, nat) + 2 * pad + 0.5)
    total = sum(natural)
    if total <= usable:
        flex = [i for i in table.flex if i < n] or list(range(n))
        spare = usable - total
        return [w + (spare / len(flex) if i in flex else 0.0) for i, w in enumerate(natural)]
    if sum(minimum) >= usable:
        scale = usable / sum(minimum)
        return [w * scale for w in minimum]
    give = [nat - low for nat, low in zip(natural, minimum, strict=True)]
    ratio = (total - usable) / sum(give)
    return [nat - g * ratio for nat, g in zip(natural, give, strict=True)]


# ---- CSV ------------------------------------------------------------------------------------


def write_csv(table: TableData, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.columns)
        writer.writerows(table.rows)


# ---- Word -----------------------------------------------------------------------------------


def _docx_fixed_widths(grid: object, widths: Sequence[float]) -> None:
    tbl = grid._tbl  # type: ignore[attr-defined]
    grid.autofit = False  # type: ignore[attr-defined]
    props = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    props.append(layout)
    for col, width in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = Pt(width)
    for row in grid.rows:  # type: ignore[attr-defined]
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Pt(width)


def _docx_cell(cell: object, text: str, *, bold: bool = False, size: float = DOCX_SIZE,
               center: bool = False) -> None:
    para = cell.paragraphs[0]  # type: ignore[attr-defined]
    run = para.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _docx_caption(doc: object, caption: Caption, usable: float) -> None:
    for n, line in enumerate(caption.heading):
        para = doc.add_paragraph()  # type: ignore[attr-defined]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(line.upper())
        run.bold = True
        run.font.size = Pt(12 if n == 0 else 10)
        para.paragraph_format.space_after = Pt(0)
    head = doc.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    left, right = head.rows[0].cells
    for n, line in enumerate(caption.parties):
        para = left.paragraphs[0] if n == 0 else left.add_paragraph()
        para.add_run(line).font.size = Pt(10)
    _docx_cell(right, caption.form_title, bold=True, size=11)
    para = right.add_paragraph()
    run = para.add_run(f"Case Number: {caption.case_number}")
    run.font.size = Pt(10)
    _docx_fixed_widths(head, [usable / 2, usable / 2])
    if caption.boxes:
        rows = (len(caption.boxes) + 2) // 3
        boxes = doc.add_table(rows=rows, cols=3)  # type: ignore[attr-defined]
        boxes.style = "Table Grid"
        for n, (label, value) in enumerate(caption.boxes):
            cell = boxes.rows[n // 3].cells[n % 3]
            _docx_cell(cell, label.upper(), bold=True, size=7)
            para = cell.add_paragraph()
            para.add_run(value).font.size = Pt(9)
        _docx_fixed_widths(boxes, [usable / 3] * 3)
    doc.add_paragraph()  # type: ignore[attr-defined]


def _docx_table(doc: object, table: TableData, usable: float) -> None:
    widths = column_widths(table, usable, DOCX_SIZE, DOCX_PAD, DOCX_METRICS)
    grid = doc.add_table(rows=1, cols=len(table.columns))  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_props = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every printed page
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        _docx_cell(cell, name, bold=True)
    for n, row in enumerate(table.rows):
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            _docx_cell(cell, value, bold=n in table.highlight)
    if table.footer:
        for cell, value in zip(grid.add_row().cells, table.footer, strict=True):
            _docx_cell(cell, value, bold=True)
    _docx_fixed_widths(grid, widths)


def write_docx(table: TableData, path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Inches(11), Inches(8.5)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.5))
    usable = 10.0 * 72
    for name in ("Normal", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name = DOCX_FONT
        fonts = style.element.rPr.rFonts
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), DOCX_FONT)
    if table.caption is not None:
        _docx_caption(doc, table.caption, usable)
    doc.add_heading(table.title, level=1 if table.caption is None else 2)
    if table.subtitle:
        doc.add_paragraph(table.subtitle)
    _docx_table(doc, table, usable)
    if table.appendix is not None:
        doc.add_heading(table.appendix.title, level=2)
        if table.appendix.subtitle:
            doc.add_paragraph(table.appendix.subtitle)
        _docx_table(doc, table.appendix, usable)
    doc.save(str(path))


# ---- PDF ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    cell: ParagraphStyle
    head: ParagraphStyle
    title: ParagraphStyle
    body: ParagraphStyle
    caption: ParagraphStyle
    caption_big: ParagraphStyle
    box_label: ParagraphStyle


def _styles() -> _Styles:
    regular, bold = table_fonts()
    cell = ParagraphStyle("cell", fontName=regular, fontSize=CELL_SIZE,
                          leading=CELL_SIZE * 1.22, splitLongWords=1)
    return _Styles(
        cell=cell,
        head=ParagraphStyle("head", parent=cell, fontName=bold),
        title=ParagraphStyle("title", fontName=bold, fontSize=12, leading=15, spaceAfter=2),
        body=ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11),
        caption=ParagraphStyle("caption", fontName=regular, fontSize=10, leading=12.5),
        caption_big=ParagraphStyle("caption_big", fontName=bold, fontSize=12, leading=15,
                                   alignment=TA_CENTER),
        box_label=ParagraphStyle("box_label", fontName=bold, fontSize=6.5, leading=8),
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _font_command(st: _Styles) -> tuple[object, ...]:
    """Tables set their cells' font before drawing them: ours, never unembedded Helvetica."""
    return ("FONT", (0, 0), (-1, -1), st.cell.fontName, CELL_SIZE)


def _pdf_caption(caption: Caption, st: _Styles, usable: float) -> list[object]:
    story: list[object] = [_p(line.upper(), st.caption_big) for line in caption.heading]
    story.append(Spacer(1, 6))
    parties = [_p(line, st.caption) for line in caption.parties] or [_p("", st.caption)]
    right = [_p(caption.form_title, ParagraphStyle("ft", parent=st.caption_big, fontSize=11)),
             Spacer(1, 4), _p(f"Case Number: {caption.case_number}", st.caption)]
    head = Table([[parties, right]], colWidths=[usable * 0.55, usable * 0.45])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), _font_command(st),
                              ("LINEAFTER", (0, 0), (0, 0), 0.6, colors.black)]))
    story.append(head)
    if caption.boxes:
        cells = [[_p(label.upper(), st.box_label), _p(value or " ", st.caption)]
                 for label, value in caption.boxes]
        rows = [cells[i : i + 3] + [[]] * (3 - len(cells[i : i + 3]))
                for i in range(0, len(cells), 3)]
        grid = Table(rows, colWidths=[usable / 3] * 3)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                                  _font_command(st),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("TOPPADDING", (0, 0), (-1, -1), 2),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        story += [Spacer(1, 4), grid]
    story.append(Spacer(1, 8))
    return story


def _pdf_table(table: TableData, st: _Styles, usable: float) -> Table:
    widths = column_widths(table, usable, CELL_SIZE, CELL_PAD)
    data = [[_p(c, st.head) for c in table.columns]]
    data += [[_p(v, st.head if n in table.highlight else st.cell) for v in row]
             for n, row in enumerate(table.rows)]
    if table.footer:
        data.append([_p(v, st.head) for v in table.footer])
    grid = Table(data, colWidths=widths, repeatRows=1)
    commands: list[tuple[object, ...]] = [
        _font_command(st),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("BACKGROUND", (0, n + 1), (-1, n + 1), colors.HexColor("#fff2b3"))
                 for n in table.highlight]
    grid.setStyle(TableStyle(commands))
    return grid


def write_pdf(table: TableData, path: Path) -> None:
    st = _styles()
    doc = SimpleDocTemplate(
        str(path), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=0.45 * inch, bottomMargin=0.45 * inch, title=table.title,
        initialFontName=st.cell.fontName,  # no unembedded Helvetica in the resources
    )
    usable = PAGE[0] - 2 * MARGIN
    story: list[object] = []
    if table.caption is not None:
        story += _pdf_caption(table.caption, st, usable)
    story.append(_p(table.title, st.title))
    if table.subtitle:
        story.append(_p(table.subtitle, st.body))
    story += [Spacer(1, 5), _pdf_table(table, st, usable)]
    if table.appendix is not None:
        story += [Spacer(1, 10), _p(table.appendix.title, st.title)]
        if table.appendix.subtitle:
            story.append(_p(table.appendix.subtitle, st.body))
        story += [Spacer(1, 5), _pdf_table(table.appendix, st, usable)]
    doc.build(story)


WRITERS = {"csv": write_csv, "docx": write_docx, "pdf": write_pdf}


def write_all(table: TableData, folder: Path, stem: str, *,
              formats: Sequence[str] = ("csv", "docx", "pdf"),
              csv_table: TableData | None = None) -> list[Path]:
    """The table in each of `formats` in `folder` (CSV from `csv_table` when given, for a
    data export with other columns); returns the paths."""
    paths = []
    for ext in formats:
        path = folder / f"{stem}.{ext}"
        WRITERS[ext](csv_table if ext == "csv" and csv_table is not None else table, path)
        paths.append(path)
    return paths
