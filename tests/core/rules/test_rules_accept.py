"""Rules in force are the last version an admin saved in the app; a rules file changed
outside the app waits for an admin (issue 24 item 9, the rules half)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from intake_desktop.app import App, build_filer
from intake_desktop.core.filing import Outcome
from intake_desktop.core.ledger import Actor, EventKind
from intake_desktop.core.roles import Profiles
from intake_desktop.core.rules import save_rules
from intake_desktop.core.rules.active import (
    RULES_ACCEPTED,
    accept_rules,
    last_good_path,
    pending_rules,
)
from intake_desktop.core.workspace import WorkspaceConfig
from tests.conftest import REPO, run_cli
from tests.core.rules.test_rules_errors import GOOD

HAND_EDIT = GOOD.replace('folder = "Correspondence"', 'folder = "Paralegal Picks"')


def _cli(*args: str, input_text: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "intake_desktop", *args], cwd=REPO,
                          env=env, input=input_text, capture_output=True, text=True,
                          timeout=120)


def _ingest(ws, ledger, name: str, warnings: list[str]):  # type: ignore[no-untyped-def]
    filer = build_filer(App(ws, WorkspaceConfig(), ledger, Actor("paralegal-1")),
                        on_warning=warnings.append)
    src = ws.intake / "LIT-1" / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(f"Dear Counsel, {name}.")
    [result] = filer.ingest([src])
    return result


def test_hand_edit_is_not_used_and_not_recorded(make_workspace: Callable) -> None:
    """GIVEN rules an admin saved in the app WHEN a paralegal edits rules.toml by hand
    THEN ingest keeps filing with the saved rules, says so, and records no new version."""
    ws, ledger = make_workspace("litigation")
    saved = save_rules(ws, ledger, GOOD)
    ws.rules_path.write_text(HAND_EDIT)
    warnings: list[str] = []
    result = _ingest(ws, ledger, "first letter.txt", warnings)
    assert result.status is Outcome.FILED
    assert Path(result.path or "").relative_to(ws.root).parts[:3] == (
        "Matters", "LIT-1", "Correspondence")
    assert any("changed outside the app" in w and saved.version in w for w in warnings)
    versions = [e.detail["version"] for e in ledger.chain.events()
                if e.kind in (EventKind.RULES_CHANGED, RULES_ACCEPTED)]
    assert versions[-1] == saved.version
    assert ws.rules_path.read_text() == HAND_EDIT  # the edit is kept for the admin to see
    pending = pending_rules(ws, ledger)
    assert pending is not None and pending.version != saved.version


def test_admin_accepts_the_change_and_it_is_recorded(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("litigation")
    saved = save_rules(ws, ledger, GOOD)
    ws.rules_path.write_text(HAND_EDIT)
    accepted = accept_rules(ws, ledger, Actor("ms-admin", "admin"))
    event = ledger.chain.latest_event([RULES_ACCEPTED])
    assert event is not None and event.kind == "rules_accepted"
    assert event.detail["source"] == "changed outside the app"
    assert event.detail["accepted_by"] == "ms-admin"
    assert event.detail["previous_version"] == saved.version
    assert event.detail["version"] == accepted.version and event.rules_version == accepted.version
    assert last_good_path(ws).read_text() == HAND_EDIT
    assert pending_rules(ws, ledger) is None
    result = _ingest(ws, ledger, "second letter.txt", [])
    assert "Paralegal Picks" in Path(result.path or "").parts


def test_only_an_admin_may_accept(make_workspace: Callable) -> None:
    import pytest

    from intake_desktop.core.errors import IntakeError

    ws, ledger = make_workspace("litigation")
    save_rules(ws, ledger, GOOD)
    ws.rules_path.write_text(HAND_EDIT)
    with pytest.raises(IntakeError, match=r"(?i)only an admin may accept"):
        accept_rules(ws, ledger, Actor("paralegal-1", "paralegal"))
    assert pending_rules(ws, ledger) is not None


def test_replaced_copy_of_the_rules_in_force_is_not_trusted(make_workspace: Callable) -> None:
    """Editing both rules.toml and the last-good copy does not put an edit in force."""
    ws, ledger = make_workspace("litigation")
    save_rules(ws, ledger, GOOD)
    ws.rules_path.write_text(HAND_EDIT)
    last_good_path(ws).write_text(HAND_EDIT)
    warnings: list[str] = []
    result = _ingest(ws, ledger, "third letter.txt", warnings)
    assert result.status is Outcome.REVIEW
    assert "was changed or replaced" in (result.reason or "")
    assert "Paralegal Picks" not in (result.path or "")


def test_rules_accept_command(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("litigation")
    Profiles(ledger).save("ms-admin", "admin", "correct horse battery",
                          acting=Actor("setup", "admin"))
    save_rules(ws, ledger, GOOD)
    ws.rules_path.write_text(HAND_EDIT)
    ledger.close()
    wrong = _cli("rules", "accept", "--workspace", str(ws.root), "--as", "ms-admin",
                    "--passphrase-stdin", input_text="guess\n")
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr.lower()
    done = _cli("rules", "accept", "--workspace", str(ws.root), "--json", "--as",
                   "ms-admin", "--passphrase-stdin", input_text="correct horse battery\n")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["ok"] and record["accepted"] and record["by"] == "ms-admin"
    export = run_cli("ledger", "export", "--workspace", str(ws.root), "--format", "json")
    assert "changed outside the app" in export.stdout and "rules_accepted" in export.stdout
