"""Help > Diagnostics: the `doctor` report in the window, with "Copy report" for support.

Also the Qt rows of `intake-desktop doctor`: the platform plugin and QtPdf, checked in a
child process (a platform plugin that cannot load ends the process that tries it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.doctor import INSTALL, Check, Report, run_checks, self_command

PROBE_TIMEOUT_S = 60.0
QT_FEATURE = "the window (the command line works without it)"
PDF_FEATURE = "the PDF preview in the exhibit browser"


def probe() -> dict[str, Any]:
    """Run inside the child: start Qt the way the window does and report what loaded."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo, qVersion
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    plugins = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    result: dict[str, Any] = {
        "platform": QGuiApplication.platformName(), "qt": qVersion(),
        "pyside": pyside_version, "plugins": plugins, "pdf": False, "pdf_error": "",
    }
    try:
        from PySide6.QtPdf import QPdfDocument

        QPdfDocument(app)
        result["pdf"] = True
    except ImportError as exc:
        result["pdf_error"] = str(exc)
    return result


def display_expected() -> bool:
    """Would this session show a window? (Linux without a display runs headless.)"""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _rows(result: dict[str, Any], needed: bool) -> list[Check]:
    platform_row = Check(
        "Qt platform plugin", True, f"Qt {result['qt']} ({result['platform']})",
        str(result["plugins"]), QT_FEATURE, INSTALL["qt"], needed=needed,
        detail=f"PySide6 {result['pyside']}")
    pdf_row = Check("QtPdf", bool(result["pdf"]), str(result["qt"]) if result["pdf"] else "",
                    str(result["plugins"]), PDF_FEATURE, INSTALL["qtpdf"], needed=False,
                    detail=str(result.get("pdf_error", "")))
    return [platform_row, pdf_row]


def qt_checks() -> list[Check]:
    """The Qt rows for the command line, probed in a child process."""
    needed = display_expected()
    try:
        done = subprocess.run([*self_command(), "doctor", "--probe-qt"], capture_output=True,
                              text=True, timeout=PROBE_TIMEOUT_S, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        output, code = str(exc), -1
    else:
        output, code = done.stdout + done.stderr, done.returncode
    if code == 0:
        try:
            return _rows(json.loads(done.stdout.strip().splitlines()[-1]), needed)
        except (ValueError, IndexError, KeyError):
            pass
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    reason = next((ln for ln in lines if "plugin" in ln.lower()), lines[-1] if lines else "")
    if not needed:
        reason = f"no display in this session ({reason})" if reason else "no display"
    return [Check("Qt platform plugin", False, "", "", QT_FEATURE, INSTALL["qt"],
                  needed=needed, detail=reason),
            Check("QtPdf", False, "", "", PDF_FEATURE, INSTALL["qtpdf"], needed=False,
                  detail="not checked: Qt did not start")]


def in_process_checks() -> list[Check]:
    """The Qt rows from inside the running window (Qt is evidently up)."""
    return _rows(probe(), True)


class DiagnosticsDialog(QDialog):
    """The doctor report for the open workspace, read-only, with "Copy report"."""

    def __init__(self, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Diagnostics")
        self.report = report
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(report.text())
        self.copy_button = QPushButton("Copy report", self)
        self.copy_button.clicked.connect(self.copy_report)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report.text())
        self.copy_button.setText("Copied")


def diagnostics_report(workspace: Any, ledger_url: str) -> Report:
    return run_checks(workspace, ledger_url, extra=in_process_checks())
