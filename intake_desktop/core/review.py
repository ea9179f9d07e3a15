"""The review queue: documents the filer would not guess about, and how a person resolves them.

Each action (assign a matter and category, retry with the current rules, file by hand)
files the copy kept in Review/ through the filer's preparer and router and the `Mover`,
records every step in the ledger under the acting user, and only then removes the
Review/ copy (the original is kept byte-identical and read-only in the matter).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.errors import FilingError, IntakeError
from intake_desktop.core.filing import Filer
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind
from intake_desktop.core.mover import unique_path
from intake_desktop.core.paths import is_within, nfc
from intake_desktop.core.pipeline import Candidate, Decision

OPENED = EventKind.OPENED


class ReviewError(IntakeError):
    """A review action could not be carried out; nothing was moved."""


@dataclass(frozen=True)
class Resolution:
    """What an action did: the document as it is now, and a sentence for the window."""

    document: DocumentRecord
    message: str

    @property
    def resolved(self) -> bool:
        return self.document.status != DocStatus.REVIEW


class ReviewDesk:
    """Actions on the review queue, carried out with a filer's stages and ledger."""

    def __init__(self, filer: Filer) -> None:
        self.filer = filer
        self.ws = filer.ws
        self.ledger = filer.ledger

    def items(self) -> list[DocumentRecord]:
        """Every document waiting in review, oldest first."""
        return self.ledger.documents(status=DocStatus.REVIEW)

    def review_copy(self, doc: DocumentRecord) -> Path:
        if not doc.filed_path:
            raise ReviewError(f"document {doc.id} has no copy in Review/", fix="ingest it again")
        return self.ws.root / doc.filed_path

    # ---- actions -------------------------------------------------------------------------

    def assign(self, doc_id: int, matter: str, category: str = "") -> Resolution:
        """File under `matter` with the naming rules; `category` overrides the rules' one."""
        matter = nfc(matter.strip())
        if not matter:
            raise ReviewError("choose a matter first", fix="pick or type the matter number")
        doc = self._review_doc(doc_id)
        decision = self._route(doc, matter)
        if decision.review_reason or not decision.matter:
            # The rules still would not file it: file it by the matter's defaults instead.
            decision = Decision(
                matter=matter, folder=decision.folder, filename=decision.filename,
                category=decision.category, rule="assigned by hand",
                document_date=decision.document_date, rules_version=decision.rules_version,
            )
        decision = replace(decision, matter=matter)
        if category.strip():
            decision = replace(decision, category=category.strip())
        return self._file(doc, decision, "assign")

    def retry(self, doc_id: int) -> Resolution:
        """Route again with the current rules (after a rule change or a fixed source)."""
        doc = self._review_doc(doc_id)
        decision = self._route(doc, doc.matter_id)
        if decision.review_reason or not decision.matter:
            reason = decision.review_reason or "still no matter"
            with self.ledger.transaction(decision.rules_version) as txn:
                txn.update_document(doc.id, reason=reason, rule=decision.rule)
                txn.add_event(
                    EventKind.ROUTED_TO_REVIEW, document_id=doc.id, matter_id=doc.matter_id,
                    path_before=doc.filed_path, path_after=doc.filed_path,
                    sha256_before=doc.sha256, sha256_after=doc.sha256,
                    detail={"action": "retry", "reason": reason},
                )
            now = self.ledger.document(doc.id)
            assert now is not None
            return Resolution(now, f"Still needs review: {reason}")
        return self._file(doc, decision, "retry")

    def file_by_hand(
        self, doc_id: int, *, matter: str, folder: str = "", filename: str = "",
        category: str = "",
    ) -> Resolution:
        """File exactly where a person says (inside the matter's folder)."""
        matter = nfc(matter.strip())
        if not matter:
            raise ReviewError("choose a matter first", fix="pick or type the matter number")
        folder_path = PurePosixPath(folder.strip().replace("\\", "/"))
        if folder_path.is_absolute() or ".." in folder_path.parts:
            raise ReviewError(
                f"the folder {folder!r} leaves the matter's folder",
                fix="give a folder inside the matter, such as Correspondence/2024",
            )
        doc = self._review_doc(doc_id)
        decision = Decision(
            matter=matter,
            folder="" if str(folder_path) == "." else folder_path.as_posix(),
            filename=filename.strip(),
            category=category.strip(),
            rule="filed by hand",
        )
        return self._file(doc, decision, "file_by_hand")

    def record_opened(self, doc_id: int) -> None:
        """Note in the ledger that a person opened the document."""
        doc = self.ledger.document(doc_id)
        if doc is None:
            raise ReviewError(f"there is no document {doc_id}", fix="refresh the queue")
        self.ledger.record(
            OPENED, document_id=doc.id, matter_id=doc.matter_id, path_before=doc.filed_path,
            sha256_before=doc.filed_sha256 or doc.sha256,
        )

    # ---- steps ---------------------------------------------------------------------------

    def _review_doc(self, doc_id: int) -> DocumentRecord:
        doc = self.ledger.document(doc_id)
        if doc is None:
            raise ReviewError(f"there is no document {doc_id}", fix="refresh the queue")
        if doc.status != DocStatus.REVIEW:
            raise ReviewError(
                f"document {doc_id} is no longer in review (it is {doc.status})",
                fix="refresh the queue",
            )
        copy = self.review_copy(doc)
        if not copy.is_file():
            raise ReviewError(
                "the copy in Review/ is missing", path=copy,
                fix="put the file back (the ledger history shows its SHA-256) and retry",
            )
        if sha256_file(copy) != doc.sha256:
            raise ReviewError(
                "the copy in Review/ was changed since it arrived", path=copy,
                fix="restore the received version; the ledger history shows its SHA-256",
            )
        return doc

    def _relative(self, doc: DocumentRecord) -> PurePosixPath:
        src = Path(doc.source_path)
        for folder in self.filer.intake_folders:
            if is_within(src, folder.path):
                return PurePosixPath(src.resolve().relative_to(folder.path.resolve()).as_posix())
        return PurePosixPath(src.name)

    def _candidate(self, doc: DocumentRecord, copy: Path, matter: str | None) -> Candidate:
        return Candidate(
            source=copy, relative=self._relative(doc), matter_hint=matter,
            detected_type=doc.detected_type, sha256=doc.sha256, size=doc.size,
        )

    def _route(self, doc: DocumentRecord, matter: str | None) -> Decision:
        copy = self.review_copy(doc)
        hint = matter
        if hint is None:
            relative = self._relative(doc)
            if len(relative.parts) > 1 and is_within(Path(doc.source_path), self.ws.intake):
                hint = relative.parts[0]
        return self.filer.router.route(self._candidate(doc, copy, hint))

    def _file(self, doc: DocumentRecord, decision: Decision, action: str) -> Resolution:
        assert decision.matter
        matter = decision.matter
        copy = self.review_copy(doc)
        copy_rel = doc.filed_path
        first = self.ledger.find_filed(matter, doc.sha256)
        reserved = {str(self.ws.root / p) for p in self.ledger.reserved_paths()}
        mover = self.filer.mover
        common: dict[str, Any] = {"document_id": doc.id, "matter_id": matter}
        who = {"action": action, "user": self.ledger.actor.user, "role": self.ledger.actor.role}
        if first is not None:
            dest = unique_path(self.ws.duplicates, copy.name, reserved)
            mover.place_copy(copy, dest, doc.sha256, tag=f"r{doc.id}")
            with self.ledger.transaction(decision.rules_version) as txn:
                txn.ensure_matter(matter)
                txn.update_document(
                    doc.id, status=DocStatus.DUPLICATE, target_status=DocStatus.DUPLICATE,
                    matter_id=matter, filed_path=self.filer.rel(dest),
                    reason=f"same bytes as document {first.id}",
                )
                txn.add_event(
                    EventKind.DUPLICATE, **common, path_before=copy_rel,
                    path_after=self.filer.rel(dest), sha256_before=doc.sha256,
                    sha256_after=doc.sha256, detail={"duplicate_of": first.id, **who},
                )
                txn.add_event(EventKind.REVIEW_RESOLVED, **common, detail={**who,
                              "outcome": "duplicate", "review_copy_removed": copy_rel})
            mover.discard(copy)
            now = self.ledger.document(doc.id)
            assert now is not None
            return Resolution(now, f"Already filed as document {first.id}; set aside as a "
                                   f"duplicate in {now.filed_path}")

        self.ws.work.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="review-", dir=self.ws.work))
        written: list[Path] = []
        try:
            prepared = self.filer.preparer.prepare(copy, doc.sha256, workdir)
            original = unique_path(self.ws.originals_dir(matter), copy.name, reserved)
            reserved.add(str(original))
            folder = self.ws.matter_dir(matter) / decision.folder
            if not is_within(folder, self.ws.matter_dir(matter)):
                raise ReviewError(
                    f"the folder {decision.folder!r} is outside the matter's folder",
                    fix="choose a folder inside the matter",
                )
            name = decision.filename or copy.name
            if prepared.filed_from != copy:
                suffix = prepared.filed_from.suffix.lower()
                if suffix and not name.lower().endswith(suffix):
                    name += suffix
            filed = unique_path(folder, name, reserved)
            filed_sha = (
                doc.sha256 if prepared.filed_from == copy else sha256_file(prepared.filed_from)
            )
            try:
                mover.place_copy(copy, original, doc.sha256, tag=f"r{doc.id}", read_only=True)
                written.append(original)
                mover.place_copy(
                    prepared.filed_from, filed, filed_sha, tag=f"r{doc.id}", read_only=True
                )
                written.append(filed)
            except FilingError:
                for path in written:
                    mover.discard(path)
                raise
            original_rel, filed_rel = self.filer.rel(original), self.filer.rel(filed)
            with self.ledger.transaction(decision.rules_version) as txn:
                txn.ensure_matter(matter)
                txn.update_document(
                    doc.id, status=DocStatus.FILED, target_status=DocStatus.FILED,
                    matter_id=matter, category=decision.category,
                    document_date=decision.document_date or doc.document_date,
                    rule=decision.rule, reason=None, original_path=original_rel,
                    filed_path=filed_rel, filed_sha256=filed_sha,
                    detected_type=prepared.detected_type,
                )
                txn.add_event(
                    EventKind.ORIGINAL_PRESERVED, **common, path_before=copy_rel,
                    path_after=original_rel, sha256_before=doc.sha256,
                    sha256_after=doc.sha256, detail={"read_only": True, **who},
                )
                for conversion in prepared.conversions:
                    txn.add_event(
                        EventKind.CONVERTED, **common, path_before=original_rel,
                        path_after=filed_rel, sha256_before=doc.sha256,
                        sha256_after=filed_sha, detail=conversion,
                    )
                txn.add_event(
                    EventKind.FILED, **common, path_before=copy_rel, path_after=filed_rel,
                    sha256_before=doc.sha256, sha256_after=filed_sha,
                    detail={"rule": decision.rule, "category": decision.category, **who},
                )
                txn.add_event(
                    EventKind.REVIEW_RESOLVED, **common, path_before=copy_rel,
                    path_after=filed_rel, sha256_before=doc.sha256, sha256_after=filed_sha,
                    detail={**who, "outcome": "filed", "previous_reason": doc.reason,
                            "review_copy_removed": copy_rel},
                )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        mover.discard(copy)
        now = self.ledger.document(doc.id)
        assert now is not None
        return Resolution(now, f"Filed in {now.filed_path}")
