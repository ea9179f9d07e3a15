"""Settings > People (admins): the people who act (name, role, initials, computer account,
passphrase) and the matter walls that screen a person from a matter."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import WallRecord
from intake_desktop.core.roles import (
    MIN_PASSPHRASE,
    PASSPHRASE_REQUIRED,
    Capability,
    Profile,
    Profiles,
    Role,
    can,
)
from intake_desktop.core.walls import add_wall, list_walls, remove_wall
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import Column, RecordTableModel
from intake_desktop.qt.session import Session
from intake_desktop.qt.wording import say


def _table(parent: QWidget, model: QAbstractItemModel) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    return table


class PeopleEditor(QWidget):
    """Add or change a person; attorneys and admins need a passphrase (8+ characters)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.profiles = Profiles(session.ledger)
        self.model: RecordTableModel[Profile] = RecordTableModel(self)
        self.model.columns = [
            Column("Person", lambda p: p.name),
            Column("Role", lambda p: str(p.role)),
            Column("Initials", lambda p: p.initials),
            Column("Account", lambda p: p.account or "-"),
            Column("Passphrase", lambda p: "set" if p.protected else "-"),
        ]
        self.table = _table(self, self.model)
        self.table.clicked.connect(lambda idx: self._pick(self.model.record(idx.row())))
        self.name = QLineEdit(self)
        self.role = QComboBox(self)
        self.role.addItems([r.value for r in Role])
        self.initials = QLineEdit(self)
        self.initials.setPlaceholderText("from the name")
        self.account = QLineEdit(self)
        self.account.setPlaceholderText("their computer login")
        self.account.setToolTip("Commands run from this computer account act as this person "
                                "when --as is left out; the window picks them first")
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(f"{MIN_PASSPHRASE}+ characters")
        self.passphrase.setToolTip(
            f"Required for attorneys and admins ({MIN_PASSPHRASE}+ characters), optional for "
            "paralegals; left blank, the current one is kept")
        self.save_button = QPushButton(icon("save"), "Save person", self)
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(lambda: self.save())
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Role:", self.role)
        form.addRow("Initials:", self.initials)
        form.addRow("Account:", self.account)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow(self.save_button)
        form.addRow(self.result)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addLayout(form, 2)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_records(self.profiles.list())
        self.table.resizeColumnsToContents()

    def _pick(self, profile: Profile | None) -> None:
        if profile is not None:
            self.name.setText(profile.name)
            self.role.setCurrentText(str(profile.role))
            self.initials.setText(profile.initials)
            self.account.setText(profile.account)
            self.passphrase.clear()

    def save(self) -> bool:
        role = self.role.currentText()
        try:
            p = self.profiles.save(
                self.name.text(), role, self.passphrase.text() or None,
                acting=self.session.actor, initials=self.initials.text().strip() or None,
                account=self.account.text().strip())
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            return False
        self.passphrase.clear()
        note = "" if p.protected or Role(role) in PASSPHRASE_REQUIRED else " (no passphrase)"
        say(self.result, f"Saved {p.name} as {p.role}{note}.", "ok")
        self.refresh()
        return True


class WallsEditor(QWidget):
    """Screen a person from a matter (a conflict of interest), or lift the wall."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.model: RecordTableModel[WallRecord] = RecordTableModel(self)
        self.model.columns = [
            Column("Person", lambda w: w.person),
            Column("Matter", lambda w: w.matter_id),
            Column("Reason", lambda w: w.reason or "-"),
            Column("By", lambda w: w.added_by),
            Column("Since", lambda w: w.added_at[:10]),
        ]
        self.table = _table(self, self.model)
        self.person = QComboBox(self)
        self.person.setEditable(True)
        self.matter = QComboBox(self)
        self.matter.setEditable(True)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("the conflict, in a few words")
        self.add_button = QPushButton(icon("assign"), "Screen from matter", self)
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(lambda: self.add())
        self.remove_button = QPushButton("Lift selected wall", self)
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        note = QLabel("A screened person no longer sees the matter in the app or on the "
                      "command line, and every attempt is recorded. The wall does not stop "
                      "anyone who can read the workspace folders from opening the files.", self)
        note.setObjectName("muted")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Person:", self.person)
        form.addRow("Matter:", self.matter)
        form.addRow("Reason:", self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        form.addRow(buttons)
        form.addRow(self.result)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        row = QHBoxLayout()
        row.addWidget(self.table, 3)
        row.addLayout(form, 2)
        layout.addLayout(row, 1)
        self.refresh()

    def refresh(self) -> None:
        ledger = self.session.ledger
        self.model.set_records(list_walls(ledger))
        self.table.resizeColumnsToContents()
        person, matter = self.person.currentText(), self.matter.currentText()
        self.person.clear()
        self.person.addItems([p.name for p in Profiles(ledger).list()])
        self.matter.clear()
        self.matter.addItems(ledger.matter_book.matters())
        self.person.setCurrentText(person)
        self.matter.setCurrentText(matter)

    def add(self) -> bool:
        person, matter = self.person.currentText().strip(), self.matter.currentText().strip()
        try:
            added = add_wall(self.session.ledger, person, matter, self.reason.text().strip())
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            return False
        say(self.result, f"{person} is screened from {matter}." if added
            else f"{person} was already screened from {matter}.", "ok")
        self.reason.clear()
        self.refresh()
        return added

    def remove_selected(self) -> bool:
        rows = self.table.selectionModel().selectedRows()
        wall = self.model.record(rows[0].row()) if rows else None
        if wall is None:
            say(self.result, "Select a wall in the list first.", "warn")
            return False
        try:
            removed = remove_wall(self.session.ledger, wall.person, wall.matter_id)
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            return False
        say(self.result, f"{wall.person} is no longer screened from {wall.matter_id}.", "ok")
        self.refresh()
        return removed


class PeoplePage(QWidget):
    """The People tab of Settings: people (admins: `people`) and matter walls (`walls`)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.people: PeopleEditor | None = None
        self.walls: WallsEditor | None = None
        if can(session.actor.role, Capability.PEOPLE):
            box = QGroupBox("People", self)
            QVBoxLayout(box).addWidget(PeopleEditor(session))
            self.people = box.findChild(PeopleEditor)
            layout.addWidget(box, 1)
        if can(session.actor.role, Capability.WALLS):
            box = QGroupBox("Matter walls", self)
            QVBoxLayout(box).addWidget(WallsEditor(session))
            self.walls = box.findChild(WallsEditor)
            layout.addWidget(box, 1)
