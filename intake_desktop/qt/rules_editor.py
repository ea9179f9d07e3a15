"""The naming-rules editor: inline errors and a live before/after preview on recent files."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.desks.rules_draft import (
    DraftProblem,
    PreviewRow,
    RulesBackend,
    RulesInvalid,
    before_and_after,
    sample_candidates,
)
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pipeline import BuiltinRouter, Candidate, Router
from intake_desktop.core.rules import (
    FILTER_WORDS,
    FILTERS,
    VARIABLE_WORDS,
    RulesHistoryEntry,
    diff_text,
    rollback_rules,
    rules_history,
)
from intake_desktop.qt.code_editor import (
    RULE_KEYS,
    TomlFilePane,
    did_you_mean,
    rule_names,
)
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import DISPLAY, AnyIndex, Column, RecordTableModel
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import muted, splitter, status_row
from intake_desktop.qt.wording import for_window, say

# Parser wording and what an admin reads instead.
PLAIN_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Illegal character '\\n'|Unterminated string|unclosed string", re.I),
     'a text in quotes is not closed on this line: add the closing "'),
    (re.compile(r"Expected '=' after a key", re.I),
     'a setting needs "=" and a value, such as folder = "Medical"'),
    (re.compile(r"Invalid value", re.I),
     "the value is not understood: put text in quotes and lists in [ ]"),
    (re.compile(r"Cannot (?:overwrite|declare)", re.I), "this setting or section is given twice"),
    (re.compile(r"Expected ']'|Unclosed table", re.I), "a [section] header is not closed with ]"),
    (re.compile(r"Unclosed array|Expected ']' at the end of an array", re.I),
     "a list [ … ] is not closed with ]"),
    (re.compile(r"Illegal character", re.I), "a character that is not allowed here"),
)


def plain_problem(p: DraftProblem) -> str:
    """A rules problem in words: "Line 160: a text in quotes is not closed …"."""
    message = p.message
    inner = re.search(r"not valid TOML \((.*)\)", message)
    if inner:
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", inner.group(1))
    for pattern, words in PLAIN_WORDS:
        if pattern.search(message):
            message = words
            break
    where = f"Line {p.line}: " if p.line else ""
    unknown = re.search(r"unknown (?:filter|variable|key|field|setting)[^'\"]*['\"]([\w.]+)",
                        message, re.I)
    hint = ""
    if unknown:
        guess = did_you_mean(unknown.group(1), [*FILTERS, *RULE_KEYS])
        hint = f" (did you mean {guess}?)" if guess else ""
    return where + for_window(message) + hint


class PreviewModel(RecordTableModel[PreviewRow]):
    columns = (
        Column("File", lambda r: r.name, lambda r: r.name),
        Column("Now (saved rules)", lambda r: r.before, lambda r: r.before),
        Column("With your edit", lambda r: r.after, lambda r: r.after),
        Column("Rule", lambda r: r.rule),
    )

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            row = self.record(index.row())
            if row is not None and row.changed and index.column() == 2:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)


class HistoryModel(RecordTableModel[RulesHistoryEntry]):
    """The rules versions, newest first (the first row is the version in force)."""

    columns = (
        Column("When (UTC)", lambda h: h.when, lambda h: h.at),
        Column("Who", lambda h: f"{h.user} ({h.role})"),
        Column("Rules", lambda h: f"{h.name} · {h.rule_count} rules",
               lambda h: f"version {h.version}, SHA-256 {h.sha256}"),
        Column("How", lambda h: h.source if h.kind == "rules_changed"
               else f"accepted ({h.source})", lambda h: h.source),
    )


class DiffView(QPlainTextEdit):
    """A unified diff with removed lines in red and added lines in green."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

    def show_diff(self, diff: str, empty: str) -> None:
        from intake_desktop.qt.look import is_dark

        self.clear()
        if not diff:
            self.setPlainText(empty)
            return
        dark = is_dark()
        colours = {"+": "#1e4620" if dark else "#dff3df", "-": "#5a1e1e" if dark else "#fbe1e1",
                   "@": "#233a5a" if dark else "#e6eefb"}
        cursor = self.textCursor()
        for line in diff.splitlines():
            fmt = QTextCharFormat()
            if not line.startswith(("+++", "---")) and line[:1] in colours:
                fmt.setBackground(QColor(colours[line[:1]]))
            cursor.insertText(line + "\n", fmt)
        self.moveCursor(QTextCursor.MoveOperation.Start)


