"""Matters as first-class things: the matter list, the New matter dialog, and the picker the
intake page, review, builder and browser use."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.ledger import MatterRecord
from intake_desktop.core.roles import Role
from intake_desktop.core.walls import screened
from intake_desktop.core.workspace import available_presets
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import Column, RecordTableModel
from intake_desktop.qt.session import Session
from intake_desktop.qt.wording import say

_FOLDER_SAFE = re.compile(r'^[^<>:"/\\|?*\x00-\x1f]+$')


class MatterModel(RecordTableModel[MatterRecord]):
    columns = (
        Column("Number", lambda m: m.number or m.id.split(" ", 1)[0]),
        Column("Name", lambda m: m.name if m.name != m.id else m.id.partition(" ")[2] or m.id,
               lambda m: m.id),
        Column("Client", lambda m: m.client),
        Column("Practice", lambda m: m.practice),
        Column("Responsible attorney", lambda m: m.attorney),
    )


def fill_matters(combo: QComboBox, session: Session, first: str = "") -> None:
    """The firm's matters in a combo box (text: number, name, client; data: the matter id),
    after an optional first entry with no data ("All", "From the Intake folder name")."""
    current = combo.currentData() or combo.currentText()
    combo.blockSignals(True)
    combo.clear()
    if first:
        combo.addItem(first)
    hidden = screened(session.ledger)  # matter walls: screened matters are not offered
    for m in session.ledger.matter_book.matter_list():
        if m.id not in hidden:
            combo.addItem(icon("folder"), matter_label(m), m.id)
    found = combo.findData(current) if current else -1
    if found < 0 and current:
        found = combo.findText(str(current))
    if found >= 0:
        combo.setCurrentIndex(found)
    elif current and combo.isEditable():
        combo.setCurrentText(str(current))
    line = combo.lineEdit() if combo.isEditable() else None
    if line is not None:
        line.setCursorPosition(0)  # show the matter number, not the tail
    combo.blockSignals(False)


def chosen_matter(combo: QComboBox) -> str:
    """The matter id picked (or typed) in a combo filled by `fill_matters`; "" for none."""
    text = combo.currentText().strip()
    index = combo.findText(text)
    if index >= 0:
        data = combo.itemData(index)
        return str(data) if data else ""
    return text


def matter_label(m: MatterRecord) -> str:
    extra = " · ".join(x for x in (m.client, m.attorney) if x)
    return f"{m.id}  ({extra})" if extra else m.id


class NewMatterDialog(QDialog):
    """Number, name, client, practice type and responsible attorney; the folder name is
    "<number> <name>", as the firm's Matters/ folders are named."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("New matter")
        self.record: MatterRecord | None = None
        self.number = QLineEdit(self)
        self.number.setPlaceholderText("e.g. 2024-0117")
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. Reyes v. Acme")
        self.client = QLineEdit(self)
        self.practice = QComboBox(self)
        self.practice.addItems(available_presets())
        self.practice.setCurrentText("litigation")  # the workspace default preset
        self.attorney = QComboBox(self)
        self.attorney.setEditable(True)
        self.attorney.addItems([""] + [u.name for u in session.ledger.people.users()
                                       if u.role in (Role.ATTORNEY, Role.ADMIN)])
        self.folder = QLabel(self)
        self.folder.setTextFormat(Qt.TextFormat.PlainText)
        self.folder.setObjectName("muted")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        for edit in (self.number, self.name):
            edit.textChanged.connect(lambda *_: self._update())
        form = QFormLayout(self)
        form.addRow("Matter number:", self.number)
        form.addRow("Name:", self.name)
        form.addRow("Client:", self.client)
        form.addRow("Practice type:", self.practice)
        form.addRow("Responsible attorney:", self.attorney)
        form.addRow("Folder:", self.folder)
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create matter")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._update()

    def matter_id(self) -> str:
        return " ".join(x for x in (self.number.text().strip(), self.name.text().strip()) if x)

    def _update(self) -> None:
        ident = self.matter_id()
        self.folder.setText(f"Matters/{ident}/" if ident else "-")

    def try_accept(self) -> None:
        ident = self.matter_id()
        if not self.number.text().strip():
            say(self.error, "Type the matter number first.", "error")
            return
        if not _FOLDER_SAFE.match(ident) or ident.strip(". ") != ident:
            say(self.error, "A matter number or name cannot contain / \\ : * ? \" < > | or end "
                "with a dot. Use letters, digits, spaces, dashes and dots.", "error")
            return
        if any(m.id == ident for m in self.session.ledger.matter_book.matter_list()):
            say(self.error, f"There is already a matter {ident}. Pick it from the list.", "error")
            return
        self.record = self.session.ledger.matter_book.save_matter(MatterRecord(
            id=ident, name=self.name.text().strip(), number=self.number.text().strip(),
            client=self.client.text().strip(), practice=self.practice.currentText(),
            attorney=self.attorney.currentText().strip(),
        ))
        self.accept()


class MatterPicker(QDialog):
    """Which matter? A list of the firm's matters, or New matter…"""

    def __init__(self, session: Session, parent: QWidget | None = None, *, count: int = 0,
                 ) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Which matter?")
        what = f"these {count} items" if count > 1 else "this item"
        intro = QLabel(f"Choose the matter {what} belong{'s' if count <= 1 else ''} to. "
                       "Each file is copied into the matter's folder; the files you dragged "
                       "stay where they are.", self)
        intro.setWordWrap(True)
        self.choice = QComboBox(self)
        self.new_button = QPushButton(icon("add"), "New matter…", self)
        self.new_button.clicked.connect(self.new_matter)
        self.reload()
        row = QHBoxLayout()
        row.addWidget(self.choice, 1)
        row.addWidget(self.new_button)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("File into this matter")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(buttons)

    def reload(self, select: str = "") -> None:
        self.choice.clear()
        hidden = screened(self.session.ledger)
        for m in self.session.ledger.matter_book.matter_list():
            if m.id not in hidden:
                self.choice.addItem(icon("folder"), matter_label(m), m.id)
        if select:
            self.choice.setCurrentIndex(max(0, self.choice.findData(select)))

    def new_matter(self) -> None:
        dialog = NewMatterDialog(self.session, self)
        if dialog.exec() and dialog.record is not None:
            self.reload(dialog.record.id)

    def matter(self) -> str | None:
        data = self.choice.currentData()
        return str(data) if data else None


def pick_matter(session: Session, parent: QWidget | None, *, count: int = 0) -> str | None:
    dialog = MatterPicker(session, parent, count=count)
    return dialog.matter() if dialog.exec() else None


class MattersDialog(QDialog):
    """The matter list: number, name, client, practice type, responsible attorney."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Matters")
        self.resize(760, 420)
        self.model = MatterModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.new_button = QPushButton(icon("add"), "New matter…", self)
        self.new_button.setProperty("primary", True)
        self.new_button.clicked.connect(self.new_matter)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        hidden = screened(self.session.ledger)
        self.model.set_records([m for m in self.session.ledger.matter_book.matter_list()
                                if m.id not in hidden])
        for col, width in enumerate((90, 220, 140, 120)):
            self.table.setColumnWidth(col, width)

    def new_matter(self) -> None:
        dialog = NewMatterDialog(self.session, self)
        if dialog.exec():
            self.refresh()
