"""Builds each page of the main window by key (imports stay lazy so start-up is quick)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from intake_desktop.qt.main_window import MainWindow


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
    if key == "supervision":
        from intake_desktop.qt.supervision_page import SupervisionPage

        return SupervisionPage(session, on_error=window.show_error)
    if key == "production":
        from intake_desktop.qt.production_page import ProductionPage

        return ProductionPage(session, on_error=window.show_error)
    if key == "fit":
        from intake_desktop.qt.fit_page import FitPage

        return FitPage(session, on_error=window.show_error)
    raise KeyError(key)
