"""Undo a filing: the received bytes go back, the working copies go, the original stays.

`undo_document(filer, doc_id)` takes a filed document (and its whole family: an email with
its attachments, an archive with its members) back, through the same protocol as filing:
claim, record the intent on the row, copy with the mover (temporary name, fsync, verify,
rename without replacing), mark the rows done (`undone` events with both paths and
hashes), and only then remove the working copies filing made. The read-only original
under `_Originals/` is never deleted: it stays, marked superseded, and `ledger verify`
still checks it. The bytes go back to the intake folder they came from when that is inside
the workspace; otherwise, and for a document a person filed from the review queue, to
Review/ with the reason. A document stamped into an exhibit set is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_desktop.core.errors import FilingError, IntakeError
from intake_desktop.core.filing.claims import document_key
from intake_desktop.core.filing.plan import review_name
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind
from intake_desktop.core.mover import tmp_path_for, unique_path
from intake_desktop.core.paths import is_within

if TYPE_CHECKING:
    from intake_desktop.core.filing.filer import Filer


class UndoError(IntakeError):
    """An undo was refused or could not be carried out; nothing was changed."""


@dataclass(frozen=True)
class UndoResult:
    """What an undo did (one line of `undo --json`)."""

    document: DocumentRecord
    returned_to: str  # where the received bytes are now (absolute path)
    to: str  # "intake" or "review"
    removed: list[str] = field(default_factory=list)  # working copies removed
    kept_originals: list[str] = field(default_factory=list)  # superseded, never deleted
    family: list[int] = field(default_factory=list)  # the other documents undone with it
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document.id,
            "status": self.document.status,
            "to": self.to,
            "returned_to": self.returned_to,
            "removed": self.removed,
            "kept_originals": self.kept_originals,
            "family": self.family,
            "message": self.message,
        }


def find_target(filer: Filer, text: str) -> int:
    """The document an `undo EVENT_ID|PATH` names: an event's document, or the document
    whose filed copy, original or source is that path."""
    key = text.strip()
    ledger = filer.ledger
    if key.isdigit():
        events = [e for e in ledger.chain.events() if e.seq == int(key)]
        if not events or events[0].document_id is None:
            raise UndoError(f"there is no event {key} about a document",
                            fix="look the id up with `ledger history PATH`")
        return events[0].document_id
    trail = ledger.chain.history(key, filer.ws.root)
    ids = [e.document_id for e in trail if e.document_id is not None]
    if not ids:
        raise UndoError("no document in the ledger has this path", path=key,
                        fix="give the filed copy's path or an event id from `ledger history`")
    return ids[-1]


def _family(filer: Filer, top: DocumentRecord) -> list[DocumentRecord]:
    """The document and every descendant (attachments, members, nested ones)."""
    docs = filer.ledger.docs.documents()
    out, frontier = [top], [top.id]
    while frontier:
        kids = [d for d in docs if d.parent_id in frontier]
        out += kids
        frontier = [d.id for d in kids]
    return out


def _top(filer: Filer, doc: DocumentRecord) -> DocumentRecord:
    while doc.parent_id is not None:
        parent = filer.ledger.docs.document(doc.parent_id)
        if parent is None:
            break
        doc = parent
    return doc


def _refusal(filer: Filer, family: list[DocumentRecord]) -> str | None:
    top = family[0]
    if top.status != DocStatus.FILED:
        return (f"document {top.id} is not filed (it is {top.status}); only a filing can be "
                "undone")
    for doc in family:
        for event in filer.ledger.chain.events(document_id=doc.id):
            if event.kind == EventKind.STAMPED:
                label = event.detail.get("label") or "?"
                where = event.detail.get("set") or event.path_after or "an exhibit set"
                return (f"document {doc.id} was stamped into the exhibit set {where!r} as "
                        f"exhibit {label}; undoing it would leave that set pointing at a "
                        "filing that no longer exists")
    return None


def _came_from_review(filer: Filer, doc: DocumentRecord) -> dict[str, Any] | None:
    resolved = [e for e in filer.ledger.chain.events(document_id=doc.id)
                if e.kind == EventKind.REVIEW_RESOLVED]
    return resolved[-1].detail if resolved else None


def _received_from(filer: Filer, doc: DocumentRecord) -> Path:
    """Where the document was received: by its workspace-relative path when it came from
    inside the workspace (so a moved or copied workspace still finds it), else as recorded."""
    for event in filer.ledger.chain.events(document_id=doc.id):
        if event.kind == EventKind.RECEIVED and event.detail.get("source_relative"):
            return filer.ws.root / str(event.detail["source_relative"])
    return Path(doc.source_path)


def undo_document(filer: Filer, doc_id: int, *, to_review: str | None = None) -> UndoResult:
    """Undo the filing of `doc_id` and its family (see the module docstring).

    `to_review`: send the bytes to Review/ with this reason whatever their origin (an
    attorney returning a provisional filing, core/approvals.py)."""
    first = filer.ledger.docs.document(doc_id)
    if first is None:
        raise UndoError(f"there is no document {doc_id}", fix="check the id")
    top = _top(filer, first)
    with filer.claimant.hold(document_key(top.id), f"document {top.id}") as held:
        if not held:
            raise UndoError(f"document {top.id} is being handled elsewhere",
                            fix="try again in a moment")
        top = filer.ledger.docs.document(top.id) or top
        family = _family(filer, top)
        refused = _refusal(filer, family)
        if refused:
            raise UndoError(refused, fix="leave this filing as it is, or build the exhibit "
                            "set again without it first")
        return _undo(filer, top, family, to_review)


def _undo(filer: Filer, top: DocumentRecord, family: list[DocumentRecord],
          to_review: str | None = None) -> UndoResult:
    ws, ledger = filer.ws, filer.ledger
    person = ledger.actor.user
    review = _came_from_review(filer, top)
    source = _received_from(filer, top)
    back_to_intake = to_review is None and review is None and is_within(
        source.parent, ws.root) and any(is_within(source, f.path) for f in filer.intake_folders)
    if back_to_intake:
        dest = unique_path(source.parent, source.name)
        to, reason = "intake", None
    else:
        dest = unique_path(ws.review, review_name(ws, source.name.rpartition("!/")[2]))
        to = "review"
        reason = (to_review if to_review is not None
                  else str(review.get("previous_reason")) if review and review.get(
                      "previous_reason") else f"undone by {person}")
    if not top.original_path or not (ws.root / top.original_path).is_file():
        raise UndoError("the preserved original is missing, so its bytes cannot go back",
                        path=top.original_path, fix="run `ledger verify` and restore it first")
    clear = [[d.filed_path, d.filed_sha256 or d.sha256, d.id] for d in family if d.filed_path]
    action: dict[str, Any] = {
        "kind": "undo", "to": to, "dest": str(dest), "reason": reason,
        "clear": clear, "family": [d.id for d in family[1:]],
        "user": person, "role": ledger.actor.role,
        "restore": {"status": top.status, "source_cleared": top.source_cleared},
    }
    with ledger.transaction() as txn:
        txn.update_document(top.id, pending_action=json.dumps(action), source_cleared=False)
    filer._fault("undo_recorded")
    try:
        filer.mover.place_copy(ws.root / top.original_path, dest, top.sha256, tag=f"u{top.id}")
    except FilingError:
        with ledger.transaction() as txn:
            txn.update_document(top.id, pending_action=None,
                                source_cleared=action["restore"]["source_cleared"])
        raise
    now = _mark_done(filer, top.id, action)
    return _clear(filer, now, action)


def _mark_done(filer: Filer, top_id: int, action: dict[str, Any]) -> DocumentRecord:
    ws, ledger = filer.ws, filer.ledger
    top = ledger.docs.document(top_id)
    assert top is not None
    dest = Path(action["dest"])
    docs = {d.id: d for d in ledger.docs.documents() if d.id in action["family"]}
    with ledger.transaction() as txn:
        for doc in [top, *docs.values()]:
            is_top = doc.id == top.id
            detail = {
                "by": action["user"], "to": action["to"] if is_top else "with its family",
                "working_copy_removed": doc.filed_path, "original": doc.original_path,
                "original_superseded": True, "family_of": None if is_top else top.id,
            }
            txn.add_event(
                EventKind.UNDONE, document_id=doc.id, matter_id=doc.matter_id,
                path_before=doc.filed_path,
                path_after=(filer.workspace_relative(dest) or str(dest)) if is_top else None,
                sha256_before=doc.filed_sha256 or doc.sha256,
                sha256_after=doc.sha256 if is_top else None, detail=detail,
            )
            if is_top and action["to"] == "review":
                rel = filer.rel(dest)
                txn.update_document(doc.id, status=DocStatus.REVIEW,
                                    target_status=DocStatus.REVIEW, filed_path=rel,
                                    filed_sha256=doc.sha256, reason=action["reason"])
                txn.add_event(
                    EventKind.ROUTED_TO_REVIEW, document_id=doc.id, matter_id=doc.matter_id,
                    path_before=doc.filed_path, path_after=rel, sha256_before=doc.sha256,
                    sha256_after=doc.sha256,
                    detail={"reason": action["reason"], "action": "undo", "by": action["user"]},
                )
            else:
                txn.update_document(doc.id, status=DocStatus.UNDONE,
                                    target_status=DocStatus.UNDONE, filed_path=None,
                                    filed_sha256=None)
    filer._fault("marked_done")
    if action["to"] == "review":
        from intake_desktop.core.filing.sidecars import write_sidecar

        write_sidecar(filer.mover, dest, action["reason"], ws, source=top.source_path,
                      sha256=top.sha256, document_id=top.id)
    now = ledger.docs.document(top_id)
    assert now is not None
    return now


def _clear(filer: Filer, top: DocumentRecord, action: dict[str, Any]) -> UndoResult:
    ws = filer.ws
    removed = []
    for rel, sha, _doc_id in action["clear"]:
        path = ws.root / rel
        if path.is_file() and sha256_file(path) == sha:
            filer.mover.discard(path)
            filer._fault("working_copy_removed")
        removed.append(rel)
    with filer.ledger.transaction() as txn:
        txn.update_document(top.id, pending_action=None, source_cleared=True)
    now = filer.ledger.docs.document(top.id)
    assert now is not None
    kept = [d.original_path for d in filer.ledger.docs.documents()
            if (d.id == top.id or d.id in action["family"]) and d.original_path]
    where = "its intake folder" if action["to"] == "intake" else "Review/"
    return UndoResult(
        now, action["dest"], action["to"], removed, kept, list(action["family"]),
        f"Undone: the received file is back in {where} ({action['dest']}); the original "
        f"stays in {now.original_path}, marked superseded",
    )


def recover_undo(filer: Filer, doc: DocumentRecord) -> str:
    """Finish an undo interrupted after its rows were marked done, or roll one back that
    was interrupted before (removing only its own verified copy)."""
    action = json.loads(doc.pending_action or "{}")
    dest = Path(action["dest"])
    if doc.status != action["restore"]["status"]:
        _clear(filer, doc, action)
        return f"document {doc.id}: undo completed"
    filer.mover.discard(tmp_path_for(dest, f"u{doc.id}"))
    if dest.is_file() and sha256_file(dest) == doc.sha256:
        _clear(filer, _mark_done(filer, doc.id, action), action)
        return f"document {doc.id}: undo completed"
    with filer.ledger.transaction() as txn:
        txn.update_document(doc.id, pending_action=None,
                            source_cleared=action["restore"]["source_cleared"])
        txn.add_event(EventKind.RECOVERED, document_id=doc.id, matter_id=doc.matter_id,
                      detail={"action": "rolled_back", "after": "interrupted undo"})
    return f"document {doc.id}: undo rolled back"
