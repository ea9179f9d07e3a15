"""The browser saves a named search (Save search…) for the desk, and choosing it puts the
filters back (issue 19: a production selects documents by a saved browser search)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from intake_desktop.app import build_filer
from intake_desktop.core.saved_searches import load_searches, search_documents


def _answer(name: str) -> None:
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog), dialog
        dialog.setTextValue(name)
        dialog.accept()

    QTimer.singleShot(0, fill)


def test_save_a_search_and_choose_it_again(make_window: Any, app: Any, make_pdf: Any,
                                           qtbot: Any) -> None:
    build_filer(app).ingest([make_pdf("Invoice March.pdf", 2), make_pdf("Invoice April.pdf"),
                             make_pdf("Photo log.pdf")], matter="2024-001 Jones")
    build_filer(app).ingest([make_pdf("Invoice May.pdf")], matter="2024-002 Smith")
    window = make_window("attorney")
    page = window.pages["browser"]
    page.matter.setCurrentIndex(page.matter.findData("2024-001 Jones"))
    page.search.setText("invoice")
    page.apply_filter()
    assert page.model.rowCount() == 2
    _answer("Jones invoices")
    qtbot.mouseClick(page.saved_searches.save_button, Qt.MouseButton.LeftButton)

    saved = load_searches(app.workspace)["Jones invoices"]
    assert (saved.filter.text, saved.filter.matter_id) == ("invoice", "2024-001 Jones")
    listed = search_documents(app.ledger.docs, saved)
    assert sorted(d.filed_path.rsplit("/", 1)[-1] for d in listed) == [
        "Invoice April.pdf", "Invoice March.pdf"]

    # Clear the filters, then pick the saved search from the list.
    page.search.setText("")
    page.matter.setCurrentIndex(0)
    page.apply_filter()
    assert page.model.rowCount() == 4
    combo = page.saved_searches.combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Saved searches…", "Jones invoices"]
    combo.activated.emit(1)  # what choosing the item does
    assert page.search.text() == "invoice"
    assert page.matter.currentData() == "2024-001 Jones"
    assert page.model.rowCount() == 2
    window.grab().save("/tmp/rest_saved_search.png")


def test_a_blank_name_is_refused_with_a_message(make_window: Any, app: Any, qtbot: Any) -> None:
    window = make_window("attorney")
    page = window.pages["browser"]
    errors: list[str] = []
    page.saved_searches.on_error = errors.append
    _answer("   ")
    qtbot.mouseClick(page.saved_searches.save_button, Qt.MouseButton.LeftButton)
    assert errors and "needs a name" in errors[0]
    assert load_searches(app.workspace) == {}
