"""Settings > Checklists (issue 18 item 1): the admin edits a checklist in the rules' editor
(line numbers, highlighting, problems marked on their lines), saves it only when valid, and
the matters' checklists follow it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from intake_desktop.core.checklists.desk import available_checklists, workspace_checklist_path
from intake_desktop.core.ledger import EventKind
from intake_desktop.qt.checklist_editor import ChecklistEditor
from intake_desktop.qt.code_editor import CodeEditor

PI = "pi-auto-accident"
NEW_ITEM = '''
[[item]]
id = "dashcam"
title = "Dash-camera video"
categories = ["Photos"]
expected = "a-few"
'''


def _editor(make_window: Any) -> tuple[Any, ChecklistEditor]:
    window = make_window("admin")
    window.resize(1300, 850)
    window.show()
    assert window.open_page("settings")
    page = window.pages["settings"]
    page.tabs.setCurrentWidget(page.checklists)
    editor = page.checklists
    assert isinstance(editor, ChecklistEditor)
    return window, editor


def test_edit_a_checklist_with_line_errors_then_save(make_window: Any, app: Any,
                                                     qtbot: Any) -> None:
    window, editor = _editor(make_window)
    assert isinstance(editor.editor, CodeEditor)  # the rules' editor: gutter and highlighting
    titles = [editor.checklists.item(r).text() for r in range(editor.checklists.count())]
    assert "Personal injury: auto accident" in titles
    editor.pick(PI)
    shipped = editor.text()
    assert 'id = "pi-auto-accident"' in shipped
    assert editor.editor.gutter_width() > 0
    assert not editor.save_button.isEnabled()

    # Type an item at the end, with a mistake.
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.editor.setFocus()
    for line in NEW_ITEM.splitlines():
        qtbot.keyClick(editor.editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.editor, line)
    editor.check()
    bad_line = next(n for n, t in enumerate(editor.text().splitlines(), 1) if "a-few" in t)
    assert editor.marked_lines() == [bad_line]
    assert (f"Line {bad_line}: Item 'dashcam': expected 'a-few' is not known"
            in editor.status.text())
    assert "per-provider" in editor.status.text()
    assert not editor.save_button.isEnabled()
    assert [editor.items.item(r).text() for r in range(editor.items.count())][-1].startswith(
        "dashcam  ·  line")
    window.grab().save("/tmp/rest_checklist_editor.png")

    # Fix it and save with a click.
    cursor = editor.editor.document().find('"a-few"')
    cursor.insertText('"at-least-one"')
    editor.check()
    assert editor.marked_lines() == [] and editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    path = workspace_checklist_path(app.workspace, PI)
    assert path.read_text(encoding="utf-8") == editor.text()
    [event] = app.ledger.chain.kind_events(EventKind.CHECKLIST_SAVED)
    assert event.detail["checklist"] == PI and event.actor_user == "pat"
    assert editor.checklists.currentItem().text().endswith("(edited here)")
    in_force = {c.id: c for c in available_checklists(app.workspace)}[PI]
    assert in_force.item("dashcam") is not None
    assert "Saved" in editor.status.text()


def test_the_checklists_page_follows_a_saved_edit(make_window: Any, app: Any,
                                                  qtbot: Any) -> None:
    """A matter's checklist shows the item an admin added in Settings, once saved."""
    from intake_desktop.core.checklists import assign_checklist
    from intake_desktop.core.checklists.desk import checklist_text, save_checklist

    pi = {c.id: c for c in available_checklists(app.workspace)}[PI]
    assign_checklist(app.ledger, "PI-1", pi)
    window = make_window("admin")
    assert window.open_page("checklists")
    page = window.pages["checklists"]
    page.matter.setCurrentText("PI-1")
    page.refresh()
    ids = {page.items.item(r, 0).data(Qt.ItemDataRole.UserRole)
           for r in range(page.items.rowCount())}
    assert "dashcam" not in ids and "medical-bills" in ids
    text = checklist_text(app.workspace, PI) + NEW_ITEM.replace("a-few", "at-least-one")
    save_checklist(app.workspace, app.ledger, PI, text)
    window.open_page("settings")
    window.open_page("checklists")  # opening a page refreshes it
    ids = {page.items.item(r, 0).data(Qt.ItemDataRole.UserRole)
           for r in range(page.items.rowCount())}
    assert "dashcam" in ids



def test_tab_goes_from_the_lists_to_the_text(make_window: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window, editor = _editor(make_window)
    with qtbot.waitActive(window):
        window.activateWindow()
    editor.checklists.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.checklists)
    seen = [editor.checklists]
    for _ in range(2):
        qtbot.keyClick(seen[-1], Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [editor.checklists, editor.items, editor.editor]
