"""The window title names the workspace once: not "Intake Desktop - Intake Desktop" for
the default workspace (whose folder is called "Intake Desktop")."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from intake_desktop.app import open_app
from intake_desktop.core.workspace import init_workspace


def _title(qtbot: QtBot, root: Path) -> str:
    from intake_desktop.qt.main_window import MainWindow

    init_workspace(root)
    with open_app(str(root)) as app:
        window = MainWindow(app)
        qtbot.addWidget(window)
        window.show()
        title = window.windowTitle()
        window.close()
    return title


def test_default_workspace_title(qtbot: QtBot, tmp_path: Path) -> None:
    assert _title(qtbot, tmp_path / "Documents" / "Intake Desktop") == "Intake Desktop"


def test_other_workspace_title(qtbot: QtBot, tmp_path: Path) -> None:
    assert _title(qtbot, tmp_path / "Firm Files") == "Intake Desktop - Firm Files"
