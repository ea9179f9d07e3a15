"""The review queue: every document the filer would not guess about, and the actions on it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocumentRecord
from intake_desktop.core.review import Resolution
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import ReviewModel
from intake_desktop.qt.pdf_preview import PdfPreview
from intake_desktop.qt.session import Session


class FileDialog(QDialog):
    """Matter and category (assign), plus folder and name (file by hand)."""

    def __init__(
        self, session: Session, doc: DocumentRecord, *, by_hand: bool, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("File by hand" if by_hand else "Assign matter and category")
        self.matter = QComboBox(self)
        self.matter.setEditable(True)
        self.matter.addItems(session.ledger.matters())
        self.matter.setCurrentText(doc.matter_id or "")
        self.category = QComboBox(self)
        self.category.setEditable(True)
        self.category.addItems(["", *session.ledger.categories()])
        self.folder = QLineEdit(self)
        self.folder.setPlaceholderText("e.g. Correspondence/2024 (inside the matter)")
        self.filename = QLineEdit(self)
        self.filename.setText(doc.filed_path.rsplit("/", 1)[-1] if doc.filed_path else "")
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{doc.source_path}</b><br>{doc.reason or ''}", self))
        form.addRow("Matter:", self.matter)
        form.addRow("Category:", self.category)
        if by_hand:
            form.addRow("Folder:", self.folder)
            form.addRow("File name:", self.filename)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ReviewPage(QWidget):
    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__()
        self.session = session
        self.on_error = on_error
        title = QLabel("Review queue", self)
        title.setObjectName("pageTitle")
        self.count = QLabel(self)
        self.count.setObjectName("muted")
        self.model = ReviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 44), (1, 170), (3, 110), (4, 124)):
            self.table.setColumnWidth(col, width)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(lambda *_: self.open_selected())

        self.assign_button = QPushButton(icon("assign"), "Assign matter…", self)
        self.retry_button = QPushButton(icon("refresh"), "Retry with rules", self)
        self.open_button = QPushButton(icon("open"), "Open", self)
        self.hand_button = QPushButton(icon("hand"), "File by hand…", self)
        self.assign_button.setProperty("primary", True)
        self.assign_button.clicked.connect(lambda: self.assign_selected())
        self.retry_button.clicked.connect(lambda: self.retry_selected())
        self.open_button.clicked.connect(lambda: self.open_selected())
        self.hand_button.clicked.connect(lambda: self.file_selected_by_hand())
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.reason = QLabel(self)
        self.reason.setObjectName("banner")
        self.reason.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.assign_button, self.retry_button, self.hand_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addLayout(head)
        hint = QLabel("Documents the app would not guess about, with the reason. Assign a "
                      "matter, retry after a rule change, or file by hand: each action is "
                      "recorded in the ledger under your name.", self)
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.preview = PdfPreview(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setSizes([720, 320])
        layout.addWidget(split, 1)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.refresh()

    def refresh(self) -> None:
        items = self.session.review_desk().items()
        self.model.set_records(items)
        self.count.setText(f"{len(items)} waiting" if items else "Nothing waiting for review")
        self._update_buttons()

    def selected(self) -> DocumentRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _update_buttons(self) -> None:
        doc = self.selected()
        on = doc is not None
        self.reason.setVisible(doc is not None)
        if doc is not None:
            self.reason.setText(f"<b>{doc.source_path}</b><br>Why: {doc.reason or 'unknown'}")
        if doc is not None and doc.filed_path:
            self.preview.show_file(self.session.app.workspace.root / doc.filed_path)
        else:
            self.preview.clear("Select a document to see it before deciding.")
        for b in (self.assign_button, self.retry_button, self.open_button, self.hand_button):
            b.setEnabled(on)

    def _run(self, action: Callable[[], Resolution]) -> Resolution | None:
        try:
            resolution = action()
        except IntakeError as exc:
            self.result.setObjectName("errorText")
            self.result.setText(exc.message)
            self.on_error(exc.message)
            self.result.style().polish(self.result)
            return None
        self.result.setObjectName("okText")
        self.result.setText(resolution.message)
        self.result.style().polish(self.result)
        self.refresh()
        return resolution

    # The dialogs are separate from the actions so tests can drive the actions directly.

    def assign_selected(self, matter: str | None = None, category: str = "") -> Resolution | None:
        doc = self.selected()
        if doc is None:
            return None
        if matter is None:
            dialog = FileDialog(self.session, doc, by_hand=False, parent=self)
            if not dialog.exec():
                return None
            matter, category = dialog.matter.currentText(), dialog.category.currentText()
        desk = self.session.review_desk()
        return self._run(lambda: desk.assign(doc.id, matter or "", category))

    def retry_selected(self) -> Resolution | None:
        doc = self.selected()
        if doc is None:
            return None
        desk = self.session.review_desk()
        return self._run(lambda: desk.retry(doc.id))

    def file_selected_by_hand(
        self, matter: str | None = None, folder: str = "", filename: str = "", category: str = ""
    ) -> Resolution | None:
        doc = self.selected()
        if doc is None:
            return None
        if matter is None:
            dialog = FileDialog(self.session, doc, by_hand=True, parent=self)
            if not dialog.exec():
                return None
            matter = dialog.matter.currentText()
            folder, filename = dialog.folder.text(), dialog.filename.text()
            category = dialog.category.currentText()
        desk = self.session.review_desk()
        return self._run(lambda: desk.file_by_hand(
            doc.id, matter=matter or "", folder=folder, filename=filename, category=category))

    def open_selected(self, *, launch: bool = True) -> None:
        doc = self.selected()
        if doc is None or not doc.filed_path:
            return
        path = self.session.app.workspace.root / doc.filed_path
        if not path.is_file():
            self.on_error(f"{path}: the file is missing. Refresh the queue or check the ledger "
                          "history for where it went.")
            return
        try:
            self.session.review_desk().record_opened(doc.id)
        except IntakeError as exc:
            self.on_error(exc.message)
            return
        if launch:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
