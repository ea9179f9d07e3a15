"""The exhibit browser: paging model, filters, PDF preview page count, custody history."""

from __future__ import annotations

from intake_desktop.app import build_filer
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.qt.browser_page import BrowserPage
from intake_desktop.qt.models import DocumentTableModel


def file_samples(app, make_pdf, tmp_path):
    filer = build_filer(app)
    a = make_pdf("Deposition transcript.pdf", 7)
    b = make_pdf("Invoice.pdf", 2)
    c = make_pdf("Photo log.pdf", 3)
    filer.ingest([a, b], matter="2024-001 Jones")
    filer.ingest([c], matter="2024-002 Smith")


def test_select_document_shows_page_count_and_history(
    make_window, app, make_pdf, tmp_path, qtmodeltester
):
    file_samples(app, make_pdf, tmp_path)
    window = make_window("attorney")
    assert window.open_page("browser")
    page = window.pages["browser"]
    assert isinstance(page, BrowserPage)
    assert page.model.rowCount() == 3
    assert page.count.text() == "3 documents"
    page.select_row(0)
    assert page.model.record(0).filed_path.endswith("Deposition transcript.pdf")
    assert page.preview.page_count() == 7
    assert page.preview.page_label.text() == "of 7"
    page.preview.next_button.click()
    assert page.preview.current_page() == 1
    assert page.preview.page_box.value() == 2
    page.preview.go_to(99)
    assert page.preview.current_page() == 6
    assert not page.preview.next_button.isEnabled()
    kinds = [page.history_model.record(r).kind for r in range(page.history_model.rowCount())]
    assert kinds == ["received", "original_preserved", "filed"]
    page.select_row(1)
    assert page.preview.page_count() == 2
    qtmodeltester.check(page.history_model)


def test_filters_by_matter_and_text(make_window, app, make_pdf, tmp_path):
    file_samples(app, make_pdf, tmp_path)
    window = make_window("attorney")
    page = window.pages["browser"]
    page.matter.setCurrentText("2024-002 Smith")
    assert page.model.rowCount() == 1
    assert page.model.record(0).filed_path.endswith("Photo log.pdf")
    page.matter.setCurrentText("All")
    page.search.setText("invoice")
    page.apply_filter()
    assert [page.model.record(r).filed_path for r in range(page.model.rowCount())] == [
        "Matters/2024-001 Jones/Invoice.pdf"]
    page.search.setText("nothing-like-this")
    page.apply_filter()
    assert page.model.rowCount() == 0
    assert page.count.text() == "0 documents"


def test_the_count_label_stops_at_its_cap(make_window, app, make_pdf, tmp_path):
    """A firm's ledger: the label counts matches up to a cap (10,000) and then says "more
    than", instead of counting 700,000 matches of a common word (seconds at 1,000,000)."""
    file_samples(app, make_pdf, tmp_path)
    window = make_window("attorney")
    page = window.pages["browser"]
    page.apply_filter()
    assert page.count.text() == "3 documents"
    page.model.count_cap = 2
    page.apply_filter()
    assert page.count.text() == "more than 2 documents"
    assert page.model.rowCount() == 3  # every row is still listed
    page.model.count_cap = 3
    page.apply_filter()
    assert page.count.text() == "3 documents"


def test_document_model_pages_with_fetch_more(app, make_pdf, tmp_path, qtmodeltester):
    filer = build_filer(app)
    for n in range(12):
        filer.ingest([make_pdf(f"doc{n:02d}.pdf")], matter="M")
    model = DocumentTableModel(app.ledger, page_size=5)
    model.set_filter(DocumentFilter())
    assert model.rowCount() == 5 and model.total == 12
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 12
    assert not model.canFetchMore()
    ids = [model.record(r).id for r in range(12)]
    assert ids == sorted(ids) and len(set(ids)) == 12
    qtmodeltester.check(model)


def test_date_filter(app, make_pdf, tmp_path):
    file_samples(app, make_pdf, tmp_path)
    today = app.ledger.docs.documents()[0].created_at[:10]
    assert app.ledger.docs.count_documents(DocumentFilter(date_from=today, date_to=today)) == 3
    assert app.ledger.docs.count_documents(DocumentFilter(date_to="1999-12-31")) == 0


def test_refresh_keeps_the_selected_document(make_window, app, make_pdf, tmp_path):
    file_samples(app, make_pdf, tmp_path)
    window = make_window("attorney")
    page = window.pages["browser"]
    page.select_row(2)
    chosen = page.selected().id
    window.refresh()
    assert page.selected() is not None and page.selected().id == chosen
    assert page.preview.page_count() == 3


def test_text_search_treats_wildcards_literally(app, make_pdf):
    filer = build_filer(app)
    filer.ingest([make_pdf("Report 100%_final.pdf"), make_pdf("Report 1000 final.pdf")],
                 matter="M")
    hits = app.ledger.docs.browse_documents(DocumentFilter(text="100%_FINAL"))
    assert [d.filed_path for d in hits] == ["Matters/M/Report 100%_final.pdf"]
    both = app.ledger.docs.browse_documents(DocumentFilter(text="report final"))
    assert len(both) == 2


def test_the_date_column_tells_a_received_day_from_a_document_date(make_window, app, make_pdf,
                                                                   tmp_path):
    """Issue 23: a reader must tell a document's own date from the day it came in."""
    from intake_desktop.core.document_details import edit_details

    file_samples(app, make_pdf, tmp_path)
    window = make_window("attorney")
    page = window.pages["browser"]
    model = page.model
    date = next(n for n, c in enumerate(model.columns) if c.title == "Date")
    received = model.record(0).created_at[:10]
    cells = [model.index(r, date).data() for r in range(model.rowCount())]
    assert cells == [f"rcvd {received}"] * 3
    tip = model.index(0, date).data(3)  # ToolTipRole
    assert "no date found" in tip.lower() and received in tip
    edit_details(app.ledger, model.record(1).id, document_date="2023-05-04")
    page.apply_filter()
    assert model.index(1, date).data() == "2023-05-04"
    assert "own date" in model.index(1, date).data(3).lower()
