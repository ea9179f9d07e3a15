"""The Supervision page (attorneys and admins): what waits for a lawyer (escalated documents
to approve or return, outputs to sign off, outputs changed since sign-off), recent activity
by person and by matter, and a matter's activity report as PDF or CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.activity import recent_activity, summarize, write_report
from intake_desktop.core.approvals import (
    PendingApproval,
    approve,
    pending_approvals,
    return_document,
)
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.roles import Capability, can
from intake_desktop.core.signoff import (
    KIND_WORDS,
    OutputKind,
    OutputSet,
    SetState,
    output_sets,
    sign_off,
)
from intake_desktop.qt.look import icon
from intake_desktop.qt.matters import chosen_matter, fill_matters
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import Page, muted, page_layout, page_title
from intake_desktop.qt.wording import say

KEY = Qt.ItemDataRole.UserRole
APPROVAL_COLUMNS = ("No.", "Matter", "Document", "Why (rule)", "Filed by", "When")
SET_COLUMNS = ("Output", "Kind", "Matter", "State", "Built by", "Built")
SUMMARY_COLUMNS = ("", "Actions", "Last activity", "Last action", "Most frequent")
RECENT_COLUMNS = ("When (UTC)", "Who", "Role", "What", "Document")
GROUPS = {"By person": "person", "By matter": "matter"}


def _when(at: str) -> str:
    return at[:16].replace("T", " ")


def _table(parent: QWidget, headers: tuple[str, ...], name: str,
           elastic: int | None = None) -> QTableWidget:
    """A read-only table; with `elastic` (the column of long paths), the other columns fit
    their cells and that one takes what width is left, elided in the middle."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the file name stays visible
    header = table.horizontalHeader()
    if elastic is None:
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(elastic, QHeaderView.ResizeMode.Stretch)
    table.setAccessibleName(name)
    return table


# Widest a column of a table without an elastic column grows to fit its cells.
COLUMN_CAP = 360


def _fill(table: QTableWidget, rows: list[tuple[object, list[str]]]) -> None:
    """Rows of (key, cells); the key is kept on the first cell. Without an elastic column,
    each column but the last (which takes the rest) is sized to its widest cell up to
    COLUMN_CAP, so names and states are shown whole."""
    table.setRowCount(0)
    for key, cells in rows:
        row = table.rowCount()
        table.insertRow(row)
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if col == 0:
                item.setData(KEY, key)
            table.setItem(row, col, item)
    header = table.horizontalHeader()
    if rows and header.stretchLastSection():  # no elastic column: fit each, up to a cap
        for col in range(table.columnCount() - 1):
            table.resizeColumnToContents(col)
            table.setColumnWidth(col, min(table.columnWidth(col), COLUMN_CAP))


