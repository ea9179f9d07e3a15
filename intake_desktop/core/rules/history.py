"""The naming rules' version history: every version saved or accepted, with its text (kept
in the ledger event since versions started storing it), and rollback to one of them, which
saves that text again as a new version through `save_rules`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Ledger
from intake_desktop.core.rules.active import VERSION_EVENTS, RulesVersion, save_rules
from intake_desktop.core.workspace import Workspace


class RollbackError(IntakeError):
    """A rollback that cannot be done; the rules in force stay in force."""


@dataclass(frozen=True)
class RulesHistoryEntry:
    """One version of the rules, as the ledger recorded it."""

    seq: int  # the ledger event
    at: str
    user: str
    role: str
    kind: str  # rules_changed (saved in the app) or rules_accepted (a hand edit accepted)
    version: str
    sha256: str
    name: str
    rule_count: int
    source: str
    text: str | None  # None for versions saved before the text was kept

    @property
    def when(self) -> str:
        return self.at[:16].replace("T", " ")


def rules_history(ledger: Ledger) -> list[RulesHistoryEntry]:
    """Every rules version, newest first."""
    out = []
    for e in ledger.chain.events(kinds=VERSION_EVENTS):
        d = e.detail
        text = d.get("text")
        out.append(RulesHistoryEntry(
            e.seq, e.at, e.actor_user, e.actor_role, e.kind, str(d.get("version") or ""),
            str(d.get("sha256") or ""), str(d.get("rules") or ""),
            int(d.get("rule_count") or 0), str(d.get("source") or ""),
            text if isinstance(text, str) else None,
        ))
    return out[::-1]


def diff_text(old: str, new: str, old_name: str = "before", new_name: str = "after") -> str:
    """A unified diff (empty when the texts are the same)."""
    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name))


def rollback_rules(workspace: Workspace, ledger: Ledger, seq: int) -> RulesVersion:
    """Make the version recorded by event `seq` the rules in force again (a new version)."""
    history = rules_history(ledger)
    entry = next((h for h in history if h.seq == seq), None)
    if entry is None:
        raise RollbackError(f"there is no rules version recorded by event {seq}",
                            fix="pick a version from the list")
    if entry.text is None:
        raise RollbackError(
            f"the version saved {entry.when} was recorded before versions kept their text, "
            "so it cannot be restored", fix="pick a later version")
    if history and history[0].sha256 == entry.sha256:
        raise RollbackError("this version is already the rules in force",
                            fix="pick an earlier version")
    return save_rules(workspace, ledger, entry.text,
                      source=f"rolled back to the version saved {entry.when} UTC",
                      extra={"rolled_back_to": entry.seq, "rolled_back_version": entry.version})
