"""The demo's people and supervision (issue 17): a paralegal and an attorney profile, the
example exhibit set signed off by the attorney, escalations left waiting for approval.

The attorney's passphrase is printed by the demo and written in the README; it guards a
fictitious profile in a demo workspace only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_desktop.core.approvals import approve, pending_approvals
from intake_desktop.core.demo.cast import ATTORNEY, PARALEGAL
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.roles import Profiles
from intake_desktop.core.signoff import sign_off

DEMO_ATTORNEY_PASSPHRASE = "harbor-vale-demo"


@dataclass
class SupervisionOutcome:
    """Who the demo's people are, what the attorney signed off, what waits for them."""

    paralegal: str = PARALEGAL
    attorney: str = ATTORNEY
    attorney_passphrase: str = DEMO_ATTORNEY_PASSPHRASE
    signed_off: str | None = None  # the example set's folder
    manifest: str | None = None
    waiting: list[dict[str, Any]] = field(default_factory=list)  # escalations to approve
    approved: list[dict[str, Any]] = field(default_factory=list)  # what the attorney approved
    reason: str | None = None  # why the sign-off did not happen

    def to_json(self) -> dict[str, Any]:
        return {"paralegal": self.paralegal, "attorney": self.attorney,
                "attorney_passphrase": self.attorney_passphrase,
                "signed_off": self.signed_off, "manifest": self.manifest,
                "waiting_approval": self.waiting, "approved": self.approved,
                "reason": self.reason}


def create_people(ledger: Ledger) -> Actor:
    """The demo's paralegal and attorney profiles; returns the paralegal, who files."""
    profiles = Profiles(ledger)
    profiles.save(PARALEGAL, "paralegal", None, acting=ledger.actor)
    profiles.save(ATTORNEY, "attorney", DEMO_ATTORNEY_PASSPHRASE, acting=ledger.actor)
    return profiles.sign_in(PARALEGAL)


def attorney_signs_off(ledger: Ledger, out_dir: Path, workspace_root: Path,
                       outcome: SupervisionOutcome) -> None:
    """The attorney signs in with the passphrase and signs off the example set."""
    attorney = Profiles(ledger).sign_in(ATTORNEY, DEMO_ATTORNEY_PASSPHRASE)
    acting = ledger.with_actor(attorney)
    try:
        done = sign_off(acting, out_dir, workspace_root)
    finally:
        acting.close()
    outcome.signed_off = str(out_dir)
    outcome.manifest = str(done.manifest)


def attorney_decides(ledger: Ledger, outcome: SupervisionOutcome, *, leave: int = 1) -> None:
    """The attorney approves the escalations but the first `leave`, which stay waiting on
    the Supervision page (so the demo shows both an approval and a document to decide)."""
    waiting = pending_approvals(ledger)
    attorney = Profiles(ledger).sign_in(ATTORNEY, DEMO_ATTORNEY_PASSPHRASE)
    acting = ledger.with_actor(attorney)
    try:
        for p in waiting[leave:]:
            approve(acting, p.document_id, "reviewed in the demo")
            outcome.approved.append(p.as_json())
    finally:
        acting.close()
    outcome.waiting = [p.as_json() for p in pending_approvals(ledger)]
