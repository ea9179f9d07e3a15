"""The review queue: every document the filer would not guess about, and the actions on it."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import PurePosixPath

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocumentRecord
from intake_desktop.core.review import Resolution
from intake_desktop.core.roles import Capability, can, who_may
from intake_desktop.core.walls import visible_matters
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import ReviewModel, review_reason
from intake_desktop.qt.pdf_preview import PdfPreview
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import Page, muted, ok_cancel, page_layout, page_title, splitter
from intake_desktop.qt.wording import say


def active_categories(session: Session) -> list[str]:
    """The categories of the active naming rules (else those in use in the ledger)."""
    path = session.app.workspace.rules_path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, tomllib.TOMLDecodeError):
        data = {}
    rules = data.get("rule", []) if isinstance(data, dict) else []
    found = {str(r["category"]) for r in rules if isinstance(r, dict) and r.get("category")}
    return sorted(found) if found else session.ledger.docs.categories()


class FileDialog(QDialog):
    """Matter and category (assign), plus folder and name (file by hand).

    The input is checked before the dialog closes: a problem is shown in the dialog and
    nothing typed is lost; a matter not in the list is confirmed first.
    """

    def __init__(
        self, session: Session, doc: DocumentRecord, *, by_hand: bool, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.by_hand = by_hand
        self.setWindowTitle("File by hand" if by_hand else "Assign matter and category")
        self.confirm: Callable[[str, str], bool] = self._ask
        self.known = visible_matters(session.ledger)
        self.matter = QComboBox(self)
        self.matter.setEditable(True)
        self.matter.addItems(self.known)
        self.matter.setCurrentText(doc.matter_id or "")
        self.category = QComboBox(self)
        self.category.setEditable(True)
        self.category.addItems(["", *active_categories(session)])
        self.folder = QLineEdit(self)
        self.folder.setPlaceholderText("e.g. Correspondence/2024 (inside the matter)")
        self.filename = QLineEdit(self)
        self.filename.setText(doc.filed_path.rsplit("/", 1)[-1] if doc.filed_path else "")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        head = QLabel(f"{PurePosixPath(doc.source_path).name}\n"
                      f"{review_reason(doc, session.app.workspace.root)}", self)
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setWordWrap(True)
        form.addRow(head)
        form.addRow("Matter:", self.matter)
        form.addRow("Category:", self.category)
        if by_hand:
            form.addRow("Folder:", self.folder)
            form.addRow("File name:", self.filename)
        form.addRow(self.error)
        form.addRow(ok_cancel(self, self.try_accept))

    def _ask(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def problem(self) -> str:
        matter = self.matter.currentText().strip()
        if not matter:
            return "Choose the matter first (pick it from the list or type its number)."
        if self.by_hand:
            folder = PurePosixPath(self.folder.text().strip().replace("\\", "/"))
            if folder.is_absolute() or ".." in folder.parts:
                return (f"The folder {self.folder.text().strip()} leaves the matter's folder. "
                        "Give a folder inside the matter, such as Correspondence/2024.")
            name = self.filename.text().strip()
            if "/" in name or "\\" in name:
                return "The file name cannot contain / or \\. Put folders in Folder."
        return ""

    def try_accept(self) -> None:
        problem = self.problem()
        if problem:
            say(self.error, problem, "error")
            return
        matter = self.matter.currentText().strip()
        if matter not in self.known and not self.confirm(
            "New matter",
            f"There is no matter {matter} yet. Create it and file the document there?",
        ):
            say(self.error, "Pick the matter from the list, or check the number you typed.",
                "warn")
            return
        self.accept()


HINT = ("Documents the app would not guess about, with the reason. Assign a matter, retry "
        "after a rule change, or file by hand: each action is recorded in the ledger under "
        "your name.")


class ReviewPage(Page):
    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__(session, on_error)
        title = page_title("Review queue", self)
        self.count = muted("", self)
        self.model = ReviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.moveSection(2, 4)  # the reason last, taking the room that is left
        for col, width in ((0, 40), (1, 150), (3, 100), (4, 116), (2, 200)):
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
        # The last document filed from this queue, which Undo takes back to the queue.
        self.last_filed: DocumentRecord | None = None
        self.undo_button = QPushButton(icon("refresh"), "Undo last filing", self)
        self.undo_button.setToolTip("Take the document you last filed from this queue back "
                                    "into it (its filed copy is removed, the original kept)")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(lambda: self.undo_last())
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.reason = QLabel(self)
        self.reason.setObjectName("banner")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        for b in (self.assign_button, self.retry_button, self.hand_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)

        layout, _ = page_layout(self, title, self.count)
        self.hint = hint = muted(HINT, self, wrap=True)
        layout.addWidget(hint)
        self.preview = PdfPreview(self, kind="copy in Review/")
        self.table.setMinimumWidth(300)
        self.preview.setMinimumWidth(max(300, self.preview.minimumSizeHint().width()))
        split = splitter(Qt.Orientation.Horizontal, self, [self.table, self.preview], [700, 300],
                         stretch=(3, 1))
        layout.addWidget(split, 1)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.refresh()

    def rebind(self, session: Session) -> bool:
        self.session = session
        self.refresh()
        return True

    def refresh(self, keep: int | None = None, row: int = -1) -> None:
        """Reload the queue; select document `keep` if still waiting, else row `row`."""
        if keep is None and row < 0:
            current = self.selected()
            keep = current.id if current else None
        items = self.session.review_desk().items()
        self.model.set_records(items)
        self.count.setText(f"{len(items)} waiting" if items else "Nothing waiting for review")
        at = next((n for n, d in enumerate(items) if d.id == keep), -1)
        if at < 0 and row >= 0 and items:
            at = min(row, len(items) - 1)
        if at >= 0:
            self.select_row(at)
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
        root = self.session.app.workspace.root
        if doc is not None:
            name = PurePosixPath(doc.source_path).name
            why = review_reason(doc, root)
            self.reason.setText(
                f"{name}\nNow in: {doc.filed_path or 'nowhere (the copy is missing)'}\n"
                f"Why: {why}"
            )
        if doc is not None and doc.filed_path:
            self.preview.show_file(root / doc.filed_path)
        else:
            self.preview.clear("Select a document to see it before deciding.")
        may_act = can(self.session.actor.role, Capability.REVIEW)
        self.hint.setText(HINT if may_act else
                          "Documents the app would not guess about, with the reason. Read-only "
                          f"for you: resolving them needs {who_may(Capability.REVIEW)} "
                          "profile.")
        for b in (self.assign_button, self.retry_button, self.hand_button):
            b.setEnabled(on and may_act)
            b.setToolTip("" if may_act else
                         f"Read-only: resolving the queue needs {who_may(Capability.REVIEW)} "
                         "profile")
        self.open_button.setEnabled(on)

    def _run(self, action: Callable[[], Resolution]) -> Resolution | None:
        row = self.table.selectionModel().selectedRows()
        at = row[0].row() if row else 0
        doc = self.selected()
        try:
            resolution = action()
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            return None
        say(self.result, resolution.message, "ok" if resolution.resolved else "warn")
        if resolution.resolved:
            self.last_filed = resolution.document
            name = PurePosixPath(resolution.document.source_path).name
            self.undo_button.setText(f"Undo filing of {_short(name)}")
            self.undo_button.setEnabled(True)
        # Still waiting: keep it selected. Resolved: the next one is ready.
        self.refresh(keep=None if resolution.resolved or doc is None else doc.id, row=at)
        return resolution

    def undo_last(self) -> bool:
        """Take the last document filed from the queue back to Review/ (selected again)."""
        from intake_desktop.qt.undo import undo_filing
        from intake_desktop.qt.wording import for_window

        doc = self.last_filed
        if doc is None:
            return False
        outcome = undo_filing(self.session, doc.id)
        say(self.result, for_window(outcome.message, self.session.app.workspace.root),
            "ok" if outcome.ok else "error")
        if outcome.ok:
            self.last_filed = None
            self.undo_button.setText("Undo last filing")
            self.undo_button.setEnabled(False)
            self.refresh(keep=doc.id)
        return outcome.ok

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


def _short(name: str, most: int = 28) -> str:
    return name if len(name) <= most else name[: most - 1] + "…"
