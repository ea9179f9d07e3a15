"""Group commit: many files filed with the protocol's promises at a fraction of its cost.

`ingest` stages files one by one (claim, hash, prepare, route, plan: nothing written),
then files the staged batch in four steps:

1. the pending rows of the whole batch (and their `received` events) in one transaction;
2. the copies, each source read once for all its copies, each copy's data synced (several
   files at once, each in a thread), then named in input order, then one fsync per folder
   for the whole batch;
3. the rows done (and the events saying what was filed) in one transaction;
4. the sources removed, one fsync per folder; their removal is recorded with the next
   transaction, as one file at a time always did.

Step 1 and the start of step 2 run when the batch closes (`Batch.commit`); the copies then
go on in threads while the filing step stages the next batch (hashing, preparing, routing
and planning: reading the ledger and the files, writing nothing), and the rest runs when
that next batch closes (or at the end). One batch at a time is in flight: a batch's
pending rows are written only after the batch before it is done, so the ledger reads as
if the batches ran one after the other, and the next batch's names are planned against
the pending rows of the one being copied.

A crash anywhere leaves each file where one-at-a-time filing could have left it (a pending
row with or without its copies, or a done row whose source is still there), and
`Filer.recover` resolves each row by the same rules. Fault points inside a batch
(`batch_intent` between pending rows inside their transaction, `batch_copy` between files'
copies, and the mover's `source_unlinked` between sources removed after the done commit)
let the fault-injection tests crash there.

The batch closes after `BatchLimits.files` files or `bytes` bytes, or once staging has
taken `seconds` (slow conversions make smaller batches, so results keep coming), and
before a file it could not plan without seeing the batch filed: the same bytes as a file
in the batch or in the batch being copied (the second is a duplicate of the first: both
batches are finished first), an email or archive whose attachments are filed under it (the
same), or a change of rules version. A lone file is a batch of
one: its latency is what it was.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_desktop.core.approvals import request_approval
from intake_desktop.core.errors import FilingError
from intake_desktop.core.filing.plan import FilingPlan, ReservingNamer, Source
from intake_desktop.core.filing.results import IngestResult, Outcome
from intake_desktop.core.filing.sidecars import write_sidecar
from intake_desktop.core.filing.translations import link_batch
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import DocStatus, DocumentRecord
from intake_desktop.core.mover import sync_error
from intake_desktop.core.pipeline import Candidate, Decision, PageText, Prepared
from intake_desktop.core.search_text import extract_text

if TYPE_CHECKING:
    from intake_desktop.core.filing.filer import Copied, Filer

log = logging.getLogger(__name__)

# Files of a batch copied at once (each copy's read, hash, write and sync in a thread).
COPY_THREADS = 8


@dataclass(frozen=True)
class BatchLimits:
    """When a batch closes: whichever comes first."""

    files: int = 128
    bytes: int = 128 * 1024 * 1024
    seconds: float = 1.0
    # ... or once it holds this many files while the copying threads have nothing left to
    # do (no batch in flight, or its copies all written): copying starts after the first
    # few files, not after 128, and the last batch, whose copies nothing overlaps, holds
    # only what was staged while the one before it was copied.
    idle_files: int = 32


@dataclass
class Staged:
    """One file claimed, hashed, prepared and routed, waiting for its batch."""

    index: int  # its place among the inputs (results keep the input order)
    source: Source
    hint: str | None
    key: str | None  # the claim held on it (None: the caller holds it)
    size: int
    sha: str
    workdir: Path
    prepared: Prepared
    candidate: Candidate
    decision: Decision
    plan: FilingPlan | None = None
    doc_id: int = 0
    copied: Copied | None = None
    clearing: bool = False  # its source and work folder are the clearing job's


@dataclass
class Batch:
    """Files staged for one group commit."""

    filer: Filer
    limits: BatchLimits = field(default_factory=BatchLimits)
    items: list[Staged] = field(default_factory=list)
    started: float = 0.0
    size: int = 0
    _flight: _Flight | None = None  # the batch being copied

    def fits(self, staged: Staged) -> bool:
        """Can `staged` be planned beside the files already in the batch (and the batch
        being copied)?"""
        if self._flight is not None and staged.sha in self._flight.shas:
            return False
        if not self.items:
            return True
        if staged.decision.rules_version != self.items[0].decision.rules_version:
            return False
        return all(item.sha != staged.sha for item in self.items)

    def add(self, staged: Staged) -> None:
        """Keep `staged` for the batch (planned when the batch closes)."""
        if not self.items:
            self.started = time.monotonic()
        self.items.append(staged)
        self.size += staged.size

    def _plan(self) -> dict[int, IngestResult]:
        """Plan the batch's files in input order, before the batch being copied is
        finished: names reserved against each other and that batch's pending rows, the
        documents with the same bytes read in one query for the whole batch. A file that
        cannot be planned (a link in the way, a rule's folder outside its matter) gets its
        result and leaves the batch."""
        filer = self.filer
        namer = ReservingNamer({str(filer.abs(p)) for p in filer.ledger.docs.reserved_paths()})
        known = filer.ledger.docs.with_bytes(item.sha for item in self.items)
        planned: list[Staged] = []
        results: dict[int, IngestResult] = {}
        for staged in self.items:
            try:
                staged.plan = filer.plan(staged.candidate, staged.decision, staged.prepared,
                                         staged.source, namer, known=known)
            except Exception as exc:
                results[staged.index] = filer._abandon(staged, exc)
                continue
            planned.append(staged)
        self.items = planned
        return results

    @property
    def full(self) -> bool:
        count = len(self.items)
        return bool(self.items) and (
            count >= self.limits.files or self.size >= self.limits.bytes
            or time.monotonic() - self.started >= self.limits.seconds
            or (count >= self.limits.idle_files
                and (self._flight is None or self._flight.copied())))

    def commit(self) -> dict[int, IngestResult]:
        """Finish filing the batch being copied (its results, by input position), then
        record this batch's pending rows and start its copies, which go on while the next
        files are staged; `drain` (or the next `commit`) finishes them."""
        results = self._plan() if self.items else {}
        results.update(self.drain())
        items, self.items, self.size = self.items, [], 0
        self.filer.next_batch()  # the walls and folders are read again for it
        if items:
            self._flight = _Flight(self.filer, items)
            self._flight.start()
            if self._flight.done:
                results.update(self.drain())
        return results

    def drain(self) -> dict[int, IngestResult]:
        """Finish the batch being copied, if any: its results, by input position."""
        flight, self._flight = self._flight, None
        return flight.finish() if flight is not None else {}

    def abandon(self) -> None:
        """Leave the batch being copied as a crash would (its rows pending, for recovery
        at the next start), once its copying threads have ended: for an interruption."""
        flight, self._flight = self._flight, None
        if flight is not None:
            flight.stop()


class _Flight:
    """One batch's filing, in two halves: `start` records its pending rows and starts its
    copies in threads; `finish` names the copies, records the rows done, indexes them and
    removes the sources. Between the two the filer stages the next files (reading the
    ledger, never writing a file); nothing else of the filer runs in the threads."""

    def __init__(self, filer: Filer, items: list[Staged]) -> None:
        self.filer = filer
        self.items = items
        self.shas = {item.sha for item in items}
        self.results: dict[int, IngestResult] = {}
        self.copies: list[Future[Copied | FilingError]] = []
        self.done = False  # finished already (the ledger failed at the start)

    def start(self) -> None:
        try:
            _record_intents(self.filer, self.items)
            threads = self.filer.threads("copy", COPY_THREADS)
            self.copies = [threads.submit(_write_and_sync, self.filer, item)
                           for item in self.items]
        except Exception as exc:  # the ledger failed (disk full): each file says so
            self._failed(exc)
            self.done = True
        except BaseException:
            self.stop()
            raise

    def finish(self) -> dict[int, IngestResult]:
        filer, items, results = self.filer, self.items, self.results
        try:
            if not self.done:
                try:
                    _finish_batch(filer, items, self.copies, results)
                except Exception as exc:  # the ledger failed (disk full): each file says so
                    self._failed(exc)
        finally:
            self.stop()
            for item in items:  # those the clearing job does not remove
                if not item.clearing and item.workdir.exists():
                    filer.mover.remove_work_folder(item.workdir, filer.ws.work)
            # A claim ends once its source is gone: those the clearing job holds after it.
            keys = [item.key for item in items if item.key and not item.clearing]
            keys += filer.released_claims()
            if keys:
                filer.give_back(keys)
        return results

    def copied(self) -> bool:
        """Whether every copy of the batch is written and synced (or failed)."""
        return all(future.done() for future in self.copies)

    def stop(self) -> None:
        """Wait for the batch's copies to end (what they wrote stays for `finish`, or for
        recovery when there is none)."""
        wait(self.copies)

    def _failed(self, exc: Exception) -> None:
        for item in self.items:
            if item.index not in self.results:
                self.results[item.index] = self.filer.failure(item.source.path, exc)


def _documents(filer: Filer, ids: list[int]) -> dict[int, DocumentRecord]:
    """The rows of a batch, read at once (ids of one batch are close together)."""
    if not ids:
        return {}
    low, high = min(ids), max(ids)
    wanted = set(ids)
    rows = filer.ledger.docs.documents(after_id=low - 1, limit=high - low + 1)
    found = {doc.id: doc for doc in rows if doc.id in wanted}
    for doc_id in wanted - found.keys():  # rows of other processes in between
        doc = filer.ledger.docs.document(doc_id)
        if doc is not None:
            found[doc_id] = doc
    return found


def _record_intents(filer: Filer, items: list[Staged]) -> None:
    """Step 1: every pending row of the batch in one transaction."""
    rules_version = items[0].decision.rules_version
    # 1. Every pending row in one transaction.
    with filer.ledger.transaction(rules_version) as txn:
        filer._record_removed(txn)
        for n, item in enumerate(items):
            if n:
                filer._fault("batch_intent")  # a crash here rolls the transaction back
            assert item.plan is not None
            item.doc_id = filer.record_intent(txn, item.plan, item.source, item.candidate,
                                              item.prepared)
    filer._fault("intent_recorded")


def _finish_batch(filer: Filer, items: list[Staged],
                  copies: list[Future[Copied | FilingError]],
                  results: dict[int, IngestResult]) -> None:
    """Steps 2-4, once the copies (started by `_Flight.start`) are written and synced."""
    rules_version = items[0].decision.rules_version
    # 2. The copies: each source read once into its temporary copies, synced, then named
    # in input order; each folder fsynced once.
    retry: list[Staged] = []

    def give_up(item: Staged, exc: FilingError) -> None:
        filer._roll_back(item.doc_id, exc.message, rules_version)
        if isinstance(exc.__cause__, FileExistsError):
            retry.append(item)  # another workstation took the name: plan it again
        else:
            results[item.index] = IngestResult(str(item.source.path), Outcome.ERROR,
                                               reason=exc.message)

    copied: list[Staged] = []
    folders: set[Path] = set()
    # Each file was read, hashed, written and synced in a thread of its own (the reads,
    # hashes, writes and syncs of several files overlap, and overlap the staging of the
    # next files: both cores are busy and the filesystem commits concurrent syncs
    # together); each is named here, in input order, once its data is durable.
    for n, (item, future) in enumerate(zip(items, copies, strict=True)):
        if n:
            filer._fault("batch_copy")
        assert item.plan is not None
        outcome = future.result()
        try:
            if isinstance(outcome, FilingError):
                raise outcome
            item.copied = outcome
            filer.link_targets(outcome)
        except FilingError as exc:
            give_up(item, exc)
            continue
        folders |= outcome.folders
        copied.append(item)
    filer.mover.sync_folders(folders)
    # 3. Every row done in one transaction.
    if copied:
        rows = _documents(filer, [item.doc_id for item in copied])
        changes: dict[int, dict[str, Any]] = {}
        for item in copied:
            assert item.plan is not None
            changes[item.doc_id] = {"status": item.plan.status}
            if not item.source.removable:
                changes[item.doc_id]["source_cleared"] = True
        with filer.ledger.transaction(rules_version) as txn:
            txn.update_documents(list(changes.items()))  # one statement, then the events
            for item in copied:
                plan = item.plan
                assert plan is not None
                filer._record_outcome(
                    txn, rows[item.doc_id], plan.status, item.prepared, plan.duplicate_of,
                    plan.reason, flags=plan.flags, date_source=plan.decision.date_source)
                if plan.status == DocStatus.FILED and plan.decision.approval:
                    # provisional: a lawyer decides
                    request_approval(txn, rows[item.doc_id], plan.decision)
        filer._fault("marked_done")
        # The rows as now written (not read back: this process wrote them).
        done = {doc_id: replace(rows[doc_id], **fields) for doc_id, fields in changes.items()}
        _index(filer, copied, done)
        # issue 23: translation <-> original
        link_batch(filer.ledger, [done[item.doc_id] for item in copied], filer.ws.root)
        for item in copied:
            plan, doc = item.plan, done[item.doc_id]
            assert plan is not None
            if plan.status == DocStatus.REVIEW and plan.filed is not None:
                write_sidecar(filer.mover, plan.filed.dest,
                              plan.reason or "needs a person's decision", filer.ws,
                              source=doc.source_path, sha256=doc.sha256, document_id=doc.id)
        # 4. The sources, only now (in the clearing thread).
        _clear_sources(filer, copied, done)
        for item in copied:
            plan = item.plan
            assert plan is not None
            result = filer._result(done[item.doc_id], plan.duplicate_of)
            result.flags = list(item.prepared.flags)
            result.notes = _notes(item.prepared)
            results[item.index] = result
    for item in retry:
        try:
            results[item.index] = filer._file(item.source, item.candidate, item.prepared,
                                              item.decision)
        except Exception as exc:
            results[item.index] = filer.failure(item.source.path, exc)


def _write_and_sync(filer: Filer, item: Staged) -> Copied | FilingError:
    """In a copying thread: a staged file's temporary copies written, checked and synced
    (not named); its FilingError (nothing of it left) when that failed."""
    assert item.plan is not None
    try:
        copied = filer.write_targets(item.plan, item.doc_id)
    except FilingError as exc:
        return exc
    failed = [e for w in copied.unsynced if (e := filer.mover.sync_one(w)) is not None]
    if failed:
        filer.drop_targets(copied)
        return sync_error(failed[0], item.plan.targets[0].dest)
    return copied


def _index(filer: Filer, items: list[Staged], done: dict[int, DocumentRecord]) -> None:
    """Full-text search for the batch, in one transaction; never stops a filing."""
    texts = []
    for item in items:
        doc = done[item.doc_id]
        if doc.filed_path:
            try:
                body, pages = extract_text(filer.ws.root / doc.filed_path, item.prepared.facts,
                                           _known_text(item, doc))
            except Exception:  # search is not custody; the index can be rebuilt
                continue
            texts.append((doc.id, body, pages))
    try:
        filer.ledger.docs.set_document_texts(texts)
    except Exception as exc:  # the filing is done and recorded; the index can be rebuilt
        log.warning("%d documents were filed but not indexed for search: %s", len(texts), exc)


def _known_text(item: Staged, doc: DocumentRecord) -> PageText | None:
    """The text read while preparing, when the filed copy is the file it was read from (a
    filed document's copy is `filed_from`, the OCRed or converted one included; Review/ and
    duplicates keep the source)."""
    prepared = item.prepared
    if prepared.filed_from == item.source.path or doc.status == DocStatus.FILED:
        return prepared.text
    return None


def _clear_sources(filer: Filer, items: list[Staged], done: dict[int, DocumentRecord]) -> None:
    """Step 4, in the filer's clearing thread (`Filer.clear_later`): the filing step goes
    on with the next batch while the sources are checked and removed."""
    wanted = [(done[item.doc_id], item.copied) for item in items
              if not done[item.doc_id].source_cleared and item.source.removable]
    workdirs = [item.workdir for item in items]
    keys = [item.key for item in items if item.key]
    for item in items:
        item.clearing = True
    if items:
        filer.clear_later(lambda: _remove_sources(filer, wanted, workdirs, keys))


def _remove_sources(filer: Filer, wanted: list[tuple[DocumentRecord, Copied | None]],
                    workdirs: list[Path], keys: list[str]) -> Cleared:
    """Each source still the file that was copied removed (a new file under the same name
    is new evidence: kept, and no longer this document's source); the work folders too."""
    from intake_desktop.core.filing.filer import _unchanged_since

    remove: list[Path] = []
    cleared = Cleared(keys=keys)
    for doc, copied in wanted:
        src = Path(doc.source_path)
        if src.exists():
            if not _unchanged_since(src, copied) and sha256_file(src) != doc.sha256:
                cleared.kept.append(doc.id)
                continue
            remove.append(src)
        cleared.removed.append(doc)
    for workdir in workdirs:
        if workdir.exists():
            filer.mover.remove_work_folder(workdir, filer.ws.work)
    try:
        filer.mover.remove_sources(remove)
    except OSError as exc:  # left in Intake/: the next start-up removes it
        cleared.removed = [doc for doc in cleared.removed
                           if not Path(doc.source_path).exists()]
        cleared.error = exc
    return cleared


@dataclass
class Cleared:
    """What a clearing job did: documents whose source is gone (recorded as removed),
    those whose name now holds a new file (kept), the claims it may now give back, and an
    error that stopped it."""

    removed: list[DocumentRecord] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    error: OSError | None = None


def _notes(prepared: Prepared) -> list[str]:
    from intake_desktop.core.filing.filer import _notes as notes

    return notes(prepared)
