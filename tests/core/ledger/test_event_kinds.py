"""Typed events (issue 15 item 3): the ledger accepts only `EventKind` members, whose stored
values never change (old ledgers keep verifying); who acts comes from the OS account or the
signed-in profile, never from USER (issue 24 item 9)."""

from __future__ import annotations

import ast
import json
import os
import pwd
from pathlib import Path

import pytest

from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from tests.conftest import REPO, run_cli, write_file

# Values stored (and hashed) in ledgers written before the enum: they must never change.
STORED_VALUES = {
    "received", "original_preserved", "filed", "duplicate", "routed_to_review",
    "source_removed", "recovered", "rolled_back", "converted", "split", "stamped", "ocr",
    "rules_changed", "review_resolved", "sealed", "opened", "exported", "signed_in",
    "profile_saved", "bates_reserved", "bates_released",
    "checklist_assigned", "checklist_waived", "checklist_letter", "bates_reused",
    "matter_saved", "produced", "withheld_privileged",
    "sign_in_refused", "capability_refused", "wall_added", "wall_removed", "wall_refused",
}
NEW_KINDS = {"undone", "superseded", "repaired", "rules_accepted", "ledger_attached",
             "draft_built", "signed_off", "approval_requested", "approved", "returned",
             "ledger_migrated", "ledger_merged",
             "translation_linked", "checklist_saved",
             "details_edited"}


def test_every_stored_value_is_still_a_member() -> None:
    assert {k.value for k in EventKind} == STORED_VALUES | NEW_KINDS


def test_a_free_string_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}", Actor("alice", "paralegal"))
    try:
        ledger.chain.record(EventKind.RECEIVED)
        with pytest.raises(LedgerError, match="'recieved' is not a kind of ledger event"):
            ledger.chain.record("recieved")  # type: ignore[arg-type]
        assert [e.kind for e in ledger.chain.events()] == ["received"]
        assert ledger.chain.verify_chain().ok
    finally:
        ledger.close()


def _kinds_recorded_in_source() -> set[str]:
    """The first argument of every record()/add_event() call in the package, as written."""
    found: set[str] = set()
    for path in (REPO / "intake_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "add_event") and node.args):
                found.add(ast.unparse(node.args[0]))
    return found


def test_the_code_records_only_enum_members() -> None:
    """No call passes a string literal; names resolve to members (checked by mypy too)."""
    used = _kinds_recorded_in_source()
    assert used, "the scan found the calls"
    assert not [u for u in used if u.startswith(("'", '"'))], used


def test_the_environment_does_not_choose_who_acts(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert run_cli("init", "--workspace", str(root)).returncode == 0
    write_file(root / "Intake" / "2024-1 Lee" / "a.pdf", seed=3)
    fake = {"USER": "managing_partner", "LOGNAME": "managing_partner",
            "USERNAME": "managing_partner", "LNAME": "managing_partner"}
    done = run_cli("ingest", "--workspace", str(root), str(root / "Intake"), env=fake)
    assert done.returncode == 0, done.stderr
    out = run_cli("ledger", "export", "--format", "json", "--workspace", str(root), env=fake)
    actors = {json.loads(line)["actor_user"] for line in out.stdout.splitlines()}
    assert actors == {pwd.getpwuid(os.getuid()).pw_name}
