"""The exhibit builder: pick filed documents, order them by dragging, describe them, set the
labels and Bates numbers, build in the background, open the outputs."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.desks.exhibit_builder import (
    BuildOptions,
    Built,
    Pick,
    bates_text,
    build,
    check,
    stamp_preview,
)
from intake_desktop.core.desks.settings_files import load_bates
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.exhibits import letters
from intake_desktop.core.ledger import DocumentFilter
from intake_desktop.core.progress import CancelFlag, ProgressCallback
from intake_desktop.core.roles import Capability, can
from intake_desktop.core.signoff import SetState, set_status, sign_off
from intake_desktop.qt.look import icon
from intake_desktop.qt.matters import chosen_matter, fill_matters
from intake_desktop.qt.models import DocumentTableModel, ListTableModel
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import page_layout, page_title, splitter
from intake_desktop.qt.wording import say

AnyIndex = QModelIndex | QPersistentModelIndex
ROWS_MIME = "application/x-intake-exhibit-rows"
ALL_MATTERS = "All matters"


class ExhibitListModel(ListTableModel):
    """The exhibits in order; descriptions are editable; rows move by drag and drop."""

    COL_LABEL, COL_DESCRIPTION, COL_DATE, COL_WITNESS, COL_DOCUMENT = range(5)
    HEADERS = ("Label", "Description", "Date", "Witness", "Document")
    EDITABLE = (COL_DESCRIPTION, COL_DATE, COL_WITNESS)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.picks: list[Pick] = []
        self.scheme = "numbers"
        self.prefix = "Exhibit"
        self.first = 1

    def label(self, row: int) -> str:
        n = self.first + row
        ident = letters(n) if self.scheme == "letters" else str(n)
        return f"{self.prefix} {ident}".strip()

    def set_labels(self, scheme: str, prefix: str, first: int) -> None:
        self.scheme, self.prefix, self.first = scheme, prefix, first
        if self.picks:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.picks) - 1, 0))

    def headers(self) -> Sequence[str]:
        return self.HEADERS

    def row_total(self) -> int:
        return len(self.picks)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.picks):
            return None
        pick = self.picks[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (self.label(index.row()), pick.description, pick.date, pick.witness,
                    pick.title)[index.column()]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        flags = (base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemIsDragEnabled)
        if index.column() in self.EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.EditRole or not index.isValid()
                or index.column() not in self.EDITABLE):
            return False
        old = self.picks[index.row()]
        text = str(value).strip()
        if index.column() == self.COL_DATE and text and not re.fullmatch(
                r"\d{4}-\d{2}-\d{2}", text):
            return False  # dates as YYYY-MM-DD (the index and the chronology sort by them)
        col = index.column()
        self.picks[index.row()] = dataclasses.replace(
            old,
            description=text if col == self.COL_DESCRIPTION else old.description,
            date=text if col == self.COL_DATE else old.date,
            witness=text if col == self.COL_WITNESS else old.witness,
        )
        self.dataChanged.emit(index, index)
        return True

    def add(self, pick: Pick) -> None:
        self.beginInsertRows(QModelIndex(), len(self.picks), len(self.picks))
        self.picks.append(pick)
        self.endInsertRows()

    def removeRows(self, row: int, count: int, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or row < 0 or count < 1 or row + count > len(self.picks):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self.picks[row:row + count]
        self.endRemoveRows()
        return True

    def move(self, source: int, dest: int) -> bool:
        """Move one row so that it lands at position `dest` (0..len)."""
        if not 0 <= source < len(self.picks) or not 0 <= dest <= len(self.picks):
            return False
        if dest in (source, source + 1):
            return False
        if not self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), dest):
            return False
        pick = self.picks.pop(source)
        self.picks.insert(dest - 1 if dest > source else dest, pick)
        self.endMoveRows()
        first, last = min(source, dest), min(max(source, dest), len(self.picks) - 1)
        self.dataChanged.emit(self.index(first, 0), self.index(last, 0))
        return True

    # drag and drop (rows move inside the list)

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime.setData(ROWS_MIME, QByteArray(",".join(map(str, rows)).encode()))
        return mime

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(ROWS_MIME):
            return False
        rows = [int(r) for r in bytes(data.data(ROWS_MIME).data()).decode().split(",") if r]
        if len(rows) != 1:
            return False
        dest = row if row >= 0 else (parent.row() if parent.isValid() else len(self.picks))
        self.move(rows[0], dest)
        return False  # the move is done: the view must not remove the source row


class BuilderPage(QWidget):
    def __init__(self, session: Session, *, on_error: Callable[[str], None],
                 on_clear: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self.session = session
        self.on_error = on_error
        self.on_clear = on_clear
        self.last: Built | None = None
        title = page_title("Exhibit builder", self)

        # documents to pick from
        self.matter = QComboBox(self)
        self.matter.setToolTip("The matter of this exhibit set: its documents are listed")
        self.matter.setMinimumContentsLength(12)
        self.matter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        fill_matters(self.matter, session, ALL_MATTERS)
        self.matter.currentIndexChanged.connect(lambda *_: self._reload_documents())
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find filed documents (words they say, names)…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda *_: self._reload_documents())
        self.documents = DocumentTableModel(session.ledger, parent=self)
        self.doc_table = QTableView(self)
        self.doc_table.setModel(self.documents)
        self.doc_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.doc_table.verticalHeader().setVisible(False)
        for n, column in enumerate(self.documents.columns):
            self.doc_table.setColumnHidden(n, column.key not in ("description", "matter",
                                                                 "date"))
        self.doc_table.horizontalHeader().setStretchLastSection(True)
        self.doc_table.setColumnWidth(1, 200)
        self.doc_table.setWordWrap(False)
        self.doc_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.doc_table.doubleClicked.connect(lambda *_: self.add_selected())
        add = QPushButton(icon("add"), "Add to set", self)
        add.clicked.connect(lambda: self.add_selected())
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("<b>Filed documents</b>", self))
        ll.addWidget(self.matter)
        ll.addWidget(self.search)
        ll.addWidget(self.doc_table, 1)
        ll.addWidget(add, 0, Qt.AlignmentFlag.AlignRight)

        # the set, in order
        self.model = ExhibitListModel(self)
        self.model.rowsInserted.connect(lambda *_: self._state_changed())
        self.model.rowsRemoved.connect(lambda *_: self._state_changed())
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(1, 150)
        self.table.setColumnWidth(0, 90)
        self.table.setColumnWidth(2, 86)
        self.table.setColumnWidth(3, 90)
        self.table.setColumnWidth(4, 160)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        up = QPushButton(icon("up"), "Up", self)
        down = QPushButton(icon("down"), "Down", self)
        up.setToolTip("Move the exhibit up (Alt+Up)")
        down.setToolTip("Move the exhibit down (Alt+Down)")
        remove = QPushButton("Remove", self)
        up.clicked.connect(lambda: self.move_selected(-1))
        down.clicked.connect(lambda: self.move_selected(1))
        remove.clicked.connect(self.remove_selected)
        QShortcut(QKeySequence("Alt+Up"), self, lambda: self.move_selected(-1))
        QShortcut(QKeySequence("Alt+Down"), self, lambda: self.move_selected(1))
        order = QHBoxLayout()
        for b in (up, down, remove):
            order.addWidget(b)
        order.addStretch(1)
        middle = QWidget(self)
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("<b>Exhibits, in order</b> (drag to reorder; double-click a "
                      "description, date or witness to edit it)", self)
        hint.setWordWrap(True)
        ml.addWidget(hint)
        ml.addWidget(self.table, 1)
        ml.addLayout(order)

        # options
        try:
            bates = load_bates(session.app.workspace)
        except IntakeError:
            from intake_desktop.core.desks.settings_files import BatesDefaults

            bates = BatesDefaults()
        self.set_name = QLineEdit("Trial exhibits", self)
        self.scheme = QComboBox(self)
        self.scheme.addItems(["numbers", "letters"])
        self.prefix = QComboBox(self)
        self.prefix.setEditable(True)
        self.prefix.addItems(["Exhibit", "Pltf. Ex.", "Def. Ex.", "Joint Ex.", "Ex."])
        self.first = QSpinBox(self)
        self.first.setRange(1, 9999)
        self.bates_on = QCheckBox("Bates numbers", self)
        self.bates_on.setChecked(True)
        self.bates_prefix = QLineEdit(bates.prefix, self)
        self.bates_digits = QSpinBox(self)
        self.bates_digits.setRange(3, 15)
        self.bates_digits.setValue(bates.digits)
        self.bates_suffix = QLineEdit(self)
        self.bates_suffix.setPlaceholderText("e.g. -CONF (optional)")
        self.bates_start = QSpinBox(self)
        self.bates_start.setRange(0, 999_999_999)
        self.bates_start.setSpecialValueText("next free number")
        self.next_free = QLabel(self)
        self.next_free.setObjectName("muted")
        self.next_free.setTextFormat(Qt.TextFormat.PlainText)
        self.position = QComboBox(self)
        for corner in ("bottom-right", "bottom-center", "bottom-left", "top-right",
                       "top-center", "top-left"):
            self.position.addItem(corner.replace("-", " ").capitalize(), corner)
        self.font_size = QSpinBox(self)
        self.font_size.setRange(6, 24)
        self.font_size.setValue(10)
        self.font_size.setSuffix(" pt")
        self.court = QComboBox(self)
        self.court.addItem("No court rules", "")
        try:
            from intake_desktop.core.courts import load_profiles

            folder = session.app.workspace.state / "courts"
            for cid, court in sorted(load_profiles(folder if folder.is_dir() else None).items()):
                self.court.addItem(f"{court.name} ({cid})", cid)
        except (ImportError, IntakeError):
            pass
        self.stamp_view = QLabel(self)
        self.stamp_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stamp_view.setMinimumHeight(160)
        self.stamp_view.setObjectName("muted")
        self.stamp_view.setText("Add a document to see its first page stamped here.")
        self.stamp_view.setWordWrap(True)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(300)
        self._preview_timer.timeout.connect(self.update_stamp_preview)
        for w in (self.bates_prefix, self.bates_suffix):
            w.textChanged.connect(lambda *_: self._options_changed())
        for sp in (self.bates_digits, self.bates_start, self.font_size, self.first):
            sp.valueChanged.connect(lambda *_: self._options_changed())
        for combo in (self.position, self.prefix, self.scheme):
            combo.currentIndexChanged.connect(lambda *_: self._options_changed())
        self.bates_on.toggled.connect(lambda *_: self._options_changed())
        self.slip = QCheckBox("Slip sheet before each exhibit", self)
        self.slip.setChecked(True)
        self.binder = QCheckBox("Combined binder PDF with bookmarks", self)
        self.binder.setChecked(True)
        self.page_labels = QCheckBox("Label every page (Ex. 3 - p. 2)", self)
        for combo in (self.scheme, self.prefix):
            combo.currentTextChanged.connect(lambda *_: self._relabel())
        self.first.valueChanged.connect(lambda *_: self._relabel())
        form = QFormLayout()
        form.addRow("Set name:", self.set_name)
        form.addRow("Labels:", self.scheme)
        form.addRow("Label prefix:", self.prefix)
        form.addRow("First label:", self.first)
        form.addRow("Court:", self.court)
        form.addRow(self.bates_on)
        form.addRow("Bates prefix:", self.bates_prefix)
        form.addRow("Suffix:", self.bates_suffix)
        form.addRow("Digits:", self.bates_digits)
        form.addRow("Start at:", self.bates_start)
        form.addRow("", self.next_free)
        form.addRow("Position:", self.position)
        form.addRow("Font size:", self.font_size)
        form.addRow(self.slip)
        form.addRow(self.binder)
        form.addRow(self.page_labels)
        self.build_button = QPushButton(icon("builder"), "Build exhibit set", self)
        self.build_button.setProperty("primary", True)
        self.build_button.setShortcut("Ctrl+B")
        self.build_button.clicked.connect(lambda: self.start_build())
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self._cancel: CancelFlag | None = None
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.outputs = QListWidget(self)
        self.outputs.itemDoubleClicked.connect(
            lambda item: QDesktopServices.openUrl(QUrl.fromLocalFile(item.toolTip())))
        self.open_folder = QPushButton(icon("folder"), "Open output folder", self)
        self.open_folder.setEnabled(False)
        self.open_folder.clicked.connect(self._open_folder)
        # Sign-off (issue 17): the set is a draft until an attorney signs it off.
        self.signoff_state = QLabel(self)
        self.signoff_state.setWordWrap(True)
        self.signoff_state.setAccessibleName("Sign-off state")
        self.signoff_button = QPushButton(icon("check"), "Sign off", self)
        self.signoff_button.setToolTip("As the supervising attorney: write the sign-off "
                                       "manifest into the set's folder and record it")
        self.signoff_button.clicked.connect(lambda: self.sign_off_set())
        self.signoff_button.setVisible(can(session.actor.role, Capability.SIGN_OFF))
        self.signoff_button.setEnabled(False)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("<b>Options</b>", self))
        form_box = QWidget(self)
        form_box.setLayout(form)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(form_box)
        rl.addWidget(scroll, 2)
        rl.addWidget(QLabel("<b>Stamp preview</b> (first page of the selected exhibit)", self))
        rl.addWidget(self.stamp_view, 2)
        rl.addWidget(self.build_button)
        prog = QHBoxLayout()
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.cancel_button)
        rl.addLayout(prog)
        rl.addWidget(self.result)
        rl.addWidget(self.outputs, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._options_changed())
        self._update_next_free()
        signoff_row = QHBoxLayout()
        signoff_row.addWidget(self.signoff_state, 1)
        signoff_row.addWidget(self.signoff_button)
        rl.addLayout(signoff_row)
        rl.addWidget(self.open_folder)

        for pane, least in ((left, 200), (middle, 230), (right, 260)):
            pane.setMinimumWidth(least)
        split = splitter(Qt.Orientation.Horizontal, self, [left, middle, right], [300, 480, 300])
        layout, _ = page_layout(self, title)
        layout.addWidget(split, 1)
        self._reload_documents()

    def refresh(self) -> None:
        fill_matters(self.matter, self.session, ALL_MATTERS)
        self._reload_documents()
        self.show_signoff_state()

    def rebind(self, session: Session) -> bool:
        self.session = session
        self.documents.ledger = session.ledger
        self.signoff_button.setVisible(can(session.actor.role, Capability.SIGN_OFF))
        self.show_signoff_state()
        return True

    def show_signoff_state(self) -> None:
        """"Draft", "Signed off by X on date" or "Changed since sign-off" for the set last
        built here (re-checked against its folder every time the page is shown)."""
        if self.last is None:
            self.signoff_state.clear()
            self.signoff_button.setEnabled(False)
            return
        status = set_status(self.session.ledger, self.last.out_dir,
                            self.session.app.workspace.root)
        kind = {SetState.DRAFT: "info", SetState.SIGNED_OFF: "ok",
                SetState.CHANGED: "error"}[status.state]
        say(self.signoff_state, status.text, kind)
        v = status.verification
        details = [*(f"changed: {p}" for p in v.changed), *(f"missing: {p}" for p in v.missing),
                   *(f"added: {p}" for p in v.added)]
        if details:
            self.signoff_state.setToolTip("\n".join(details))
        self.signoff_button.setEnabled(status.state is not SetState.SIGNED_OFF)

    def sign_off_set(self) -> bool:
        if self.last is None:
            return False
        try:
            sign_off(self.session.ledger, self.last.out_dir, self.session.app.workspace.root)
        except IntakeError as exc:
            self.on_error(exc.message)
            say(self.signoff_state, exc.message, "error")
            return False
        self.show_signoff_state()
        return True

    def has_work(self) -> bool:
        return bool(self.model.picks)

    def _state_changed(self) -> None:
        """The set changed: messages about the set as it was no longer apply."""
        if self.result.objectName() != "okText":
            self.result.clear()
        self.on_clear()

    def _reload_documents(self) -> None:
        self.documents.set_filter(DocumentFilter(text=self.search.text().strip(),
                                                 matter_id=chosen_matter(self.matter)))

    def _relabel(self) -> None:
        self.model.set_labels(self.scheme.currentText(), self.prefix.currentText(),
                              self.first.value())

    def add_document(self, row: int) -> None:
        doc = self.documents.record(row)
        if doc is None:
            return
        title = Path(doc.filed_path or doc.source_path).name
        already = next((n for n, p in enumerate(self.model.picks) if p.document_id == doc.id),
                       -1)
        if already >= 0:
            say(self.result, f"{title} is already in the set as {self.model.label(already)}: "
                "a document is added once, so it gets one Bates range.", "warn")
            return
        # The name it arrived with reads best in an index; the filed name stays visible.
        self.model.add(Pick(doc.id, Path(doc.source_path).stem, title,
                            date=doc.document_date or ""))

    def add_selected(self) -> None:
        for index in self.doc_table.selectionModel().selectedRows():
            self.add_document(index.row())

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def move_selected(self, step: int) -> None:
        row = self.selected_row()
        if row < 0:
            return
        target = row + step
        if 0 <= target < self.model.rowCount() and self.model.move(row, target + (step > 0)):
            self.table.selectRow(target)

    def remove_selected(self) -> None:
        row = self.selected_row()
        if row >= 0:
            self.model.removeRows(row, 1)

    def options(self) -> BuildOptions:
        return BuildOptions(
            name=self.set_name.text().strip() or "Exhibit set",
            label_scheme=self.scheme.currentText(), label_prefix=self.prefix.currentText(),
            first_label=self.first.value(),
            bates_prefix=self.bates_prefix.text().strip() if self.bates_on.isChecked() else "",
            bates_digits=self.bates_digits.value(), slip_sheets=self.slip.isChecked(),
            binder=self.binder.isChecked(), page_labels=self.page_labels.isChecked(),
            matter=chosen_matter(self.matter),
            bates_suffix=self.bates_suffix.text().strip(),
            bates_start=self.bates_start.value(),
            stamp_position=str(self.position.currentData() or ""),
            font_size=float(self.font_size.value()),
            court=str(self.court.currentData() or ""),
        )

    def _options_changed(self) -> None:
        self._update_next_free()
        self._preview_timer.start()

    def _update_next_free(self) -> None:
        prefix = self.bates_prefix.text().strip()
        if not self.bates_on.isChecked() or not prefix:
            self.next_free.setText("No Bates numbers")
            return
        options = self.options()
        n = self.session.ledger.bates.next_bates(prefix)
        self.next_free.setText(f"Next free number for {prefix}: {bates_text(options, n)}")

    def first_bates_number(self) -> int:
        start = self.bates_start.value()
        return start if start > 0 else self.session.ledger.bates.next_bates(
            self.bates_prefix.text().strip())

    def update_stamp_preview(self) -> bool:
        """Stamp the first page of the selected (or first) exhibit as the set will, and show
        it; False when there is nothing to show."""
        self._preview_timer.stop()
        row = max(self.selected_row(), 0)
        pick = self.model.picks[row] if row < len(self.model.picks) else None
        doc = self.session.ledger.docs.document(pick.document_id) if pick else None
        path = self.session.app.workspace.root / doc.filed_path if doc and doc.filed_path \
            else None
        if path is None or path.suffix.lower() != ".pdf" or not path.is_file():
            self.stamp_view.setPixmap(QPixmap())
            self.stamp_view.setText("Add a PDF document to see its first page stamped here.")
            return False
        options = self.options()
        first = self.first_bates_number()
        try:
            stamped = stamp_preview(self.session.app.workspace, path, options,
                                    self.model.label(row), first)
        except (IntakeError, ValueError) as exc:
            self.stamp_view.setText(f"No preview: {exc}")
            return False
        try:
            doc_pdf = QPdfDocument(self)
            doc_pdf.load(str(stamped))
            size = doc_pdf.pagePointSize(0)
            height = max(self.stamp_view.height(), 400)
            scale = height / max(size.height(), 1)
            rendered = doc_pdf.render(0, QSize(int(size.width() * scale), int(height)))
            doc_pdf.close()
            image = QImage(rendered.size(), QImage.Format.Format_RGB32)
            image.fill(QColor("white"))  # a page is white paper, whatever the theme
            painter = QPainter(image)
            painter.drawImage(0, 0, rendered)
            painter.end()
            self.stamp_image = image
            box = self.stamp_view.size()
            shown = QPixmap.fromImage(image)
            if box.height() > 40:
                shown = shown.scaled(box, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
            self.stamp_view.setPixmap(shown)
        finally:
            stamped.unlink(missing_ok=True)
        return True

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            say(self.result, "Stopping… nothing half-built is kept.", "info")

    def _say(self, text: str, ok: bool) -> None:
        say(self.result, text, "ok" if ok else "error")

    def start_build(self) -> None:
        picks, options = list(self.model.picks), self.options()
        ws, ledger = self.session.app.workspace, self.session.ledger
        try:
            check(ws, options, picks)
        except IntakeError as exc:
            self._say(exc.message, False)
            self.on_error(exc.message)
            return
        self.build_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        say(self.result, "Building…", "info")

        def work(on_progress: ProgressCallback, cancel: CancelFlag) -> Built:
            return build(ws, ledger, options, picks, on_progress=on_progress, cancel=cancel)

        self._cancel = CancelFlag()
        self.cancel_button.setVisible(True)
        self.session.runner.run(work, on_success=self._built, on_error=self._failed,
                                on_progress=self._progress, cancel=self._cancel)

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(message[:60])

    def _built(self, built: Built) -> None:
        self.last = built
        self._cancel = None
        self.cancel_button.setVisible(False)
        self._update_next_free()
        self.build_button.setEnabled(True)
        self.progress.setVisible(False)
        root = self.session.app.workspace.root
        self._say(f"Built {len(built.summary.get('exhibits', []))} exhibits in "
                  f"{built.out_dir.relative_to(root).as_posix()}.", True)
        self.outputs.clear()
        for path in [built.spec_file, *built.files]:
            shown = (path.relative_to(built.out_dir).as_posix()
                     if path.is_relative_to(built.out_dir) else path.name)
            self.outputs.addItem(shown)
            self.outputs.item(self.outputs.count() - 1).setToolTip(str(path))
        self.open_folder.setEnabled(True)
        self.show_signoff_state()

    def _failed(self, message: str) -> None:
        self._cancel = None
        self.cancel_button.setVisible(False)
        self.build_button.setEnabled(True)
        self.progress.setVisible(False)
        self._say(message, False)
        self.on_error(message)

    def _open_folder(self) -> None:
        if self.last is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last.out_dir)))


def build_builder_page(session: Session, on_error: Callable[[str], None],
                       on_clear: Callable[[], None] = lambda: None) -> QWidget:
    return BuilderPage(session, on_error=on_error, on_clear=on_clear)
