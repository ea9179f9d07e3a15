"""Help > Diagnostics: the doctor report in the window, and "Copy report" for support."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from intake_desktop.app import App


def test_help_menu_opens_the_report_and_copies_it(qtbot: QtBot, app: App,
                                                  tmp_path: Path) -> None:
    from intake_desktop.qt.diagnostics import DiagnosticsDialog, diagnostics_report
    from intake_desktop.qt.main_window import MainWindow

    window = MainWindow(app)
    qtbot.addWidget(window)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert window.diagnostics_action in menus["&Help"].actions()

    report = diagnostics_report(app.workspace, app.ledger.url)
    dialog = DiagnosticsDialog(report, window)
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.text.toPlainText()
    for name in ("LibreOffice", "Tesseract languages", "OCRmyPDF", "libmagic",
                 "Qt platform plugin", "QtPdf", "ledger database", "workspace filesystem"):
        assert f" {name}:" in text
    assert str(app.workspace.root) in text
    assert "Everything this workspace needs is in place." in text
    QGuiApplication.clipboard().clear()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == report.text()
    assert dialog.copy_button.text() == "Copied"
    dialog.grab().save(str(tmp_path / "diagnostics.png"))
    assert (tmp_path / "diagnostics.png").stat().st_size > 5000
