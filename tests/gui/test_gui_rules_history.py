"""The rules editor's version history: each saved version keeps its text in the ledger; the
editor lists versions (who, when), shows a diff, and rolls back by saving a new version
through the same path. Then the variable and filter picker."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from intake_desktop.core.ledger import EventKind
from intake_desktop.core.rules import save_rules
from intake_desktop.core.rules.history import RollbackError, rollback_rules, rules_history
from intake_desktop.core.rules.ruleset import BASE_VARIABLES
from intake_desktop.core.rules.templating import FILTERS
from intake_desktop.core.rules.vocabulary import FILTER_WORDS, VARIABLE_WORDS
from intake_desktop.qt.rules_editor import RulesEditor

LEFT = Qt.MouseButton.LeftButton
V1 = """\
[settings]
name = "history test"
filename = "{{ name }}"

[[rule]]
name = "letters"
category = "Correspondence"
folder = "Correspondence"
when.name = "*letter*"

[[rule]]
name = "anything"
category = "Other"
folder = "Other"
when.name = "*"
"""
V2 = V1.replace('folder = "Other"', 'folder = "Billing"')


def open_editor(make_window, app) -> RulesEditor:
    save_rules(app.workspace, app.ledger, V1)  # the first version, saved by the admin
    window = make_window("admin")
    assert window.open_page("settings")
    editor = window.pages["settings"].rules
    assert isinstance(editor, RulesEditor)
    return editor


def click_row(qtbot, table, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())


def test_saved_versions_keep_their_text_in_the_ledger(app) -> None:
    save_rules(app.workspace, app.ledger, V1)
    save_rules(app.workspace, app.ledger, V2)
    [newest, oldest] = rules_history(app.ledger)
    assert (oldest.text, newest.text) == (V1, V2)
    assert newest.user == app.actor.user and newest.at
    events = app.ledger.chain.events(kinds=[EventKind.RULES_CHANGED])
    assert [e.detail["text"] for e in events] == [V1, V2]
    assert app.ledger.chain.verify_chain().ok


def test_core_rollback_saves_a_new_version(app) -> None:
    save_rules(app.workspace, app.ledger, V1)
    save_rules(app.workspace, app.ledger, V2)
    first = rules_history(app.ledger)[-1]
    version = rollback_rules(app.workspace, app.ledger, first.seq)
    assert app.workspace.rules_path.read_text(encoding="utf-8") == V1
    history = rules_history(app.ledger)
    assert len(history) == 3 and history[0].text == V1 and history[0].sha256 == first.sha256
    assert history[0].source.startswith("rolled back to the version saved ")
    last = app.ledger.chain.events(kinds=[EventKind.RULES_CHANGED])[-1]
    assert last.detail["rolled_back_to"] == first.seq
    assert version.sha256 == first.sha256
    with pytest.raises(RollbackError, match="already the rules in force"):
        rollback_rules(app.workspace, app.ledger, history[0].seq)


def test_history_lists_versions_diffs_and_rolls_back(qtbot, make_window, app) -> None:
    editor = open_editor(make_window, app)  # V1 is adopted as the first version
    editor.set_text(V2)
    qtbot.mouseClick(editor.save_button, LEFT)
    assert app.workspace.rules_path.read_text(encoding="utf-8") == V2

    editor.tabs.setCurrentWidget(editor.history_box)
    table = editor.history_table
    assert editor.history_model.rowCount() == 2
    who = editor.history_model.data(editor.history_model.index(0, 1))
    assert who == "pat (admin)"
    click_row(qtbot, table, 1)  # the first version
    diff = editor.diff_view.toPlainText()
    assert '-folder = "Billing"' in diff and '+folder = "Other"' in diff
    assert editor.rollback_button.isEnabled()
    qtbot.mouseClick(editor.rollback_button, LEFT)

    assert app.workspace.rules_path.read_text(encoding="utf-8") == V1
    assert editor.text() == V1 and editor.saved_text == V1
    events = app.ledger.chain.events(kinds=[EventKind.RULES_CHANGED])
    assert len(events) == 3 and events[-1].detail["text"] == V1
    assert events[-1].detail["source"].startswith("rolled back to the version saved")
    assert (events[-1].actor_user, events[-1].actor_role) == ("pat", "admin")
    assert editor.history_model.rowCount() == 3
    assert "Rolled back" in editor.status.text()
    click_row(qtbot, table, 0)  # the version in force cannot be rolled back to
    assert not editor.rollback_button.isEnabled()


def test_rollback_asks_before_replacing_unsaved_edits(qtbot, make_window, app) -> None:
    editor = open_editor(make_window, app)
    editor.set_text(V2)
    qtbot.mouseClick(editor.save_button, LEFT)
    editor.set_text(V2 + "\n# not saved yet\n")
    asked: list[str] = []
    editor.confirm = lambda title, text: asked.append(text) or False
    editor.tabs.setCurrentWidget(editor.history_box)
    click_row(qtbot, editor.history_table, 1)
    qtbot.mouseClick(editor.rollback_button, LEFT)
    assert asked and "unsaved" in asked[0]
    assert editor.text().endswith("# not saved yet\n")  # kept
    assert len(app.ledger.chain.events(kinds=[EventKind.RULES_CHANGED])) == 2


def test_vocabulary_covers_every_variable_and_filter() -> None:
    assert set(VARIABLE_WORDS) == set(BASE_VARIABLES)
    assert set(FILTER_WORDS) == set(FILTERS)


def test_picker_inserts_a_variable_and_a_filter(qtbot, make_window, app) -> None:
    editor = open_editor(make_window, app)
    text = 'filename = "{{ name }}"'
    line = V1.splitlines().index(text) + 1
    editor.editor.go_to_line(line)
    cursor = editor.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.EndOfBlock)
    cursor.movePosition(cursor.MoveOperation.Left)  # before the closing quote
    editor.editor.setTextCursor(cursor)

    picker = editor.picker
    row = next(r for r in range(picker.count()) if picker.item(r).data(Qt.ItemDataRole.UserRole)
               == ("variable", "date"))
    qtbot.mouseClick(picker.viewport(), LEFT, pos=picker.visualItemRect(picker.item(row)).center())
    assert "date" in editor.picker_help.text().lower()
    qtbot.mouseClick(editor.insert_button, LEFT)
    assert 'filename = "{{ name }}{{ date }}"' in editor.text()

    # A filter goes inside the {{ }} the cursor is in, before the closing braces.
    cursor = editor.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.Left, n=3)
    editor.editor.setTextCursor(cursor)
    row = next(r for r in range(picker.count()) if picker.item(r).data(Qt.ItemDataRole.UserRole)
               == ("filter", "date"))
    qtbot.mouseClick(picker.viewport(), LEFT, pos=picker.visualItemRect(picker.item(row)).center())
    qtbot.mouseClick(editor.insert_button, LEFT)
    assert "{{ date | date('%Y-%m') }}" in editor.text()
    assert editor.check()  # still valid rules
