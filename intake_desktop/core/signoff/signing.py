"""Drafts, sign-off and verification of output folders, recorded in the ledger.

An output folder is named in the ledger by its path relative to the workspace (absolute
when it lies outside). `record_draft` notes a folder just built (a `draft_built` event:
what kind of output, the spec and its SHA-256, the Bates range) and marks earlier
signed-off builds of the same set as superseded; `sign_off` writes the manifest into the
folder through the mover and records `signed_off` with the manifest's hash and the file
list; `verify_set` compares the folder with the list that was signed.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import EventKind, EventRecord, Ledger, utc_now
from intake_desktop.core.mover import Mover, unique_path
from intake_desktop.core.roles import Capability, require
from intake_desktop.core.signoff.manifest import (
    MANIFEST_NAME,
    FileEntry,
    compare,
    manifest_bytes,
    scan_folder,
)

MANIFEST_FORMAT = "intake-desktop sign-off manifest 1"


class SignOffError(IntakeError):
    """A sign-off was refused or could not be written; nothing was signed."""


class OutputKind(enum.StrEnum):
    EXHIBIT_SET = "exhibit_set"
    COURT_FIT = "court_fit"
    PRODUCTION = "production"
    OUTPUT = "output"  # a folder the ledger knows nothing about


KIND_WORDS = {
    OutputKind.EXHIBIT_SET: "exhibit set",
    OutputKind.COURT_FIT: "court-fit output",
    OutputKind.PRODUCTION: "production",
    OutputKind.OUTPUT: "output folder",
}


# The ledger (its chain store records and reads the events).
Book = Ledger


class SetState(enum.StrEnum):
    DRAFT = "draft"
    SIGNED_OFF = "signed_off"
    CHANGED = "changed"  # signed off, and a file changed, went missing or was added since


@dataclass(frozen=True)
class Verification:
    """`exhibits verify`: exactly the JSON fields of DESIGN.md, plus what the window shows."""

    signed_off: bool
    by: str | None
    at: str | None
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    key: str = ""
    manifest: str | None = None
    superseded_at: str | None = None  # a rebuild of the same set made a new draft

    @property
    def intact(self) -> bool:
        return self.signed_off and not (self.changed or self.missing or self.added)

    @property
    def state(self) -> SetState:
        if not self.signed_off:
            return SetState.DRAFT
        return SetState.SIGNED_OFF if self.intact else SetState.CHANGED

    def as_json(self) -> dict[str, Any]:
        return {"signed_off": self.signed_off, "by": self.by, "at": self.at,
                "changed": self.changed, "missing": self.missing, "added": self.added}


@dataclass(frozen=True)
class SetStatus:
    state: SetState
    text: str  # "Draft", "Signed off by X on 2026-12-03", "Changed since sign-off"
    verification: Verification


@dataclass(frozen=True)
class OutputFolder:
    """An output folder as the ledger event about it describes it."""

    key: str
    path: Path
    kind: str
    name: str
    matter: str | None
    built_at: str
    built_by: str

    @classmethod
    def from_event(cls, e: EventRecord, key: str, path: Path, **more: Any) -> Self:
        return cls(key, path, str(e.detail.get("kind") or OutputKind.OUTPUT),
                   str(e.detail.get("name") or path.name), e.matter_id, e.at, e.actor_user,
                   **more)


@dataclass(frozen=True)
class PendingSignOff(OutputFolder):
    """A draft waiting for an attorney's sign-off (the Supervision page)."""


@dataclass(frozen=True)
class SignOffResult:
    key: str
    manifest: Path
    manifest_sha256: str
    files: list[FileEntry]
    event: int
    by: str
    at: str

    def as_json(self) -> dict[str, Any]:
        return {"set": self.key, "manifest": str(self.manifest),
                "manifest_sha256": self.manifest_sha256, "files": len(self.files),
                "event": self.event, "by": self.by, "at": self.at}


def set_key(folder: Path, workspace_root: Path | None) -> str:
    """How the ledger names an output folder: relative to the workspace when inside it."""
    resolved = folder.resolve()
    if workspace_root is not None:
        try:
            return resolved.relative_to(workspace_root.resolve()).as_posix()
        except ValueError:
            pass
    return str(resolved)


def folder_of(key: str, workspace_root: Path | None) -> Path:
    path = Path(key)
    if path.is_absolute() or workspace_root is None:
        return path
    return workspace_root / path


def _events(book: Book) -> list[EventRecord]:
    return book.chain.events(kinds=[EventKind.DRAFT_BUILT, EventKind.SIGNED_OFF])


