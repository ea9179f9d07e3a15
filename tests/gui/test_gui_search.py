"""Full-text search (issue 14): what documents say, their Bates numbers and exhibit labels,
kept in the ledger as they are filed; hits highlighted in the list and the preview."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.search_text import bates_numbers, snippet
from intake_desktop.core.workspace import init_workspace
from tests.core.ledger.test_postgres import ADMIN_URL, pg_url  # noqa: F401  (fixture)


def _email(folder: Path) -> Path:
    msg = EmailMessage()
    msg["From"] = "Ana Reyes <ana@example.com>"
    msg["To"] = "intake@firm.example"
    msg["Subject"] = "Photos of the stairs"
    msg["Date"] = "Tue, 05 Mar 2024 10:00:00 -0500"
    msg.set_content("Hello,\n\nThe handrail was loose before the settlement conference.\n")
    out = folder / "photos.eml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(bytes(msg))
    return out


def test_words_in_every_page_and_email_bodies_are_found(
        make_window, app, make_pdf, tmp_path, qtbot):
    letter = make_pdf("letter.pdf", 3, text="Policy terms")
    # Page 3 says something no name or path says.
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    extra = tmp_path / "p3.pdf"
    c = canvas.Canvas(str(extra))
    c.drawString(72, 720, "The roof over the garage leaked in March")
    c.save()
    writer = PdfWriter(clone_from=PdfReader(letter))
    writer.add_page(PdfReader(extra).pages[0])
    with letter.open("wb") as fh:
        writer.write(fh)
    build_filer(app).ingest([letter, _email(tmp_path / "incoming"),
                             make_pdf("bill.pdf", text="Invoice")], matter="2024-1 A")
    ledger = app.ledger
    assert [Path(d.filed_path).name for d in
            ledger.docs.browse_documents(DocumentFilter(text="garage"))] == ["letter.pdf"]
    assert ledger.docs.count_documents(DocumentFilter(text="GARAG")) == 1  # word starts
    [mail] = ledger.docs.browse_documents(DocumentFilter(text="handrail settlement"))
    assert mail.filed_path.endswith(".pdf")  # the converted email, its body searchable
    texts = ledger.docs.document_texts([mail.id])
    assert "handrail" in texts[mail.id].body

    window = make_window("attorney")
    page = window.pages["browser"]
    page.search.setText("garage")
    page.apply_filter()
    assert page.model.total == 1
    found_col = page.model.column_index("found")
    assert not page.table.isColumnHidden(found_col)
    shown = page.model.data(page.model.index(0, found_col))
    assert "garage" in shown and "roof" in shown
    assert page.model.data(page.model.index(0, page.model.column_index("pages"))) == "4"
    page.select_row(0)
    qtbot.waitUntil(lambda: page.preview.hit_count() >= 1)
    assert page.preview.current_page() == 3  # the page with the hit is shown
    # The highlighted cell is painted differently from the same text without a search.
    page.table.resize(900, 300)
    page.table.setColumnWidth(found_col, 420)
    rect = page.table.visualRect(page.model.index(0, found_col))
    with_hit = page.table.viewport().grab(rect).toImage()
    page.hits.query = lambda: ""
    plain = page.table.viewport().grab(rect).toImage()
    assert with_hit != plain


def test_search_by_bates_number_and_exhibit_label(make_window, app, make_pdf):
    build_filer(app).ingest([make_pdf("deposition.pdf", 3), make_pdf("photo log.pdf", 2)],
                            matter="2024-1 A")
    window = make_window("attorney")
    builder = window.pages["builder"]
    builder.refresh()
    builder.add_document(0)
    builder.add_document(1)
    builder.bates_prefix.setText("REYES")
    builder.bates_digits.setValue(6)
    builder.start_build()
    assert builder.last is not None
    exhibits = builder.last.summary["exhibits"]
    second = exhibits[1]
    ledger = app.ledger
    middle = bates_numbers(second["bates_first"], second["bates_last"])
    assert len(middle) == 2
    [doc] = ledger.docs.browse_documents(DocumentFilter(text=middle[-1]))
    assert Path(doc.filed_path).name == "photo log.pdf"
    label_word = exhibits[0]["label"].split()[-1]
    hits = ledger.docs.browse_documents(DocumentFilter(text=f"Exhibit {label_word}"))
    assert "deposition.pdf" in [Path(d.filed_path).name for d in hits]
    browser = window.pages["browser"]
    browser.refresh()
    browser.set_column_shown("labels", True)
    col = browser.model.column_index("labels")
    row = next(n for n, d in enumerate(browser.model.records) if d.id == doc.id)
    assert browser.model.data(browser.model.index(row, col)).endswith(
        f"{middle[0]}-{middle[-1]}")


def test_snippet_marks_each_hit():
    s = snippet("x " * 100 + "The Garage door and the garage roof", "garage", 60)
    assert s is not None
    assert [s.text[a:b].lower() for a, b in s.hits] == ["garage", "garage"]


def test_old_ledgers_get_the_search_table(tmp_path, make_pdf):
    """A ledger made before migration 0006_window_search upgrades and searches."""
    ws = init_workspace(tmp_path / "ws")
    ws.rules_path.unlink(missing_ok=True)
    app = open_app(str(ws.root), create=False)
    try:
        build_filer(app).ingest([make_pdf("a.pdf", text="quarterly earnings")], matter="M-1")
        assert app.ledger.docs.count_documents(DocumentFilter(text="earnings")) == 1
        assert app.ledger.docs.documents(status=DocStatus.FILED)
    finally:
        app.close()


@pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")
def test_full_text_search_on_postgres(pg_url, tmp_path, make_pdf):  # noqa: F811
    ws = init_workspace(tmp_path / "ws")
    ws.rules_path.unlink(missing_ok=True)
    app = open_app(str(ws.root), db=pg_url, create=False)
    try:
        build_filer(app).ingest([make_pdf("memo.pdf", text="the garage roof leaked"),
                                 make_pdf("bill.pdf", text="invoice")], matter="PG-1")
        ledger = app.ledger
        assert [Path(d.filed_path).name for d in
                ledger.docs.browse_documents(DocumentFilter(text="garag"))] == ["memo.pdf"]
        assert ledger.docs.count_documents(DocumentFilter(text="it's")) == 0  # quotes are safe
        doc = ledger.docs.browse_documents(DocumentFilter(text="invoice"))[0]
        ledger.docs.add_document_labels(doc.id, ["Ex. 4", "PG000010", "PG000011"])
        assert [d.id for d in ledger.docs.browse_documents(DocumentFilter(text="PG000011"))] == [
            doc.id]
    finally:
        app.close()
