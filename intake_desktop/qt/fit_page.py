"""Court fit: pick PDFs or a folder and a court (or a size), see what will change, then make
court-ready copies with progress and cancel; every part is recorded as `fit` records it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.court_fit import FitPlan, FitResult
from intake_desktop.core.courts import CourtProfile, format_size, generic_profile, parse_limit
from intake_desktop.core.errors import IntakeError, explain
from intake_desktop.core.ledger import Ledger
from intake_desktop.core.ocr import OcrEngine
from intake_desktop.core.progress import CancelFlag, ProgressCallback
from intake_desktop.qt.look import icon
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import Page, page_layout, page_title, splitter
from intake_desktop.qt.wording import for_window, say

SIZE_ONLY = "A size limit only"
COURTS_FOLDER = "courts"  # the workspace's own profiles: .intake/courts/*.toml
OUT_FOLDER = "Court fit"  # inside Exports/


@dataclass
class FitRun:
    """What one run made: a result per input finished, and whether it was cancelled."""

    results: list[FitResult] = field(default_factory=list)
    cancelled: bool = False


def pdfs_in(paths: list[Path]) -> list[Path]:
    """The PDFs named, and every PDF inside the folders named (sorted, no repeats)."""
    out: list[Path] = []
    for path in paths:
        found = (sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
                 if path.is_dir() else [path] if path.suffix.lower() == ".pdf" else [])
        out += [p for p in found if p not in out]
    return out


class FitPage(Page):
    # Each progress report of a run (the page's own bar shows it too); on the GUI thread.
    progress_reported = Signal(int, int, str)

    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__(session, on_error)
        self.plans: list[FitPlan] = []
        self.results: list[FitResult] = []
        self._paths: list[Path] = []
        self._cancel: CancelFlag | None = None
        self._profiles: dict[str, CourtProfile] = {}

        title = page_title("Court fit", self)
        hint = QLabel("Make court-ready copies: what courts reject is removed, images are "
                      "brought down to the court's resolution, and files over the limit are "
                      "split. The documents you pick are only read.", self)
        hint.setObjectName("muted")
        hint.setWordWrap(True)

        self.input_list = QListWidget(self)
        self.input_list.setAccessibleName("PDFs to fit")
        self.input_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.add_button = QPushButton(icon("add"), "Add PDFs…", self)
        self.folder_button = QPushButton(icon("folder"), "Add folder…", self)
        self.remove_button = QPushButton("Remove", self)
        self.add_button.clicked.connect(lambda: self.choose_files())
        self.folder_button.clicked.connect(lambda: self.choose_folder())
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        pick = QHBoxLayout()
        for b in (self.add_button, self.folder_button, self.remove_button):
            pick.addWidget(b)
        pick.addStretch(1)

        self.court = QComboBox(self)
        self.court.setAccessibleName("Court")
        self.size_limit = QLineEdit(self)
        self.size_limit.setPlaceholderText("e.g. 25MB or 500KB")
        self.size_limit.setText("25MB")
        self.limit_note = QLabel(self)
        self.limit_note.setObjectName("muted")
        self.limit_note.setTextFormat(Qt.TextFormat.PlainText)
        self.limit_note.setWordWrap(True)
        self.out = QLineEdit(self)
        self.out.setText(str(session.app.workspace.exports / OUT_FOLDER))
        self.out_button = QPushButton(icon("folder"), "Choose…", self)
        self.out_button.clicked.connect(lambda: self.choose_out())
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(self.out_button)
        form = QFormLayout()
        form.addRow("Court:", self.court)
        form.addRow("Size limit per file:", self.size_limit)
        form.addRow("", self.limit_note)
        form.addRow("Save to:", out_row)
        self.load_courts()
        self.court.currentIndexChanged.connect(lambda *_: self._court_changed())
        self.size_limit.textChanged.connect(lambda *_: self._stale())

        self.check_button = QPushButton(icon("browse"), "Check what will change", self)
        self.fit_button = QPushButton(icon("fit"), "Fit for court", self)
        self.fit_button.setProperty("primary", True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.open_button = QPushButton(icon("open"), "Open folder", self)
        self.open_button.setEnabled(False)
        self.check_button.clicked.connect(lambda: self.check())
        self.fit_button.clicked.connect(lambda: self.run())
        self.cancel_button.clicked.connect(lambda: self.cancel())
        self.open_button.clicked.connect(lambda: self.open_output())
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        actions = QHBoxLayout()
        for b in (self.check_button, self.fit_button, self.cancel_button):
            actions.addWidget(b)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.open_button)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        self.plan_tree = QTreeWidget(self)
        self.plan_tree.setHeaderLabels(["Document", "Now", "What will change"])
        self.plan_tree.setAccessibleName("What will change")
        self.plan_tree.setWordWrap(True)
        self.result_tree = QTreeWidget(self)
        self.result_tree.setHeaderLabels(["Made", "Pages", "Size", "Result"])
        self.result_tree.setAccessibleName("Results")
        for tree in (self.plan_tree, self.result_tree):
            tree.setRootIsDecorated(True)
            tree.setAlternatingRowColors(True)
            tree.header().setStretchLastSection(True)
            tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.plan_tree.setColumnWidth(0, 190)
        self.plan_tree.setColumnWidth(1, 115)
        self.result_tree.setColumnWidth(0, 250)
        self.result_tree.setColumnWidth(1, 50)
        self.result_tree.setColumnWidth(2, 70)

        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("PDFs to fit", left))
        ll.addWidget(self.input_list, 1)
        ll.addLayout(pick)
        ll.addLayout(form)
        right = QSplitter(Qt.Orientation.Vertical, self)
        for label, tree in (("Before: what will change", self.plan_tree),
                            ("After: what was made", self.result_tree)):
            box = QWidget(right)
            bl = QVBoxLayout(box)
            bl.setContentsMargins(0, 0, 0, 0)
            heading = QLabel(label, box)
            heading.setObjectName("sectionTitle")
            bl.addWidget(heading)
            bl.addWidget(tree, 1)
            right.addWidget(box)
        split = splitter(Qt.Orientation.Horizontal, self, [left, right], [320, 680],
                         stretch=(1, 2))
        left.setMinimumWidth(260)
        right.setMinimumWidth(340)

        layout, _ = page_layout(self, title)
        layout.addWidget(hint)
        layout.addWidget(split, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self._court_changed()

    # ---- choices ---------------------------------------------------------------------------

    def load_courts(self) -> None:
        from intake_desktop.core.courts import load_profiles

        try:
            self._profiles = load_profiles(self.session.app.workspace.state / COURTS_FOLDER)
        except IntakeError as exc:
            self._profiles = {}
            say(self.status, exc.message, "error")
        current = self.court.currentData()
        self.court.blockSignals(True)
        self.court.clear()
        self.court.addItem(SIZE_ONLY, None)
        for profile in sorted(self._profiles.values(), key=lambda p: p.name.lower()):
            limit = (format_size(profile.file_limit_bytes) if profile.file_limit_bytes
                     else "no published limit")
            self.court.addItem(f"{profile.name} ({limit})", profile.id)
        found = self.court.findData(current)
        self.court.setCurrentIndex(max(found, 0))
        self.court.blockSignals(False)

    def profile(self) -> CourtProfile | None:
        court = self.court.currentData()
        return self._profiles.get(str(court)) if court else None

    def _court_changed(self) -> None:
        profile = self.profile()
        fixed = profile is not None and profile.file_limit_bytes is not None
        self.size_limit.setEnabled(not fixed)
        if profile is None:
            self.limit_note.setText("Active content is removed; forms and comments are kept.")
        elif profile.file_limit_bytes is None:
            self.limit_note.setText(f"{profile.name} publishes no size limit: give one.")
        else:
            self.size_limit.setText(format_size(profile.file_limit_bytes).replace(" ", ""))
            rules = ["text-searchable" if profile.text_searchable else "",
                     "PDF/A" if profile.pdfa_required else "",
                     f"{profile.scan_dpi} dpi scans"]
            self.limit_note.setText(
                f"{profile.name}: {format_size(profile.file_limit_bytes)} per file; "
                + ", ".join(r for r in rules if r) + ".")
        self._stale()

    def limit(self) -> int:
        """The per-file limit in bytes (the court's, else the size typed); raises IntakeError."""
        profile = self.profile()
        if profile is not None and profile.file_limit_bytes is not None:
            return profile.file_limit_bytes
        try:
            return parse_limit(self.size_limit.text())
        except ValueError as exc:
            raise IntakeError(f"the size limit “{self.size_limit.text().strip()}” is not a size "
                              f"({exc})", fix="type a size with its unit, such as 25MB or "
                              "500KB") from exc

    def _effective_profile(self, limit: int) -> CourtProfile:
        return self.profile() or generic_profile(limit)

    # ---- inputs -----------------------------------------------------------------------------

    def inputs(self) -> list[Path]:
        return list(self._paths)

    def add_paths(self, paths: list[Path]) -> None:
        """Add PDFs, and every PDF in the folders given."""
        found = pdfs_in([Path(p) for p in paths])
        for path in found:
            if path not in self._paths:
                self._paths.append(path)
                self.input_list.addItem(str(path))
                self.input_list.item(self.input_list.count() - 1).setToolTip(str(path))
        if not found:
            say(self.status, "No PDFs there: court fit works on PDF files.", "warn")
        self._stale()

    def remove_selected(self) -> None:
        rows = sorted((self.input_list.row(i) for i in self.input_list.selectedItems()),
                      reverse=True)
        for row in rows:
            self.input_list.takeItem(row)
            del self._paths[row]
        self._stale()

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "PDFs to fit", str(self.session.app.workspace.matters), "PDF files (*.pdf)")
        if files:
            self.add_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Folder of PDFs to fit", str(self.session.app.workspace.matters))
        if folder:
            self.add_paths([Path(folder)])

    def choose_out(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save court-ready copies in",
                                                  self.out.text())
        if folder:
            self.out.setText(folder)

    def out_dir(self) -> Path:
        return Path(self.out.text().strip() or self.session.app.workspace.exports / OUT_FOLDER)

    def _stale(self) -> None:
        """The plan no longer matches the choices: it is worked out again on Check or Fit."""
        self.plans = []
        self.plan_tree.clear()

    # ---- check --------------------------------------------------------------------------------

    def _ready(self) -> int | None:
        """The limit, or None after saying what is missing."""
        if not self._paths:
            say(self.status, "Add the PDFs to fit first (Add PDFs or Add folder).", "warn")
            return None
        try:
            return self.limit()
        except IntakeError as exc:
            say(self.status, exc.message, "error")
            return None

    def check(self) -> list[FitPlan]:
        """Work out what will change for each PDF (nothing is written)."""
        from intake_desktop.core.court_fit import plan_fit

        limit = self._ready()
        if limit is None:
            return []
        profile = self._effective_profile(limit)
        self.plans = [plan_fit(p, limit, profile) for p in self._paths]
        self._show_plans()
        problems = [p for p in self.plans if not p.ok]
        parts = sum(p.expected_parts for p in self.plans if p.ok)
        text = (f"{len(self.plans) - len(problems)} PDF(s) to fit into about {parts} file(s) "
                f"under {format_size(limit)}")
        text += f"; {len(problems)} cannot be fitted (see why above)." if problems else "."
        say(self.status, text, "warn" if problems else "info")
        return self.plans

    def _show_plans(self) -> None:
        self.plan_tree.clear()
        root = self.session.app.workspace.root
        for plan in self.plans:
            now = (f"{plan.pages} pages, {format_size(plan.bytes)}" if plan.ok else "")
            outcome = for_window(plan.outcome(), root)
            item = QTreeWidgetItem([plan.path.name, now, outcome])
            item.setToolTip(0, str(plan.path))
            item.setToolTip(2, outcome)
            if not plan.ok:
                item.setIcon(0, icon("error"))
            self.plan_tree.addTopLevelItem(item)
            _lines(item, [f"Will change: {c}" for c in plan.changes]
                   + [f"⚠ Cannot fix: {w}" for w in plan.warnings])
            item.setExpanded(True)

    def plan_text(self) -> str:
        return _tree_text(self.plan_tree)

    # ---- run ------------------------------------------------------------------------------------

    def run(self) -> None:
        """Fit every PDF on the task runner; progress and Cancel while it runs."""
        if self._cancel is not None:
            return
        limit = self._ready()
        if limit is None:
            return
        if not self.plans:
            self.check()
        profile = self._effective_profile(limit)
        out = _run_folder(self.out_dir(), profile.id)
        paths = list(self._paths)
        ledger = self.session.ledger
        ocr = self.session.app.ocr

        def work(on_progress: ProgressCallback, cancel: CancelFlag) -> FitRun:
            return fit_all(paths, out, limit, profile, ledger, ocr, on_progress, cancel)

        self.results = []
        self.result_tree.clear()
        self._set_running(True)
        say(self.status, f"Fitting {len(paths)} PDF(s) into {out}…", "info")
        self._out = out
        self._cancel = CancelFlag()  # set before the run: a pool may run it at once
        self.session.runner.run(work, on_success=self._done, on_error=self._failed,
                                on_progress=self._progress, cancel=self._cancel)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            say(self.status, "Cancelling after the current step…", "warn")

    def _set_running(self, on: bool) -> None:
        self.progress.setVisible(on)
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(on)
        for w in (self.fit_button, self.check_button, self.add_button, self.folder_button,
                  self.remove_button, self.court, self.size_limit):
            w.setEnabled(not on)
        if not on:
            self._court_changed_size_only()

    def _court_changed_size_only(self) -> None:
        profile = self.profile()
        self.size_limit.setEnabled(profile is None or profile.file_limit_bytes is None)

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(message[:80])
        self.progress_reported.emit(done, total, message)

    def _done(self, run: FitRun) -> None:
        self._cancel = None
        self._set_running(False)
        self.results = run.results
        self._show_results()
        ok = [r for r in run.results if r.ok]
        failed = [r for r in run.results if not r.ok]
        parts = sum(len(r.parts) for r in ok)
        total = sum(p.bytes for r in ok for p in r.parts)
        text = f"{len(ok)} PDF(s) fitted into {parts} file(s), {format_size(total)} in all"
        if failed:
            text += f"; {len(failed)} could not be fitted: {failed[0].reason}"
        if run.cancelled:
            text = f"Cancelled. {text}; the rest were not started"
        say(self.status, for_window(text, self.session.app.workspace.root) + ".",
            "error" if failed else "warn" if run.cancelled else "ok")
        self.open_button.setEnabled(bool(parts))

    def _failed(self, message: str) -> None:
        self._cancel = None
        self._set_running(False)
        say(self.status, message, "error")
        self.on_error(message)

    def _show_results(self) -> None:
        self.result_tree.clear()
        for result in self.results:
            if not result.ok:
                item = QTreeWidgetItem([result.input.name, "", "", result.reason])
                item.setIcon(0, icon("error"))
                self.result_tree.addTopLevelItem(item)
                continue
            size = sum(p.bytes for p in result.parts)
            made = ("nothing needed changing" if not result.changes
                    else f"{len(result.parts)} file{'s' if len(result.parts) > 1 else ''}")
            item = QTreeWidgetItem([result.input.name, str(result.pages), format_size(size),
                                    made])
            item.setIcon(0, icon("check"))
            item.setToolTip(3, "\n".join(result.changes + result.warnings))
            for part in result.parts:
                child = QTreeWidgetItem([part.path.name, f"{part.first_page}-{part.last_page}",
                                         format_size(part.bytes), ""])
                child.setToolTip(0, str(part.path))
                item.addChild(child)
            self.result_tree.addTopLevelItem(item)
            _lines(item, [f"Changed: {c}" for c in result.changes]
                   + [f"⚠ {w}" for w in result.warnings])
            item.setExpanded(True)

    def result_text(self) -> str:
        return _tree_text(self.result_tree)

    def open_output(self) -> None:
        out = getattr(self, "_out", None)
        if out is not None and Path(out).is_dir():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))

    # ---- page protocol ------------------------------------------------------------------------

    def rebind(self, session: Session) -> bool:
        self.session = session
        return self._cancel is None

    def has_work(self) -> bool:
        return bool(self._paths) or self._cancel is not None


