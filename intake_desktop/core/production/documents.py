"""The pages a production adds: slip sheets (native, withheld), the cover letter, and the
privilege log table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from intake_desktop.core.exhibits.tables import TableData, table_fonts

WITHHELD_TITLE = "WITHHELD - PRIVILEGED"
NATIVE_TITLE = "DOCUMENT PRODUCED IN NATIVE FORMAT"


def slip_sheet(path: Path, title: str, lines: Sequence[str]) -> str:
    """A plain page with `title` large and centred and `lines` below it (fonts embedded).
    Room is left at the foot of the page for the Bates number and endorsement. Returns the
    page's text (for the TEXT folder)."""
    regular, bold = table_fonts()
    c = canvas.Canvas(str(path), pagesize=letter, initialFontName=regular)
    w, h = letter
    c.setTitle(title)
    c.setFont(bold, 26)
    c.drawCentredString(w / 2, h / 2 + 60, title)
    c.setFont(regular, 13)
    y = h / 2 + 20
    text = [title]
    for line in lines:
        for part in simpleSplit(line, regular, 13, w - 144)[:4]:
            c.drawCentredString(w / 2, y, part)
            text.append(part)
            y -= 18
    c.showPage()
    c.save()
    return "\n".join(text) + "\n"


@dataclass(frozen=True)
class CoverLetter:
    volume: str
    matter: str
    producing_party: str
    served_on: str
    date: dt.date
    bates_first: str
    bates_last: str
    counts: Sequence[tuple[str, str]]  # (what, how many)
    load_files: Sequence[str]
    privilege_log: Sequence[str]


def cover_letter(path: Path, letter_data: CoverLetter) -> None:
    """The transmittal letter: the volume, its Bates range, what it holds."""
    regular, bold = table_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15, spaceAfter=8)
    head = ParagraphStyle("head", parent=body, fontName=bold)
    d = letter_data
    doc = SimpleDocTemplate(str(path), pagesize=letter, leftMargin=inch, rightMargin=inch,
                            topMargin=inch, bottomMargin=inch,
                            title=f"{d.volume} cover letter", author=d.producing_party)
    head_lines = _letter_paragraphs(d)[:-1]
    story: list[object] = [Paragraph(escape(head_lines[0]), body), Spacer(1, 6)]
    for text in head_lines[1:]:
        story.append(Paragraph(escape(text), head if text.startswith("Re: ") else body))
    rows = [[Paragraph(escape(a), body), Paragraph(escape(b), body)] for a, b in d.counts]
    table = Table(rows, colWidths=[3.6 * inch, 2.4 * inch])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), regular, 11),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#999999")]))
    story += [table, Spacer(1, 10)]
    tail = _letter_tail(d)
    closing = tail.index("Very truly yours,")
    story += [Paragraph(escape(t), body) for t in tail[:closing]]
    story += [Spacer(1, 12)] + [Paragraph(escape(t), body) for t in tail[closing:]]
    doc.build(story)


def cover_letter_docx(path: Path, letter_data: CoverLetter) -> None:
    """The same letter as a Word file, for the attorney to edit and sign."""
    from docx import Document

    d = letter_data
    doc = Document()
    doc.core_properties.title = f"{d.volume} cover letter"
    doc.core_properties.author = d.producing_party
    for text in _letter_paragraphs(d)[:-1]:
        doc.add_paragraph(text)
    table = doc.add_table(rows=0, cols=2)
    for what, count in d.counts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = what, count
    for text in _letter_tail(d):
        doc.add_paragraph(text)
    doc.save(str(path))


def _range(d: CoverLetter) -> str:
    return d.bates_first if d.bates_first == d.bates_last else (
        f"{d.bates_first} through {d.bates_last}")


def _letter_paragraphs(d: CoverLetter) -> list[str]:
    """Date, addressee, reference line, opening sentence (the counts follow)."""
    out = [f"{d.date:%B} {d.date.day}, {d.date.year}"]
    if d.served_on:
        out.append(d.served_on)
    out.append(f"Re: {d.matter} - document production, volume {d.volume}")
    out.append(f"Enclosed is production volume {d.volume}"
               + (f", produced by {d.producing_party}" if d.producing_party else "")
               + (f", Bates numbered {_range(d)}." if d.bates_first else "."))
    out.append("")  # the counts table
    return out


def _letter_tail(d: CoverLetter) -> list[str]:
    out = ["Load files: " + ", ".join(d.load_files) + ". The DAT gives each document's "
           "MD5, SHA-1 and SHA-256 hash, its custodian and its family (BEGATTACH/ENDATTACH)."]
    if d.privilege_log:
        out.append("Documents withheld as privileged are listed on the enclosed privilege log ("
                   + ", ".join(d.privilege_log) + ").")
    out.append("Very truly yours,")
    if d.producing_party:
        out.append(d.producing_party)
    return out


PRIVILEGE_COLUMNS = ("Bates / control no.", "Date", "Author", "Recipients", "Document type",
                     "Privilege asserted", "Description")


def privilege_table(volume: str, matter: str, party: str,
                    rows: Sequence[Sequence[str]]) -> TableData:
    subtitle = " - ".join(x for x in (matter, party) if x)
    return TableData(title=f"Privilege log - production volume {volume}", subtitle=subtitle,
                     columns=PRIVILEGE_COLUMNS, rows=rows, flex=(6, 3), keep=(0, 1))
