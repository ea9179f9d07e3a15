"""Fixtures for the desktop app tests: a real workspace, real PDFs, a window on a sync pool."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from intake_desktop.app import App, open_app
from intake_desktop.core.ledger import Actor
from intake_desktop.core.workspace import init_workspace

MakePdf = Callable[..., Path]


@pytest.fixture
def make_pdf(tmp_path: Path) -> MakePdf:
    """Write a real PDF with `pages` pages, each page saying its title and number."""

    def make(name: str, pages: int = 1, *, folder: Path | None = None, text: str = "") -> Path:
        out = (folder or tmp_path / "incoming") / name
        out.parent.mkdir(parents=True, exist_ok=True)
        c = canvas.Canvas(str(out), pagesize=letter)
        for n in range(1, pages + 1):
            c.setFont("Helvetica", 14)
            c.drawString(72, 720, f"{text or name} - page {n} of {pages}")
            c.showPage()
        c.save()
        return out

    return make


@pytest.fixture(autouse=True)
def _settings_in_test_mode() -> Iterator[None]:
    """QSettings (the browser's column choice per user) go to a test location."""
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    QSettings().clear()  # each test starts with no remembered choices
    yield
    QSettings().clear()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    """A new workspace filing with the built-in router (no preset rules), so the window's
    tests do not depend on what a naming-rules preset decides."""
    ws = init_workspace(tmp_path / "ws")
    ws.rules_path.unlink(missing_ok=True)
    application = open_app(str(ws.root), create=False)
    yield application
    application.close()


@pytest.fixture
def make_window(qtbot: Any, app: App) -> Callable[..., Any]:
    """A main window acting as `pat` in `role`, running tasks at once (no threads)."""
    from intake_desktop.qt.main_window import MainWindow
    from intake_desktop.qt.tasks import ImmediatePool

    def make(role: str, **kw: Any) -> MainWindow:
        window = MainWindow(app, actor=Actor("pat", role), pool=ImmediatePool(), tray=False, **kw)
        qtbot.addWidget(window)
        return window

    return make
