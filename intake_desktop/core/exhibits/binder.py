"""Slip sheets and the combined binder (slip sheet + exhibit, one bookmark per exhibit)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from intake_desktop.core.exhibits.model import BuiltExhibit
from intake_desktop.core.pdf.stamp import save_pdf


def slip_sheet(path: Path, label: str, description: str, cite: str) -> None:
    """A plain page with the exhibit's label large and centred."""
    c = canvas.Canvas(str(path), pagesize=letter)
    w, h = letter
    c.setTitle(label)
    c.setFont("Helvetica-Bold", 40)
    c.drawCentredString(w / 2, h / 2 + 20, label.upper())
    c.setFont("Helvetica", 14)
    y = h / 2 - 20
    for line in simpleSplit(description, "Helvetica", 14, w - 144)[:6]:
        c.drawCentredString(w / 2, y, line)
        y -= 18
    if cite:
        c.setFont("Helvetica", 10)
        c.drawCentredString(w / 2, y - 10, cite)
    c.showPage()
    c.save()


def make_binder(
    path: Path, exhibits: Sequence[BuiltExhibit], work: dict[int, Path], title: str
) -> None:
    with ExitStack() as stack:
        binder = pikepdf.new()
        marks: list[tuple[str, int]] = []
        for ex in exhibits:
            marks.append((f"{ex.label} - {ex.entry.description}", len(binder.pages)))
            ex.binder_page = len(binder.pages) + 1
            if ex.slip_sheet is not None:
                slip = stack.enter_context(pikepdf.open(ex.slip_sheet))
                binder.pages.extend(slip.pages)
            src = stack.enter_context(pikepdf.open(work[ex.entry.position]))
            binder.pages.extend(src.pages)
        with binder.open_outline() as outline:
            for name, page in marks:
                outline.root.append(pikepdf.OutlineItem(name, page))
        binder.docinfo["/Title"] = title
        binder.Root.PageMode = pikepdf.Name.UseOutlines
        save_pdf(binder, path)
