"""What the chained events say is on disk: each kept original and working copy, with its hash.

`ledger verify` proves the files against this, never against the `documents` table: the
table is the filer's working index (pending intents, status, browsing) and is not chained,
so whoever can write the database can edit it; an event cannot be edited without breaking
the chain (or, if the whole chain is recomputed, without disagreeing with a seal).

How each kind of event changes one document's files (paths relative to the workspace):
- `original_preserved`: the original is at `path_after` with `sha256_after`.
- `filed`, `routed_to_review`, `duplicate`, `repaired` (with `path_after`): the document's
  working copy (the filed copy, the copy in Review/, or the copy set aside as a duplicate)
  is at `path_after` with `sha256_after`; it replaces the previous working copy (a review
  copy is removed when the document is filed from Review/).
- `undone`: the working copy left `path_before`; it is now at `path_after` when that is in
  the workspace outside Intake/ (Review/), and nowhere the ledger keeps otherwise. The
  original stays (an undone filing supersedes it, never deletes it).
- `rolled_back`, and `recovered` with `action = rolled_back`: nothing of the document is kept.
`converted` and `ocr` name intermediate results and are not files on disk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from intake_desktop.core.ledger.records import EventKind, EventRecord

INTAKE_PREFIX = "Intake"

WORKING_COPY_KINDS = frozenset(
    {EventKind.FILED, EventKind.ROUTED_TO_REVIEW, EventKind.DUPLICATE, EventKind.REPAIRED}
)
# Every kind `document_states`, `profile_states` and the workspace check read (verify loads
# only these: on a large ledger, received/converted/source_removed are most of the rows).
PROOF_KINDS = WORKING_COPY_KINDS | {
    EventKind.ORIGINAL_PRESERVED, EventKind.UNDONE, EventKind.ROLLED_BACK,
    EventKind.RECOVERED, EventKind.PROFILE_SAVED, EventKind.LEDGER_ATTACHED,
}


class FileRole:
    ORIGINAL = "original"
    COPY = "copy"


@dataclass(frozen=True)
class HeldFile:
    """One file the events say is kept: where, which bytes, of which document, since when."""

    path: str
    sha256: str
    document_id: int
    role: str
    seq: int  # the event that put it there


@dataclass(frozen=True)
class DocumentState:
    """One document as its events tell it."""

    document_id: int
    status: str  # the last outcome: filed, review, duplicate, rolled_back, undone, pending
    original: HeldFile | None
    copy: HeldFile | None
    # Originals an undo superseded: never deleted, still proven (issue 15: undo keeps them).
    superseded: tuple[HeldFile, ...] = ()


def _in_workspace(path: str | None) -> bool:
    if not path:
        return False
    p = PurePosixPath(path.replace("\\", "/"))
    return not p.is_absolute() and ".." not in p.parts and path[1:3] != ":/"


def document_states(events: Iterable[EventRecord]) -> dict[int, DocumentState]:
    """Fold the events (in sequence order) into each document's kept files."""
    states: dict[int, DocumentState] = {}
    for e in events:
        if e.document_id is None:
            continue
        doc = e.document_id
        cur = states.get(doc) or DocumentState(doc, "pending", None, None)
        kind = e.kind
        if kind == EventKind.ORIGINAL_PRESERVED and _in_workspace(e.path_after):
            held = HeldFile(str(e.path_after), str(e.sha256_after), doc, FileRole.ORIGINAL, e.seq)
            cur = DocumentState(doc, cur.status, held, cur.copy, cur.superseded)
        elif kind in WORKING_COPY_KINDS and (kind != EventKind.REPAIRED or e.path_after):
            copy = (
                HeldFile(str(e.path_after), str(e.sha256_after), doc, FileRole.COPY, e.seq)
                if _in_workspace(e.path_after) and e.sha256_after
                else None
            )
            status = {
                EventKind.FILED: "filed",
                EventKind.ROUTED_TO_REVIEW: "review",
                EventKind.DUPLICATE: "duplicate",
            }.get(EventKind(kind), cur.status)
            cur = DocumentState(doc, status, cur.original, copy, cur.superseded)
        elif kind == EventKind.UNDONE:
            after = e.path_after
            keep = (
                _in_workspace(after)
                and PurePosixPath(str(after)).parts[:1] != (INTAKE_PREFIX,)
                and e.sha256_after
            )
            copy = (
                HeldFile(str(after), str(e.sha256_after), doc, FileRole.COPY, e.seq)
                if keep
                else None
            )
            kept = (*cur.superseded, cur.original) if cur.original else cur.superseded
            cur = DocumentState(doc, "undone", cur.original, copy, kept)
        elif kind == EventKind.RECOVERED and e.detail.get("action") == "rolled_back" and (
            e.detail.get("after") == "interrupted undo" or e.detail.get("restored_previous_state")
        ):
            pass  # an interrupted undo or review action put back: the files are as before it
        elif kind == EventKind.ROLLED_BACK or (
            kind == EventKind.RECOVERED and e.detail.get("action") == "rolled_back"
        ):
            cur = DocumentState(doc, "rolled_back", None, None, cur.superseded)
        states[doc] = cur
    return states


def held_files(states: Iterable[DocumentState]) -> dict[str, HeldFile]:
    """Every kept file by path (when two documents name one path, the later event wins)."""
    found: dict[str, HeldFile] = {}
    for state in states:
        for held in (state.original, state.copy, *state.superseded):
            if held is None:
                continue
            other = found.get(held.path)
            if other is None or other.seq < held.seq:
                found[held.path] = held
    return found


def passphrase_digest(passphrase_hash: str) -> str:
    """What a `profile_saved` event records of a profile's passphrase hash (never the hash)."""
    return hashlib.sha256(passphrase_hash.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ProfileState:
    name: str
    role: str
    passphrase_sha256: str | None  # None in events written before profiles were chained
    seq: int


def profile_states(events: Iterable[EventRecord]) -> dict[str, ProfileState]:
    """Each profile as its latest `profile_saved` event says."""
    found: dict[str, ProfileState] = {}
    for e in events:
        if e.kind != EventKind.PROFILE_SAVED:
            continue
        d: dict[str, Any] = e.detail
        name = str(d.get("user", ""))
        if not name:
            continue
        digest = d.get("passphrase_sha256")
        found[name] = ProfileState(
            name, str(d.get("role", "")), str(digest) if digest is not None else None, e.seq
        )
    return found
