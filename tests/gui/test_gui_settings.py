"""Settings: the rules editor's live preview and refusal of bad rules; roles gate the panel."""

from __future__ import annotations

import re
import tomllib

from intake_desktop.app import build_filer
from intake_desktop.core.desks.rules_draft import (
    DraftProblem,
    EngineBackend,
    RulesInvalid,
    default_backend,
)
from intake_desktop.core.desks.settings_files import BatesDefaults, load_bates
from intake_desktop.core.pipeline import Candidate, Decision
from intake_desktop.qt.rules_editor import RulesEditor
from intake_desktop.qt.settings_page import SettingsPage

_LINE_COL = re.compile(r"at line (\d+), column (\d+)")


def toml_problems(text: str) -> list[DraftProblem]:
    """TOML syntax errors with their line and column (an empty list when it parses)."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _LINE_COL.search(str(exc))
        clean = _LINE_COL.sub("", str(exc)).strip(" ()")
        return [DraftProblem(clean, int(m.group(1)), int(m.group(2)))] if m else [
            DraftProblem(clean)]
    return []


class FolderRouter:
    rules_version = "test"

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def route(self, c: Candidate) -> Decision:
        if not c.matter_hint:
            return Decision(matter=None, review_reason="no matter", rule="folder")
        return Decision(matter=c.matter_hint, folder=self.folder, filename=c.relative.name,
                        rule="folder")


class FolderRulesBackend:
    """A tiny rules language: `folder = "X"` files everything into X."""

    name = "test rules"
    can_save = True

    def __init__(self) -> None:
        self.saved: list[str] = []

    def compile(self, text: str) -> FolderRouter:
        problems = toml_problems(text)
        if problems:
            raise RulesInvalid(problems)
        folder = tomllib.loads(text).get("folder")
        if not isinstance(folder, str):
            raise RulesInvalid([DraftProblem("folder must be text", line=1)])
        return FolderRouter(folder)

    def save(self, text: str) -> str:
        self.compile(text)
        self.saved.append(text)
        return f"v{len(self.saved)}"


def admin_window(make_window, app, make_pdf, backend):
    filer = build_filer(app)
    filer.ingest([make_pdf("letter.pdf"), make_pdf("bill.pdf")], matter="2024-003 Lee")
    app.workspace.rules_path.write_text('folder = "Incoming"\n', encoding="utf-8")
    window = make_window("admin", rules_backend=backend)
    assert window.open_page("settings")
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    return window, page.rules


def test_edit_rule_changes_preview_and_saves(make_window, app, make_pdf, qtmodeltester):
    backend = FolderRulesBackend()
    _, editor = admin_window(make_window, app, make_pdf, backend)
    rows = editor.preview_model.records
    assert [r.after for r in rows] == ["Matters/2024-003 Lee/Incoming/bill.pdf",
                                       "Matters/2024-003 Lee/Incoming/letter.pdf"]
    assert not editor.save_button.isEnabled()  # nothing changed yet
    editor.set_text('folder = "Correspondence"\n')
    rows = editor.preview_model.records
    assert (rows[0].before, rows[0].after) == (
        "Matters/2024-003 Lee/Incoming/bill.pdf", "Matters/2024-003 Lee/Correspondence/bill.pdf")
    assert all(r.changed for r in rows)
    assert "2 of 2 recent files would go somewhere else" in editor.status.text()
    assert editor.save_button.isEnabled()
    qtmodeltester.check(editor.preview_model)
    assert editor.save()
    assert backend.saved == ['folder = "Correspondence"\n']
    assert "Saved as rules version v1" in editor.status.text()


def test_invalid_rule_refused_with_line(make_window, app, make_pdf):
    backend = FolderRulesBackend()
    window, editor = admin_window(make_window, app, make_pdf, backend)
    before = [r.after for r in editor.preview_model.records]
    editor.set_text('# rules\nfolder = "Correspondence\n')
    assert editor.problems and editor.problems[0].line == 2
    assert "line 2" in editor.status.text().lower()
    assert not editor.save_button.isEnabled()
    assert len(editor.editor.extraSelections()) == 1  # the bad line is marked
    assert not editor.save()
    assert backend.saved == []
    assert "not saved" in window.message_label.text()
    assert [r.after for r in editor.preview_model.records] == before  # preview kept
    editor.set_text("folder = 3\n")
    assert str(editor.problems[0]) == "line 1: folder must be text"


def test_attorney_cannot_open_rule_editing(make_window, app):
    window = make_window("attorney")
    assert "settings" not in window.pages
    assert not window.open_page("settings")
    assert "needs an admin profile" in window.message_label.text()
    assert window.findChildren(RulesEditor) == []
    item = window.nav.item(4)
    assert item.text() == "Settings" and not item.flags()
    assert window.current_page_key() == "browser"


def test_paralegal_cannot_open_settings_either(make_window, app):
    window = make_window("paralegal")
    assert not window.open_page("settings")
    assert window.current_page_key() == "intake"
    assert window.open_page("browser")  # paralegals browse (issue 17 capability table)


def test_bates_editor_validates(make_window, app):
    window = make_window("admin")
    bates = window.pages["settings"].bates
    bates.prefix.setText("SMITH")
    bates.digits.setValue(7)
    assert bates.sample.text() == "SMITH0000001"
    assert bates.save()
    assert load_bates(app.workspace) == BatesDefaults("SMITH", 7, 1, "lower-right")
    bates.prefix.setText("SMITH2")
    assert "ends in a digit" in bates.warning.text()
    bates.digits.setValue(3)
    assert not bates.save()
    assert "6 to 15 digits" in bates.result.text()
    assert load_bates(app.workspace).digits == 7


def test_intake_folders_editor_validates_and_writes_config(make_window, app, tmp_path):
    window = make_window("admin")
    folders = window.pages["settings"].folders
    folders.add_row(str(tmp_path / "missing"))
    assert not folders.save()
    assert "does not exist" in folders.result.text()
    scans = tmp_path / "scans"
    scans.mkdir()
    folders.table.removeRow(0)
    folders.add_row(str(scans), "2024-009", True)
    assert folders.save()
    config = app.workspace.load_config()
    assert [(str(f.path), f.matter, f.polling) for f in config.intake_folders] == [
        (str(scans), "2024-009", True)]
    assert config.preset == "litigation"


def test_default_backend_is_the_naming_rules_engine(app):
    backend = default_backend(app.workspace, app.ledger)
    assert isinstance(backend, EngineBackend)
    assert backend.can_save and backend.name == "naming rules"


def test_court_profiles_tab_lists_shipped_courts(make_window, app):
    window = make_window("admin")
    courts = window.pages["settings"].courts
    ids = [courts.model.record(r).id for r in range(courts.model.rowCount())]
    assert "cacd" in ids and "nyscef" in ids
    row = ids.index("cacd")
    assert courts.model.data(courts.model.index(row, 2)) == "35 MB"
    assert "all valid" in courts.result.text()
