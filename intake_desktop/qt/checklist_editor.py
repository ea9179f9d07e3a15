"""Settings > Checklists: the admin edits a checklist in the same editor as the naming rules
(line numbers, TOML highlighting, every problem marked on its line with the fix), and saves
it for this workspace only when it validates (core/checklists/desk.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
)

from intake_desktop.core.checklists import (
    ChecklistError,
    ChecklistProblem,
    available_checklists,
    checklist_text,
    is_edited,
    parse_checklist,
    save_checklist,
    workspace_checklist_path,
)
from intake_desktop.qt.code_editor import TomlFilePane, table_names
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import muted, splitter, status_row
from intake_desktop.qt.wording import for_window, say


def plain_checklist_problem(p: ChecklistProblem) -> str:
    """"Line 41: item 'medical-bills': expected 'a-few' is not known. Fix: use one of …"."""
    error = re.sub(r"\s*\(at line \d+, column \d+\)", "", p.error)
    where = f"Line {p.line}: " if p.line else ""
    return where + for_window(f"{p.where}: {error}. Fix: {p.fix.rstrip('.')}")


def item_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line, item id) of each [[item]], for the list beside the editor."""
    return table_names(text, "item", "id")


class ChecklistEditor(TomlFilePane):
    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__()
        self.session = session
        self.on_error = on_error
        self.current_id = ""
        self.saved_text = ""
        self.problems: list[ChecklistProblem] = []

        self.checklists = QListWidget(self)
        self.checklists.setToolTip("The checklists of every preset; edited ones are marked")
        self.checklists.currentItemChanged.connect(lambda *_: self._picked())
        self.items = QListWidget(self)
        self.items.setToolTip("The items, in order: click one to jump to it")
        self._build_editor()
        self.items.itemClicked.connect(
            lambda item: self.editor.go_to_line(int(item.data(Qt.ItemDataRole.UserRole))))
        self.where = muted("", self)
        self.revert_button.clicked.connect(lambda: self.set_text(self.saved_text))

        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.checklists)
        left.addWidget(self.items)
        left.setSizes([200, 300])
        split = splitter(Qt.Orientation.Horizontal, self, [left, self.editor], [240, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(split, 1)
        layout.addLayout(status_row(self.status, self.revert_button, self.save_button))
        self.reload()

    # ---- the list of checklists ---------------------------------------------------------------

    def reload(self) -> None:
        ws = self.session.app.workspace
        keep = self.current_id
        self.checklists.blockSignals(True)
        self.checklists.clear()
        for checklist in available_checklists(ws, on_problem=self.on_error):
            edited = "  (edited here)" if is_edited(ws, checklist.id) else ""
            item = QListWidgetItem(f"{checklist.title}{edited}")
            item.setData(Qt.ItemDataRole.UserRole, checklist.id)
            item.setToolTip(f"{checklist.id} · {checklist.preset} preset")
            self.checklists.addItem(item)
        self.checklists.blockSignals(False)
        row = next((r for r in range(self.checklists.count())
                    if self.checklists.item(r).data(Qt.ItemDataRole.UserRole) == keep), 0)
        if self.checklists.count():
            self.checklists.setCurrentRow(row)
            self._picked()

    def pick(self, checklist_id: str) -> None:
        for row in range(self.checklists.count()):
            if self.checklists.item(row).data(Qt.ItemDataRole.UserRole) == checklist_id:
                self.checklists.setCurrentRow(row)
                return

    def _picked(self) -> None:
        item = self.checklists.currentItem()
        if item is None:
            return
        checklist_id = str(item.data(Qt.ItemDataRole.UserRole))
        if checklist_id == self.current_id and self.text() != self.saved_text:
            return
        self.current_id = checklist_id
        self.saved_text = checklist_text(self.session.app.workspace, checklist_id)
        ws = self.session.app.workspace
        path = workspace_checklist_path(ws, checklist_id).relative_to(ws.root).as_posix()
        self.where.setText(f"Saved for this workspace in {path} (the shipped checklist stays "
                           "as it is; the version replaced is kept beside it)")
        self.set_text(self.saved_text)

    # ---- editing ------------------------------------------------------------------------------

    def check(self) -> bool:
        self._debounce.stop()
        text = self.text()
        self.items.clear()
        for line, name in item_lines(text):
            entry = QListWidgetItem(f"{name}  ·  line {line}")
            entry.setData(Qt.ItemDataRole.UserRole, line)
            self.items.addItem(entry)
        path = str(workspace_checklist_path(self.session.app.workspace, self.current_id))
        try:
            parsed = parse_checklist(text, path)
        except ChecklistError as exc:
            self.problems = exc.problems
        else:
            self.problems = [] if parsed.id == self.current_id else [ChecklistProblem(
                path, None, "[checklist] id", f"the id {parsed.id!r} is not this checklist's",
                f'keep id = "{self.current_id}"')]
        self._mark_problems()
        changed = text != self.saved_text
        self.save_button.setEnabled(not self.problems and changed)
        self.revert_button.setEnabled(changed)
        if self.problems:
            say(self.status, "; ".join(plain_checklist_problem(p) for p in self.problems)
                + ". The checklist in force does not change until this is fixed.", "error")
        else:
            say(self.status, "Valid. Save to use it for this workspace's matters."
                if changed else "This is the checklist in force.", "info")
        return not self.problems

    def _mark_problems(self) -> None:
        self.editor.mark_lines((p.line, plain_checklist_problem(p)) for p in self.problems)

    def marked_lines(self) -> list[int]:
        """The 1-based lines marked as wrong (what the admin sees in red)."""
        return [sel.cursor.blockNumber() + 1 for sel in self.editor.extraSelections()]

    def save(self) -> bool:
        if not self.check():
            self.on_error("The checklist was not saved: "
                          + "; ".join(plain_checklist_problem(p) for p in self.problems))
            return False
        try:
            checklist = save_checklist(self.session.app.workspace, self.session.ledger,
                                       self.current_id, self.text())
        except ChecklistError as exc:
            self.problems = exc.problems
            self._mark_problems()
            say(self.status, "Not saved: " + plain_checklist_problem(exc.problems[0]), "error")
            return False
        except OSError as exc:
            self.on_error(f"The checklist could not be written ({exc.strerror}). Check that the "
                          "workspace's .intake folder is writable, then save again.")
            return False
        self.saved_text = self.text()
        self.reload()
        self.check()
        say(self.status, f"Saved: {checklist.title}, {len(checklist.items)} items. Matters "
            "following it use it now.", "ok")
        return True
