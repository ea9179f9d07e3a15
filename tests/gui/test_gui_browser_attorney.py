"""The browser for attorneys (issue 14): columns chosen per user and remembered, zoom and
fit-width in the preview, open or reveal from any row."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtPdfWidgets import QPdfView

from intake_desktop.app import build_filer
from intake_desktop.core.ledger import Actor


class Opened(QObject):
    """Catches what the window asks the desktop to open (the true boundary)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def test_columns_remembered_per_user_zoom_and_open(make_window, app, make_pdf):
    build_filer(app).ingest([make_pdf("a.pdf", 2), make_pdf("b.pdf", 3)], matter="2024-1 A")
    window = make_window("attorney")
    window.resize(1180, 760)
    window.show()
    page = window.pages["browser"]
    page.refresh()
    kind = page.model.column_index("kind")
    assert page.table.isColumnHidden(kind)
    page.set_column_shown("kind", True)
    page.set_column_shown("category", False)
    # The same user sees the choice in a new window; another user has the defaults.
    again = make_window("attorney").pages["browser"]
    assert not again.table.isColumnHidden(kind)
    assert again.table.isColumnHidden(again.model.column_index("category"))
    window.set_actor(Actor("lee", "attorney"))
    other = window.pages["browser"]
    assert other.table.isColumnHidden(kind)
    assert not other.table.isColumnHidden(other.model.column_index("category"))
    assert other.model.data(other.model.index(0, kind)) == "PDF"

    other.select_row(1)
    preview = other.preview
    assert preview.page_count() == 3
    before = preview.view.zoomFactor()
    preview.zoom(1.25)
    assert abs(preview.view.zoomFactor() - before * 1.25) < 1e-6
    preview.set_fit("width")
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert preview.fit_width.isChecked() and not preview.fit_page.isChecked()

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "handle")
    try:
        other.open_document()
        other.open_in_folder()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    doc = other.selected()
    filed = app.workspace.root / doc.filed_path
    assert [Path(u.toLocalFile()) for u in opened.urls] == [filed, filed.parent]


def test_description_leaves_out_the_received_day_of_an_undated_document() -> None:
    """Undated documents are named `rcvd-<day received>_...` (issue 23); the Date column
    already shows that day, so the description is the document's own words."""
    from intake_desktop.qt.models import describe

    matter = "2024-0117 Reyes v. Acme Logistics"
    assert describe(f"rcvd-2026-12-03_{matter}_DECL_Draft-Declaration.pdf", matter) == \
        "Draft Declaration"
    assert describe(f"2024-02-11_{matter}_MED_MRI-report.pdf", matter) == "MRI report"
