"""Builds each page of the main window by key (imports stay lazy so start-up is quick)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from intake_desktop.qt.main_window import MainWindow


class UnavailablePage(QWidget):
    """Shown for a feature this build does not include."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        heading = QLabel(title, self)
        heading.setObjectName("pageTitle")
        body = QLabel(text, self)
        body.setObjectName("banner")
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(heading)
        layout.addWidget(body)
        layout.addStretch(1)


def build_page(key: str, window: MainWindow) -> QWidget:
    session = window.session
    if key == "intake":
        from intake_desktop.qt.intake_page import IntakePage

        return IntakePage(session)
    if key == "review":
        from intake_desktop.qt.review_page import ReviewPage

        return ReviewPage(session, on_error=window.show_error)
    if key == "browser":
        from intake_desktop.qt.browser_page import BrowserPage

        return BrowserPage(session, on_error=window.show_error)
    if key == "builder":
        from intake_desktop.qt.builder_page import build_builder_page

        return build_builder_page(session, window.show_error, window.clear_error)
    if key == "settings":
        from intake_desktop.qt.settings_page import SettingsPage

        return SettingsPage(session, backend=window.rules_backend, on_error=window.show_error)
    if key == "checklists":
        from intake_desktop.qt.checklist_page import ChecklistPage

        return ChecklistPage(session, on_error=window.show_error)
    if key == "fit":
        from intake_desktop.qt.fit_page import FitPage

        return FitPage(session, on_error=window.show_error)
    raise KeyError(key)
