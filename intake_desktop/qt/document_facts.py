"""A line of the browser's details: where the document's date came from, and the translation
or original it is paired with (a click opens the other)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from intake_desktop.core.filing import date_provenance, translation_pair
from intake_desktop.core.ledger import DocumentRecord, Ledger
from intake_desktop.core.production import productions_of

MAX_PAIRS = 4  # translations shown for one original (more are rare)


class DocumentFactsLine(QWidget):
    """Date provenance and the translation pair of one document; `open_document(id)` when a
    pair button is clicked."""

    open_document = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date_label = QLabel(self)
        self.date_label.setObjectName("muted")
        self.date_label.setTextFormat(Qt.TextFormat.PlainText)
        self.date_label.setWordWrap(True)
        self.produced_label = QLabel(self)
        self.produced_label.setTextFormat(Qt.TextFormat.PlainText)
        self.produced_label.setWordWrap(True)
        self.pair_buttons: list[QPushButton] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.date_label)
        layout.addWidget(self.produced_label)
        for _ in range(MAX_PAIRS):
            button = QPushButton(self)
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setStyleSheet("text-align: left; text-decoration: underline; padding: 1px;")
            button.clicked.connect(lambda *_, b=button: self._clicked(b))
            button.setVisible(False)
            layout.addWidget(button)
            self.pair_buttons.append(button)
        self._targets: dict[int, int] = {}

    def show_for(self, ledger: Ledger, doc: DocumentRecord | None) -> None:
        self._targets = {}
        for button in self.pair_buttons:
            button.setVisible(False)
        if doc is None:
            for label in (self.date_label, self.produced_label):
                label.setText("")
                label.setVisible(False)
            return
        produced = "; ".join(p.label[:1].upper() + p.label[1:]
                             for p in productions_of(ledger, doc.id))
        self.produced_label.setText(produced)
        self.produced_label.setVisible(bool(produced))
        said = date_provenance(ledger.chain.events(document_id=doc.id))
        self.date_label.setText(said or "")
        self.date_label.setVisible(bool(said))
        original, translations = translation_pair(ledger, doc)
        lines = ([("Translation of", original)] if original else []) + [
            ("Translated in", t) for t in translations]
        for button, (words, other) in zip(self.pair_buttons, lines, strict=False):
            button.setText(f"{words} {short_name(other)}")
            button.setToolTip(f"Open {other.filed_path}")
            button.setVisible(True)
            self._targets[id(button)] = other.id

    def _clicked(self, button: QPushButton) -> None:
        target = self._targets.get(id(button))
        if target is not None:
            self.open_document.emit(target)


def short_name(doc: DocumentRecord) -> str:
    """The file name without the date field and the matter (both shown elsewhere):
    `CIV_Birth-Certificate.pdf`."""
    name = (doc.filed_path or "").rsplit("/", 1)[-1]
    if doc.matter_id:
        at = name.find(f"_{doc.matter_id}_")
        if 0 <= at <= len("rcvd-2024-01-01"):
            return name[at + len(doc.matter_id) + 2:]
    return name
