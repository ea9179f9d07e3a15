"""Small building blocks the pages and dialogs share: the page frame (title, a note on the
right, margins), muted notes, splitters, the status-and-buttons row of an editor and the
OK/Cancel row of a dialog. Each page builds its own content; these keep the frame alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from intake_desktop.qt.session import Session

PAGE_MARGINS = (18, 14, 18, 14)


class Page(QWidget):
    """A page of the main window: the session it shows and where its errors go."""

    def __init__(self, session: Session, on_error: Callable[[str], None]) -> None:
        super().__init__()
        self.session = session
        self.on_error = on_error


def page_title(text: str, parent: QWidget) -> QLabel:
    """The large title at the top left of a page."""
    title = QLabel(text, parent)
    title.setObjectName("pageTitle")
    return title


def muted(text: str, parent: QWidget, *, wrap: bool = False, plain: bool = False) -> QLabel:
    """A quiet note (a count, a hint, a path); `plain` shows file names as they are."""
    note = QLabel(text, parent)
    note.setObjectName("muted")
    if plain:
        note.setTextFormat(Qt.TextFormat.PlainText)
    if wrap:
        note.setWordWrap(True)
    return note


def page_layout(page: QWidget, title: QLabel, *right: QWidget) -> tuple[QVBoxLayout, QHBoxLayout]:
    """The page's layout with its head row (title, then `right` at the right edge); returns
    the layout and the head row (for more controls)."""
    head = QHBoxLayout()
    head.addWidget(title)
    head.addStretch(1)
    for widget in right:
        head.addWidget(widget)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(*PAGE_MARGINS)
    layout.addLayout(head)
    return layout, head


def splitter(
    orientation: Qt.Orientation,
    parent: QWidget,
    widgets: Sequence[QWidget],
    sizes: Sequence[int],
    stretch: Sequence[int] = (),
) -> QSplitter:
    """A splitter of `widgets` that never collapses one, at these starting sizes (and
    stretch factors, when given)."""
    split = QSplitter(orientation, parent)
    for widget in widgets:
        split.addWidget(widget)
    split.setChildrenCollapsible(False)
    for index, factor in enumerate(stretch):
        split.setStretchFactor(index, factor)
    split.setSizes(list(sizes))
    return split


def status_row(status: QWidget, *buttons: QWidget) -> QHBoxLayout:
    """An editor's bottom row: the status text taking the room, then its buttons."""
    row = QHBoxLayout()
    row.addWidget(status, 1)
    for button in buttons:
        row.addWidget(button)
    return row


def ok_cancel(dialog: QDialog, on_ok: Callable[[], object]) -> QDialogButtonBox:
    """OK (runs `on_ok`, which accepts the dialog when all is well) and Cancel."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons
