"""Preview of one document: PDF pages with navigation, zoom, fit-width, search hits
highlighted (QPdfView), images, a password box for protected PDFs, or a note."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPointF, Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.qt.look import icon

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
ZOOM_STEP = 1.25


class PdfPreview(QWidget):
    """`kind` names what is shown in messages ("filed copy", "copy in Review/")."""

    def __init__(self, parent: QWidget | None = None, *, kind: str = "filed copy") -> None:
        super().__init__(parent)
        self.kind = kind
        self.path: Path | None = None
        self.document = QPdfDocument(self)
        self.search_model = QPdfSearchModel(self)
        self.search_model.setDocument(self.document)
        self._jumped = True
        self.search_model.countChanged.connect(self._first_hit)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setSearchModel(self.search_model)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.image = QLabel(self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_scroll = QScrollArea(self)
        self.image_scroll.setWidgetResizable(True)
        self.image_scroll.setWidget(self.image)
        self.note = QLabel("Select a document to preview it.", self)
        self.note.setObjectName("muted")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        # A protected PDF: its password opens the preview (nothing is changed on disk).
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password of this PDF")
        self.password.setMaximumWidth(260)
        self.unlock_button = QPushButton("Show", self)
        self.unlock_button.clicked.connect(lambda: self.unlock())
        self.password.returnPressed.connect(lambda: self.unlock())
        lock_row = QHBoxLayout()
        lock_row.addStretch(1)
        lock_row.addWidget(self.password)
        lock_row.addWidget(self.unlock_button)
        lock_row.addStretch(1)
        note_box = QWidget(self)
        nb = QVBoxLayout(note_box)
        nb.addStretch(1)
        nb.addWidget(self.note)
        nb.addLayout(lock_row)
        nb.addStretch(1)
        self.note_box = note_box
        self.stack = QStackedWidget(self)
        self.stack.addWidget(note_box)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.image_scroll)

        def tool(name: str, tip: str) -> QToolButton:
            b = QToolButton(self)
            b.setIcon(icon(name))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            return b

        self.prev_button = tool("prev", "Previous page (Page Up)")
        self.next_button = tool("next", "Next page (Page Down)")
        self.zoom_out = QToolButton(self)
        self.zoom_out.setText("−")
        self.zoom_out.setToolTip("Zoom out (Ctrl+-)")
        self.zoom_in = QToolButton(self)
        self.zoom_in.setText("+")
        self.zoom_in.setToolTip("Zoom in (Ctrl++)")
        self.fit_width = QToolButton(self)
        self.fit_width.setText("Width")
        self.fit_width.setToolTip("Fit the page width (scroll through the pages)")
        self.fit_width.setCheckable(True)
        self.fit_page = QToolButton(self)
        self.fit_page.setText("Page")
        self.fit_page.setToolTip("Show the whole page")
        self.fit_page.setCheckable(True)
        self.fit_page.setChecked(True)
        # Page keys turn pages only when the preview has the focus (not from the table).
        for keys, fn in (("PgUp", lambda: self.go_to(self.current_page() - 1)),
                         ("PgDown", lambda: self.go_to(self.current_page() + 1)),
                         ("Ctrl++", lambda: self.zoom(ZOOM_STEP)),
                         ("Ctrl+=", lambda: self.zoom(ZOOM_STEP)),
                         ("Ctrl+-", lambda: self.zoom(1 / ZOOM_STEP))):
            sc = QShortcut(QKeySequence(keys), self, fn)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.page_box = QSpinBox(self)
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_label = QLabel(self)
        self.prev_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.zoom_in.clicked.connect(lambda: self.zoom(ZOOM_STEP))
        self.zoom_out.clicked.connect(lambda: self.zoom(1 / ZOOM_STEP))
        self.fit_width.clicked.connect(lambda: self.set_fit("width"))
        self.fit_page.clicked.connect(lambda: self.set_fit("page"))
        self.page_box.valueChanged.connect(lambda v: self.go_to(v - 1))
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        bar = QHBoxLayout()
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_in)
        bar.addWidget(self.fit_width)
        bar.addWidget(self.fit_page)
        bar.addStretch(1)
        bar.addWidget(self.prev_button)
        bar.addWidget(QLabel("Page", self))
        bar.addWidget(self.page_box)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bar)
        self.clear()

    def page_count(self) -> int:
        return self.document.pageCount() if self.stack.currentWidget() is self.view else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def clear(self, note: str = "Select a document to preview it.", *,
              password: bool = False) -> None:
        self.document.close()
        self.note.setText(note)
        self.password.setVisible(password)
        self.unlock_button.setVisible(password)
        if not password:
            self.password.clear()
        self.stack.setCurrentWidget(self.note_box)
        self._update_controls()

    def show_file(self, path: Path, password: str = "") -> None:
        self.document.close()
        self.path = path
        if not path.is_file():
            self.clear(f"The file is missing: {path}")
            return
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            self.document.setPassword(password)
            error = self.document.load(str(path))
            if error in (QPdfDocument.Error.IncorrectPassword,
                         QPdfDocument.Error.UnsupportedSecurityScheme):
                again = " That password did not open it." if password else ""
                self.clear(f"This PDF is protected by a password.{again} Type the password "
                           f"to see it here; the {self.kind} is not changed.", password=True)
                return
            if error != QPdfDocument.Error.None_:
                reason = {
                    QPdfDocument.Error.InvalidFileFormat: "it is damaged or not a real PDF",
                }.get(error, "it could not be read")
                self.clear(f"No preview: {reason}. The {self.kind} is unchanged; open it in "
                           "your PDF reader to check.")
                return
            self.password.setVisible(False)
            self.unlock_button.setVisible(False)
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

    def unlock(self) -> None:
        """Open the protected PDF with the password typed (in memory only)."""
        if self.path is not None:
            self.show_file(self.path, self.password.text())

    def set_search(self, text: str) -> None:
        """Highlight `text` in the PDF; the first page with a hit is shown when the search
        (which runs in the background, page by page) finds it."""
        self._jumped = False
        self.search_model.setSearchString(text.strip())
        self._first_hit()

    def hit_count(self) -> int:
        return self.search_model.rowCount(QModelIndex())

    def _first_hit(self) -> None:
        if getattr(self, "_jumped", True) or not self.hit_count() or not self.page_count():
            return
        self._jumped = True
        link = self.search_model.resultAtIndex(0)
        self.view.setCurrentSearchResultIndex(0)
        self.go_to(link.page())

    def zoom(self, factor: float) -> None:
        if not self.page_count():
            return
        current = self.view.zoomFactor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.2, min(8.0, current * factor)))
        self.fit_width.setChecked(False)
        self.fit_page.setChecked(False)

    def set_fit(self, how: str) -> None:
        width = how == "width"
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth if width
                              else QPdfView.ZoomMode.FitInView)
        self.view.setPageMode(QPdfView.PageMode.MultiPage if width
                              else QPdfView.PageMode.SinglePage)
        self.fit_width.setChecked(width)
        self.fit_page.setChecked(not width)

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
        for w in (self.prev_button, self.next_button, self.page_box, self.zoom_in,
                  self.zoom_out, self.fit_width, self.fit_page):
            w.setEnabled(count > 0)
        self.prev_button.setEnabled(count > 0 and current > 0)
        self.next_button.setEnabled(count > 0 and current < count - 1)
        self.page_box.blockSignals(True)
        self.page_box.setMaximum(max(count, 1))
        self.page_box.setValue(current + 1)
        self.page_box.blockSignals(False)
        self.page_label.setText(f"of {count}" if count else "of -")
