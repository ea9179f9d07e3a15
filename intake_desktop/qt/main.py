"""Starts the Qt application and shows the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from intake_desktop.app import App
from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import Profiles, Role
from intake_desktop.qt.look import apply_theme
from intake_desktop.qt.main_window import MainWindow
from intake_desktop.qt.profile_dialog import SignInDialog

__all__ = ["SignInDialog", "run_app", "starting_actor"]


def starting_actor(
    app: App, settings: QSettings | None = None, person: str | None = None
) -> Actor | None:
    """Who works in this window: without any profile, a paralegal named after the computer
    account; otherwise the sign-in dialog, `person` (or the last one) chosen first (None:
    the user quit)."""
    if not Profiles(app.ledger).list():
        return Actor(app.actor.user, Role.PARALEGAL)
    dialog = SignInDialog(app, settings, preferred=person)
    dialog.exec()
    return dialog.actor


def run_app(app: App, person: str | None = None) -> int:
    qapp = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("Intake Desktop")
    qapp.setOrganizationName("Intake Desktop")
    qapp.setDesktopFileName("intake-desktop")
    apply_theme(qapp)
    qapp.styleHints().colorSchemeChanged.connect(lambda *_: apply_theme(qapp))
    settings = QSettings()
    actor = starting_actor(app, settings, person)
    if actor is None:
        return 0
    window = MainWindow(app, actor=actor, settings=settings, watch=True)
    window.show()
    return int(qapp.exec())
