"""The exhibit index (AO 187 columns) and the table writers it shares with the chronology:
CSV (UTF-8 with BOM, so Excel reads it), Word (python-docx) and PDF (reportlab)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from intake_desktop.core.exhibits.model import BuiltExhibit
from intake_desktop.core.exhibits.spec import ExhibitSetSpec

INDEX_COLUMNS = (
    "No.",
    "Description",
    "Date",
    "Bates begin",
    "Bates end",
    "Pages",
    "Witness",
    "Offered",
    "Marked",
    "Admitted",
    "Objections",
    "Source document",
    "SHA-256",
)
# Relative column widths for the PDF and Word tables (same order as INDEX_COLUMNS).
INDEX_WIDTHS = (6.5, 15, 7, 9, 9, 5, 7, 6.5, 6.5, 7, 7.5, 9, 12)


@dataclass(frozen=True)
class TableData:
    """A titled table: what every index and chronology writer takes."""

    title: str
    subtitle: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float]
    highlight: Sequence[int] = ()  # body rows (from 0) to set off: bold, shaded
    footer: Sequence[str] = ()  # a totals row for Word and PDF (CSV stays pure data)


def write_csv(table: TableData, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.columns)
        writer.writerows(table.rows)


def write_docx(table: TableData, path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Inches(11), Inches(8.5)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.5))
    doc.add_heading(table.title, level=1)
    if table.subtitle:
        doc.add_paragraph(table.subtitle)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    header_props = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every printed page
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    total = sum(table.widths)
    usable = 10.0
    for cell, name, width in zip(grid.rows[0].cells, table.columns, table.widths, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(name)
        run.bold = True
        run.font.size = Pt(8)
        cell.width = Inches(usable * width / total)
    for n, row in enumerate(table.rows):
        cells = grid.add_row().cells
        for cell, value, width in zip(cells, row, table.widths, strict=True):
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(8)
            run.bold = n in table.highlight
            cell.width = Inches(usable * width / total)
    if table.footer:
        for cell, value, width in zip(grid.add_row().cells, table.footer, table.widths,
                                      strict=True):
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(8)
            run.bold = True
            cell.width = Inches(usable * width / total)
    doc.save(str(path))


def _breakable(text: str) -> str:
    """Escape for a reportlab Paragraph; long unbroken tokens (hashes) may wrap."""
    out = []
    for word in text.split(" "):
        if len(word) > 16:
            word = "\u200b".join(word[i : i + 16] for i in range(0, len(word), 16))
        out.append(escape(word))
    return " ".join(out)


def write_pdf(table: TableData, path: Path) -> None:
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontName="Helvetica",
                          fontSize=7, leading=8.5)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    doc = SimpleDocTemplate(
        str(path), pagesize=landscape(letter), leftMargin=0.4 * inch, rightMargin=0.4 * inch,
        topMargin=0.5 * inch, bottomMargin=0.5 * inch, title=table.title,
    )
    usable = landscape(letter)[0] - 0.8 * inch
    total = sum(table.widths)
    data = [[Paragraph(_breakable(c), head) for c in table.columns]]
    data += [[Paragraph(_breakable(v), cell) for v in row] for row in table.rows]
    if table.footer:
        data.append([Paragraph(_breakable(v), head) for v in table.footer])
    grid = Table(data, colWidths=[usable * w / total for w in table.widths], repeatRows=1)
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    commands += [("BACKGROUND", (0, n + 1), (-1, n + 1), colors.HexColor("#fff2b3"))
                 for n in table.highlight]
    grid.setStyle(TableStyle(commands))
    story = [Paragraph(escape(table.title), styles["Heading2"])]
    if table.subtitle:
        story.append(Paragraph(escape(table.subtitle), styles["BodyText"]))
    story += [Spacer(1, 6), grid]
    doc.build(story)


WRITERS = {"csv": write_csv, "docx": write_docx, "pdf": write_pdf}


def write_all(table: TableData, folder: Path, stem: str) -> list[Path]:
    """The table as CSV, DOCX and PDF in `folder`; returns the paths."""
    paths = []
    for ext, writer in WRITERS.items():
        path = folder / f"{stem}.{ext}"
        writer(table, path)
        paths.append(path)
    return paths


def index_table(spec: ExhibitSetSpec, exhibits: Sequence[BuiltExhibit],
                display: Callable[[Path], str]) -> TableData:
    rows = [
        [
            ex.label,
            ex.entry.description,
            ex.entry.date.isoformat() if ex.entry.date else "",
            ex.bates_first or "",
            ex.bates_last or "",
            str(ex.pages),
            ex.entry.witness,
            "", "", "", "",
            display(ex.source.path),
            ex.source_sha256,
        ]
        for ex in exhibits
    ]
    total = sum(ex.pages for ex in exhibits)
    return TableData(f"{spec.name} - Exhibit index",
                     f"{len(exhibits)} exhibits, {total} pages", INDEX_COLUMNS, rows,
                     INDEX_WIDTHS)
