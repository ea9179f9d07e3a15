"""The Qt binding in use must not leak references to None (PySide6 6.12.0 on CPython 3.11 did:
every void call dropped one, and the app aborted after a few thousand calls)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
        label.setEnabled(True)
    assert sys.getrefcount(None) - before > -50


def test_pdf_modules_available():
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    assert QPdfDocument and QPdfView
