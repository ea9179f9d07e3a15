"""Crash-safe filing: the DESIGN.md protocol from an intake file to Matters/ or Review/.

For each file: record the intent (`pending`) with the source's SHA-256; copy each target
(the read-only original and the filed copy) to a temporary name beside it, fsync, verify,
rename without replacing anything, fsync the folder; mark the row done; only then remove
the source from its intake folder. `recover()` finishes or rolls back every unfinished row,
so a crash at any moment leaves each source either still in Intake/ or filed exactly once.
"""

from __future__ import annotations

import enum
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.detect import detect_type
from intake_desktop.core.errors import FilingError, IntakeError
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind, Ledger, Txn
from intake_desktop.core.mover import FaultHook, Mover, no_fault, tmp_path_for, unique_path
from intake_desktop.core.paths import is_within, nfc
from intake_desktop.core.pipeline import (
    BuiltinRouter,
    Candidate,
    Decision,
    PassThroughPreparer,
    Prepared,
    Preparer,
    Router,
    decide,
)
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.search_text import index_document
from intake_desktop.core.workspace import IntakeFolder, Workspace

MAX_CHILD_DEPTH = 3


class Outcome(enum.StrEnum):
    FILED = "filed"
    REVIEW = "review"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    ERROR = "error"


@dataclass
class IngestResult:
    """One line of `ingest --json` (fields named in DESIGN.md)."""

    source: str
    status: Outcome
    path: str | None = None
    original: str | None = None
    sha256: str | None = None
    matter: str | None = None
    reason: str | None = None
    document_id: int | None = None
    category: str = ""
    rule: str = ""
    flags: list[str] = field(default_factory=list)
    children: list[IngestResult] = field(default_factory=list)
    family_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": str(self.status),
            "path": self.path,
            "original": self.original,
            "sha256": self.sha256,
            "matter": self.matter,
            "reason": self.reason,
            "document_id": self.document_id,
            "category": self.category,
            "rule": self.rule,
            "flags": self.flags,
            "family_id": self.family_id,
            "notes": self.notes,
            "children": [c.to_json() for c in self.children],
        }


@dataclass(frozen=True)
class _Target:
    """One file to write: `dest` from `src`, with the hash it must have."""

    src: Path
    dest: Path
    sha256: str
    read_only: bool


@dataclass(frozen=True)
class _Origin:
    """Where a source came from: the intake folder it lies in (None: outside the workspace)."""

    intake: IntakeFolder | None
    relative: PurePosixPath

    @property
    def removable(self) -> bool:
        return self.intake is not None


