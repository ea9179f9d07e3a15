"""Where each exhibit's PDF comes from (a file, or a filed ledger document), and the plan:
labels, hashes and page counts, before any Bates number is taken."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from intake_desktop.core.exhibits.labels import exhibit_id, full_label
from intake_desktop.core.exhibits.model import BuildError, BuiltExhibit, ResolvedSource, Resolver
from intake_desktop.core.exhibits.spec import ExhibitEntry, ExhibitSetSpec
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger.records import DocStatus, DocumentRecord
from intake_desktop.core.pdf.stamp import StampError, open_for_stamping
from intake_desktop.core.progress import ProgressCallback, no_progress


class Documents(Protocol):
    def document(self, doc_id: int) -> DocumentRecord | None: ...

    def documents(self, *, status: str | None = None) -> list[DocumentRecord]: ...


class DocumentLookup(Protocol):
    """The ledger, as far as resolving exhibits goes (`ledger.docs`)."""

    @property
    def docs(self) -> Documents: ...


def file_resolver(entry: ExhibitEntry) -> ResolvedSource:
    """Plain files only (no ledger): document ids and hashes need a workspace."""
    if entry.file is None:
        raise BuildError(
            f"exhibit {entry.position} refers to {entry.reference}, which needs the ledger",
            fix="build it with `intake-desktop exhibits build` in the workspace",
        )
    return ResolvedSource(entry.file)


def ledger_resolver(ledger: DocumentLookup, workspace_root: Path) -> Resolver:
    """Files by path, ledger documents by id or SHA-256 (their filed copy)."""

    def resolve(entry: ExhibitEntry) -> ResolvedSource:
        record: DocumentRecord | None
        if entry.file is not None:
            # A filed document named by its path keeps its custody trail.
            try:
                rel = entry.file.resolve().relative_to(workspace_root.resolve()).as_posix()
            except (ValueError, OSError):
                return ResolvedSource(entry.file)
            record = next(
                (r for r in ledger.docs.documents(status=DocStatus.FILED) if r.filed_path == rel),
                None,
            )
            if record is None:
                return ResolvedSource(entry.file)
            return ResolvedSource(entry.file, document_id=record.id, matter_id=record.matter_id)
        if entry.document_id is not None:
            record = ledger.docs.document(entry.document_id)
        else:
            record = next(
                (r for r in ledger.docs.documents(status=DocStatus.FILED)
                 if entry.sha256 in (r.sha256, r.filed_sha256)),
                None,
            )
        if record is None:
            raise BuildError(
                f"exhibit {entry.position} (line {entry.line}): no {entry.reference} in the "
                "ledger",
                fix="check the id or hash with `intake-desktop ledger history`",
            )
        if record.status != DocStatus.FILED or not record.filed_path:
            raise BuildError(
                f"exhibit {entry.position} (line {entry.line}): {entry.reference} is not filed "
                f"(status {record.status})",
                fix="file it first or refer to another document",
            )
        path = Path(record.filed_path)
        if not path.is_absolute():
            path = workspace_root / path
        return ResolvedSource(path, document_id=record.id, matter_id=record.matter_id)

    return resolve


def _page_count(path: Path, entry: ExhibitEntry, spec_path: Path, unlock: bool) -> int:
    if not path.is_file():
        raise BuildError(
            f"exhibit {entry.position} (line {entry.line}): the file {path} does not exist",
            path=spec_path,
            fix="correct the path (relative to the spec file) or restore the file",
        )
    try:
        with open_for_stamping(path, allow_owner_encrypted=unlock) as pdf:
            pages = len(pdf.pages)
    except StampError as exc:
        if "owner password" not in exc.what:
            raise
        raise BuildError(
            f"exhibit {entry.position} (line {entry.line}): {exc.what}",
            path=path,
            fix="name the court in [set] (court = \"...\"): its preflight unlocks "
            "owner-password PDFs and records it; or unlock it with `intake-desktop fit`",
        ) from exc
    if pages == 0:
        raise BuildError(f"exhibit {entry.position}: the PDF has no pages", path=path,
                         fix="replace it with the complete document")
    return pages


def plan_exhibits(
    spec: ExhibitSetSpec,
    resolve: Resolver = file_resolver,
    *,
    unlock: bool = False,
    on_progress: ProgressCallback = no_progress,
) -> list[BuiltExhibit]:
    """Labels, sources, hashes and page counts of every exhibit; no Bates numbers yet.

    Reads the sources only: the same plan `exhibits check` shows before anything is built.
    """
    exhibits: list[BuiltExhibit] = []
    total = len(spec.exhibits)
    for n, entry in enumerate(spec.exhibits):
        on_progress(n, total, f"checking {entry.reference}")
        source = resolve(entry)
        pages = _page_count(source.path, entry, spec.path, unlock=unlock)
        for m, en in enumerate(entry.entries, start=1):
            if en.last_page is not None and en.last_page > pages:
                raise BuildError(
                    f"exhibit {entry.position} entry {m}: pages {en.first_page}-{en.last_page} "
                    f"are beyond the document's {pages} pages",
                    path=spec.path, fix="correct `pages` in the [[exhibit.entry]]",
                )
        ident = exhibit_id(spec.label_scheme, spec.first_label + n)
        exhibits.append(BuiltExhibit(
            entry=entry, ident=ident, label=full_label(spec.label_prefix, ident),
            source=source, source_sha256=sha256_file(source.path), pages=pages,
            bates=spec.bates, bates_start=None,
        ))
    return exhibits


def number_exhibits(exhibits: Sequence[BuiltExhibit], first: int) -> None:
    """Give each exhibit its Bates start, continuing from `first`."""
    number = first
    for ex in exhibits:
        ex.bates_start = number
        number += ex.pages