def _run_folder(base: Path, court: str) -> Path:
    """A new folder for this run's outputs (never one that already holds files)."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H.%M.%S")
    folder = base / f"{court} {stamp}"
    n = 2
    while folder.exists():
        folder = base / f"{court} {stamp} ({n})"
        n += 1
    return folder


def fit_all(
    paths: list[Path],
    out: Path,
    limit: int,
    profile: CourtProfile,
    ledger: Ledger,
    ocr: OcrEngine | None,
    on_progress: ProgressCallback,
    cancel: CancelFlag,
) -> FitRun:
    """Fit each PDF in turn (a failure in one never stops the rest), record each output."""
    from intake_desktop.core.court_fit import STEPS, Cancelled, fit_pdf, record_fit

    run = FitRun()
    total = len(paths) * STEPS
    for n, path in enumerate(paths):
        if cancel.is_set():
            run.cancelled = True
            break

        def progress(done: int, _total: int, message: str, n: int = n) -> None:
            on_progress(n * STEPS + min(done, STEPS), total, message)

        try:
            result = fit_pdf(path, out, limit_bytes=limit, profile=profile,
                             on_progress=progress, cancel=cancel,
                             ocr=ocr)
        except Cancelled:
            run.cancelled = True
            break
        except Exception as exc:  # a full disk, a read-only folder: this file fails
            explained = explain(exc, str(path))
            if explained is None:
                raise
            result = FitResult(input=path, ok=False, reason=explained.message)
        if result.ok:
            record_fit(ledger, result, profile, limit)
        run.results.append(result)
    on_progress(total, total, "done")
    return run


def _lines(item: QTreeWidgetItem, texts: list[str]) -> None:
    """Sentences under an item, each on a row of its own across all columns."""
    for text in texts:
        child = QTreeWidgetItem([text])
        child.setToolTip(0, text)
        item.addChild(child)
        child.setFirstColumnSpanned(True)


def _tree_text(tree: QTreeWidget) -> str:
    lines = []
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item is None:
            continue
        lines.append("  ".join(item.text(c) for c in range(tree.columnCount())))
        for k in range(item.childCount()):
            child = item.child(k)
            if child is not None:
                lines.append("    " + "  ".join(child.text(c)
                                                for c in range(tree.columnCount())))
    return "\n".join(lines)