def _latest(events: list[EventRecord], kind: EventKind, key: str) -> EventRecord | None:
    found = [e for e in events if e.kind == kind and e.detail.get("set") == key]
    return found[-1] if found else None


def record_draft(
    book: Book,
    folder: Path,
    workspace_root: Path | None,
    *,
    kind: OutputKind,
    name: str,
    spec: Path | None = None,
    matter: str | None = None,
    bates_first: str | None = None,
    bates_last: str | None = None,
) -> int:
    """Note a folder just built as a draft; earlier signed-off builds of the same set
    (same kind and name) are superseded by it. Returns the event's sequence number."""
    key = set_key(folder, workspace_root)
    events = _events(book)
    signed = {e.detail.get("set") for e in events if e.kind == EventKind.SIGNED_OFF}
    already = {s for e in events if e.kind == EventKind.DRAFT_BUILT
               for s in e.detail.get("supersedes", [])}
    same = {str(e.detail.get("set")) for e in events if e.kind == EventKind.DRAFT_BUILT
            and e.detail.get("kind") == kind and e.detail.get("name") == name}
    supersedes = sorted(k for k in same if k in signed and k not in already and k != key)
    spec_sha = sha256_file(spec) if spec is not None and spec.is_file() else None
    return book.chain.record(
        EventKind.DRAFT_BUILT, matter_id=matter, path_after=key,
        detail={"set": key, "kind": str(kind), "name": name,
                "spec": str(spec.resolve()) if spec is not None else None,
                "spec_sha256": spec_sha, "bates_first": bates_first, "bates_last": bates_last,
                "supersedes": supersedes},
    )


def _bates_from_outputs(book: Book, key: str) -> tuple[str | None, str | None]:
    """The Bates range of the stamped or produced files in the folder (no draft event)."""
    inside = key.rstrip("/") + "/"
    numbers: list[tuple[int, str, str]] = []
    for e in book.chain.events(kinds=[EventKind.STAMPED, EventKind.PRODUCED]):
        if (e.path_after or "").startswith(inside):
            first, last = e.detail.get("bates_first"), e.detail.get("bates_last")
            if first and last:
                numbers.append((e.seq, str(first), str(last)))
    if not numbers:
        return None, None
    return numbers[0][1], numbers[-1][2]


def sign_off(
    book: Book, folder: Path, workspace_root: Path | None, *, mover: Mover | None = None
) -> SignOffResult:
    """Sign off `folder` as the ledger's actor (attorneys and admins only)."""
    actor = book.actor
    key = set_key(folder, workspace_root)
    require(book, Capability.SIGN_OFF, f"sign off {key}")  # refused: recorded, raised
    if not folder.is_dir():
        raise SignOffError("there is no output folder here", path=folder,
                           fix="give the folder an exhibit set, court-fit output or "
                           "production was built into")
    files = scan_folder(folder)
    if not files:
        raise SignOffError("the folder holds no files to sign off", path=folder,
                           fix="build the set into it first")
    events = _events(book)
    draft = _latest(events, EventKind.DRAFT_BUILT, key)
    info: dict[str, Any] = dict(draft.detail) if draft is not None else {}
    if not (info.get("bates_first") and info.get("bates_last")):
        info["bates_first"], info["bates_last"] = _bates_from_outputs(book, key)
    at = utc_now()
    content = {
        "format": MANIFEST_FORMAT,
        "set": key,
        "kind": info.get("kind") or str(OutputKind.OUTPUT),
        "name": info.get("name") or folder.name,
        "matter": draft.matter_id if draft is not None else None,
        "signed_off_by": actor.user,
        "role": actor.role,
        "signed_off_at": at,
        "spec": info.get("spec"),
        "spec_sha256": info.get("spec_sha256"),
        "bates_first": info.get("bates_first"),
        "bates_last": info.get("bates_last"),
        "total_bytes": sum(f.size for f in files),
        "files": [f.as_json() for f in files],
    }
    data = manifest_bytes(content)
    digest = hashlib.sha256(data).hexdigest()
    mover = mover or Mover()
    dest = unique_path(folder, MANIFEST_NAME)
    mover.place_bytes(dest, data, tag="signoff", read_only=True)
    rel = dest.relative_to(folder).as_posix()
    try:
        seq = book.chain.record(
            EventKind.SIGNED_OFF, matter_id=content["matter"],
            path_after=f"{key}/{rel}", sha256_after=digest,
            detail={**{k: v for k, v in content.items() if k != "format"},
                    "manifest": rel, "manifest_sha256": digest},
        )
    except BaseException:
        mover.discard(dest)  # our own new manifest: a sign-off not recorded is none
        raise
    return SignOffResult(key, dest, digest, files, seq, actor.user, at)