class Filer:
    """Files sources into a workspace and records every step in the ledger."""

    def __init__(
        self,
        workspace: Workspace,
        ledger: Ledger,
        *,
        router: Router | None = None,
        preparer: Preparer | None = None,
        intake_folders: Iterable[IntakeFolder] = (),
        fault: FaultHook = no_fault,
    ) -> None:
        self.ws = workspace
        self.ledger = ledger
        self.router: Router = router or BuiltinRouter()
        self.preparer: Preparer = preparer or PassThroughPreparer()
        self.intake_folders = [IntakeFolder(workspace.intake), *intake_folders]
        self._fault = fault
        self.mover = Mover(fault)
        self._removed: list[DocumentRecord] = []

    # ---- paths ---------------------------------------------------------------------------

    def rel(self, path: Path) -> str:
        """Workspace-relative posix path as stored in the ledger."""
        return path.resolve().relative_to(self.ws.root.resolve()).as_posix()

    def abs(self, stored: str) -> Path:
        return self.ws.root / stored

    def origin_of(self, path: Path) -> _Origin:
        for folder in self.intake_folders:
            if is_within(path, folder.path):
                rel = path.resolve().relative_to(folder.path.resolve())
                return _Origin(folder, PurePosixPath(rel.as_posix()))
        if is_within(path, self.ws.root):
            raise IntakeError(
                "this file is already inside the workspace, outside Intake/",
                path=path,
                fix="ingest takes new files from Intake/ or from outside the workspace; "
                "to re-file a document use the Review queue",
            )
        return _Origin(None, PurePosixPath(path.name))

    def matter_hint(self, origin: _Origin, explicit: str | None) -> str | None:
        if explicit:
            return nfc(explicit)
        if origin.intake is None:
            return None
        if origin.intake.matter:
            return nfc(origin.intake.matter)
        if origin.intake.path == self.ws.intake and len(origin.relative.parts) > 1:
            return nfc(origin.relative.parts[0])
        return None

    # ---- public API ----------------------------------------------------------------------

    def expand(self, paths: Iterable[Path]) -> Iterator[Path]:
        """Files named, and files inside folders named, in a stable order; junk skipped."""
        for path in paths:
            if path.is_dir():
                for sub in sorted(p for p in path.rglob("*") if p.is_file()):
                    if not is_junk_path(sub, path):
                        yield sub
            else:
                yield path

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        matter: str | None = None,
        on_progress: ProgressCallback = no_progress,
        cancel: CancelFlag | None = None,
    ) -> list[IngestResult]:
        """File these files and folders now. A failure in one file never stops the rest."""
        self.recover()
        files = list(self.expand(paths))
        results: list[IngestResult] = []
        for done, path in enumerate(files):
            if cancel is not None and cancel.is_set():
                break
            on_progress(done, len(files), str(path))
            results.append(self._ingest_path(path, matter))
        self.flush()
        on_progress(len(results), len(files), "done")
        return results

    def ingest_file(self, path: Path, *, matter: str | None = None) -> IngestResult:
        """File one file now (the watcher's entry point)."""
        result = self._ingest_path(path, matter)
        self.flush()
        return result

    def flush(self) -> None:
        """Record the intake sources removed since the last transaction."""
        if self._removed:
            with self.ledger.transaction() as txn:
                self._record_removed(txn)

    def _record_removed(self, txn: Txn) -> None:
        for doc in self._removed:
            txn.update_document(doc.id, source_cleared=True)
            txn.add_event(
                EventKind.SOURCE_REMOVED, document_id=doc.id, matter_id=doc.matter_id,
                path_before=doc.source_path, sha256_before=doc.sha256,
            )
        self._removed = []

    def _ingest_path(self, path: Path, matter: str | None) -> IngestResult:
        source = str(path)
        if is_junk_path(path):
            return IngestResult(source, Outcome.IGNORED, reason="system or temporary file")
        try:
            origin = self.origin_of(path)
            if not path.exists():
                raise IntakeError("no such file", path=path, fix="check the path and try again")
            if not path.is_file():
                raise IntakeError("not a regular file", path=path, fix="ingest files or folders")
            return self._ingest(path, origin, self.matter_hint(origin, matter))
        except IntakeError as exc:
            return IngestResult(source, Outcome.ERROR, reason=exc.message)
        except OSError as exc:
            return IngestResult(
                source,
                Outcome.ERROR,
                reason=f"{path}: cannot read the file ({exc.strerror or exc}). Check that it is "
                "not open in another program and that you have permission, then retry.",
            )

    # ---- one file ------------------------------------------------------------------------

    def _ingest(
        self,
        path: Path,
        origin: _Origin,
        matter_hint: str | None,
        *,
        parent: DocumentRecord | None = None,
        child_index: int = 0,
        depth: int = 0,
    ) -> IngestResult:
        size = path.stat().st_size
        sha = sha256_file(path)
        # The preparer creates the work folder only when it writes something.
        workdir = self.ws.work / f"prep-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            refused: str | None = None
            if size == 0:
                prepared = Prepared(detected_type="application/x-empty", filed_from=path)
            else:
                prepared, refused = self._prepare(path, sha, workdir)
            filed_suffix = ""
            if prepared.filed_from != path:
                filed_suffix = prepared.filed_from.suffix.lower()
            candidate = Candidate(
                source=path,
                relative=origin.relative,
                matter_hint=matter_hint,
                detected_type=prepared.detected_type,
                sha256=sha,
                size=size,
                facts=prepared.facts,
                family_id=parent.family_id if parent else None,
                parent_name=Path(parent.filed_path).name if parent and parent.filed_path else None,
                child_index=child_index,
                filed_suffix=filed_suffix,
            )
            decision = decide(self.router, candidate, refused)
            result = self._file(path, origin, candidate, prepared, decision, parent)
            if result.status is Outcome.FILED and prepared.children and result.document_id:
                result.children = self._file_children(result, prepared, depth)
            return result
        finally:
            if workdir.exists():
                shutil.rmtree(workdir, ignore_errors=True)

    def _prepare(self, path: Path, sha: str, workdir: Path) -> tuple[Prepared, str | None]:
        """Run the preparer. A file it cannot prepare (an IntakeError: damaged, locked,
        hostile) goes to Review/ unchanged with the reason; so does an unexpected failure,
        so one bad file never stops the rest. Returns (prepared, review reason or None)."""
        try:
            return self.preparer.prepare(path, sha, workdir), None
        except IntakeError as exc:
            reason = exc.message
            detected = getattr(exc, "detected_type", None)
            flags = tuple(getattr(exc, "flags", ()))
        except Exception as exc:  # a converter bug or a library crash on odd input
            note = f"{exc.__class__.__name__}: {exc}"[:300]
            reason = (f"{path}: could not be prepared for filing ({note}). The file is kept "
                      "unchanged; check it by hand")
            detected, flags = None, ()
        detected = detected or detect_type(path)
        return Prepared(detected_type=detected, filed_from=path, flags=flags), reason

    def _file_children(
        self, parent_result: IngestResult, prepared: Prepared, depth: int
    ) -> list[IngestResult]:
        assert parent_result.document_id is not None
        parent = self.ledger.document(parent_result.document_id)
        assert parent is not None
        results = []
        for index, child in enumerate(prepared.children, start=1):
            if depth + 1 > MAX_CHILD_DEPTH:
                results.append(
                    IngestResult(str(child.name), Outcome.ERROR, reason="nested too deeply")
                )
                continue
            origin = _Origin(None, PurePosixPath(child.name))
            try:
                results.append(
                    self._ingest(
                        child,
                        origin,
                        parent.matter_id,
                        parent=parent,
                        child_index=index,
                        depth=depth + 1,
                    )
                )
            except (IntakeError, OSError) as exc:
                results.append(IngestResult(child.name, Outcome.ERROR, reason=str(exc)))
        return results

    def _plan(
        self, candidate: Candidate, decision: Decision, prepared: Prepared, origin: _Origin
    ) -> tuple[DocStatus, list[_Target], DocumentRecord | None]:
        reserved = {str(self.abs(p)) for p in self.ledger.reserved_paths()}
        source, sha = candidate.source, candidate.sha256
        if decision.review_reason or not decision.matter:
            dest = unique_path(self.ws.review, source.name, reserved)
            return DocStatus.REVIEW, [_Target(source, dest, sha, False)], None
        first = self.ledger.find_filed(decision.matter, sha)
        if first is not None:
            if not origin.removable:
                return DocStatus.DUPLICATE, [], first
            dest = unique_path(self.ws.duplicates, source.name, reserved)
            return DocStatus.DUPLICATE, [_Target(source, dest, sha, False)], first
        original = unique_path(self.ws.originals_dir(decision.matter), source.name, reserved)
        reserved.add(str(original))
        folder = self.ws.matter_dir(decision.matter) / decision.folder
        if not is_within(folder, self.ws.matter_dir(decision.matter)):
            raise IntakeError(
                f"the rule {decision.rule!r} put the file outside its matter folder",
                path=source,
                fix="correct the rule's folder template",
            )
        filed = unique_path(folder, decision.filename or source.name, reserved)
        filed_sha = sha if prepared.filed_from == source else sha256_file(prepared.filed_from)
        return DocStatus.FILED, [
            _Target(source, original, sha, True),
            _Target(prepared.filed_from, filed, filed_sha, True),
        ], None

    def _file(
        self,
        path: Path,
        origin: _Origin,
        candidate: Candidate,
        prepared: Prepared,
        decision: Decision,
        parent: DocumentRecord | None,
    ) -> IngestResult:
        for attempt in range(3):
            status, targets, first = self._plan(candidate, decision, prepared, origin)
            try:
                return self._execute(
                    path, origin, candidate, prepared, decision, parent, status, targets, first
                )
            except _NameTaken:
                if attempt == 2:
                    raise FilingError(
                        "three names in a row were taken by another workstation", path=path,
                        fix="ingest again",
                    ) from None
        raise AssertionError("unreachable")

    def _execute(
        self,
        path: Path,
        origin: _Origin,
        candidate: Candidate,
        prepared: Prepared,
        decision: Decision,
        parent: DocumentRecord | None,
        status: DocStatus,
        targets: list[_Target],
        first: DocumentRecord | None,
    ) -> IngestResult:
        matter = decision.matter
        sha = candidate.sha256
        original = next((t for t in targets if t.read_only and t.src == path), None)
        filed = targets[-1] if targets else None
        with self.ledger.transaction(decision.rules_version) as txn:
            self._record_removed(txn)
            if matter:
                txn.ensure_matter(matter)
            family = parent.family_id if parent else None
            doc_id = txn.insert_document(
                sha256=sha,
                size=candidate.size,
                detected_type=prepared.detected_type,
                source_path=str(path),
                original_path=self.rel(original.dest) if original else None,
                filed_path=self.rel(filed.dest) if filed else None,
                filed_sha256=filed.sha256 if filed else None,
                matter_id=matter,
                category=decision.category,
                document_date=decision.document_date,
                status=DocStatus.PENDING,
                target_status=status,
                family_id=family,
                parent_id=parent.id if parent else None,
                rule=decision.rule,
                reason=decision.review_reason,
                source_cleared=False,
            )
            if parent is None and prepared.children:
                txn.update_document(doc_id, family_id=f"F{doc_id:06d}")
            txn.add_event(
                EventKind.RECEIVED,
                document_id=doc_id,
                matter_id=matter,
                path_before=str(path),
                sha256_before=sha,
                detail={"size": candidate.size, "detected_type": prepared.detected_type,
                        "parent": parent.id if parent else None},
            )
        self._fault("intent_recorded")
        written: list[Path] = []
        try:
            for target in targets:
                self.mover.place_copy(
                    target.src, target.dest, target.sha256, tag=f"d{doc_id}",
                    read_only=target.read_only,
                )
                written.append(target.dest)
        except FilingError as exc:
            for dest in written:
                self.mover.discard(dest)
            with self.ledger.transaction(decision.rules_version) as txn:
                txn.update_document(
                    doc_id, status=DocStatus.ROLLED_BACK, reason=exc.message, source_cleared=True
                )
                txn.add_event(
                    EventKind.ROLLED_BACK, document_id=doc_id, matter_id=matter,
                    path_before=str(path), sha256_before=sha, detail={"reason": exc.message},
                )
            if isinstance(exc.__cause__, FileExistsError):
                raise _NameTaken() from exc
            raise
        doc = self._finish(doc_id, status, decision, prepared, origin, first)
        if doc.filed_path:  # full-text search (issue 14); never stops a filing
            index_document(self.ledger, doc.id, self.ws.root / doc.filed_path, prepared.facts)
        self._clear_source(doc, origin.removable)
        result = self._result(doc, first)
        result.flags = list(prepared.flags)
        result.notes = _notes(prepared)
        return result

    def _finish(
        self,
        doc_id: int,
        status: DocStatus,
        decision: Decision,
        prepared: Prepared,
        origin: _Origin,
        first: DocumentRecord | None,
    ) -> DocumentRecord:
        """Mark the row done and record what was written, in one transaction."""
        doc = self.ledger.document(doc_id)
        assert doc is not None
        with self.ledger.transaction(decision.rules_version) as txn:
            fields: dict[str, Any] = {"status": status}
            if not origin.removable:
                fields["source_cleared"] = True
            txn.update_document(doc_id, **fields)
            self._record_outcome(txn, doc, status, prepared, first, decision.review_reason)
        self._fault("marked_done")
        done = self.ledger.document(doc_id)
        assert done is not None
        return done

    def _record_outcome(
        self,
        txn: Any,
        doc: DocumentRecord,
        status: str,
        prepared: Prepared | None,
        first: DocumentRecord | None,
        reason: str | None,
    ) -> None:
        common: dict[str, Any] = {"document_id": doc.id, "matter_id": doc.matter_id}
        if status == DocStatus.FILED:
            txn.add_event(
                EventKind.ORIGINAL_PRESERVED, **common, path_before=doc.source_path,
                path_after=doc.original_path, sha256_before=doc.sha256,
                sha256_after=doc.sha256, detail={"read_only": True},
            )
            for conversion in prepared.conversions if prepared else ():
                # A step may name its event kind (OCR) and the hashes it went between.
                kind = EventKind.OCR if conversion.get("step") == "ocr" else EventKind.CONVERTED
                txn.add_event(
                    kind, **common, path_before=doc.original_path,
                    path_after=doc.filed_path,
                    sha256_before=conversion.get("sha256_before", doc.sha256),
                    sha256_after=conversion.get("sha256_after", doc.filed_sha256),
                    detail=conversion,
                )
            txn.add_event(
                EventKind.FILED, **common, path_before=doc.source_path,
                path_after=doc.filed_path, sha256_before=doc.sha256,
                sha256_after=doc.filed_sha256,
                detail={"rule": doc.rule, "category": doc.category,
                        "flags": list(prepared.flags) if prepared else [],
                        **({"notes": _notes(prepared)} if prepared and _notes(prepared)
                           else {})},
            )
        elif status == DocStatus.REVIEW:
            txn.add_event(
                EventKind.ROUTED_TO_REVIEW, **common, path_before=doc.source_path,
                path_after=doc.filed_path, sha256_before=doc.sha256, sha256_after=doc.sha256,
                detail={"reason": reason or doc.reason,
                        **({"flags": list(prepared.flags)} if prepared and prepared.flags
                           else {})},
            )
        elif status == DocStatus.DUPLICATE:
            txn.add_event(
                EventKind.DUPLICATE, **common, path_before=doc.source_path,
                path_after=doc.filed_path, sha256_before=doc.sha256, sha256_after=doc.sha256,
                detail={"duplicate_of": first.id if first else None},
            )

    def _clear_source(self, doc: DocumentRecord, removable: bool) -> None:
        """Remove the intake source (only after its row is done) and record it."""
        if doc.source_cleared or not removable:
            return
        src = Path(doc.source_path)
        if src.exists():
            if sha256_file(src) != doc.sha256:
                # Someone wrote a new file under the same name: it is new evidence, keep it.
                with self.ledger.transaction() as txn:
                    txn.update_document(doc.id, source_cleared=True)
                return
            self.mover.remove_source(src)
        # Recorded with the next transaction (or by flush()); recovery covers a crash between.
        self._removed.append(doc)

    def _result(self, doc: DocumentRecord, first: DocumentRecord | None) -> IngestResult:
        if doc.status == DocStatus.DUPLICATE and first is not None:
            return IngestResult(
                doc.source_path, Outcome.DUPLICATE,
                path=str(self.abs(first.filed_path)) if first.filed_path else None,
                original=str(self.abs(first.original_path)) if first.original_path else None,
                sha256=doc.sha256, matter=doc.matter_id, document_id=doc.id,
                reason=f"same bytes as document {first.id}"
                + (f"; set aside in {doc.filed_path}" if doc.filed_path else ""),
            )
        status = Outcome.REVIEW if doc.status == DocStatus.REVIEW else Outcome.FILED
        return IngestResult(
            doc.source_path, status,
            path=str(self.abs(doc.filed_path)) if doc.filed_path else None,
            original=str(self.abs(doc.original_path)) if doc.original_path else None,
            sha256=doc.sha256, matter=doc.matter_id, reason=doc.reason,
            document_id=doc.id, category=doc.category, rule=doc.rule or "",
            family_id=doc.family_id,
        )

    # ---- recovery ------------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Finish or roll back every unfinished row (run at start-up). Returns what it did."""
        actions = []
        for doc in self.ledger.unfinished():
            if doc.status == DocStatus.PENDING:
                actions.append(self._recover_pending(doc))
            elif doc.status != DocStatus.ROLLED_BACK:
                self._clear_source(doc, self._removable(doc))
                actions.append(f"document {doc.id}: source cleared")
        self.flush()
        return actions

    def _removable(self, doc: DocumentRecord) -> bool:
        src = Path(doc.source_path)
        return any(is_within(src, f.path) for f in self.intake_folders)

    def _recover_pending(self, doc: DocumentRecord) -> str:
        targets: list[tuple[Path, str]] = []
        if doc.original_path:
            targets.append((self.abs(doc.original_path), doc.sha256))
        if doc.filed_path:
            targets.append((self.abs(doc.filed_path), doc.filed_sha256 or doc.sha256))
        for dest, _ in targets:
            self.mover.discard(tmp_path_for(dest, f"d{doc.id}"))
        complete = all(d.is_file() and sha256_file(d) == s for d, s in targets)
        removable = self._removable(doc)
        # The filed document with these bytes: for a duplicate, the one it duplicates; for a
        # filing, proof that another process (a watcher on another workstation) filed the
        # same source while this row was unfinished, so completing it would file it twice.
        first = self.ledger.find_filed(doc.matter_id, doc.sha256) if doc.matter_id else None
        filed_elsewhere = first if doc.target_status == DocStatus.FILED else None
        if complete and filed_elsewhere is None:
            with self.ledger.transaction() as txn:
                fields: dict[str, Any] = {"status": doc.target_status}
                if not removable:
                    fields["source_cleared"] = True
                txn.update_document(doc.id, **fields)
                txn.add_event(
                    EventKind.RECOVERED, document_id=doc.id, matter_id=doc.matter_id,
                    detail={"action": "completed", "after": "interrupted filing"},
                )
                self._record_outcome(txn, doc, doc.target_status, None, first, doc.reason)
            done = self.ledger.document(doc.id)
            assert done is not None
            self._clear_source(done, removable)
            return f"document {doc.id}: completed"
        # Roll back: remove only our own verified copies, and only while the source remains.
        src = Path(doc.source_path)
        source_intact = src.is_file() and sha256_file(src) == doc.sha256
        removed = []
        if source_intact or filed_elsewhere is not None:
            for dest, sha in targets:
                if dest.is_file() and sha256_file(dest) == sha:
                    self.mover.discard(dest)
                    removed.append(self.rel(dest))
        with self.ledger.transaction() as txn:
            txn.update_document(doc.id, status=DocStatus.ROLLED_BACK, source_cleared=True,
                                reason="interrupted before filing finished")
            txn.add_event(
                EventKind.RECOVERED, document_id=doc.id, matter_id=doc.matter_id,
                path_before=doc.source_path, sha256_before=doc.sha256,
                detail={"action": "rolled_back", "removed_partial_copies": removed,
                        "source_intact": source_intact,
                        "filed_elsewhere_as": filed_elsewhere.id if filed_elsewhere else None},
            )
        return f"document {doc.id}: rolled back"


def _notes(prepared: Prepared) -> list[str]:
    """What a person should know about a filed document (e.g. how to install a converter)."""
    notes = prepared.facts.get("notes") or []
    return [str(n) for n in notes] if isinstance(notes, list | tuple) else [str(notes)]


class _NameTaken(Exception):
    """Another process took the planned name between planning and renaming."""

