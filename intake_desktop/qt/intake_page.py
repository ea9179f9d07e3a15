"""The intake page: choose a matter, drop files or folders, watch each one get filed."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.filing import Filer, IngestProgress, IngestResult, Outcome
from intake_desktop.core.paths import is_within
from intake_desktop.core.progress import CancelFlag, ProgressCallback
from intake_desktop.core.walls import WallRefused, check_matter
from intake_desktop.qt.demo_offer import DemoOffer
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import ListTableModel
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import PAGE_MARGINS, page_title
from intake_desktop.qt.wording import for_window, say

AnyIndex = QModelIndex | QPersistentModelIndex
BY_FOLDER = "From the Intake folder name"


@dataclass
class IntakeRow:
    source: str
    status: str  # "waiting", "filing", or an Outcome value
    detail: str = ""
    child: bool = False
    document_id: int | None = None  # the filed document (for Undo)


STATUS_TEXT: dict[str, str] = {
    "waiting": "Waiting",
    "filing": "Filing…",
    Outcome.FILED: "Filed",
    Outcome.REVIEW: "Sent to review",
    Outcome.DUPLICATE: "Duplicate",
    Outcome.IGNORED: "Skipped",
    Outcome.ERROR: "Not filed",
    "undone": "Undone",
}
STATUS_ICON: dict[str, str] = {
    Outcome.FILED: "check",
    Outcome.REVIEW: "review",
    Outcome.DUPLICATE: "document",
    Outcome.IGNORED: "document",
    Outcome.ERROR: "error",
    "undone": "refresh",
}


class IntakeResultsModel(ListTableModel):
    """One row per file of every batch, newest batch on top."""

    COL_FILE, COL_STATUS, COL_DETAIL = range(3)
    HEADERS = ("File", "Result", "Filed to / reason")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[IntakeRow] = []
        self._batch_start = 0

    def headers(self) -> Sequence[str]:
        return self.HEADERS

    def row_total(self) -> int:
        return len(self.rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_FILE:
                name = Path(row.source).name
                return f"    ↳ {name}" if row.child else name
            if col == self.COL_STATUS:
                return STATUS_TEXT.get(row.status, row.status)
            if col == self.COL_DETAIL:
                return row.detail
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.source if col == self.COL_FILE else row.detail
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_STATUS:
            glyph = STATUS_ICON.get(row.status)
            return icon(glyph) if glyph else None
        return None

    def start_batch(self) -> None:
        self._batch_start = len(self.rows)

    def mark_filing(self, source: str) -> None:
        for i in range(self._batch_start, len(self.rows)):
            if self.rows[i].source == source:
                self.rows[i].status = "filing"
                idx = self.index(i, self.COL_STATUS)
                self.dataChanged.emit(idx, idx)
                return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(IntakeRow(source, "filing"))
        self.endInsertRows()

    def show_result(self, r: IngestResult, root: Path | None = None) -> None:
        """A file of the running batch has its result (its own batch of files was filed):
        its row says so now, not when the whole drop is done. Undo waits for the end of
        the drop (the row gets its document then)."""
        wanted = os.path.normpath(r.source)
        for i in range(self._batch_start, len(self.rows)):
            row = self.rows[i]
            if row.status in ("waiting", "filing") and os.path.normpath(row.source) == wanted:
                row.status, row.detail = str(r.status), _detail(r, root)
                self.dataChanged.emit(self.index(i, 0), self.index(i, self.COL_DETAIL))
                return

    def finish_batch(self, results: list[IngestResult], root: Path | None = None) -> None:
        """Replace the batch's progress rows with its results (and their children)."""
        new: list[IntakeRow] = []
        for r in results:
            new.append(IntakeRow(r.source, str(r.status), _detail(r, root),
                                 document_id=r.document_id))
            new.extend(IntakeRow(c.source, str(c.status), _detail(c, root), child=True,
                                 document_id=c.document_id)
                       for c in r.children)
        self.beginResetModel()
        self.rows[self._batch_start:] = new
        self.endResetModel()

    def append_result(self, r: IngestResult, root: Path | None = None) -> None:
        """A file filed by the folder watcher (outside any batch of this page)."""
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(IntakeRow(r.source, str(r.status), _detail(r, root),
                                   document_id=r.document_id))
        self.endInsertRows()
        if self._batch_start == len(self.rows) - 1:
            self._batch_start = len(self.rows)

    def mark_undone(self, row: int, message: str) -> None:
        """Row `row` (and the rows of its family below it) were taken back."""
        last = row + 1
        while last < len(self.rows) and self.rows[last].child and not self.rows[row].child:
            last += 1
        for r in self.rows[row:last]:
            r.status, r.detail = "undone", message
        self.dataChanged.emit(self.index(row, 0), self.index(last - 1, self.COL_DETAIL))

    def fail_batch(self, message: str) -> None:
        self.beginResetModel()
        for row in self.rows[self._batch_start:]:
            if row.status in ("waiting", "filing"):
                row.status, row.detail = str(Outcome.ERROR), message
        self.endResetModel()


