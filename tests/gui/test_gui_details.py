"""Editable document details in the browser: title, document date and custodian, recorded in
the ledger as a `details_edited` event and shown in the browser afterwards."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt

from intake_desktop.app import build_filer
from intake_desktop.core.document_details import DetailsError, current_details, edit_details
from intake_desktop.core.ledger import EventKind
from intake_desktop.qt.browser_page import BrowserPage

LEFT = Qt.MouseButton.LeftButton
MATTER = "2024-001 Jones"


def filed(app, make_pdf, name="scan 0412.pdf"):
    [r] = build_filer(app).ingest([make_pdf(name, 2)], matter=MATTER)
    return r.document_id


def test_editing_details_records_an_event_and_shows_them(qtbot, make_window, app,
                                                         make_pdf) -> None:
    doc_id = filed(app, make_pdf)
    window = make_window("attorney")
    window.open_page("browser")
    page = window.pages["browser"]
    assert isinstance(page, BrowserPage)
    page.select_row(0)
    assert page.details_button.isEnabled()
    qtbot.mouseClick(page.details_button, LEFT)
    dialog = page.details_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.title.setText("Letter from Dr. Patel re MRI")
    dialog.date.setDate(QDate(2024, 2, 11))
    dialog.custodian.setText("Jane Jones (client)")
    qtbot.mouseClick(dialog.save_button, LEFT)

    [event] = app.ledger.chain.events(document_id=doc_id, kinds=[EventKind.DETAILS_EDITED])
    assert (event.actor_user, event.actor_role) == ("pat", "attorney")
    assert event.detail["after"] == {"title": "Letter from Dr. Patel re MRI",
                                     "document_date": "2024-02-11",
                                     "custodian": "Jane Jones (client)"}
    assert event.detail["before"]["document_date"] is None
    assert sorted(event.detail["changed"]) == ["custodian", "document_date", "title"]
    assert app.ledger.docs.document(doc_id).document_date == "2024-02-11"
    assert app.ledger.chain.verify_chain().ok

    # Shown afterwards: the list, the heading above the preview, the custody history.
    row = page.model.records.index(next(d for d in page.model.records if d.id == doc_id))
    desc = page.model.data(page.model.index(row, page.model.column_index("description")))
    date = page.model.data(page.model.index(row, page.model.column_index("date")))
    custodian = page.model.data(page.model.index(row, page.model.column_index("custodian")))
    assert (desc, date, custodian) == ("Letter from Dr. Patel re MRI", "2024-02-11",
                                       "Jane Jones (client)")
    assert "Letter from Dr. Patel re MRI" in page.doc_label.text()
    assert "Custodian: Jane Jones (client)" in page.doc_label.text()
    kinds = [page.history_model.record(r).kind for r in range(page.history_model.rowCount())]
    assert kinds[-1] == "details_edited"
    assert page.selected().id == doc_id  # still selected

    # A new window (another day) shows the same details: they come from the ledger.
    again = make_window("admin")
    again.open_page("browser")
    other = again.pages["browser"]
    assert other.model.data(other.model.index(0, other.model.column_index("description"))) == (
        "Letter from Dr. Patel re MRI")


def test_cancel_and_unchanged_record_nothing(qtbot, make_window, app, make_pdf) -> None:
    doc_id = filed(app, make_pdf)
    window = make_window("attorney")
    page = window.pages["browser"]
    page.select_row(0)
    qtbot.mouseClick(page.details_button, LEFT)
    page.details_dialog.title.setText("Something else")
    qtbot.mouseClick(page.details_dialog.cancel_button, LEFT)
    qtbot.mouseClick(page.details_button, LEFT)
    qtbot.mouseClick(page.details_dialog.save_button, LEFT)  # nothing changed
    assert app.ledger.chain.events(document_id=doc_id, kinds=[EventKind.DETAILS_EDITED]) == []
    assert "nothing" in page.note.text().lower()


def test_core_refuses_a_bad_date_and_keeps_the_latest_details(app, make_pdf) -> None:
    doc_id = filed(app, make_pdf)
    try:
        edit_details(app.ledger, doc_id, document_date="2024-13-40")
    except DetailsError as exc:
        assert "2024-13-40" in exc.message and "YYYY-MM-DD" in exc.message
    else:
        raise AssertionError("a bad date was accepted")
    edit_details(app.ledger, doc_id, title="First title")
    edit_details(app.ledger, doc_id, custodian="Acme records dept.")
    now = current_details(app.ledger, app.ledger.docs.document(doc_id))
    assert (now.title, now.custodian) == ("First title", "Acme records dept.")
    edit_details(app.ledger, doc_id, title="")  # cleared: the name describes it again
    assert current_details(app.ledger, app.ledger.docs.document(doc_id)).title == ""