class RulesEditor(TomlFilePane):
    def __init__(
        self, session: Session, backend: RulesBackend, *, on_error: Callable[[str], None]
    ) -> None:
        super().__init__()
        self.session = session
        self.backend = backend
        self.on_error = on_error
        self.path = session.app.workspace.rules_path
        self.saved_text = self.path.read_text(encoding="utf-8") if self.path.is_file() else ""
        self.problems: list[DraftProblem] = []
        self.before: Router = self._compile_or_builtin(self.saved_text)
        self.candidates: list[Candidate] = []

        self._build_editor()
        self.editor.setPlainText(self.saved_text)
        self._debounce.stop()  # checked below, at once
        self.editor.setTabStopDistance(28)
        self.engine = muted(f"Rules engine: {backend.name}  ·  {self.path}", self)
        self.save_button.setShortcut("Ctrl+S")
        self.revert_button.clicked.connect(self.revert)

        self.preview_model = PreviewModel(self)
        self.preview_table = QTableView(self)
        self.preview_table.setModel(self.preview_model)
        self.preview_table.verticalHeader().setVisible(False)
        self.preview_table.setAlternatingRowColors(True)
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Paths keep their end (the file name) when cut; the full path is the tooltip.
        self.preview_table.setTextElideMode(Qt.TextElideMode.ElideLeft)
        self.preview_table.setWordWrap(False)
        preview_box = QWidget(self)
        pl = QVBoxLayout(preview_box)
        pl.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Preview</b> on the latest files received (nothing is moved)", self)
        self.preview_heading = heading
        pl.addWidget(heading)
        pl.addWidget(self.preview_table)

        self.rule_list = QListWidget(self)
        self.rule_list.setToolTip("The rules, in the order they are tried: click one to jump")
        self.rule_list.itemActivated.connect(self._jump)
        self.rule_list.itemClicked.connect(self._jump)
        side = splitter(Qt.Orientation.Vertical, self, [self.rule_list, self._build_picker()],
                        [200, 200])
        self.rule_list.setMinimumWidth(140)
        top = splitter(Qt.Orientation.Horizontal, self, [side, self.editor], [200, 680])
        # Asks the admin a yes/no question (tests replace it): confirm(title, text) -> bool.
        self.confirm: Callable[[str, str], bool] = self._ask
        self.tabs = QTabWidget(self)
        self.tabs.addTab(preview_box, icon("browse"), "Preview")
        self.history_box = self._build_history()
        self.tabs.addTab(self.history_box, icon("history"), "Versions")
        self.tabs.currentChanged.connect(lambda *_: self._tab_changed())
        split = splitter(Qt.Orientation.Vertical, self, [top, self.tabs], [380, 240])
        layout = QVBoxLayout(self)
        layout.addWidget(self.engine)
        layout.addWidget(split, 1)
        layout.addLayout(status_row(self.status, self.revert_button, self.save_button))
        self.reload_candidates()
        self.check()

    # ---- the variable and filter picker -----------------------------------------------------

    def _build_picker(self) -> QWidget:
        box = QWidget(self)
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Insert at the cursor", box)
        heading.setObjectName("muted")
        self.picker = QListWidget(box)
        self.picker.setAccessibleName("Variables and filters")
        self.picker.setToolTip("Variables ({{ name }}) and filters (| slug) of the rules "
                               "language; pick one and press Insert (or double-click)")
        for kind, title, entries in (
            ("variable", "Variables", sorted(VARIABLE_WORDS.items())),
            ("filter", "Filters", sorted((k, v[1]) for k, v in FILTER_WORDS.items())),
        ):
            head = QListWidgetItem(title)
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            self.picker.addItem(head)
            for name, words in entries:
                shown = f"{{{{ {name} }}}}" if kind == "variable" else f"| {name}"
                item = QListWidgetItem(shown)
                item.setData(Qt.ItemDataRole.UserRole, (kind, name))
                item.setToolTip(words)
                self.picker.addItem(item)
        self.picker_help = QLabel(box)
        self.picker_help.setWordWrap(True)
        self.picker_help.setTextFormat(Qt.TextFormat.PlainText)
        self.picker_help.setObjectName("muted")
        self.insert_button = QPushButton("Insert", box)
        self.insert_button.setEnabled(False)
        self.insert_button.clicked.connect(lambda: self.insert_picked())
        self.picker.currentItemChanged.connect(lambda *_: self._picked())
        self.picker.itemDoubleClicked.connect(lambda *_: self.insert_picked())
        bl.addWidget(heading)
        bl.addWidget(self.picker, 1)
        bl.addWidget(self.picker_help)
        bl.addWidget(self.insert_button)
        return box

    def _picked(self) -> None:
        item = self.picker.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.insert_button.setEnabled(bool(data))
        if not data:
            self.picker_help.clear()
            return
        kind, name = data
        words = VARIABLE_WORDS[name] if kind == "variable" else FILTER_WORDS[name][1]
        self.picker_help.setText(f"{name}: {words}")

    def insert_picked(self) -> None:
        """Insert the picked variable as {{ name }}, or the filter as " | filter(...)"
        inside the {{ }} the cursor is in (before its closing braces)."""
        item = self.picker.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not data:
            return
        kind, name = data
        cursor = self.editor.textCursor()
        if kind == "variable":
            cursor.insertText(f"{{{{ {name} }}}}")
        else:
            line = cursor.block().text()
            at = cursor.positionInBlock()
            opened, closes = line.rfind("{{", 0, at), line.find("}}", at)
            if opened >= 0 and closes >= 0 and line.rfind("}}", 0, at) < opened:
                # Inside an expression: add the filter just before its closing braces.
                end = closes
                while end > 0 and line[end - 1] == " ":
                    end -= 1
                cursor.setPosition(cursor.block().position() + end)
            cursor.insertText(f" | {FILTER_WORDS[name][0]}")
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    # ---- version history and rollback ------------------------------------------------------

    def _build_history(self) -> QWidget:
        box = QWidget(self)
        self.history_model = HistoryModel(box)
        self.history_table = QTableView(box)
        self.history_table.setModel(self.history_model)
        self.history_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.history_table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        self.history_table.setAlternatingRowColors(True)
        self.history_table.setWordWrap(False)
        for col, width in enumerate((120, 120, 170)):
            self.history_table.setColumnWidth(col, width)
        self.history_table.selectionModel().selectionChanged.connect(
            lambda *_: self._version_picked())
        self.diff_label = QLabel(box)
        self.diff_label.setObjectName("muted")
        self.diff_label.setTextFormat(Qt.TextFormat.PlainText)
        self.diff_label.setWordWrap(True)
        self.diff_view = DiffView(box)
        self.rollback_button = QPushButton(icon("history"), "Roll back to this version", box)
        self.rollback_button.setEnabled(False)
        self.rollback_button.setToolTip("Save the picked version again as a new version (the "
                                        "history keeps every version)")
        self.rollback_button.clicked.connect(lambda: self.rollback())
        right = QWidget(box)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.diff_label)
        rl.addWidget(self.diff_view, 1)
        rb = QHBoxLayout()
        rb.addStretch(1)
        rb.addWidget(self.rollback_button)
        rl.addLayout(rb)
        self.history_table.setMinimumWidth(360)
        split = splitter(Qt.Orientation.Horizontal, box, [self.history_table, right], [520, 480])
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        return box

    def _tab_changed(self) -> None:
        if self.tabs.currentWidget() is self.history_box:
            self.reload_history()

    def reload_history(self) -> None:

        self.history_model.set_records(rules_history(self.session.ledger))
        self._version_picked()

    def picked_version(self) -> RulesHistoryEntry | None:
        rows = self.history_table.selectionModel().selectedRows()
        return self.history_model.record(rows[0].row()) if rows else None

    def _version_picked(self) -> None:

        entry = self.picked_version()
        in_force = self.history_model.record(0)
        if entry is None:
            self.diff_label.setText("Pick a version to see how it differs from the rules "
                                    "in force.")
            self.diff_view.clear()
            self.rollback_button.setEnabled(False)
            return
        if entry.text is None:
            self.diff_label.setText(f"Version of {entry.when}: saved before versions kept "
                                    "their text, so it cannot be shown or restored.")
            self.diff_view.clear()
            self.rollback_button.setEnabled(False)
            return
        current = in_force.text if in_force is not None and in_force.text is not None else (
            self.saved_text)
        is_current = in_force is not None and entry.sha256 == in_force.sha256
        self.diff_label.setText(
            "This is the version in force." if is_current else
            f"Rolling back to the version of {entry.when} ({entry.user}) would make these "
            "changes to the rules in force (- goes, + comes back):")
        self.diff_view.show_diff(diff_text(current, entry.text, "in force", entry.when),
                                 "Same text as the rules in force.")
        self.rollback_button.setEnabled(not is_current and self.backend.can_save)

    def _ask(self, title: str, text: str) -> bool:
        if not self.isVisible():  # a hidden editor has nobody to ask (and must not hang)
            return True
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def rollback(self) -> bool:
        """Save the picked version again as a new version (recorded like any save)."""

        entry = self.picked_version()
        if entry is None:
            return False
        if self.text() != self.saved_text and not self.confirm(
                "Roll back the rules",
                "Your unsaved edits in the editor will be replaced by the version of "
                f"{entry.when}. Roll back anyway?"):
            return False
        try:
            version = rollback_rules(self.session.app.workspace, self.session.ledger,
                                     entry.seq)
        except IntakeError as exc:
            say(self.status, exc.message, "error")
            self.on_error(exc.message)
            return False
        text = entry.text or ""
        self.saved_text = text
        self.before = self._compile_or_builtin(text)
        self.set_text(text)
        self.reload_history()
        say(self.status, f"Rolled back to the version of {entry.when}: saved as rules version "
            f"{version.version}. New files follow them now.", "ok")
        return True

    def _jump(self, item: QListWidgetItem) -> None:
        self.editor.go_to_line(int(item.data(Qt.ItemDataRole.UserRole)))

    def _reload_rule_list(self) -> None:
        self.rule_list.clear()
        for line, name in rule_names(self.text()):
            item = QListWidgetItem(f"{name}  ·  line {line}")
            item.setData(Qt.ItemDataRole.UserRole, line)
            self.rule_list.addItem(item)

    def _compile_or_builtin(self, text: str) -> Router:
        try:
            return self.backend.compile(text)
        except IntakeError:
            return BuiltinRouter()

    def reload_candidates(self) -> None:
        folders = [f.path for f in self.session.app.config.intake_folders]
        self.candidates = sample_candidates(
            self.session.app.workspace, self.session.ledger, folders, limit=25
        )

    def check(self) -> bool:
        """Validate the edited text; show problems inline or refresh the preview."""
        self._debounce.stop()
        self._reload_rule_list()
        try:
            after = self.backend.compile(self.text())
        except RulesInvalid as exc:
            self.problems = exc.problems
        except IntakeError as exc:
            self.problems = [DraftProblem(exc.message)]
        else:
            self.problems = []
            rows = before_and_after(self.before, after, self.candidates)
            # Files the edit would move come first (stable order otherwise).
            self.preview_model.set_records(sorted(rows, key=lambda r: not r.changed))
        self._mark_problems()
        changed = self.text() != self.saved_text
        self.save_button.setEnabled(not self.problems and changed and self.backend.can_save)
        self.revert_button.setEnabled(changed)
        # The preview shows the last valid text; while the text is invalid it is paused.
        self.preview_table.setEnabled(not self.problems)
        self.preview_heading.setText(
            "<b>Preview</b> paused: it shows the last valid version until the problem is fixed"
            if self.problems else
            "<b>Preview</b> on the latest files received (nothing is moved)")
        if self.problems:
            say(self.status, "; ".join(plain_problem(p) for p in self.problems)
                + ". The rules in use do not change until this is fixed.", "error")
        else:
            moved = sum(1 for r in self.preview_model.records if r.changed)
            say(self.status,
                (f"Valid. {moved} of {len(self.preview_model.records)} recent files would "
                 "go somewhere else." if changed else "These are the rules in use.")
                + ("" if self.backend.can_save else "  (Saving needs the naming-rules engine.)"),
                "info")
        return not self.problems

    def _mark_problems(self) -> None:
        self.editor.mark_lines((p.line, str(p)) for p in self.problems)
        first = next((p.line for p in self.problems if p.line), None)
        if first is not None:
            self.scroll_to_line(first)

    def scroll_to_line(self, line: int) -> None:
        """Bring a line into view (without moving the cursor) when it is not visible."""
        block = self.editor.document().findBlockByLineNumber(line - 1)
        if not block.isValid():
            return
        rect = self.editor.blockBoundingGeometry(block).translated(self.editor.contentOffset())
        if not self.editor.viewport().rect().contains(rect.toRect()):
            bar = self.editor.verticalScrollBar()
            bar.setValue(max(0, block.firstLineNumber() - 3))

    def save(self) -> bool:
        """Validate, then save through the rules engine (which records the new version)."""
        if not self.check():
            self.on_error("The rules were not saved: "
                          + "; ".join(plain_problem(p) for p in self.problems))
            return False
        if not self.backend.can_save:
            self.on_error("Saving rules needs the naming-rules engine, which is not installed.")
            return False
        text = self.text()
        try:
            version = self.backend.save(text)
        except IntakeError as exc:
            self.problems = getattr(exc, "problems", None) or [DraftProblem(exc.message)]
            self._mark_problems()
            say(self.status, "Not saved: " + "; ".join(plain_problem(p) for p in self.problems),
                "error")
            self.on_error(exc.message)
            return False
        self.saved_text = text
        self.before = self._compile_or_builtin(text)
        self.check()
        if self.tabs.currentWidget() is self.history_box:
            self.reload_history()
        say(self.status, f"Saved as rules version {version}. New files follow them now.", "ok")
        return True

    def revert(self) -> None:
        self.set_text(self.saved_text)
