"""Starts the Qt application and shows the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from intake_desktop.app import App
from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import Profiles, Role
from intake_desktop.qt.profile_dialog import SignInDialog
from intake_desktop.qt.startup import make_qapplication

if TYPE_CHECKING:
    from intake_desktop.qt.main_window import MainWindow

__all__ = ["SignInDialog", "run_app", "show_window", "start_window", "starting_actor"]


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


def show_window(app: App, actor: Actor, *, watch: bool = True, shell: QWidget | None = None,
                settings: QSettings | None = None) -> MainWindow:
    """The main window, shown (its first page built; the others when first opened), in
    place of the start-up shell."""
    from intake_desktop.qt.main_window import MainWindow

    window = MainWindow(app, actor=actor, settings=settings or QSettings(), watch=False)
    if watch:  # once the window has painted: the watcher builds a filer (rules, engines)
        QTimer.singleShot(0, window.watch_folders)
    if shell is not None and not window.settings_restored:
        window.setGeometry(shell.geometry())
    window.show()
    if shell is not None:
        shell.close()
    return window


def start_window(app: App, *, role: str) -> tuple[QApplication, MainWindow]:
    """Start-up as `run_app` does it, acting in `role` without asking (benchmarks)."""
    qapp = make_qapplication()
    window = show_window(app, Actor(app.actor.user, role), watch=False)
    qapp.processEvents()
    return qapp, window


def run_app(app: App, person: str | None = None, *, shell: QWidget | None = None) -> int:
    qapp = make_qapplication()
    settings = QSettings()
    actor = starting_actor(app, settings, person)
    if actor is None:
        return 0
    _window = show_window(app, actor, shell=shell, settings=settings)  # alive while it runs
    return int(qapp.exec())
