"""The plan step: where one prepared file goes, decided without writing anything.

`plan_filing(Candidate, Decision, Prepared, Source) -> FilingPlan` names the matter, the
rule, the folder and the file name, resolves name collisions and checks for duplicates
(of a filed document of the matter, or of a file already waiting in Review/). Ingest,
the watcher, every review action and `rules preview` call it; only the execute step
(filer.py) writes, so a preview shows exactly what filing would do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing.sources import Source
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import DocStatus, DocumentRecord
from intake_desktop.core.mover import PATH_BUDGET, fit_name, unique_path
from intake_desktop.core.paths import is_within
from intake_desktop.core.pipeline import Candidate, Decision, Prepared
from intake_desktop.core.workspace import Workspace


@dataclass(frozen=True)
class Target:
    """One file to write: `dest` from `src`, with the hash it must have."""

    src: Path
    dest: Path
    sha256: str
    read_only: bool


@dataclass(frozen=True)
class FilingPlan:
    """What filing one file will do. `targets` are written in order by the execute step."""

    status: DocStatus  # FILED, REVIEW or DUPLICATE
    decision: Decision
    detected_type: str
    flags: tuple[str, ...]
    targets: tuple[Target, ...] = ()
    duplicate_of: DocumentRecord | None = None
    reason: str | None = None

    @property
    def matter(self) -> str | None:
        return self.decision.matter

    @property
    def rule(self) -> str:
        return self.decision.rule

    @property
    def category(self) -> str:
        return self.decision.category

    @property
    def original(self) -> Target | None:
        return self.targets[0] if self.status == DocStatus.FILED else None

    @property
    def filed(self) -> Target | None:
        return self.targets[-1] if self.targets else None

    def folder(self, ws: Workspace) -> str:
        """The filed copy's folder, workspace-relative ('' when nothing is written)."""
        dest = self.filed
        if dest is None:
            return ""
        return dest.dest.parent.resolve().relative_to(ws.root.resolve()).as_posix()

    @property
    def name(self) -> str:
        return self.filed.dest.name if self.filed else ""


class Namer(Protocol):
    def __call__(self, folder: Path, name: str) -> Path: ...


@dataclass
class ReservingNamer:
    """Free names on disk, never one handed out before (pending rows, earlier plans)."""

    reserved: set[str] = field(default_factory=set)
    # Folders (and matters) found free of planted links while this namer plans (a batch:
    # a second or so; the copy step is as far behind the check as it always was).
    checked: set[Path | str] = field(default_factory=set)

    def __call__(self, folder: Path, name: str) -> Path:
        path = unique_path(folder, name, self.reserved)
        self.reserved.add(str(path))
        return path


def _checked(namer: Namer, key: Path | str, check: Callable[[], object]) -> None:
    """Run `check` (it raises when the folder is not safe), once per `key` for a namer
    that keeps what it checked (`ReservingNamer.checked`)."""
    seen = getattr(namer, "checked", None)
    if seen is not None and key in seen:
        return
    check()
    if seen is not None:
        seen.add(key)


def review_name(ws: Workspace, name: str) -> str:
    """A Review/ name: NFC, no bidi controls, Windows-safe, and `Review/<name (n)>` within
    the path budget."""
    room = PATH_BUDGET - len(ws.review.name) - 1
    return fit_name(name, room)


def check_no_links(ws: Workspace, folder: Path, what: str) -> None:
    """Refuse a destination folder reached through a link planted inside the workspace."""
    root = ws.root
    try:
        parts = folder.relative_to(root).parts
    except ValueError:
        parts = ()
    here = root
    for part in parts:
        here = here / part
        if here.is_symlink() or (here.exists() and not here.is_dir()):
            raise IntakeError(
                f"{here.relative_to(root).as_posix()} is a link, not a folder; filing "
                f"{what} through it could write outside the workspace",
                path=here,
                fix="remove the link (move its contents into a real folder) and file again",
            )


def _outside(decision: Decision, src: Path) -> IntakeError:
    return IntakeError(
        f"the rule {decision.rule!r} put the file outside its matter folder",
        path=src,
        fix="correct the rule's folder template",
    )


FindFiled = Callable[[str, str], DocumentRecord | None]
FindInReview = Callable[[str], DocumentRecord | None]


def plan_filing(
    ws: Workspace,
    candidate: Candidate,
    decision: Decision,
    prepared: Prepared,
    source: Source,
    *,
    find_filed: FindFiled,
    find_in_review: FindInReview,
    namer: Namer,
) -> FilingPlan:
    """Where `source` goes under `decision`. Reads the ledger and the disk, writes nothing."""
    src, sha = candidate.source, candidate.sha256

    def make(status: DocStatus, targets: tuple[Target, ...] = (),
             duplicate_of: DocumentRecord | None = None,
             reason: str | None = None) -> FilingPlan:
        return FilingPlan(status, decision, prepared.detected_type, tuple(prepared.flags),
                          targets, duplicate_of, reason)

    if decision.review_reason or not decision.matter:
        waiting = find_in_review(sha)
        if waiting is not None and (source.document is None or waiting.id != source.document.id):
            reason = f"same bytes as document {waiting.id}, already waiting in Review/"
            targets: tuple[Target, ...] = ()
            if source.removable:
                dest = namer(ws.duplicates, review_name(ws, src.name))
                targets = (Target(src, dest, sha, False),)
            return make(DocStatus.DUPLICATE, targets, waiting, reason)
        _checked(namer, ws.review, lambda: check_no_links(ws, ws.review, src.name))
        dest = namer(ws.review, review_name(ws, src.name))
        return make(DocStatus.REVIEW, (Target(src, dest, sha, False),),
                    reason=decision.review_reason)
    matter = decision.matter
    # no links, no `..` (issue 24 item 8)
    _checked(namer, f"matter:{matter}", lambda: ws.check_matter_folder(matter))
    first = find_filed(matter, sha)
    if first is not None:
        reason = f"same bytes as document {first.id}"
        if not source.removable:
            return make(DocStatus.DUPLICATE, (), first, reason)
        dest = namer(ws.duplicates, review_name(ws, src.name))
        return make(DocStatus.DUPLICATE, (Target(src, dest, sha, False),), first, reason)
    matter_dir = ws.matter_dir(matter)
    folder = matter_dir / decision.folder
    if ".." in PurePosixPath(decision.folder).parts or PurePosixPath(
            decision.folder).is_absolute():
        raise _outside(decision, src)

    def inside() -> None:
        if not is_within(folder, matter_dir):
            raise _outside(decision, src)
        check_no_links(ws, folder, src.name)

    _checked(namer, folder, inside)
    originals = ws.originals_dir(matter)
    _checked(namer, originals, lambda: check_no_links(ws, originals, src.name))
    original = namer(originals, src.name)
    name = decision.filename or src.name
    if prepared.filed_from != src:
        suffix = prepared.filed_from.suffix.lower()
        if suffix and not name.lower().endswith(suffix):
            name += suffix
    filed = namer(folder, name)
    filed_sha = sha if prepared.filed_from == src else sha256_file(prepared.filed_from)
    return make(DocStatus.FILED, (Target(src, original, sha, True),
                                  Target(prepared.filed_from, filed, filed_sha, True)))
