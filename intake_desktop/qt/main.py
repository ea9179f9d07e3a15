"""Starts the Qt application and shows the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from intake_desktop.app import App
from intake_desktop.qt.main_window import MainWindow


def run_app(app: App) -> int:
    qapp = QApplication.instance() or QApplication(sys.argv)
    qapp.setApplicationName("Intake Desktop")
    window = MainWindow(app)
    window.show()
    return int(qapp.exec())
