"""The review queue: documents the filer would not guess about, and how a person resolves them.

Each action (assign a matter and category, retry with the current rules, file by hand)
claims the document, prepares the copy kept in Review/ with the filer's preparer, routes
it (assign: the naming rule for the chosen category decides folder and name), and files it
through the same plan and execute steps as ingest: a pending row first, then the mover,
then the row done, and only then the Review/ copy removed. A crash at any point is
finished or rolled back by `Filer.recover()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing import Filer, FilingPlan, Source, SourceKind
from intake_desktop.core.filing.claims import document_key
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind
from intake_desktop.core.paths import is_within, nfc
from intake_desktop.core.pipeline import Candidate, Decision, Prepared, decide
from intake_desktop.core.roles import Capability, require
from intake_desktop.core.walls import check_matter, screened

OPENED = EventKind.OPENED


class ReviewError(IntakeError):
    """A review action could not be carried out; nothing was moved."""


@dataclass(frozen=True)
class Resolution:
    """What an action did: the document as it is now, and a sentence for the window."""

    document: DocumentRecord
    message: str
    plan: FilingPlan | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        return self.plan.flags if self.plan else ()

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
        """Every document waiting in review, oldest first (less those of matters the acting
        person is screened from)."""
        hidden = screened(self.ledger)
        return [d for d in self.ledger.docs.documents(status=DocStatus.REVIEW)
                if d.matter_id not in hidden]

    def review_copy(self, doc: DocumentRecord) -> Path:
        if not doc.filed_path:
            raise ReviewError(f"document {doc.id} has no copy in Review/", fix="ingest it again")
        return self.ws.root / doc.filed_path

    # ---- actions -------------------------------------------------------------------------

    def assign(self, doc_id: int, matter: str, category: str = "") -> Resolution:
        """File under `matter` with the naming rules; with `category`, the rule for that
        category decides folder and name (the matter's defaults when no rule has it)."""
        matter = nfc(matter.strip())
        category = category.strip()
        if not matter:
            raise ReviewError("choose a matter first", fix="pick or type the matter number")
        require(self.ledger, Capability.REVIEW)
        check_matter(self.ledger, matter, "file a document into")
        with self._acting_on(doc_id) as (_doc, work):
            decision = work.route(matter, category)
            if decision.review_reason or not decision.matter:
                # The rules still would not file it: file it by the matter's defaults instead.
                decision = Decision(
                    matter=matter, category=decision.category, rule="assigned by hand",
                    document_date=decision.document_date, rules_version=decision.rules_version,
                )
            decision = replace(decision, matter=matter)
            if category:
                decision = replace(decision, category=category)
            return work.file(decision, "assign")

    def retry(self, doc_id: int) -> Resolution:
        """Route again with the current rules (after a rule change or a fixed source)."""
        require(self.ledger, Capability.REVIEW)
        with self._acting_on(doc_id) as (doc, work):
            decision = work.route(doc.matter_id, "")
            check_matter(self.ledger, decision.matter, "file a document into")
            if decision.review_reason or not decision.matter:
                reason = decision.review_reason or "still no matter"
                with self.ledger.transaction(decision.rules_version) as txn:
                    txn.update_document(doc.id, reason=reason, rule=decision.rule)
                    txn.add_event(
                        EventKind.ROUTED_TO_REVIEW, document_id=doc.id,
                        matter_id=doc.matter_id, path_before=doc.filed_path,
                        path_after=doc.filed_path, sha256_before=doc.sha256,
                        sha256_after=doc.sha256, detail={"action": "retry", "reason": reason},
                    )
                now = self.ledger.docs.document(doc.id)
                assert now is not None
                return Resolution(now, f"Still needs review: {reason}")
            return work.file(decision, "retry")

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
        require(self.ledger, Capability.REVIEW)
        check_matter(self.ledger, matter, "file a document into")
        with self._acting_on(doc_id) as (_doc, work):
            decision = Decision(
                matter=matter,
                folder="" if str(folder_path) == "." else folder_path.as_posix(),
                filename=filename.strip(),
                category=category.strip(),
                rule="filed by hand",
            )
            return work.file(decision, "file_by_hand")

    def record_opened(self, doc_id: int) -> None:
        """Note in the ledger that a person opened the document."""
        doc = self.ledger.docs.document(doc_id)
        if doc is None:
            raise ReviewError(f"there is no document {doc_id}", fix="refresh the queue")
        check_matter(self.ledger, doc.matter_id, "open a document of")
        self.ledger.chain.record(
            OPENED, document_id=doc.id, matter_id=doc.matter_id, path_before=doc.filed_path,
            sha256_before=doc.filed_sha256 or doc.sha256,
        )

    # ---- steps ---------------------------------------------------------------------------

    @contextmanager
    def _acting_on(self, doc_id: int) -> Iterator[tuple[DocumentRecord, _Work]]:
        """Claim the document (one person, one window at a time), check its Review/ copy,
        prepare it in a work folder, and clean up afterwards."""
        claimant = self.filer.claimant
        with claimant.hold(document_key(doc_id), f"document {doc_id}") as held:
            if not held:
                raise ReviewError(
                    f"document {doc_id} is being handled elsewhere (another window or "
                    "workstation)", fix="refresh the queue in a moment",
                )
            doc = self._review_doc(doc_id)
            check_matter(self.ledger, doc.matter_id, "work on a document of")
            workdir = self.filer.work_folder("review")
            try:
                yield doc, _Work(self, doc, workdir)
            finally:
                if workdir.exists():
                    self.filer.mover.remove_work_folder(workdir, self.ws.work)

    def _review_doc(self, doc_id: int) -> DocumentRecord:
        doc = self.ledger.docs.document(doc_id)
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

    def relative(self, doc: DocumentRecord) -> PurePosixPath:
        """The path the document had below its intake folder (or its name)."""
        src = Path(doc.source_path)
        for folder in self.filer.intake_folders:
            if is_within(src, folder.path) or _under(src, folder.path):
                try:
                    return PurePosixPath(src.relative_to(folder.path).as_posix())
                except ValueError:
                    return PurePosixPath(
                        src.resolve().relative_to(folder.path.resolve()).as_posix())
        return PurePosixPath(src.name)


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


class _Work:
    """One review action on one document: prepared once, routed, planned, executed."""

    def __init__(self, desk: ReviewDesk, doc: DocumentRecord, workdir: Path) -> None:
        self.desk = desk
        self.doc = doc
        filer = desk.filer
        copy = desk.review_copy(doc)
        self.source = Source(SourceKind.REVIEW, copy, desk.relative(doc), document=doc)
        self.prepared: Prepared
        self.prepared, self.refused = filer.prepare(copy, doc.sha256, workdir)

    def candidate(self, matter: str | None, category: str) -> Candidate:
        ledger = self.desk.ledger
        parent = ledger.docs.document(self.doc.parent_id) if self.doc.parent_id else None
        index = 0
        if parent is not None:  # an attachment or member: named with its family, as ingest
            siblings = [d.id for d in ledger.docs.documents() if d.parent_id == parent.id]
            index = siblings.index(self.doc.id) + 1 if self.doc.id in siblings else 0
        return self.desk.filer.candidate(
            self.source, self.prepared, self.doc.sha256, self.doc.size, matter,
            category=category,
            parent_name=Path(parent.filed_path).name if parent and parent.filed_path else None,
            child_index=index,
        )

    def route(self, matter: str | None, category: str) -> Decision:
        hint = matter
        if hint is None:
            relative = self.source.relative
            src = Path(self.doc.source_path)
            if len(relative.parts) > 1 and (is_within(src, self.desk.ws.intake)
                                            or _under(src, self.desk.ws.intake)):
                hint = relative.parts[0]
        return decide(self.desk.filer.router, self.candidate(hint, category), self.refused)

    def file(self, decision: Decision, action: str) -> Resolution:
        assert decision.matter
        filer, ledger = self.desk.filer, self.desk.ledger
        candidate = self.candidate(decision.matter, decision.category)
        who: dict[str, Any] = {"action": action, "user": ledger.actor.user,
                               "role": ledger.actor.role}
        try:
            plan = filer.plan(candidate, decision, self.prepared, self.source)
        except IntakeError as exc:
            raise ReviewError(exc.what, path=exc.path, fix=exc.fix) from exc
        now = filer.execute(plan, self.source, candidate, self.prepared, action=who)
        if plan.status == DocStatus.DUPLICATE and plan.duplicate_of is not None:
            return Resolution(now, f"Already filed as document {plan.duplicate_of.id}; set "
                                   f"aside as a duplicate in {now.filed_path}", plan)
        return Resolution(now, f"Filed in {now.filed_path}", plan)
