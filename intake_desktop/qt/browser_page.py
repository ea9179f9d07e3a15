"""The exhibit browser: search and filter the ledger's documents, preview, custody history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, QItemSelection, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.ledger import DocumentRecord
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import DocumentTableModel, HistoryModel
from intake_desktop.qt.pdf_preview import PdfPreview
from intake_desktop.qt.session import Session

ALL = "All"
STATUS_CHOICES = {
    "Filed": ("filed",),
    "In review": ("review",),
    "Duplicates": ("duplicate",),
    "Everything": ("filed", "review", "duplicate"),
}
NO_DATE = QDate(2000, 1, 1)


def _date_edit(parent: QWidget, tip: str) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("any")
    edit.setDate(NO_DATE)
    edit.setToolTip(tip)
    return edit


class BrowserPage(QWidget):
    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__()
        self.session = session
        self.on_error = on_error
        title = QLabel("Exhibit browser", self)
        title.setObjectName("pageTitle")
        self.count = QLabel(self)
        self.count.setObjectName("muted")

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search names, paths, categories, matters…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.search.addAction(icon("browse"), QLineEdit.ActionPosition.LeadingPosition)
        self.matter = QComboBox(self)
        self.category = QComboBox(self)
        self.status = QComboBox(self)
        self.status.addItems(list(STATUS_CHOICES))
        self.date_from = _date_edit(self, "Documents dated on or after")
        self.date_to = _date_edit(self, "Documents dated on or before")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda *_: self._debounce.start())
        for combo in (self.matter, self.category, self.status):
            combo.currentIndexChanged.connect(lambda *_: self.apply_filter())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda *_: self.apply_filter())
        filters = QHBoxLayout()
        for label, w in (("Matter", self.matter), ("Category", self.category),
                         ("From", self.date_from), ("To", self.date_to), ("Show", self.status)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(w, 1)
        filters.insertStretch(0, 0)

        self.model = DocumentTableModel(session.ledger, parent=self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((48, 300, 130, 110, 90, 110, 70)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda *_: self.open_document())

        self.preview = PdfPreview(self)
        self.history_model = HistoryModel(self)
        self.history = QTableView(self)
        self.history.setModel(self.history_model)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setWordWrap(False)
        self.history.setAlternatingRowColors(True)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.preview, icon("document"), "Preview")
        self.tabs.addTab(self.history, icon("history"), "Custody history")
        self.doc_label = QLabel(self)
        self.doc_label.setWordWrap(True)
        self.open_button = QPushButton(icon("open"), "Open", self)
        self.folder_button = QPushButton(icon("folder"), "Open in folder", self)
        self.open_button.clicked.connect(lambda: self.open_document())
        self.folder_button.clicked.connect(lambda: self.open_in_folder())
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.doc_label)
        right_layout.addWidget(self.tabs, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.folder_button)
        actions.addStretch(1)
        right_layout.addLayout(actions)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([560, 500])

        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addLayout(head)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        self.reload_choices()
        self.apply_filter()
        self._show(None)

    def reload_choices(self) -> None:
        for combo, values in ((self.matter, self.session.ledger.matters()),
                              (self.category, self.session.ledger.categories())):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL)
            combo.addItems(values)
            combo.setCurrentText(current or ALL)
            combo.blockSignals(False)

    def refresh(self) -> None:
        self.reload_choices()
        self.apply_filter()

    def current_filter(self) -> DocumentFilter:
        def pick(combo: QComboBox) -> str:
            return "" if combo.currentText() == ALL else combo.currentText()

        def day(edit: QDateEdit) -> str:
            return "" if edit.date() == NO_DATE else edit.date().toString("yyyy-MM-dd")

        return DocumentFilter(
            statuses=STATUS_CHOICES[self.status.currentText()],
            matter_id=pick(self.matter), category=pick(self.category),
            date_from=day(self.date_from), date_to=day(self.date_to),
            text=self.search.text().strip(),
        )

    def apply_filter(self) -> None:
        """Reload with the current filters, keeping the selected document when still listed."""
        self._debounce.stop()
        keep = self.selected()
        self.model.set_filter(self.current_filter())
        total = self.model.total
        self.count.setText(f"{total:,} document{'s' if total != 1 else ''}")
        row = next((r for r, d in enumerate(self.model.records) if keep and d.id == keep.id), -1)
        if row >= 0:
            self.select_row(row)
        else:
            self._show(None)

    def selected(self) -> DocumentRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self, *_: QItemSelection) -> None:
        self._show(self.selected())

    def _show(self, doc: DocumentRecord | None) -> None:
        enabled = doc is not None and bool(doc.filed_path)
        self.open_button.setEnabled(enabled)
        self.folder_button.setEnabled(enabled)
        if doc is None:
            self.doc_label.setText("")
            self.preview.clear()
            self.history_model.set_records([])
            return
        sha = doc.filed_sha256 or doc.sha256
        self.doc_label.setText(
            f"<b>{doc.filed_path or doc.source_path}</b><br>"
            f"<small>SHA-256 {sha[:16]}…{sha[-8:]} · {doc.status}</small>"
        )
        self.doc_label.setToolTip(f"SHA-256 {sha}")
        if doc.filed_path:
            self.preview.show_file(self.session.app.workspace.root / doc.filed_path)
        else:
            self.preview.clear("This document has no filed copy.")
        self.history_model.set_records(self.session.ledger.events(document_id=doc.id))
        for col, width in enumerate((140, 130, 130)):
            self.history.setColumnWidth(col, width)

    def open_document(self) -> None:
        doc = self.selected()
        if doc and doc.filed_path:
            path = self.session.app.workspace.root / doc.filed_path
            if not path.is_file():
                self.on_error(f"{path}: the file is missing. Run `intake-desktop ledger verify`.")
                return
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def open_in_folder(self) -> None:
        doc = self.selected()
        if doc and doc.filed_path:
            folder = (self.session.app.workspace.root / doc.filed_path).parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
