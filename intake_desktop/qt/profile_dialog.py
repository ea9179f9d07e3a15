"""Signing in: the start-up sign-in (the last person for this computer account chosen) and
Switch profile; a person with a passphrase types it."""

from __future__ import annotations

from PySide6.QtCore import QSettings
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

from intake_desktop.app import App
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import MIN_PASSPHRASE, Profiles, Role, SignInError
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import ok_cancel
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
            self.choice.addItem(f"{p.name} ({p.role}, {p.initials})", p.name)
        # Without a profile only the paralegal role: attorneys and admins sign in.
        account = session.app.actor.user
        self.choice.addItem(f"{account} as paralegal (no profile)", f"@{account}")
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("needed for attorneys, admins and protected profiles")
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Act as:", self.choice)
        form.addRow("Passphrase:", self.passphrase)
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
        form.addRow(ok_cancel(self, self.try_accept))
        self.choice.currentIndexChanged.connect(lambda *_: self._update())
        self._update()

    def _update(self) -> None:
        key = str(self.choice.currentData())
        self.passphrase.setEnabled(self.profiles.needs_passphrase(key))

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
            return Actor(key[1:], Role.PARALEGAL)
        return self.profiles.sign_in(key, self.passphrase.text())


LAST_PERSON_KEY = "sign-in/last-person/{account}"


def last_person(settings: QSettings | None, account: str) -> str:
    if settings is None:
        return ""
    return str(settings.value(LAST_PERSON_KEY.format(account=account), "") or "")


def remember_person(settings: QSettings | None, account: str, name: str) -> None:
    if settings is not None:
        settings.setValue(LAST_PERSON_KEY.format(account=account), name)


class SignInDialog(QDialog):
    """Who is working: pick a person (the last one for this computer account is chosen) and
    type their passphrase when they have one. Cancel quits; it never silently makes anyone
    a paralegal. A wrong passphrase is recorded (`sign_in_refused`)."""

    def __init__(
        self,
        app: App,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        preferred: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.settings = settings
        self.account = app.actor.user
        self.profiles = Profiles(app.ledger)
        self.actor: Actor | None = None
        self.tries = 0
        self.setWindowTitle("Sign in")
        intro = QLabel("Who is working? Every step is recorded in the ledger under this name.",
                       self)
        intro.setWordWrap(True)
        self.people = self.profiles.list()
        self.choice = QComboBox(self)
        self.choice.setAccessibleName("Person")
        for p in self.people:
            self.choice.addItem(f"{p.name} ({p.role}, {p.initials})", p.name)
        preferred = preferred or last_person(settings, self.account)
        if not any(p.name == preferred for p in self.people):
            tied = self.profiles.for_account(self.account)
            preferred = tied.name if tied else ""
        at = self.choice.findData(preferred)
        if at >= 0:
            self.choice.setCurrentIndex(at)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.rules = QLabel(f"Attorneys and admins have a passphrase of at least "
                            f"{MIN_PASSPHRASE} characters; capital letters count.", self)
        self.rules.setObjectName("muted")
        self.rules.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = self.buttons.addButton(
            "Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.paralegal_button = self.buttons.addButton(
            "Continue as paralegal", QDialogButtonBox.ButtonRole.ActionRole)
        self.paralegal_button.setToolTip(
            f"Work as {self.account} (paralegal, no profile)")
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self.try_sign_in)
        self.paralegal_button.clicked.connect(self.continue_as_paralegal)
        self.quit_button.clicked.connect(self.reject)
        self.sign_in_button.setDefault(True)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("Person:", self.choice)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow(self.rules)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.choice.currentIndexChanged.connect(lambda *_: self._update())
        self._update()

    def chosen(self) -> str:
        return str(self.choice.currentData() or "")

    def _update(self) -> None:
        needs = self.profiles.needs_passphrase(self.chosen())
        self.passphrase.setEnabled(needs)
        self.passphrase.setPlaceholderText("" if needs else "no passphrase for this person")
        if needs:
            self.passphrase.setFocus()

    def try_sign_in(self) -> None:
        name = self.chosen()
        try:
            self.actor = self.profiles.sign_in(name, self.passphrase.text())
        except SignInError as exc:
            self.tries += 1
            self.passphrase.selectAll()
            text = exc.message
            if "wrong passphrase" in text.lower():
                text = ("That passphrase is not right. Type it again, or choose Continue as "
                        "paralegal (an admin can reset it under Settings > People).")
            say(self.error, text, "error")
            return
        remember_person(self.settings, self.account, name)
        self.accept()

    def continue_as_paralegal(self) -> None:
        self.actor = Actor(self.account, Role.PARALEGAL)
        self.accept()

    def reject(self) -> None:
        self.actor = None
        super().reject()
