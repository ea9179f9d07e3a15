"""`rules preview`: where each file would go and which rule decided, touching nothing.

Preview is filing's plan step without the execute step: the same preparer (in a
temporary folder outside the workspace), router and `plan_filing` as ingest, so the
folder, name, flags, detected type and rule shown are what filing would do. It reads the
ledger for duplicates but writes nothing into the workspace and adds no ledger row.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing import LINK_REASON, Filer, Source, SourceKind
from intake_desktop.core.filing.sources import is_link
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.mover import MAX_NAME_BYTES, safe_name
from intake_desktop.core.pipeline import Candidate, Decision, Router, decide
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.rules.safepath import clean_component
from intake_desktop.core.workspace import Workspace


@dataclass(frozen=True)
class PreviewResult:
    """One line of `rules preview --json`."""

    source: str
    status: str  # filed, review, duplicate, ignored, error
    path: str | None
    rule: str
    reason: str | None
    matter: str | None = None
    category: str = ""
    children: tuple[PreviewResult, ...] = ()
    flags: tuple[str, ...] = ()
    detected_type: str = ""
    approval: str | None = None  # "attorney": filed provisionally until a lawyer approves

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "path": self.path,
            "rule": self.rule,
            "reason": self.reason,
            "matter": self.matter,
            "category": self.category,
            "flags": list(self.flags),
            "detected_type": self.detected_type,
            "approval": self.approval,
            "children": [c.to_json() for c in self.children],
        }


class PathPlanner:
    """Plans destination names the way the filer's `unique_path` picks them (`name (2)`...),
    reading each folder once instead of probing the disk per candidate name."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._taken: dict[str, set[str]] = {}
        self._next: dict[tuple[str, str], int] = {}

    def _names(self, folder: str) -> set[str]:
        names = self._taken.get(folder)
        if names is None:
            try:
                names = {e.name for e in os.scandir(folder)}
            except OSError:
                names = set()
            self._taken[folder] = names
        return names

    def plan(self, folder: Path, name: str) -> Path:
        base = name if _is_plain(name) else safe_name(name)
        key = str(folder)
        taken = self._names(key)
        candidate = base
        if candidate in taken:
            dot = base.rfind(".")
            stem, suffix = (base[:dot], base[dot:]) if dot > 0 else (base, "")
            n = self._next.get((key, base), 2)
            candidate = f"{stem} ({n}){suffix}"
            while candidate in taken:
                n += 1
                candidate = f"{stem} ({n}){suffix}"
            self._next[(key, base)] = n + 1
        taken.add(candidate)
        return folder / candidate

    __call__ = plan  # a filing Namer

    def planned_path(self, candidate: Candidate, decision: Decision) -> tuple[str, Path]:
        """The status and the path ingest would use for this decision (nothing is written)."""
        if decision.review_reason or not decision.matter:
            return "review", self.plan(self.ws.review, candidate.source.name)
        folder = self.ws.matter_dir(decision.matter)
        if decision.folder:
            folder = folder / decision.folder
        return "filed", self.plan(folder, decision.filename or candidate.source.name)


def _is_plain(name: str) -> bool:
    return len(name) <= MAX_NAME_BYTES and clean_component(name) == name and name.isascii()


def preview(
    filer: Filer,
    router: Router,
    paths: Iterable[Path],
    *,
    matter: str | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> list[PreviewResult]:
    """What `ingest` would do with these files and folders under `router`."""
    ws = filer.ws
    files = list(filer.expand(paths))
    planner = PathPlanner(ws)
    results: list[PreviewResult] = []
    for done, path in enumerate(files):
        if cancel is not None and cancel.is_set():
            break
        on_progress(done, len(files), str(path))
        results.append(_one(filer, router, ws, path, matter, planner))
    on_progress(len(results), len(files), "done")
    return results


def _one(
    filer: Filer,
    router: Router,
    ws: Workspace,
    path: Path,
    matter: str | None,
    planner: PathPlanner,
) -> PreviewResult:
    source = str(path)
    if is_junk_path(path):
        return PreviewResult(source, "ignored", None, "", "system or temporary file")
    try:
        origin = filer.source_of(path)
        if is_link(path, origin):
            return PreviewResult(source, "review", None, "", LINK_REASON)
        if not path.is_file():
            raise IntakeError("not a regular file", path=path, fix="preview files or folders")
        hint = filer.matter_hint(origin, matter)
        # The preparer (conversion, facts, attachments) works in a private temporary
        # folder outside the workspace, removed afterwards.
        with tempfile.TemporaryDirectory(prefix="intake-preview-") as tmp:
            return _decide(filer, router, origin, hint, planner, Path(tmp),
                           parent_name=None, child_index=0)
    except IntakeError as exc:
        return PreviewResult(source, "error", None, "", exc.message)
    except OSError as exc:
        return PreviewResult(
            source, "error", None, "", f"cannot read the file ({exc.strerror or exc})"
        )


def _decide(
    filer: Filer,
    router: Router,
    origin: Source,
    hint: str | None,
    planner: PathPlanner,
    tmp: Path,
    *,
    parent_name: str | None,
    child_index: int,
) -> PreviewResult:
    path = origin.path
    source = str(path) if not child_index else path.name
    size = path.stat().st_size
    sha = sha256_file(path)
    prepared, refused = filer.prepare(path, sha, tmp / f"work-{uuid.uuid4().hex[:8]}")
    candidate: Candidate = filer.candidate(origin, prepared, sha, size, hint,
                                           parent_name=parent_name, child_index=child_index)
    decision: Decision = decide(router, candidate, refused)
    plan = filer.plan(candidate, decision, prepared, origin, namer=planner)
    flags, detected = plan.flags, plan.detected_type
    if plan.status == DocStatus.DUPLICATE and plan.duplicate_of is not None:
        first = plan.duplicate_of
        return PreviewResult(
            source, "duplicate",
            str(filer.ws.root / first.filed_path) if first.filed_path else None,
            decision.rule, plan.reason, decision.matter, decision.category, (), flags, detected,
        )
    assert plan.filed is not None
    dest = plan.filed.dest
    status = "filed" if plan.status == DocStatus.FILED else "review"
    children: list[PreviewResult] = []
    if status == "filed":
        for index, child in enumerate(prepared.children, start=1):
            member = Source(SourceKind.MEMBER, child, PurePosixPath(child.name),
                            member=child.name)
            children.append(_decide(filer, router, member, decision.matter, planner, tmp,
                                    parent_name=dest.name, child_index=index))
    return PreviewResult(
        source, status, str(dest), decision.rule, decision.review_reason, decision.matter,
        decision.category, tuple(children), flags, detected,
        decision.approval if status == "filed" else None,
    )
