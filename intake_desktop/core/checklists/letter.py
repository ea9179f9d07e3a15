"""The client request letter: the missing items in plain language, as DOCX and PDF.

The admin can replace the letterhead with `.intake/letterhead.docx` (its header is kept and
the letter is written below it). Each letter is a `checklist_letter` event listing what it
asked for, so the next letter says what is still missing since the last one.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from intake_desktop.core.checklists.status import ItemState, MatterChecklist
from intake_desktop.core.ledger import EventKind, Ledger
from intake_desktop.core.mover import write_new_file
from intake_desktop.core.shipped import package_file

DEFAULT_LETTERHEAD = ("Our firm", "")


@dataclass(frozen=True)
class LetterResult:
    docx: Path
    pdf: Path
    items: tuple[str, ...]  # item ids asked for
    event: int


def _previous_request(ledger: Ledger, matter: str) -> tuple[str, set[str]]:
    letters = [e for e in ledger.chain.events()
               if e.kind == EventKind.CHECKLIST_LETTER and e.matter_id == matter]
    if not letters:
        return "", set()
    last = letters[-1]
    return str(last.detail.get("date") or last.at[:10]), set(last.detail.get("items", []))


def _lines(state: ItemState, asked_on: str, asked: set[str]) -> tuple[str, str]:
    title = state.item.title
    if state.missing_for:
        title += f" (still needed from {', '.join(state.missing_for)})"
    if state.item.id in asked and asked_on:
        title += f" (we first asked for this on {asked_on})"
    return title, state.item.client_note


def _letterhead(template: Path | None) -> list[str]:
    if template is None or not template.is_file():
        return list(DEFAULT_LETTERHEAD)
    from docx import Document

    doc = Document(str(template))
    lines = [p.text for p in doc.sections[0].header.paragraphs if p.text.strip()]
    return lines or list(DEFAULT_LETTERHEAD)


def _docx(template: Path | None, body: list[tuple[str, str]], intro: list[str]) -> bytes:
    from docx import Document

    doc = Document(str(template)) if template is not None and template.is_file() else Document()
    if template is None or not template.is_file():
        doc.add_heading(DEFAULT_LETTERHEAD[0], level=1)
    for text in intro:
        doc.add_paragraph(text)
    for title, note in body:
        para = doc.add_paragraph(style="List Number")
        para.add_run(title).bold = True
        if note:
            para.add_run(f" - {note}")
    doc.add_paragraph("Thank you. Please call us with any question.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _pdf(letterhead: list[str], body: list[tuple[str, str]], intro: list[str]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    fonts = package_file("reportlab", "fonts")
    pdfmetrics.registerFont(TTFont("Vera", str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("VeraBd", str(fonts / "VeraBd.ttf")))
    normal = ParagraphStyle("n", fontName="Vera", fontSize=10.5, leading=14)
    head = ParagraphStyle("h", fontName="VeraBd", fontSize=14, leading=18)
    story: list[object] = [Paragraph(escape(letterhead[0]), head)]
    story += [Paragraph(escape(line), normal) for line in letterhead[1:]]
    story.append(Spacer(1, 0.3 * inch))
    for text in intro:
        story += [Paragraph(escape(text), normal), Spacer(1, 0.12 * inch)]
    items = [
        ListItem(Paragraph(f"<font name='VeraBd'>{escape(title)}</font>"
                           + (f" - {escape(note)}" if note else ""), normal))
        for title, note in body
    ]
    story.append(ListFlowable(items, bulletType="1", bulletFontName="Vera"))
    story += [Spacer(1, 0.2 * inch),
              Paragraph("Thank you. Please call us with any question.", normal)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=letter, title="Documents we still need",
                      author=letterhead[0], invariant=1).build(story)
    return buffer.getvalue()


def write_request_letter(
    ledger: Ledger,
    state: MatterChecklist,
    out_dir: Path,
    *,
    template: Path | None = None,
    client: str = "",
    today: dt.date | None = None,
) -> LetterResult:
    """Write the letter (DOCX and PDF, new files in `out_dir`) and record it as sent."""
    day = (today or dt.date.today()).isoformat()
    asked_on, asked = _previous_request(ledger, state.matter)
    missing = [s for s in state.missing if s.item.requested_from == "client"]
    body = [_lines(s, asked_on, asked) for s in missing]
    greeting = f"Dear {client}," if client else "Dear client,"
    intro = [day, f"Re: {state.matter} - documents we still need", greeting,
             "To move your matter forward we still need the documents below. Please send "
             "them to us as soon as you can."]
    if asked_on:
        intro.append(f"Some of them we asked for in our letter of {asked_on}; "
                     "they are marked below.")
    if not body:
        intro.append("We have every document we need from you at the moment.")
    stem = f"{day}_{state.matter}_Document-request"
    docx = write_new_file(out_dir / f"{stem}.docx", _docx(template, body, intro))
    pdf = write_new_file(out_dir / f"{stem}.pdf", _pdf(_letterhead(template), body, intro))
    ids = tuple(s.item.id for s in missing)
    event = ledger.chain.record(EventKind.CHECKLIST_LETTER, matter_id=state.matter,
                                path_after=str(pdf),
                                detail={"checklist": state.checklist.id, "items": list(ids),
                                        "date": day,
                                        "docx": str(docx), "pdf": str(pdf)})
    return LetterResult(docx, pdf, ids, event)
