"""The exhibit browser: search what documents say (and their names, Bates numbers and exhibit
labels), filter, preview with the hits highlighted, custody history, open or reveal."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QSettings,
    QSize,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QDesktopServices,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPixmap,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.document_details import DocumentDetails, current_details, edit_details
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocStatus, DocumentFilter, DocumentRecord
from intake_desktop.core.roles import Capability, can
from intake_desktop.core.search_text import hit_spans
from intake_desktop.qt.document_facts import DocumentFactsLine
from intake_desktop.qt.look import icon, is_dark
from intake_desktop.qt.matters import chosen_matter, fill_matters
from intake_desktop.qt.models import DocumentTableModel, HistoryModel
from intake_desktop.qt.pdf_preview import PdfPreview
from intake_desktop.qt.saved_search_bar import SavedSearchBar
from intake_desktop.qt.session import Session
from intake_desktop.qt.thumbnails import THUMB_PX, ThumbnailCache
from intake_desktop.qt.widgets import Page, muted, page_layout, page_title, splitter
from intake_desktop.qt.wording import for_window, say

ALL = "All"
STATUS_CHOICES = {
    "Filed": ("filed",),
    "In review": ("review",),
    "Duplicates": ("duplicate",),
    "Everything": ("filed", "review", "duplicate"),
}
NO_DATE = QDate(1900, 1, 1)


class DateFilter(QDateEdit):
    """A date filter that may be empty ("any"); its calendar opens at this month."""

    def __init__(self, parent: QWidget, tip: str) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText("any")
        self.setDate(NO_DATE)
        self.setToolTip(tip)

    def is_empty(self) -> bool:
        return self.date() == NO_DATE

    def mousePressEvent(self, event: Any) -> None:
        super().mousePressEvent(event)
        self._to_today()

    def open_calendar(self) -> None:
        """Open the calendar (as a click on the arrow does), at this month when empty."""
        at = QPointF(self.width() - 6, self.height() / 2)
        press = QMouseEvent(QEvent.Type.MouseButtonPress, at, self.mapToGlobal(at),
                            Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self, press)

    def _to_today(self) -> None:
        if self.is_empty():
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())


class HitDelegate(QStyledItemDelegate):
    """Paints a cell's text with the search words highlighted."""

    def __init__(self, query: Callable[[], str], parent: Any = None) -> None:
        super().__init__(parent)
        self.query = query

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        text = str(index.data() or "")
        spans = hit_spans(text, self.query())
        if not spans:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        mark = "#5c4a00" if is_dark() else "#fff2a8"
        out, last = [], 0
        for a, b in spans:
            out.append(html.escape(text[last:a]))
            ink = "#ffffff" if is_dark() else "#1a1a1a"
            out.append(f'<span style="background:{mark}; color:{ink}">'
                       f'<b>{html.escape(text[a:b])}</b></span>')
            last = b
        out.append(html.escape(text[last:]))
        doc = QTextDocument()
        doc.setDefaultFont(opt.font)
        doc.setDocumentMargin(2)
        doc.setHtml("".join(out).replace("\n", " "))
        painter.save()
        painter.translate(opt.rect.topLeft())
        painter.setClipRect(opt.rect.translated(-opt.rect.topLeft()))
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()


