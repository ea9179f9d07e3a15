"""Escalations a lawyer must approve (issue 17 item 4).

A naming rule with `approval = "attorney"` files its documents provisionally: the filer
records `filed` and, in the same transaction, `approval_requested`. Until an attorney (or
an admin) approves (`approved`) or returns the document with a note (`returned`: the
filing is undone through core/filing/undo.py, so the document goes back to Review/ with
the note as its reason), it is listed by `pending_approvals` and marked provisional in the
browser. Everything here is derived from chained events; no table of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind, Ledger, Txn
from intake_desktop.core.pipeline import Decision
from intake_desktop.core.roles import Capability, require

if TYPE_CHECKING:
    from intake_desktop.core.filing.filer import Filer

DECISIONS = (EventKind.APPROVAL_REQUESTED, EventKind.APPROVED, EventKind.RETURNED)


class ApprovalError(IntakeError):
    """An approval or return was refused or is not possible; nothing was changed."""


@dataclass(frozen=True)
class PendingApproval:
    """A provisional filing waiting for a lawyer (one row of `approvals list`)."""

    document_id: int
    matter: str | None
    path: str | None  # the filed copy, relative to the workspace
    rule: str
    category: str
    approval: str  # who must approve: "attorney"
    requested_at: str
    requested_by: str
    event: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.document_id, "matter": self.matter, "path": self.path,
                "rule": self.rule, "category": self.category, "approval": self.approval,
                "requested_at": self.requested_at, "requested_by": self.requested_by,
                "event": self.event}


def request_approval(txn: Txn, doc: DocumentRecord, decision: Decision) -> None:
    """Called by the filer in the transaction that records `filed`."""
    txn.add_event(
        EventKind.APPROVAL_REQUESTED, document_id=doc.id, matter_id=doc.matter_id,
        path_after=doc.filed_path, sha256_after=doc.filed_sha256,
        detail={"approval": decision.approval, "rule": decision.rule,
                "category": decision.category},
    )


def pending_approvals(ledger: Ledger) -> list[PendingApproval]:
    """Provisional filings not yet approved or returned, oldest first."""
    latest: dict[int, Any] = {}
    for e in ledger.chain.events(kinds=DECISIONS):
        if e.document_id is not None:
            latest[e.document_id] = e
    out = []
    for doc_id, e in latest.items():
        if e.kind != EventKind.APPROVAL_REQUESTED:
            continue
        doc = ledger.docs.document(doc_id)
        if doc is None or doc.status != DocStatus.FILED:
            continue  # undone or sent back some other way: nothing left to approve
        out.append(PendingApproval(doc_id, doc.matter_id, doc.filed_path,
                                   str(e.detail.get("rule") or ""),
                                   str(e.detail.get("category") or ""),
                                   str(e.detail.get("approval") or "attorney"),
                                   e.at, e.actor_user, e.seq))
    return sorted(out, key=lambda p: p.event)


def provisional_ids(ledger: Ledger) -> set[int]:
    """Documents filed provisionally and still waiting (the browser marks them)."""
    return {p.document_id for p in pending_approvals(ledger)}


def _pending(ledger: Ledger, doc_id: int, action: str) -> PendingApproval:
    require(ledger, Capability.APPROVE, f"{action} an escalated document")
    for p in pending_approvals(ledger):
        if p.document_id == doc_id:
            return p
    raise ApprovalError(f"document {doc_id} is not waiting for approval",
                        fix="see `intake-desktop approvals list`")


def approve(ledger: Ledger, doc_id: int, note: str = "") -> PendingApproval:
    """An attorney approves a provisional filing (`approved`)."""
    pending = _pending(ledger, doc_id, "approve")
    ledger.chain.record(EventKind.APPROVED, document_id=doc_id, matter_id=pending.matter,
                  path_after=pending.path,
                  detail={"note": note.strip(), "rule": pending.rule,
                          "requested_event": pending.event})
    return pending


def return_document(filer: Filer, doc_id: int, note: str) -> PendingApproval:
    """An attorney returns a provisional filing: it goes back to Review/ with the note as
    the reason (through the undo of core/filing), then `returned` is recorded."""
    from intake_desktop.core.filing.undo import undo_document

    ledger = filer.ledger
    if not note.strip():
        raise ApprovalError("a returned document needs a note saying why",
                            fix="give --note TEXT (it becomes the Review reason)")
    pending = _pending(ledger, doc_id, "return")
    reason = f"returned by {ledger.actor.user}: {note.strip()}"
    done = undo_document(filer, doc_id, to_review=reason)
    ledger.chain.record(EventKind.RETURNED, document_id=doc_id, matter_id=pending.matter,
                  path_before=pending.path, path_after=filer.workspace_relative(
                      done.returned_to) or done.returned_to,
                  detail={"note": note.strip(), "reason": reason, "rule": pending.rule,
                          "requested_event": pending.event})
    return pending