def verify_set(book: Book, folder: Path, workspace_root: Path | None) -> Verification:
    """Compare `folder` with its latest sign-off (a draft: `signed_off` False)."""
    key = set_key(folder, workspace_root)
    events = _events(book)
    signed = _latest(events, EventKind.SIGNED_OFF, key)
    superseded = [e for e in events if e.kind == EventKind.DRAFT_BUILT
                  and key in e.detail.get("supersedes", [])
                  and (signed is None or e.seq > signed.seq)]
    superseded_at = superseded[0].at if superseded else None
    if signed is None:
        return Verification(False, None, None, key=key)
    recorded = [FileEntry.from_json(f) for f in signed.detail.get("files", [])]
    now = scan_folder(folder) if folder.is_dir() else []
    changed, missing, added = compare(recorded, now)
    manifest = str(signed.detail.get("manifest") or MANIFEST_NAME)
    manifest_path = folder / manifest
    if not manifest_path.is_file():
        missing = sorted([*missing, manifest])
    elif sha256_file(manifest_path) != signed.detail.get("manifest_sha256"):
        changed = sorted([*changed, manifest])
    return Verification(True, signed.actor_user, signed.at, changed, missing, added,
                        key=key, manifest=manifest, superseded_at=superseded_at)


def describe(verification: Verification) -> str:
    """The words the window and the command line use for a folder's state."""
    if verification.state is SetState.DRAFT:
        text = "Draft"
    elif verification.state is SetState.CHANGED:
        text = "Changed since sign-off"
    else:
        text = f"Signed off by {verification.by} on {str(verification.at)[:10]}"
    if verification.superseded_at:
        text += f" (superseded by a rebuild on {verification.superseded_at[:10]})"
    return text


def set_status(book: Book, folder: Path, workspace_root: Path | None) -> SetStatus:
    verification = verify_set(book, folder, workspace_root)
    return SetStatus(verification.state, describe(verification), verification)


def pending_signoffs(book: Book, workspace_root: Path | None) -> list[PendingSignOff]:
    """Drafts still waiting for sign-off: the latest build of each folder that still
    exists, not signed off since and not superseded by a later rebuild, oldest first."""
    events = _events(book)
    out: dict[str, PendingSignOff] = {}
    for e in events:
        key = str(e.detail.get("set"))
        if e.kind == EventKind.SIGNED_OFF:
            out.pop(key, None)
            continue
        for old in e.detail.get("supersedes", []):
            out.pop(str(old), None)
        path = folder_of(key, workspace_root)
        out[key] = PendingSignOff.from_event(e, key, path)
    return [p for p in out.values() if p.path.is_dir()]


def signed_sets(book: Book, workspace_root: Path | None) -> list[str]:
    """Keys of every folder ever signed off, in the order of their latest sign-off."""
    seen: dict[str, int] = {}
    for e in _events(book):
        if e.kind == EventKind.SIGNED_OFF:
            seen[str(e.detail.get("set"))] = e.seq
    return sorted(seen, key=lambda k: seen[k])


@dataclass(frozen=True)
class OutputSet(OutputFolder):
    """An output folder the ledger knows (built here, or signed off), with its state."""

    status: SetStatus


def output_sets(book: Book, workspace_root: Path | None) -> list[OutputSet]:
    """Every output folder still on disk that was built or signed off here, newest
    first, with its state (each folder is re-hashed: draft, signed off, or changed)."""
    first: dict[str, EventRecord] = {}
    order: dict[str, int] = {}
    for e in _events(book):
        key = str(e.detail.get("set"))
        if e.kind == EventKind.DRAFT_BUILT or key not in first:
            first[key] = e
        order[key] = e.seq
    out = []
    for key in sorted(order, key=lambda k: order[k], reverse=True):
        path = folder_of(key, workspace_root)
        if not path.is_dir():
            continue
        e = first[key]
        out.append(OutputSet.from_event(e, key, path,
                                        status=set_status(book, path, workspace_root)))
    return out


def sets_holding(book: Book, paths: list[str]) -> list[str]:
    """Keys of the output folders that hold any of these (workspace-relative) paths."""
    keys = {str(e.detail.get("set")) for e in _events(book)}
    return sorted(k for k in keys if any(p.startswith(k.rstrip("/") + "/") for p in paths))
