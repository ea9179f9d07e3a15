"""The window's first paint: the Qt application and a light shell window, shown before the
workspace, the ledger and the pages load (they take most of start-up). The main window
then takes the shell's place. Imports only PySide6 and the theme."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMainWindow, QWidget

from intake_desktop.qt.look import apply_theme

# The offscreen platform (tests, CI, a machine without a display) cannot pass a window's
# size limits on to a window system and says so for every window: nothing is wrong.
SILENCED = frozenset({"This plugin does not support propagateSizeHints()"})


def _qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages on stderr as Qt prints them, less the ones in SILENCED."""
    if message in SILENCED:
        return
    sys.stderr.write(message + "\n")
    if kind == QtMsgType.QtFatalMsg:
        os.abort()


def make_qapplication() -> QApplication:
    """The Qt application, named and themed (dark or light as the system is)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qInstallMessageHandler(_qt_message)
    qapp = QApplication(sys.argv)
    qapp.setApplicationName("Intake Desktop")
    qapp.setOrganizationName("Intake Desktop")
    qapp.setDesktopFileName("intake-desktop")
    apply_theme(qapp)
    qapp.styleHints().colorSchemeChanged.connect(lambda *_: apply_theme(qapp))
    return qapp


class StartupShell(QMainWindow):
    """What shows while the workspace opens: the window's frame, side bar and a line."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Intake Desktop")
        self.resize(1180, 760)
        body = QWidget(self)
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        side = QWidget(body)
        side.setObjectName("nav")
        side.setFixedWidth(210)
        self.note = QLabel("Opening the workspace…", body)
        self.note.setObjectName("muted")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(side)
        row.addWidget(self.note, 1)
        self.setCentralWidget(body)


def show_shell() -> StartupShell:
    """Paint the shell now (call before the heavy imports)."""
    qapp = make_qapplication()
    shell = StartupShell()
    shell.show()
    qapp.processEvents()
    return shell