def _detail(r: IngestResult, root: Path | None = None) -> str:
    if r.status is Outcome.FILED:
        if r.path and root is not None:
            try:
                return Path(r.path).relative_to(root).as_posix()
            except ValueError:
                return r.path
        return r.path or ""
    if r.status is Outcome.DUPLICATE:
        return for_window(r.reason or "same bytes as a document already filed", root)
    return for_window(r.reason or "", root)


NOT_A_FILE = (
    "Nothing was filed: what you dragged is not a file on this computer (a mail message, a "
    "link or an attachment preview). Save it to a file first (for a mail message: Save as, or "
    "drag it to the desktop), then drop that file here."
)


class DropZone(QFrame):
    """Accepts files and folders dragged from the file manager (file URLs)."""

    dropped = Signal(list)
    refused = Signal(str)  # a drag that carried no local file, with what to do

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        glyph = QLabel(self)
        glyph.setPixmap(icon("intake").pixmap(44, 44))
        glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Drop client files or folders here", self)
        title.setObjectName("dropTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            "Each file is copied into the matter, its original kept unchanged and read-only. "
            "Files dragged from elsewhere stay where they are.", self,
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for w in (glyph, title, hint):
            layout.addWidget(w)

    def _set_hover(self, on: bool) -> None:
        self.setProperty("hover", "true" if on else "false")
        self.style().unpolish(self)
        self.style().polish(self)

    @staticmethod
    def local_paths(event: QDropEvent | QDragEnterEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    @staticmethod
    def _as_copy(event: QDropEvent | QDragEnterEvent | Any) -> bool:
        """Take the drag as a copy: the files dragged from elsewhere stay where they are."""
        if not event.possibleActions() & Qt.DropAction.CopyAction:
            event.ignore()
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # Anything is let in, so that a drop without a file can say what to do.
        if self._as_copy(event):
            self._set_hover(True)

    def dragMoveEvent(self, event: Any) -> None:
        self._as_copy(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        if not self._as_copy(event):
            return
        paths = self.local_paths(event)
        if not paths:
            self.refused.emit(NOT_A_FILE)
            return
        self.dropped.emit(paths)


def _counts(results: list[IngestResult]) -> dict[str, int]:
    """How many results of each outcome, in the order they first occur."""
    counts: dict[str, int] = {}
    for r in results:
        counts[str(r.status)] = counts.get(str(r.status), 0) + 1
    return counts


class IntakePage(QWidget):
    """Matter selector, drop zone, progress and per-file results."""

    batch_finished = Signal(list)  # list[IngestResult]
    error = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._queue: list[tuple[list[Path], str | None]] = []
        self._watched: dict[str, int] = {}  # outcomes of watched files this session
        self._cancel: CancelFlag | None = None
        # Asks which matter files dropped from outside the Intake folders belong to
        # (None: cancelled). Tests replace it.
        self.matter_picker: Callable[[list[Path]], str | None] = self._pick_matter

        title = page_title("Intake", self)
        self.matter = QComboBox(self)
        self.matter.setEditable(True)
        self.matter.setMinimumWidth(260)
        self.matter.setToolTip("File everything dropped into this matter, or let the Intake "
                               "folder name decide (Intake/<matter>/...)")
        self.reload_matters()
        self.new_matter_button = QPushButton(icon("add"), "New matter…", self)
        self.new_matter_button.clicked.connect(lambda: self.new_matter())
        self.add_button = QPushButton(icon("add"), "Add files…", self)
        self.add_button.clicked.connect(self.choose_files)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(QLabel("Matter:", self))
        top.addWidget(self.matter)
        top.addWidget(self.new_matter_button)
        top.addWidget(self.add_button)

        self.drop_zone = DropZone(self)
        self.drop_zone.dropped.connect(self.file_paths)
        self.drop_zone.refused.connect(self._refused)

        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.progress.setTextVisible(True)
        self.status = QLabel("Nothing filed yet in this session.", self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton("Stop after this file", self)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        prog = QHBoxLayout()
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.cancel_button)
        # Where the batch stands: converted / filed counts, rate, time left, current file.
        self.pace = QLabel("", self)
        self.pace.setObjectName("muted")
        self.pace.setTextFormat(Qt.TextFormat.PlainText)
        self.pace.setVisible(False)
        self._filing: Filer | None = None  # the batch's filer (its `progress`)
        # The run whose results the table shows as they come, and how many it has shown.
        self._shown: tuple[IngestProgress | None, int] = (None, 0)

        self.model = IntakeResultsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(1, self.fontMetrics().horizontalAdvance("Sent to review") + 48)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 260)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_undo())
        self.undo_button = QPushButton(icon("refresh"), "Undo filing", self)
        self.undo_button.setToolTip(
            "Send the selected file back where it came from and remove the filed copy (the "
            "original is kept)")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(lambda: self.undo_selected())
        below = QHBoxLayout()
        below.addStretch(1)
        below.addWidget(self.undo_button)

        self.demo_offer = DemoOffer(parent=self)
        self.demo_offer.refresh(session.app.workspace, session.ledger)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(*PAGE_MARGINS)
        layout.addLayout(top)
        layout.addWidget(self.demo_offer)
        layout.addWidget(self.drop_zone)
        layout.addLayout(prog)
        layout.addWidget(self.pace)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(below)

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _update_undo(self) -> None:
        at = self._selected_row()
        row = self.model.rows[at] if 0 <= at < len(self.model.rows) else None
        self.undo_button.setEnabled(
            row is not None and not row.child and row.document_id is not None
            and row.status == str(Outcome.FILED))

    def undo_selected(self) -> bool:
        """Undo the filing of the selected result (with its attachments or members)."""
        from intake_desktop.qt.undo import undo_filing

        at = self._selected_row()
        if at < 0 or self.model.rows[at].document_id is None:
            return False
        outcome = undo_filing(self.session, self.model.rows[at].document_id or 0)
        root = self.session.app.workspace.root
        if outcome.ok:
            self.model.mark_undone(at, for_window(outcome.message, root))
        say(self.status, for_window(outcome.message, root), "ok" if outcome.ok else "error")
        self._update_undo()
        return outcome.ok

    def reload_matters(self) -> None:
        from intake_desktop.qt.matters import fill_matters

        fill_matters(self.matter, self.session, BY_FOLDER)

    def chosen_matter(self) -> str | None:
        from intake_desktop.qt.matters import chosen_matter

        return chosen_matter(self.matter) or None

    def new_matter(self) -> str | None:
        """The New matter dialog; the new matter becomes the one files are filed into."""
        from intake_desktop.qt.matters import NewMatterDialog

        dialog = NewMatterDialog(self.session, self)
        if not dialog.exec() or dialog.record is None:
            return None
        self.select_matter(dialog.record.id)
        return dialog.record.id

    def select_matter(self, matter_id: str) -> None:
        self.reload_matters()
        index = self.matter.findData(matter_id)
        if index >= 0:
            self.matter.setCurrentIndex(index)
            line = self.matter.lineEdit()
            if line is not None:
                line.setCursorPosition(0)

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Choose files to file")
        if files:
            self.file_paths([Path(f) for f in files])

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.status.setText("Stopping after the current file…")

    def _refused(self, text: str) -> None:
        say(self.status, text, "warn")

    def rebind(self, session: Session) -> bool:
        """Keep this page (and its results) for another acting user."""
        self.session = session
        return True

    def has_work(self) -> bool:
        return bool(self.model.rows) or self._cancel is not None

    def _outside_intake(self, paths: list[Path]) -> bool:
        """True when some path is not inside an Intake/<matter>/ folder (no matter to read)."""
        ws = self.session.app.workspace
        for p in paths:
            if is_within(p, ws.root) and not is_within(p, ws.intake):
                continue  # the filer refuses files already in the workspace, with the reason
            if is_within(p, ws.intake):
                rel = p.resolve().relative_to(ws.intake.resolve())
                if p.is_dir() or len(rel.parts) >= 2:
                    continue
            return True
        return False

    def _pick_matter(self, paths: list[Path]) -> str | None:
        from intake_desktop.qt.matters import pick_matter

        return pick_matter(self.session, self, count=len(paths))

    def file_paths(self, paths: list[Path]) -> None:
        """File these files/folders (queued behind a batch that is still running).

        Files from outside the Intake folders need a matter: without one chosen above, the
        page asks for it first (nothing is filed if the user cancels).
        """
        matter = self.chosen_matter()
        try:  # matter walls: a screened matter typed in is refused (and recorded)
            check_matter(self.session.ledger, matter, "file documents into")
        except WallRefused as exc:
            say(self.status, exc.message, "error")
            return
        if matter is None and self._outside_intake(paths):
            matter = self.matter_picker(paths)
            if not matter:
                say(self.status, "Nothing was filed: choose the matter these files belong to "
                    "(or pick it above the drop area), then drop them again.", "warn")
                return
        self._queue.append((paths, matter))
        if self._cancel is None:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            return
        paths, matter = self._queue.pop(0)
        self.model.start_batch()
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.cancel_button.setVisible(True)
        self.status.setText(f"Filing {len(paths)} item(s)…")
        filer = self.session.filer()
        self._filing = filer
        self.pace.setText("Looking at what was dropped…")
        self.pace.setVisible(True)

        def work(on_progress: ProgressCallback, cancel: CancelFlag) -> list[IngestResult]:
            return filer.ingest(paths, matter=matter, on_progress=on_progress, cancel=cancel)

        self._cancel = CancelFlag()
        self.session.runner.run(
            work, on_success=self._done, on_error=self._failed, on_progress=self._progress,
            cancel=self._cancel,
        )

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {total} filed")
        if message != "done":
            self.model.mark_filing(message)
        if self._filing is not None:
            progress = self._filing.progress
            self.pace.setText(progress.describe())
            if progress is not self._shown[0]:  # a new run: its results from the first
                self._shown = (progress, 0)
            root = self.session.app.workspace.root
            known = progress.results[self._shown[1]:]  # only grows (core/filing/progress)
            for result in known:
                self.model.show_result(result, root)
            self._shown = (progress, self._shown[1] + len(known))

    def _done(self, results: list[IngestResult]) -> None:
        self.model.finish_batch(results, self.session.app.workspace.root)
        self._update_undo()
        self._say_counts("Last batch", _counts(results))
        self._end_batch()
        self.reload_matters()
        self.demo_offer.refresh(self.session.app.workspace, self.session.ledger)
        self.batch_finished.emit(results)

    def show_watched(self, results: list[IngestResult]) -> None:
        """Files the folder watcher filed: their rows, and the session's tally of them in
        the status line (it said "Nothing filed yet" above thirty watched files); a batch
        being filed from this page keeps the line for its own progress."""
        root = self.session.app.workspace.root
        for r in results:
            self.model.append_result(r, root)
        for status, n in _counts(results).items():
            self._watched[status] = self._watched.get(status, 0) + n
        if self._filing is None:
            self._say_counts("From the watched folders this session", self._watched)

    def _say_counts(self, what: str, counts: dict[str, int]) -> None:
        parts = [f"{n} {STATUS_TEXT[Outcome(s)].lower()}" for s, n in counts.items()]
        bad = counts.get(str(Outcome.ERROR), 0) or counts.get(str(Outcome.REVIEW), 0)
        say(self.status, f"{what}: " + (", ".join(parts) or "no files found") + ".",
            "warn" if bad else "ok")

    def _failed(self, message: str) -> None:
        self.model.fail_batch(message)
        say(self.status, message, "error")
        self._end_batch()
        self.error.emit(message)

    def _end_batch(self) -> None:
        self._cancel = None
        self._filing = None
        self.pace.setVisible(False)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self._next()
