"""The browser's saved searches: "Save search…" names the current filters; choosing a saved
search puts its filters back. Kept for the desk in `.intake/searches.toml`
(core/saved_searches.py), where production specs find them by name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QPushButton, QWidget

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocumentFilter
from intake_desktop.core.saved_searches import SavedSearch, load_searches, save_search
from intake_desktop.core.workspace import Workspace
from intake_desktop.qt.look import icon

PLACEHOLDER = "Saved searches…"


class SavedSearchBar(QWidget):
    """A combo of the desk's saved searches and a Save search… button."""

    chosen = Signal(object)  # the DocumentFilter of the search picked

    def __init__(self, workspace: Workspace, current: Callable[[], DocumentFilter],
                 on_error: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.current = current
        self.on_error = on_error
        self.combo = QComboBox(self)
        self.combo.setMinimumContentsLength(16)
        self.combo.setToolTip("Searches saved on this desk; productions can select one by name")
        self.save_button = QPushButton(icon("save"), "Save search…", self)
        self.save_button.setToolTip("Name the current search and filters to use them again "
                                    "(and in a production)")
        self.save_button.clicked.connect(lambda: self.ask_and_save())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.save_button)
        self.searches: dict[str, SavedSearch] = {}
        self.reload()
        self.combo.activated.connect(self._activated)

    def reload(self) -> None:
        try:
            self.searches = load_searches(self.workspace)
        except IntakeError as exc:
            self.searches = {}
            self.on_error(exc.message)
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(PLACEHOLDER)
        self.combo.addItems(sorted(self.searches, key=str.casefold))
        self.combo.blockSignals(False)

    def ask_and_save(self) -> str | None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Save search")
        dialog.setLabelText("Name this search (productions select it by this name):")
        picked = self.combo.currentText()
        dialog.setTextValue("" if picked == PLACEHOLDER else picked)
        if not dialog.exec():
            return None
        return self.save(dialog.textValue())

    def save(self, name: str) -> str | None:
        try:
            save_search(self.workspace, SavedSearch(name.strip(), self.current()))
        except IntakeError as exc:
            self.on_error(exc.message)
            return None
        self.reload()
        self.combo.setCurrentText(name.strip())
        return name.strip()

    def _activated(self, index: int) -> None:
        search = self.searches.get(self.combo.itemText(index))
        if search is not None:
            self.chosen.emit(search.filter)
