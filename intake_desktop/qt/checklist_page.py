"""Matter checklists in the window: what a matter expects, what has arrived, what is
missing, waived or waiting in Review, with a progress bar; an overview of the desk's
matters with missing items; waivers and the client request letter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.checklists import (
    ChecklistError,
    ChecklistUnavailable,
    ItemStatus,
    MatterChecklist,
    assign_checklist,
    assigned_at,
    available_checklists,
    matter_checklist,
    waive_item,
    write_request_letter,
)
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.walls import visible_matters
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import page_layout, page_title

# State in words and a sign, never by colour alone.
SIGNS = {
    ItemStatus.RECEIVED: "✓ Received",
    ItemStatus.MISSING: "✗ Missing",
    ItemStatus.WAIVED: "– Waived",
    ItemStatus.REVIEW: "⚠ In Review",
}
ITEM_COLUMNS = ("Status", "Item", "Documents", "Note for the client")
OVERVIEW_COLUMNS = ("Matter", "Checklist", "Missing", "Days open", "Progress")


def _cell(text: str, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


class ChecklistPage(QWidget):
    """`ChecklistPage(session)`; `ask_reason` is replaced in tests (a dialog boundary)."""

    def __init__(self, session: Session, on_error: Callable[[str], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.on_error = on_error or (lambda _text: None)
        self.ask_reason: Callable[[str], str | None] = self._ask_reason
        self.state: MatterChecklist | None = None
        try:
            # The workspace's edited checklists replace the shipped ones (Settings).
            self.available = available_checklists(session.app.workspace,
                                                  on_problem=self.on_error)
        except ChecklistError as exc:
            self.available = []
            self.on_error(exc.what)
        layout, _ = page_layout(self, page_title("Checklists", self))
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)

        matter_tab = QWidget(self)
        box = QVBoxLayout(matter_tab)
        row = QHBoxLayout()
        self.matter = QComboBox(matter_tab)
        self.matter.setAccessibleName("Matter")
        self.matter.setMinimumWidth(320)
        self.checklist = QComboBox(matter_tab)
        self.checklist.setAccessibleName("Checklist")
        for c in self.available:
            self.checklist.addItem(c.title, c.id)
        self.use_button = QPushButton("Follow this checklist", matter_tab)
        row.addWidget(QLabel("Matter:", matter_tab))
        row.addWidget(self.matter, 2)
        row.addWidget(QLabel("Checklist:", matter_tab))
        row.addWidget(self.checklist, 2)
        row.addWidget(self.use_button)
        box.addLayout(row)
        self.summary = QLabel(matter_tab)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(matter_tab)
        self.progress.setFormat("%v of %m required items")
        box.addWidget(self.summary)
        box.addWidget(self.progress)
        self.items = QTableWidget(0, len(ITEM_COLUMNS), matter_tab)
        self.items.setHorizontalHeaderLabels(ITEM_COLUMNS)
        self.items.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.items.verticalHeader().setVisible(False)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.items.setWordWrap(True)
        box.addWidget(self.items, 1)
        buttons = QHBoxLayout()
        self.waive_button = QPushButton("Waive item…", matter_tab)
        self.open_button = QPushButton("Open document", matter_tab)
        self.letter_button = QPushButton("Write client letter", matter_tab)
        self.letter_button.setObjectName("primary")
        for b in (self.open_button, self.waive_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.letter_button)
        box.addLayout(buttons)
        self.message = QLabel(matter_tab)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        self.tabs.addTab(matter_tab, "Matter")

        overview_tab = QWidget(self)
        obox = QVBoxLayout(overview_tab)
        obox.addWidget(QLabel("Matters with missing items (click a heading to sort)",
                              overview_tab))
        self.overview = QTableWidget(0, len(OVERVIEW_COLUMNS), overview_tab)
        self.overview.setHorizontalHeaderLabels(OVERVIEW_COLUMNS)
        self.overview.verticalHeader().setVisible(False)
        self.overview.setSortingEnabled(True)
        self.overview.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.overview.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        obox.addWidget(self.overview, 1)
        self.tabs.addTab(overview_tab, "Missing across the desk")

        self.matter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.use_button.clicked.connect(self.use_checklist)
        self.waive_button.clicked.connect(self.waive_selected)
        self.open_button.clicked.connect(self.open_selected)
        self.letter_button.clicked.connect(self.write_letter)
        self.items.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self.items.itemSelectionChanged.connect(self._update_buttons)
        self.reload_matters()

    def showEvent(self, event: QShowEvent) -> None:
        """Filing elsewhere in the window may have ticked items: read the ledger again."""
        super().showEvent(event)
        self.reload_matters()

    # ---- data ------------------------------------------------------------------------

    def reload_matters(self) -> None:
        current = self.matter.currentText()
        self.matter.blockSignals(True)
        self.matter.clear()
        self.matter.addItems(visible_matters(self.session.ledger))
        if current:
            self.matter.setCurrentText(current)
        self.matter.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        self.message.clear()
        # A checklist an admin saved in Settings since (issue 18) is the one in force now.
        self.available = available_checklists(self.session.app.workspace,
                                              on_problem=self.on_error) or self.available
        self._fill_overview()
        matter = self.matter.currentText()
        self.state = None
        self.items.setRowCount(0)
        if not matter:
            self.summary.setText("No matters yet: file a document first.")
            self._update_buttons()
            return
        try:
            self.state = matter_checklist(self.session.ledger, matter, self.available,
                                          intake_root=self.session.app.workspace.intake)
        except ChecklistUnavailable:
            self.summary.setText(f"{matter} follows no checklist yet: choose one above and "
                                 "press Follow this checklist.")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self._update_buttons()
            return
        done, total = self.state.progress
        index = self.checklist.findData(self.state.checklist.id)
        if index >= 0:
            self.checklist.setCurrentIndex(index)
        self.summary.setText(f"{self.state.checklist.title}: {done} of {total} required "
                             f"items received or waived, {len(self.state.missing)} missing.")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.items.setRowCount(len(self.state.items))
        for row, item in enumerate(self.state.items):
            status = SIGNS[item.status]
            if not item.item.required:
                status += " (optional)"
            docs = "\n".join(Path(d.filed_path or "").name for d in item.documents)
            if item.missing_for:
                docs = "\n".join(filter(None, [docs, "Still needed from "
                                                + ", ".join(item.missing_for)]))
            if item.status is ItemStatus.WAIVED:
                docs = f"Waived by {item.waived_by}: {item.waived_reason}"
            self.items.setItem(row, 0, _cell(status, item.item.id))
            self.items.setItem(row, 1, _cell(item.item.title))
            self.items.setItem(row, 2, _cell(docs))
            self.items.setItem(row, 3, _cell(item.item.client_note))
        self.items.resizeRowsToContents()
        self._update_buttons()

    def _fill_overview(self) -> None:
        self.overview.setSortingEnabled(False)
        rows = []
        today = dt.date.today()
        for matter in visible_matters(self.session.ledger):
            try:
                state = matter_checklist(self.session.ledger, matter, self.available,
                                          intake_root=self.session.app.workspace.intake)
            except ChecklistUnavailable:
                continue
            if not state.missing:
                continue
            since = assigned_at(self.session.ledger, matter)
            days = (today - dt.date.fromisoformat(since[:10])).days if since else 0
            done, total = state.progress
            rows.append((matter, state.checklist.title, len(state.missing), days,
                         f"{done} of {total}"))
        self.overview.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                cell = _cell(str(value))
                if isinstance(value, int):
                    cell.setData(Qt.ItemDataRole.DisplayRole, value)
                self.overview.setItem(r, c, cell)
        self.overview.setSortingEnabled(True)

    def _selected(self) -> int | None:
        rows = {i.row() for i in self.items.selectedItems()}
        return rows.pop() if len(rows) == 1 else None

    def _update_buttons(self) -> None:
        row = self._selected()
        state = self.state.items[row] if self.state is not None and row is not None else None
        self.waive_button.setEnabled(state is not None
                                     and state.status is not ItemStatus.RECEIVED)
        self.open_button.setEnabled(state is not None and bool(state.documents))
        self.letter_button.setEnabled(self.state is not None)

    # ---- actions ---------------------------------------------------------------------

    def use_checklist(self) -> None:
        matter = self.matter.currentText()
        chosen = next((c for c in self.available if c.id == self.checklist.currentData()), None)
        if not matter or chosen is None:
            return
        assign_checklist(self.session.ledger, matter, chosen)
        self.refresh()
        self.message.setText(f"{matter} now follows {chosen.title}.")

    def _ask_reason(self, title: str) -> str | None:
        text, ok = QInputDialog.getText(self, "Waive item",
                                        f"Why does this matter not need “{title}”?")
        return text if ok else None

    def waive_selected(self) -> None:
        row = self._selected()
        if self.state is None or row is None:
            return
        item = self.state.items[row].item
        reason = self.ask_reason(item.title)
        if reason is None:
            return
        if not reason.strip():
            self.message.setText("Not waived: say why the matter does not need it.")
            return
        waive_item(self.session.ledger, self.state.matter, item.id, reason)
        self.refresh()
        self.message.setText(f"Waived: {item.title}.")

    def open_selected(self) -> None:
        row = self._selected()
        if self.state is None or row is None or not self.state.items[row].documents:
            return
        doc = self.state.items[row].documents[0]
        path = self.session.app.workspace.root / str(doc.filed_path)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def write_letter(self) -> None:
        if self.state is None:
            return
        ws = self.session.app.workspace
        out = ws.exports / "Client letters" / self.state.matter
        template = ws.root / ".intake" / "letterhead.docx"
        try:
            result = write_request_letter(self.session.ledger, self.state, out,
                                          template=template)
        except (IntakeError, OSError) as exc:
            self.message.setText(f"The letter was not written: {exc}")
            return
        count = len(result.items)
        self.message.setText(f"Letter asking for {count} {'item' if count == 1 else 'items'} "
                             f"written: {result.pdf} (and the Word copy beside it).")
