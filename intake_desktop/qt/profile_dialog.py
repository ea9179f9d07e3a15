"""Switch profile: pick who is acting; admin profiles ask for their passphrase."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import MIN_PASSPHRASE, Profiles, Role
from intake_desktop.qt.session import Session
from intake_desktop.qt.wording import say


class ProfileDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Switch profile")
        self.profiles = Profiles(session.ledger)
        self.session = session
        self.actor: Actor | None = None
        self.list = self.profiles.list()
        self.choice = QComboBox(self)
        for p in self.list:
            self.choice.addItem(f"{p.name} ({p.role})", p.name)
        for role in (Role.PARALEGAL, Role.ATTORNEY):
            self.choice.addItem(f"{session.actor.user} as {role} (no profile)", f"@{role}")
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("needed for admin profiles only")
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Act as:", self.choice)
        form.addRow("Admin passphrase:", self.passphrase)
        self.setup: QGroupBox | None = None
        self.new_name = QLineEdit(session.actor.user, self)
        self.new_pass = QLineEdit(self)
        self.new_pass2 = QLineEdit(self)
        if not self.profiles.has_admin():
            box = QGroupBox("No admin yet: create the admin profile", self)
            inner = QFormLayout(box)
            for e in (self.new_pass, self.new_pass2):
                e.setEchoMode(QLineEdit.EchoMode.Password)
                e.setPlaceholderText(f"at least {MIN_PASSPHRASE} characters")
            inner.addRow("Name:", self.new_name)
            inner.addRow("Passphrase:", self.new_pass)
            inner.addRow("Repeat:", self.new_pass2)
            form.addRow(box)
            self.setup = box
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.choice.currentIndexChanged.connect(lambda *_: self._update())
        self._update()

    def _update(self) -> None:
        key = str(self.choice.currentData())
        profile = next((p for p in self.list if p.name == key), None)
        self.passphrase.setEnabled(profile is not None and profile.role is Role.ADMIN)

    def try_accept(self) -> None:
        try:
            self.actor = self.resolve()
        except IntakeError as exc:
            say(self.error, exc.message.replace(
                "try again, or sign in as a paralegal or attorney",
                "type it again, or pick a paralegal or attorney entry under Act as"), "error")
            return
        self.accept()

    def resolve(self) -> Actor:
        if self.setup is not None and self.new_pass.text():
            if self.new_pass.text() != self.new_pass2.text():
                raise IntakeError("the two passphrases differ", fix="type the same one twice")
            self.profiles.save(self.new_name.text(), Role.ADMIN, self.new_pass.text(),
                               acting=self.session.actor)
            return self.profiles.sign_in(self.new_name.text().strip(), self.new_pass.text())
        key = str(self.choice.currentData())
        if key.startswith("@"):
            return Actor(self.session.actor.user, key[1:])
        return self.profiles.sign_in(key, self.passphrase.text())
