"""Starts the Qt application and shows the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from intake_desktop.app import App
from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import Profiles, Role, SignInError
from intake_desktop.qt.look import apply_theme
from intake_desktop.qt.main_window import MainWindow


def starting_actor(app: App) -> Actor:
    """The profile's role; an admin role only after its passphrase (else paralegal)."""
    profiles = Profiles(app.ledger)
    decision = profiles.start(app.actor)
    if decision.note:
        QMessageBox.information(None, "Intake Desktop", decision.note)
    if not decision.needs_passphrase:
        return decision.actor
    for _ in range(3):
        text, ok = QInputDialog.getText(
            None, "Admin sign-in", f"Passphrase for the admin profile {app.actor.user}:",
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            break
        try:
            return profiles.sign_in(app.actor.user, text)
        except SignInError as exc:
            QMessageBox.warning(None, "Admin sign-in", exc.message)
    return Actor(app.actor.user, Role.PARALEGAL)


def run_app(app: App) -> int:
    qapp = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("Intake Desktop")
    qapp.setOrganizationName("Intake Desktop")
    qapp.setDesktopFileName("intake-desktop")
    apply_theme(qapp)
    qapp.styleHints().colorSchemeChanged.connect(lambda *_: apply_theme(qapp))
    actor = starting_actor(app)
    window = MainWindow(app, actor=actor, settings=QSettings(), watch=True)
    window.show()
    return int(qapp.exec())
