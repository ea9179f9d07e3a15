"""`rules preview`: where each file would go and which rule decided, touching nothing.

Reads the files (type, hash, facts) and the ledger (duplicates) but writes nothing: no
workspace folder is created and no ledger row is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.detect import detect_type
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing import Filer
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.mover import unique_path
from intake_desktop.core.pipeline import Candidate, Decision, Router
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
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

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "path": self.path,
            "rule": self.rule,
            "reason": self.reason,
            "matter": self.matter,
            "category": self.category,
        }


def planned_path(
    ws: Workspace, candidate: Candidate, decision: Decision, reserved: set[str]
) -> tuple[str, Path]:
    """The status and the path ingest would use for this decision (no file is written)."""
    if decision.review_reason or not decision.matter:
        dest = unique_path(ws.review, candidate.source.name, reserved)
        status = "review"
    else:
        folder = ws.matter_dir(decision.matter) / decision.folder
        dest = unique_path(folder, decision.filename or candidate.source.name, reserved)
        status = "filed"
    reserved.add(str(dest))
    return status, dest


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
    reserved: set[str] = set()
    results: list[PreviewResult] = []
    for done, path in enumerate(files):
        if cancel is not None and cancel.is_set():
            break
        on_progress(done, len(files), str(path))
        results.append(_one(filer, router, ws, path, matter, reserved))
    on_progress(len(results), len(files), "done")
    return results


def _one(
    filer: Filer, router: Router, ws: Workspace, path: Path, matter: str | None, reserved: set[str]
) -> PreviewResult:
    source = str(path)
    if is_junk_path(path):
        return PreviewResult(source, "ignored", None, "", "system or temporary file")
    try:
        if not path.is_file():
            raise IntakeError("not a regular file", path=path, fix="preview files or folders")
        origin = filer.origin_of(path)
        hint = filer.matter_hint(origin, matter)
        size = path.stat().st_size
        sha = sha256_file(path)
        kind = detect_type(path) if size else "application/x-empty"
    except IntakeError as exc:
        return PreviewResult(source, "error", None, "", exc.message)
    except OSError as exc:
        return PreviewResult(
            source, "error", None, "", f"cannot read the file ({exc.strerror or exc})"
        )
    candidate = Candidate(
        source=path,
        relative=PurePosixPath(origin.relative),
        matter_hint=hint,
        detected_type=kind,
        sha256=sha,
        size=size,
    )
    if size == 0:
        decision = Decision(
            matter=hint,
            rule="builtin",
            review_reason="the file is empty (0 bytes): ask the sender for it again",
        )
    else:
        decision = router.route(candidate)
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
    status, dest = planned_path(ws, candidate, decision, reserved)
    return PreviewResult(
        source,
        status,
        str(dest),
        decision.rule,
        decision.review_reason,
        decision.matter,
        decision.category,
    )