class SupervisionPage(Page):
    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__(session, on_error)
        self.approvals: list[PendingApproval] = []
        self.sets: list[OutputSet] = []
        title = page_title("Supervision", self)
        self.summary = muted("", self)
        self.tabs = QTabWidget(self)

        # ---- waiting for a lawyer ----
        waiting = QWidget(self)
        wl = QVBoxLayout(waiting)
        wl.addWidget(QLabel("<b>Escalated documents</b> (filed provisionally until a lawyer "
                            "approves them)", waiting))
        self.approval_table = _table(waiting, APPROVAL_COLUMNS, "Escalated documents",
                                     elastic=APPROVAL_COLUMNS.index("Document"))
        self.approval_table.itemSelectionChanged.connect(self._update_buttons)
        self.approval_table.doubleClicked.connect(lambda *_: self.open_document())
        wl.addWidget(self.approval_table, 3)
        row = QHBoxLayout()
        self.approve_button = QPushButton(icon("check"), "Approve", waiting)
        self.approve_button.clicked.connect(lambda: self.approve_selected())
        self.note = QLineEdit(waiting)
        self.note.setPlaceholderText("Note for the paralegal (needed to return a document)")
        self.note.textChanged.connect(lambda *_: self._update_buttons())
        self.return_button = QPushButton(icon("review"), "Return to review", waiting)
        self.return_button.clicked.connect(lambda: self.return_selected())
        self.open_doc_button = QPushButton(icon("open"), "Open", waiting)
        self.open_doc_button.clicked.connect(lambda: self.open_document())
        row.addWidget(self.approve_button)
        row.addWidget(self.note, 1)
        row.addWidget(self.return_button)
        row.addWidget(self.open_doc_button)
        wl.addLayout(row)
        self.approval_result = QLabel(waiting)
        self.approval_result.setWordWrap(True)
        wl.addWidget(self.approval_result)

        wl.addWidget(QLabel("<b>What goes out</b> (exhibit sets, court-fit outputs, "
                            "productions: drafts until signed off)", waiting))
        self.set_table = _table(waiting, SET_COLUMNS, "Outputs and their sign-off",
                                elastic=SET_COLUMNS.index("Output"))
        self.set_table.itemSelectionChanged.connect(self._update_buttons)
        wl.addWidget(self.set_table, 2)
        srow = QHBoxLayout()
        self.signoff_button = QPushButton(icon("check"), "Sign off", waiting)
        self.signoff_button.setToolTip("Write the sign-off manifest into the folder and "
                                       "record it (attorneys and admins)")
        self.signoff_button.clicked.connect(lambda: self.sign_off_selected())
        self.open_set_button = QPushButton(icon("folder"), "Open folder", waiting)
        self.open_set_button.clicked.connect(lambda: self.open_set())
        srow.addWidget(self.signoff_button)
        srow.addWidget(self.open_set_button)
        srow.addStretch(1)
        wl.addLayout(srow)
        self.set_result = QLabel(waiting)
        self.set_result.setWordWrap(True)
        wl.addWidget(self.set_result)
        self.tabs.addTab(waiting, icon("alert"), "Waiting for a lawyer")

        # ---- recent activity ----
        activity = QWidget(self)
        al = QVBoxLayout(activity)
        top = QHBoxLayout()
        self.group = QComboBox(activity)
        self.group.addItems(list(GROUPS))
        self.group.currentIndexChanged.connect(lambda *_: self.reload_activity())
        top.addWidget(QLabel("Recent activity", activity))
        top.addWidget(self.group)
        top.addStretch(1)
        al.addLayout(top)
        self.summary_table = _table(activity, SUMMARY_COLUMNS, "Activity summary")
        for col, width in enumerate((160, 60, 130, 220)):
            self.summary_table.setColumnWidth(col, width)
        al.addWidget(self.summary_table, 1)
        self.recent_table = _table(activity, RECENT_COLUMNS, "Recent events")
        for col, width in enumerate((130, 90, 80, 220)):
            self.recent_table.setColumnWidth(col, width)
        al.addWidget(self.recent_table, 2)
        self.tabs.addTab(activity, icon("history"), "Activity")

        # ---- the activity report ----
        report = QWidget(self)
        rl = QVBoxLayout(report)
        rl.addWidget(QLabel("Who did what to which document of a matter, when: a PDF for the "
                            "file or a CSV for a spreadsheet (also `intake-desktop ledger "
                            "report MATTER`).", report))
        pick = QHBoxLayout()
        self.matter = QComboBox(report)
        self.matter.setMinimumContentsLength(20)
        self.pdf_button = QPushButton(icon("save"), "Save PDF…", report)
        self.csv_button = QPushButton(icon("save"), "Save CSV…", report)
        self.pdf_button.clicked.connect(lambda: self.choose_report("pdf"))
        self.csv_button.clicked.connect(lambda: self.choose_report("csv"))
        pick.addWidget(QLabel("Matter", report))
        pick.addWidget(self.matter, 1)
        pick.addWidget(self.pdf_button)
        pick.addWidget(self.csv_button)
        rl.addLayout(pick)
        self.report_result = QLabel(report)
        self.report_result.setWordWrap(True)
        rl.addWidget(self.report_result)
        rl.addStretch(1)
        self.tabs.addTab(report, icon("document"), "Activity report")

        layout, _ = page_layout(self, title, self.summary)
        layout.addWidget(self.tabs, 1)
        self.refresh()

    # ---- data ------------------------------------------------------------------------------

    def rebind(self, session: Session) -> bool:
        self.session = session
        self.refresh()
        return True

    @property
    def root(self) -> Path:
        return self.session.app.workspace.root

    def refresh(self) -> None:
        ledger = self.session.ledger
        self.approvals = pending_approvals(ledger)
        _fill(self.approval_table, [
            (p.document_id, [str(p.document_id), p.matter or "", p.path or "", p.rule,
                             p.requested_by, _when(p.requested_at)])
            for p in self.approvals])
        self.sets = output_sets(ledger, self.root)
        _fill(self.set_table, [
            (s.key, [s.key, KIND_WORDS.get(OutputKind(s.kind), s.kind), s.matter or "",
                     s.status.text, s.built_by, _when(s.built_at)])
            for s in self.sets])
        for row, s in enumerate(self.sets):
            if s.status.state is SetState.CHANGED:
                v = s.status.verification
                what = [*(f"changed: {p}" for p in v.changed),
                        *(f"missing: {p}" for p in v.missing),
                        *(f"added: {p}" for p in v.added)]
                item = self.set_table.item(row, 3)
                if item is None:
                    continue
                item.setText(f"⚠ {s.status.text}")
                item.setToolTip("\n".join(what))
        drafts = sum(1 for s in self.sets if s.status.state is SetState.DRAFT)
        changed = sum(1 for s in self.sets if s.status.state is SetState.CHANGED)
        self.summary.setText(f"{len(self.approvals)} to approve · {drafts} to sign off · "
                             f"{changed} changed since sign-off")
        fill_matters(self.matter, self.session)
        self.reload_activity()
        self._update_buttons()

    def reload_activity(self) -> None:
        rows = recent_activity(self.session.ledger, limit=500)
        by = GROUPS[self.group.currentText()]
        self.summary_table.setHorizontalHeaderItem(
            0, QTableWidgetItem("Person" if by == "person" else "Matter"))
        _fill(self.summary_table, [
            (s.who, [s.who, str(s.events), _when(s.last_at), s.last_action, s.top])
            for s in summarize(rows, by)])
        _fill(self.recent_table, [
            (r.seq, [_when(r.at), r.person, r.role, r.action, r.document])
            for r in rows[:200]])

    def _can(self, capability: Capability) -> bool:
        return can(self.session.actor.role, capability)

    def _update_buttons(self) -> None:
        approval = self.selected_approval()
        may_approve = self._can(Capability.APPROVE)
        self.approve_button.setEnabled(approval is not None and may_approve)
        self.return_button.setEnabled(approval is not None and may_approve
                                      and bool(self.note.text().strip()))
        self.open_doc_button.setEnabled(approval is not None)
        chosen = self.selected_set()
        self.signoff_button.setEnabled(chosen is not None and self._can(Capability.SIGN_OFF)
                                       and chosen.status.state is not SetState.SIGNED_OFF)
        self.open_set_button.setEnabled(chosen is not None)

    # ---- selection -------------------------------------------------------------------------

    def selected_approval(self) -> PendingApproval | None:
        rows = self.approval_table.selectionModel().selectedRows()
        return self.approvals[rows[0].row()] if rows else None

    def selected_set(self) -> OutputSet | None:
        rows = self.set_table.selectionModel().selectedRows()
        return self.sets[rows[0].row()] if rows else None

    def select_approval(self, document_id: int) -> bool:
        for row, p in enumerate(self.approvals):
            if p.document_id == document_id:
                self.approval_table.selectRow(row)
                return True
        return False

    def select_set(self, key: str) -> bool:
        for row, s in enumerate(self.sets):
            if s.key == key:
                self.set_table.selectRow(row)
                return True
        return False

    # ---- actions ---------------------------------------------------------------------------

    def approve_selected(self) -> bool:
        pending = self.selected_approval()
        if pending is None:
            return False
        try:
            approve(self.session.ledger, pending.document_id, self.note.text())
        except IntakeError as exc:
            say(self.approval_result, exc.message, "error")
            self.on_error(exc.message)
            return False
        self.note.clear()
        say(self.approval_result, f"Approved: {pending.path}", "ok")
        self.refresh()
        return True

    def return_selected(self) -> bool:
        pending = self.selected_approval()
        note = self.note.text().strip()
        if pending is None or not note:
            return False
        filer = self.session.filer()
        try:
            filer.begin()
            return_document(filer, pending.document_id, note)
        except IntakeError as exc:
            say(self.approval_result, exc.message, "error")
            self.on_error(exc.message)
            return False
        finally:
            filer.claimant.retire()
        self.note.clear()
        say(self.approval_result, f"Returned to Review/ with your note: {pending.path}", "ok")
        self.refresh()
        return True

    def sign_off_selected(self) -> bool:
        chosen = self.selected_set()
        if chosen is None:
            return False
        try:
            done = sign_off(self.session.ledger, chosen.path, self.root)
        except IntakeError as exc:
            say(self.set_result, exc.message, "error")
            self.on_error(exc.message)
            return False
        say(self.set_result, f"Signed off {chosen.key}: {len(done.files)} files in the "
            f"manifest {done.manifest.name}", "ok")
        self.refresh()
        self.select_set(chosen.key)
        return True

    def open_document(self) -> None:
        pending = self.selected_approval()
        if pending is not None and pending.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.root / pending.path)))

    def open_set(self) -> None:
        chosen = self.selected_set()
        if chosen is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(chosen.path)))

    def choose_report(self, fmt: str) -> None:
        matter = chosen_matter(self.matter)
        if not matter:
            say(self.report_result, "Choose a matter first.", "error")
            return
        suggested = self.session.app.workspace.exports / "reports" / f"{matter} activity.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, "Save the activity report",
                                              str(suggested), f"{fmt.upper()} (*.{fmt})")
        if path:
            self.save_report(fmt, Path(path))

    def save_report(self, fmt: str, path: Path) -> Path | None:
        matter = chosen_matter(self.matter)
        try:
            written = write_report(self.session.ledger, matter, fmt, path)
        except IntakeError as exc:
            say(self.report_result, exc.message, "error")
            self.on_error(exc.message)
            return None
        say(self.report_result, f"Activity report of {matter} saved to {written}", "ok")
        return written
