"""Workspace layout, locations and settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_desktop.core.errors import WorkspaceError
from intake_desktop.core.workspace import (
    Workspace,
    default_workspace_dir,
    init_workspace,
    open_workspace,
    resolve_workspace_dir,
)


def test_init_creates_the_design_layout_and_is_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "Cabinet d'avocats – Dossiers"
    ws = init_workspace(root)
    for folder in (ws.intake, ws.matters, ws.review, ws.exports, ws.state):
        assert folder.is_dir()
    ws.config_path.write_text(ws.config_path.read_text() + "\n# admin note\n")
    init_workspace(root)
    assert "# admin note" in ws.config_path.read_text(), "init never overwrites settings"
    assert ws.load_config().preset == "litigation"


def test_workspace_location_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("INTAKE_WORKSPACE", raising=False)
    assert resolve_workspace_dir(None) == default_workspace_dir()
    assert default_workspace_dir().name == "Intake Desktop"
    monkeypatch.setenv("INTAKE_WORKSPACE", str(tmp_path / "env"))
    assert resolve_workspace_dir(None) == tmp_path / "env"
    assert resolve_workspace_dir(str(tmp_path / "flag")) == tmp_path / "flag"


def test_opening_a_folder_that_is_not_a_workspace_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="intake-desktop init"):
        open_workspace(tmp_path / "nothing")


def test_bad_settings_file_names_the_file_and_fix(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "w")
    ws.config_path.write_text("[ledger\nurl = 3")
    with pytest.raises(WorkspaceError) as err:
        Workspace(ws.root).load_config()
    assert str(ws.config_path) in err.value.message and "not valid TOML" in err.value.message


def test_extra_intake_folders_from_settings(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "w")
    ws.config_path.write_text(
        '[intake]\nfolders = [{ path = "/mnt/scanner", matter = "2024-1", polling = true }]\n'
    )
    [folder] = ws.load_config().intake_folders
    assert folder.path == Path("/mnt/scanner") and folder.polling and folder.matter == "2024-1"
