"""`rules preview`: where each file would go and which rule decided, touching nothing.

Runs the same stages as ingest (the preparer, in a temporary folder outside the
workspace, then the router) and reads the ledger for duplicates, but writes nothing into
the workspace and adds no ledger row.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.detect import detect_type
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing import Filer
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.mover import MAX_NAME_BYTES, safe_name
from intake_desktop.core.pipeline import Candidate, Decision, Prepared, Router, decide
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

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "path": self.path,
            "rule": self.rule,
            "reason": self.reason,
            "matter": self.matter,
            "category": self.category,
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
        if not path.is_file():
            raise IntakeError("not a regular file", path=path, fix="preview files or folders")
        origin = filer.origin_of(path)
        hint = filer.matter_hint(origin, matter)
        # The preparer (conversion, facts, attachments) works in a private temporary
        # folder outside the workspace, removed afterwards.
        with tempfile.TemporaryDirectory(prefix="intake-preview-") as tmp:
            return _decide(
                filer,
                router,
                ws,
                path,
                PurePosixPath(origin.relative),
                hint,
                planner,
                Path(tmp),
                parent_name=None,
                child_index=0,
            )
    except IntakeError as exc:
        return PreviewResult(source, "error", None, "", exc.message)
    except OSError as exc:
        return PreviewResult(
            source, "error", None, "", f"cannot read the file ({exc.strerror or exc})"
        )


def _prepare(filer: Filer, path: Path, sha: str, workdir: Path) -> tuple[Prepared, str | None]:
    """What the filer's preparer makes of the file; a refusal is a Review/ reason."""
    try:
        return filer.preparer.prepare(path, sha, workdir), None
    except IntakeError as exc:
        reason = exc.message
    except Exception as exc:  # as the filer: a converter failure sends the file to Review/
        reason = f"{path}: could not be prepared for filing ({exc.__class__.__name__}: {exc})"
    return Prepared(detected_type=detect_type(path), filed_from=path), reason


def _decide(
    filer: Filer,
    router: Router,
    ws: Workspace,
    path: Path,
    relative: PurePosixPath,
    hint: str | None,
    planner: PathPlanner,
    tmp: Path,
    *,
    parent_name: str | None,
    child_index: int,
) -> PreviewResult:
    source = str(path) if not child_index else path.name
    size = path.stat().st_size
    sha = sha256_file(path)
    refused: str | None = None
    if size == 0:
        prepared = Prepared(detected_type="application/x-empty", filed_from=path)
    else:
        prepared, refused = _prepare(filer, path, sha, tmp / f"work-{uuid.uuid4().hex[:8]}")
    candidate = Candidate(
        source=path,
        relative=relative,
        matter_hint=hint,
        detected_type=prepared.detected_type,
        sha256=sha,
        size=size,
        facts=prepared.facts,
        parent_name=parent_name,
        child_index=child_index,
        filed_suffix=prepared.filed_from.suffix.lower() if prepared.filed_from != path else "",
    )
    decision = decide(router, candidate, refused)
    if decision.matter and not decision.review_reason:
        first = filer.ledger.find_filed(decision.matter, sha)
        if first is not None and first.filed_path:
            return PreviewResult(
                source,
                "duplicate",
                str(ws.root / first.filed_path),
                decision.rule,
                f"same bytes as document {first.id}",
                decision.matter,
                decision.category,
            )
    status, dest = planner.planned_path(candidate, decision)
    children: list[PreviewResult] = []
    if status == "filed":
        for index, child in enumerate(prepared.children, start=1):
            children.append(
                _decide(
                    filer,
                    router,
                    ws,
                    child,
                    PurePosixPath(child.name),
                    decision.matter,
                    planner,
                    tmp,
                    parent_name=dest.name,
                    child_index=index,
                )
            )
    return PreviewResult(
        source,
        status,
        str(dest),
        decision.rule,
        decision.review_reason,
        decision.matter,
        decision.category,
        tuple(children),
    )
