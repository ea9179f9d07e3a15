"""Preview of one document: PDF pages with navigation (QPdfView), images, or a note."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.qt.look import icon

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}


class PdfPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.image = QLabel(self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_scroll = QScrollArea(self)
        self.image_scroll.setWidgetResizable(True)
        self.image_scroll.setWidget(self.image)
        self.note = QLabel("Select a document to preview it.", self)
        self.note.setObjectName("muted")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.note)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.image_scroll)

        self.prev_button = QToolButton(self)
        self.prev_button.setIcon(icon("prev"))
        self.prev_button.setToolTip("Previous page (Page Up)")
        self.prev_button.setShortcut("PgUp")
        self.next_button = QToolButton(self)
        self.next_button.setIcon(icon("next"))
        self.next_button.setToolTip("Next page (Page Down)")
        self.next_button.setShortcut("PgDown")
        self.page_box = QSpinBox(self)
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_label = QLabel(self)
        self.prev_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.page_box.valueChanged.connect(lambda v: self.go_to(v - 1))
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.prev_button)
        bar.addWidget(QLabel("Page", self))
        bar.addWidget(self.page_box)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bar)
        self.clear()

    def page_count(self) -> int:
        return self.document.pageCount() if self.stack.currentWidget() is self.view else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def clear(self, note: str = "Select a document to preview it.") -> None:
        self.document.close()
        self.note.setText(note)
        self.stack.setCurrentWidget(self.note)
        self._update_controls()

    def show_file(self, path: Path) -> None:
        self.document.close()
        if not path.is_file():
            self.clear(f"The file is missing: {path}")
            return
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            error = self.document.load(str(path))
            if error != QPdfDocument.Error.None_:
                reason = {
                    QPdfDocument.Error.IncorrectPassword: "it is protected by a password",
                    QPdfDocument.Error.UnsupportedSecurityScheme: "it is encrypted",
                    QPdfDocument.Error.InvalidFileFormat: "it is damaged or not a real PDF",
                }.get(error, "it could not be read")
                self.clear(f"No preview: {reason}. The filed copy is unchanged; open it in "
                           "your PDF reader to check.")
                return
            self.stack.setCurrentWidget(self.view)
            self.go_to(0)
        elif suffix in IMAGE_SUFFIXES:
            pm = QPixmap(str(path))
            if pm.isNull():
                self.clear("No preview: the image could not be read.")
                return
            self.image.setPixmap(pm.scaled(900, 1200, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))
            self.stack.setCurrentWidget(self.image_scroll)
        else:
            self.clear(f"No preview for {path.suffix or 'this kind of'} files. Use Open to "
                       "view it in its own program.")
            return
        self._update_controls()

    def go_to(self, page: int) -> None:
        count = self.page_count()
        if not count:
            return
        page = max(0, min(page, count - 1))
        self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())
        self._update_controls()

    def _page_changed(self, page: int) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        count = self.page_count()
        current = self.current_page() if count else 0
        for w in (self.prev_button, self.next_button, self.page_box):
            w.setEnabled(count > 0)
        self.prev_button.setEnabled(count > 0 and current > 0)
        self.next_button.setEnabled(count > 0 and current < count - 1)
        self.page_box.blockSignals(True)
        self.page_box.setMaximum(max(count, 1))
        self.page_box.setValue(current + 1)
        self.page_box.blockSignals(False)
        self.page_label.setText(f"of {count}" if count else "of -")
