"""Starts the Qt application and shows the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.app import App
from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import MIN_PASSPHRASE, Profiles, Role, SignInError
from intake_desktop.qt.startup import make_qapplication
from intake_desktop.qt.wording import say

if TYPE_CHECKING:
    from intake_desktop.qt.main_window import MainWindow


class SignInDialog(QDialog):
    """Admin sign-in at start-up. Every choice the messages mention has a button; Cancel
    quits (it never silently makes the user a paralegal)."""

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.profiles = Profiles(app.ledger)
        self.actor: Actor | None = None
        self.tries = 0
        self.setWindowTitle("Admin sign-in")
        intro = QLabel(f"{app.actor.user} has an admin profile. Type its passphrase to work "
                       "as admin, or continue as paralegal.", self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.rules = QLabel(f"The admin passphrase has at least {MIN_PASSPHRASE} characters. "
                            "Capital letters count.", self)
        self.rules.setObjectName("muted")
        self.rules.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = self.buttons.addButton(
            "Sign in as admin", QDialogButtonBox.ButtonRole.AcceptRole)
        self.paralegal_button = self.buttons.addButton(
            "Continue as paralegal", QDialogButtonBox.ButtonRole.ActionRole)
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self.try_sign_in)
        self.paralegal_button.clicked.connect(self.continue_as_paralegal)
        self.quit_button.clicked.connect(self.reject)
        self.sign_in_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Passphrase:", self))
        layout.addWidget(self.passphrase)
        layout.addWidget(self.rules)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def try_sign_in(self) -> None:
        try:
            self.actor = self.profiles.sign_in(self.app.actor.user, self.passphrase.text())
        except SignInError:
            self.tries += 1
            self.passphrase.selectAll()
            say(self.error, "That passphrase is not right. Type it again, or choose Continue "
                "as paralegal (an admin can reset it under Settings > Profiles).", "error")
            return
        self.accept()

    def continue_as_paralegal(self) -> None:
        self.actor = Actor(self.app.actor.user, Role.PARALEGAL)
        self.accept()

    def reject(self) -> None:
        self.actor = None
        super().reject()


def starting_actor(app: App) -> Actor | None:
    """The profile's role; an admin role only after its passphrase. None: the user quit."""
    profiles = Profiles(app.ledger)
    decision = profiles.start(app.actor)
    if decision.note:
        QMessageBox.information(None, "Intake Desktop", decision.note)
    if not decision.needs_passphrase:
        return decision.actor
    dialog = SignInDialog(app)
    dialog.exec()
    return dialog.actor


def show_window(app: App, actor: Actor, *, watch: bool = True,
                shell: QWidget | None = None) -> MainWindow:
    """The main window, shown (its first page built; the others when first opened), in
    place of the start-up shell."""
    from intake_desktop.qt.main_window import MainWindow

    window = MainWindow(app, actor=actor, settings=QSettings(), watch=False)
    if watch:  # once the window has painted: the watcher builds a filer (rules, engines)
        QTimer.singleShot(0, window.watch_folders)
    if shell is not None and not window.settings_restored:
        window.setGeometry(shell.geometry())
    window.show()
    if shell is not None:
        shell.close()
    return window


def start_window(app: App, *, role: str) -> tuple[QApplication, MainWindow]:
    """Start-up as `run_app` does it, acting in `role` without asking (the start-up bench)."""
    qapp = make_qapplication()
    window = show_window(app, Actor(app.actor.user, role), watch=False)
    qapp.processEvents()
    return qapp, window


def run_app(app: App, *, shell: QWidget | None = None) -> int:
    qapp = make_qapplication()
    actor = starting_actor(app)
    if actor is None:
        return 0
    _window = show_window(app, actor, shell=shell)  # kept alive while the application runs
    return int(qapp.exec())
