"""The exhibit builder tab: available when the exhibits engine (core.exhibits) is installed."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from intake_desktop.qt.pages import UnavailablePage
from intake_desktop.qt.session import Session

EXHIBITS_PACKAGE = "intake_desktop.core.exhibits"


def exhibits_available() -> bool:
    return importlib.util.find_spec(EXHIBITS_PACKAGE) is not None


def build_builder_page(session: Session, on_error: Callable[[str], None]) -> QWidget:
    if not exhibits_available():
        return UnavailablePage(
            "Exhibit builder",
            "Building exhibit sets (labels, Bates numbers and an exhibit index) is not "
            "available in this version of Intake Desktop.\n\nUntil it is, exhibit sets can be "
            "built with `intake-desktop exhibits build` once that command is installed; "
            "documents stay browsable in the Exhibit browser.",
        )
    return UnavailablePage(
        "Exhibit builder",
        "The exhibits engine is installed, but this window does not drive it yet: use "
        "`intake-desktop exhibits build SPEC --out DIR`.",
    )