class DetailsDialog(QDialog):
    """Title, document date and custodian of one document; Save records them in the ledger."""

    def __init__(self, doc: DocumentRecord, details: DocumentDetails, described: str,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Document details")
        self.doc = doc
        self.title = QLineEdit(details.title, self)
        self.title.setPlaceholderText(described or "A title that says what it is")
        self.date = DateFilter(self, "The date the document bears (not when it was received)")
        self.date.setSpecialValueText("none")
        if details.document_date:
            self.date.setDate(QDate.fromString(details.document_date, "yyyy-MM-dd"))
        self.custodian = QLineEdit(details.custodian, self)
        self.custodian.setPlaceholderText("Whose files it came from, e.g. Jane Jones (client)")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout(self)
        head = muted(doc.filed_path or doc.source_path, self, wrap=True, plain=True)
        form.addRow(head)
        form.addRow("Title:", self.title)
        form.addRow("Document date:", self.date)
        form.addRow("Custodian:", self.custodian)
        form.addRow(self.error)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.setDefault(True)
        self.save_button.setProperty("primary", True)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(460)

    def values(self) -> tuple[str, str, str]:
        date = "" if self.date.is_empty() else self.date.date().toString("yyyy-MM-dd")
        return self.title.text(), date, self.custodian.text()


class BrowserPage(Page):
    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__(session, on_error)
        title = page_title("Exhibit browser", self)
        self.count = muted("", self)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(
            "Search what documents say, names, Bates numbers, exhibit labels…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.search.addAction(icon("browse"), QLineEdit.ActionPosition.LeadingPosition)
        self.matter = QComboBox(self)
        self.matter.setMinimumContentsLength(14)
        self.matter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category = QComboBox(self)
        self.status = QComboBox(self)
        self.status.addItems(list(STATUS_CHOICES))
        self.date_from = DateFilter(self, "Documents dated on or after")
        self.date_to = DateFilter(self, "Documents dated on or before")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda *_: self._debounce.start())
        for combo in (self.matter, self.category, self.status):
            combo.currentIndexChanged.connect(lambda *_: self.apply_filter())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda *_: self.apply_filter())
        filters = QHBoxLayout()
        for label, w in (("Matter", self.matter), ("Category", self.category),
                         ("From", self.date_from), ("To", self.date_to), ("Show", self.status)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(w, 1)
        filters.insertStretch(0, 0)
        # Named searches for the desk, also a production's selection (issue 19).
        self.saved_searches = SavedSearchBar(session.app.workspace, self.current_filter,
                                             on_error, self)
        self.saved_searches.chosen.connect(self.use_filter)

        self.model = DocumentTableModel(session.ledger, parent=self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.table.setMinimumWidth(320)
        self.hits = HitDelegate(lambda: self.model.filter.text, self.table)
        for key in ("description", "found", "labels"):
            self.table.setItemDelegateForColumn(self.model.column_index(key), self.hits)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setToolTip("Right-click to choose the columns")
        found = self.model.column_index("found")
        header.moveSection(header.visualIndex(found), 1)  # hits next to the description
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda *_: self.open_document())
        self.thumbnails = ThumbnailCache(
            session.runner.pool, session.app.workspace.root, session.app.workspace.state, self)
        self.thumbnails.ready.connect(self.model.thumbnail_ready)
        self.model.thumbnail = self._thumbnail
        self.thumbs = QListView(self)
        self.thumbs.setAccessibleName("Thumbnails")
        self.thumbs.setViewMode(QListView.ViewMode.IconMode)
        self.thumbs.setMovement(QListView.Movement.Static)
        self.thumbs.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbs.setUniformItemSizes(True)
        self.thumbs.setWordWrap(True)
        self.thumbs.setSpacing(6)
        self.thumbs.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.thumbs.setGridSize(QSize(THUMB_PX + 36, THUMB_PX + 52))
        self.thumbs.setModel(self.model)
        self.thumbs.setModelColumn(self.model.column_index("description"))
        self.thumbs.setSelectionModel(self.table.selectionModel())
        self.thumbs.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.thumbs.setSelectionBehavior(QListView.SelectionBehavior.SelectRows)
        self.thumbs.doubleClicked.connect(lambda *_: self.open_document())
        self.thumbs.setVisible(False)
        self.list_button = QToolButton(self)
        self.list_button.setText("List")
        self.thumbs_button = QToolButton(self)
        self.thumbs_button.setText("Thumbnails")
        for button, tip in ((self.list_button, "Show the documents as a table"),
                            (self.thumbs_button, "Show the first page of each document")):
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setAutoExclusive(True)
        self.list_button.setChecked(True)
        self.list_button.clicked.connect(lambda: self.set_view(thumbnails=False))
        self.thumbs_button.clicked.connect(lambda: self.set_view(thumbnails=True))
        self.empty_note = QLabel(self)
        self.empty_note.setObjectName("banner")
        self.empty_note.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_note.setWordWrap(True)
        self.empty_note.setVisible(False)

        self.preview = PdfPreview(self)
        self.history_model = HistoryModel(self)
        self.history = QTableView(self)
        self.history.setModel(self.history_model)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setWordWrap(False)
        self.history.setAlternatingRowColors(True)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.preview, icon("document"), "Preview")
        self.tabs.addTab(self.history, icon("history"), "Custody history")
        self.doc_label = QLabel(self)
        self.doc_label.setWordWrap(True)
        self.doc_label.setTextFormat(Qt.TextFormat.PlainText)
        self.doc_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(icon("open"), "Open", self)
        self.folder_button = QPushButton(icon("folder"), "Show in folder", self)
        self.open_button.clicked.connect(lambda: self.open_document())
        self.folder_button.clicked.connect(lambda: self.open_in_folder())
        self.details_button = QPushButton(icon("document"), "Details…", self)
        self.details_button.setToolTip("Title, document date and custodian (recorded in the "
                                       "ledger under your name)")
        self.details_button.clicked.connect(lambda: self.edit_details())
        self.details_dialog: DetailsDialog | None = None
        self.undo_button = QPushButton(icon("refresh"), "Undo filing", self)
        self.undo_button.setToolTip(
            "Send the received file back where it came from and remove the filed copy (the "
            "original is kept). Refused once the document is stamped into an exhibit set.")
        self.undo_button.clicked.connect(lambda: self.undo_selected())
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        right = QWidget(self)
        right.setMinimumWidth(260)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.doc_label)
        self.facts_line = DocumentFactsLine(right)  # date source, translation pair (issue 23)
        self.facts_line.open_document.connect(self.show_document)
        right_layout.addWidget(self.facts_line)
        right_layout.addWidget(self.tabs, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.folder_button)
        actions.addWidget(self.details_button)
        actions.addStretch(1)
        actions.addWidget(self.undo_button)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.note)

        left = QWidget(self)
        left.setMinimumWidth(320)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.empty_note)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.thumbs, 1)
        split = splitter(Qt.Orientation.Horizontal, self, [left, right], [600, 420],
                         stretch=(3, 2))

        layout, head = page_layout(self, title, self.count)
        head.addSpacing(12)
        head.addWidget(self.list_button)
        head.addWidget(self.thumbs_button)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.saved_searches)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        self.reload_choices()
        self.apply_filter()
        self.restore_columns()
        self._show(None)

    # ---- list or thumbnails -------------------------------------------------------------------

    def set_view(self, *, thumbnails: bool) -> None:
        """The table, or the first page of each document (rendered in the background)."""
        self.model.show_thumbnails = thumbnails
        self.table.setVisible(not thumbnails)
        self.thumbs.setVisible(thumbnails)
        (self.thumbs_button if thumbnails else self.list_button).setChecked(True)
        if thumbnails:
            self.thumbs.reset()
            self.thumbs.setSelectionModel(self.table.selectionModel())

    def _thumbnail(self, doc: DocumentRecord) -> Any:
        image = self.thumbnails.image(doc)
        return QPixmap.fromImage(image) if image is not None else icon("document")

    # ---- columns (chosen per user, remembered) --------------------------------------------

    def _settings_key(self) -> str:
        return f"browser/{self.session.actor.user}/hidden_columns"

    def restore_columns(self) -> None:
        saved = QSettings().value(self._settings_key())
        hidden = ({str(k) for k in saved} if isinstance(saved, list)
                  else {str(saved)} if isinstance(saved, str) and saved else None)
        for n, column in enumerate(self.model.columns):
            self.table.setColumnWidth(n, column.width)
            hide = (column.key in hidden) if hidden is not None else not column.shown
            self.table.setColumnHidden(n, hide)
        self._show_found_column()

    def set_column_shown(self, key: str, shown: bool) -> None:
        col = self.model.column_index(key)
        self.table.setColumnHidden(col, not shown)
        hidden = [c.key for n, c in enumerate(self.model.columns)
                  if self.table.isColumnHidden(n) and c.key != "found"]
        QSettings().setValue(self._settings_key(), hidden)

    def _column_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for n, column in enumerate(self.model.columns):
            if column.key == "found":
                continue
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(n))
            action.toggled.connect(lambda on, key=column.key: self.set_column_shown(key, on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _row_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.select_row(index.row())
        menu = QMenu(self)
        menu.addAction(icon("open"), "Open", self.open_document)
        menu.addAction(icon("folder"), "Show in folder", self.open_in_folder)
        menu.addAction(icon("document"), "Details…", self.edit_details)
        if self._may_undo():
            menu.addSeparator()
            menu.addAction(icon("refresh"), "Undo filing", self.undo_selected)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _show_found_column(self) -> None:
        searching = bool(self.model.filter.text.strip())
        self.table.setColumnHidden(self.model.column_index("found"), not searching)

    # ---- data -------------------------------------------------------------------------------

    def rebind(self, session: Session) -> bool:
        self.session = session
        self.model.ledger = session.ledger
        self.restore_columns()
        self._show(self.selected())
        return True

    def reload_choices(self) -> None:
        fill_matters(self.matter, self.session, ALL)
        for combo, values in ((self.category, self.session.ledger.docs.categories()),):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL)
            combo.addItems(values)
            combo.setCurrentText(current or ALL)
            combo.blockSignals(False)

    def refresh(self) -> None:
        self.reload_choices()
        self.apply_filter()

    def current_filter(self) -> DocumentFilter:
        def pick(combo: QComboBox) -> str:
            return "" if combo.currentText() == ALL else combo.currentText()

        def day(edit: DateFilter) -> str:
            return "" if edit.is_empty() else edit.date().toString("yyyy-MM-dd")

        return DocumentFilter(
            statuses=STATUS_CHOICES[self.status.currentText()],
            matter_id=chosen_matter(self.matter), category=pick(self.category),
            date_from=day(self.date_from), date_to=day(self.date_to),
            text=self.search.text().strip(),
        )

    def apply_filter(self) -> None:
        """Reload with the current filters, keeping the selected document when still listed."""
        self._debounce.stop()
        keep = self.selected()
        flt = self.current_filter()
        self.model.set_filter(flt)
        self._show_found_column()
        total = self.model.total
        if total > self.model.count_cap:
            self.count.setText(f"more than {self.model.count_cap:,} documents")
        else:
            self.count.setText(f"{total:,} document{'s' if total != 1 else ''}")
        if total == 0:
            what = f"No document says or is named “{flt.text}”" if flt.text else (
                "No documents match these filters")
            self.empty_note.setText(f"{what}. Check the spelling, try fewer words, or set "
                                    "Show to Everything and the dates to any.")
        self.empty_note.setVisible(total == 0)
        row = next((r for r, d in enumerate(self.model.records) if keep and d.id == keep.id), -1)
        if row >= 0:
            self.select_row(row)
        else:
            self._show(None)

    def selected(self) -> DocumentRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self, *_: QItemSelection) -> None:
        self.note.clear()  # a result belongs to the document it was about
        self._show(self.selected())

    def _may_undo(self) -> bool:
        """Undoing a filing is filing work: paralegals and admins, not attorneys."""
        return can(self.session.actor.role, Capability.INTAKE)

    def _show(self, doc: DocumentRecord | None) -> None:
        self.facts_line.show_for(self.session.ledger, doc)
        enabled = doc is not None and bool(doc.filed_path)
        self.open_button.setEnabled(enabled)
        self.folder_button.setEnabled(enabled)
        self.details_button.setEnabled(doc is not None)
        self.undo_button.setVisible(self._may_undo())
        self.undo_button.setEnabled(
            self._may_undo() and doc is not None and doc.status == DocStatus.FILED)
        if doc is None:
            self.doc_label.setText("")
            self.preview.clear()
            self.history_model.set_records([])
            return
        sha = doc.filed_sha256 or doc.sha256
        given = current_details(self.session.ledger, doc)
        about = [given.title] if given.title else []
        about += [f"Dated {given.document_date}"] if given.document_date else []
        about += [f"Custodian: {given.custodian}"] if given.custodian else []
        events = self.session.ledger.chain.events(document_id=doc.id)
        self.doc_label.setText(
            ("" if not about else " · ".join(about) + "\n")
            + f"{doc.filed_path or doc.source_path}\nSHA-256 {sha[:16]}…{sha[-8:]} · {doc.status}"
            + "".join(f"\n{line}" for line in self.supervision_lines(doc, events))
        )
        self.doc_label.setToolTip(f"SHA-256 {sha}")
        if doc.filed_path:
            self.preview.show_file(self.session.app.workspace.root / doc.filed_path)
            self.preview.set_search(self.model.filter.text)
        else:
            self.preview.clear("This document has no filed copy.")
        self.history_model.set_records(events)
        for col, width in enumerate((140, 130, 130)):
            self.history.setColumnWidth(col, width)

    def supervision_lines(self, doc: DocumentRecord, events: list[Any]) -> list[str]:
        """Provisional filing, and the sign-off state of each set the document went into
        ("Draft", "Signed off by X on date", "Changed since sign-off")."""
        from intake_desktop.core.ledger import EventKind
        from intake_desktop.core.signoff import folder_of, set_status, sets_holding

        lines = []
        if doc.id in self.model.provisional:
            lines.append("Provisional: filed by an escalation rule, waiting for a lawyer's "
                         "approval (Supervision)")
        root = self.session.app.workspace.root
        outputs = [e.path_after for e in events
                   if e.kind in (EventKind.STAMPED, EventKind.PRODUCED) and e.path_after]
        for key in sets_holding(self.session.ledger, outputs):
            status = set_status(self.session.ledger, folder_of(key, root), root)
            lines.append(f"In {key}: {status.text}")
        return lines

    def _path_of_selected(self) -> Any:
        doc = self.selected()
        if doc is None or not doc.filed_path:
            return None
        path = self.session.app.workspace.root / doc.filed_path
        if not path.is_file():
            self.on_error(for_window(
                f"{doc.filed_path}: the file is missing from its folder. An admin can check "
                "the ledger (Settings) to see where it went."))
            return None
        return path

    def edit_details(self) -> None:
        """Open the details of the selected document; Save records the change."""
        doc = self.selected()
        if doc is None:
            return
        described = self.model.data(self.model.index(
            self.table.currentIndex().row(), self.model.column_index("description")))
        dialog = DetailsDialog(doc, current_details(self.session.ledger, doc),
                               str(described or ""), self)
        dialog.save_button.clicked.connect(lambda: self._save_details(dialog))
        self.details_dialog = dialog
        dialog.open()

    def _save_details(self, dialog: DetailsDialog) -> None:
        title, date, custodian = dialog.values()
        try:
            now = edit_details(self.session.ledger, dialog.doc.id, title=title,
                               document_date=date, custodian=custodian)
        except IntakeError as exc:
            say(dialog.error, exc.message, "error")  # nothing typed is lost
            return
        dialog.accept()
        self.apply_filter()  # the list, the heading and the history show the new details
        if now is None:
            say(self.note, "Nothing changed, so nothing was recorded.", "info")
        else:
            say(self.note, "Details saved and recorded in the ledger.", "ok")

    def undo_selected(self) -> bool:
        """Undo the selected document's filing; the result (or the refusal) shows below."""
        from intake_desktop.qt.undo import undo_filing

        doc = self.selected()
        if doc is None or not self._may_undo():
            return False
        outcome = undo_filing(self.session, doc.id)
        if outcome.ok:
            self.apply_filter()
        say(self.note, for_window(outcome.message, self.session.app.workspace.root),
            "ok" if outcome.ok else "error")
        return outcome.ok

    def open_document(self) -> None:
        path = self._path_of_selected()
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def open_in_folder(self) -> None:
        path = self._path_of_selected()
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def show_document(self, doc_id: int) -> None:
        """Select this document, widening the filters to its matter when they hide it."""
        row = self._row_of(doc_id)
        if row < 0:
            doc = self.session.ledger.docs.document(doc_id)
            if doc is None:
                return
            for widget in (self.search, self.category, self.matter, self.status,
                           self.date_from, self.date_to):
                widget.blockSignals(True)
            self.search.clear()
            self.category.setCurrentText(ALL)
            self.status.setCurrentText("Everything")
            self.date_from.setDate(NO_DATE)
            self.date_to.setDate(NO_DATE)
            index = self.matter.findData(doc.matter_id) if doc.matter_id else -1
            self.matter.setCurrentIndex(index if index >= 0 else 0)
            for widget in (self.search, self.category, self.matter, self.status,
                           self.date_from, self.date_to):
                widget.blockSignals(False)
            self.apply_filter()
            row = self._row_of(doc_id)
        if row >= 0:
            self.select_row(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _row_of(self, doc_id: int) -> int:
        while True:
            row = next((r for r, d in enumerate(self.model.records) if d.id == doc_id), -1)
            if row >= 0 or not self.model.canFetchMore():
                return row
            self.model.fetchMore()

    def use_filter(self, flt: DocumentFilter) -> None:
        """Put a saved search's filters in the boxes and list what it finds."""
        widgets = (self.search, self.category, self.matter, self.status, self.date_from,
                   self.date_to)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.setText(flt.text)
        self.category.setCurrentText(flt.category or ALL)
        index = self.matter.findData(flt.matter_id) if flt.matter_id else -1
        if index < 0 and flt.matter_id:
            self.matter.addItem(flt.matter_id, flt.matter_id)  # a matter not in the list yet
            index = self.matter.count() - 1
        self.matter.setCurrentIndex(max(index, 0))
        shown = next((k for k, v in STATUS_CHOICES.items() if set(v) == set(flt.statuses)),
                     "Filed")
        self.status.setCurrentText(shown)
        for edit, day in ((self.date_from, flt.date_from), (self.date_to, flt.date_to)):
            edit.setDate(QDate.fromString(day, "yyyy-MM-dd") if day else NO_DATE)
        for widget in widgets:
            widget.blockSignals(False)
        self.apply_filter()
