"""The desktop window opens on a workspace and names it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from intake_desktop.app import App


def test_window_names_the_workspace(qtbot: QtBot, app: App) -> None:
    from intake_desktop.qt.main_window import MainWindow

    window = MainWindow(app)
    qtbot.addWidget(window)
    window.show()
    assert app.workspace.root.name in window.windowTitle()
