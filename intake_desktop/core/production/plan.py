"""Which documents a production holds, in which order, and what each becomes.

Resolves the spec's selections against the ledger, completes e-mail families (the parent
first, then its attachments, contiguous), decides per document whether it is imaged, produced
native behind a slip sheet, or withheld, and reads the metadata the DAT carries (e-mail
headers, dates, file names). Nothing is written and no Bates number is taken here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol

from intake_desktop.core.convert.base import ConvertLimits
from intake_desktop.core.convert.email import EML_MIME, MSG_MIME, read_eml, read_msg
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import EventKind
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.ledger.records import DocStatus, DocumentRecord, EventRecord
from intake_desktop.core.pdf.stamp import StampError, open_for_stamping
from intake_desktop.core.production.spec import ProductionSpec, Selection, Withhold
from intake_desktop.core.saved_searches import load_searches, search_documents
from intake_desktop.core.workspace import Workspace

SPREADSHEET_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/csv",
}
SPREADSHEET_EXTS = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}


class ProductionError(IntakeError):
    """A production could not be planned or built; nothing was produced."""


class Treatment(enum.StrEnum):
    IMAGED = "imaged"  # stamped searchable PDF, one Bates number per page
    NATIVE = "native"  # the original file, behind one Bates-numbered slip sheet
    WITHHELD = "withheld"  # privileged: a slip sheet (or only a control number) and a log row


class ProducedDocuments(Protocol):
    """The documents a production reads (`ledger.docs`)."""

    def document(self, doc_id: int) -> DocumentRecord | None: ...

    def documents(self, *, status: str | None = None,
                  matter_id: str | None = None) -> list[DocumentRecord]: ...

    def browse_documents(self, flt: DocumentFilter, *, after_id: int = 0,
                         limit: int = 200) -> list[DocumentRecord]: ...


class ProductionBates(Protocol):
    """The Bates counters a production reserves from (`ledger.bates`)."""

    def next_bates(self, prefix: str) -> int: ...

    def reserve_bates(self, prefix: str, count: int, start: int | None = None, *,
                      detail: dict[str, Any] | None = None) -> int: ...

    def release_bates(self, prefix: str, first: int, count: int, *,
                      reason: str = "") -> bool: ...


class ProductionEvents(Protocol):
    """The chained events a production records and reads (`ledger.chain`)."""

    def record(self, kind: EventKind, **fields: Any) -> int: ...

    def events(self, *, document_id: int | None = None) -> list[EventRecord]: ...


class ProductionLedger(Protocol):
    """What a production needs from the ledger (the real Ledger in the app and tests)."""

    @property
    def docs(self) -> ProducedDocuments: ...

    @property
    def bates(self) -> ProductionBates: ...

    @property
    def chain(self) -> ProductionEvents: ...


@dataclass(frozen=True)
class Metadata:
    """What the DAT says about a document besides its numbers and hashes."""

    filename: str
    doc_date: str = ""  # MM/DD/YYYY
    sent_from: str = ""
    to: str = ""
    cc: str = ""
    subject: str = ""


@dataclass
class PlannedDoc:
    """One document of the production, in production order."""

    record: DocumentRecord
    treatment: Treatment
    original: Path  # the preserved original (or the filed copy when there is none)
    image_source: Path | None  # the filed PDF that is stamped (imaged documents)
    source_pages: int  # pages of image_source (0 when there is none)
    confidentiality: str
    meta: Metadata
    family: str  # the family key; a document alone is its own family
    withhold: Withhold | None = None
    bates_first: int | None = None
    control: str = ""  # withheld without a number: the privilege log's control number
    notes: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """How many Bates numbers this document takes."""
        if self.treatment == Treatment.IMAGED:
            return self.source_pages
        if self.treatment == Treatment.NATIVE:
            return 1
        return 1 if self.control == "" else 0

    @property
    def bates_last(self) -> int | None:
        if self.bates_first is None:
            return None
        return self.bates_first + self.pages - 1


def _abs(path: str | None, root: Path) -> Path | None:
    if not path:
        return None
    p = Path(path)
    return p if p.is_absolute() else root / p


def is_native(record: DocumentRecord, original: Path, kinds: Sequence[str]) -> bool:
    mime = (record.detected_type or "").lower()
    if "spreadsheet" in kinds and (mime in SPREADSHEET_TYPES
                                   or original.suffix.lower() in SPREADSHEET_EXTS):
        return True
    if "audio" in kinds and mime.startswith("audio/"):
        return True
    return "video" in kinds and mime.startswith("video/")


def _us_date(iso: str | None) -> str:
    if not iso or len(iso) < 10:
        return ""
    y, m, d = iso[:10].split("-")
    return f"{m}/{d}/{y}"


def _addresses(values: Sequence[str]) -> str:
    out = []
    for name, addr in getaddresses([str(v) for v in values]):
        out.append(f"{name} <{addr}>" if name and addr else (addr or name))
    return "; ".join(o for o in out if o)


def _mail_date(text: str) -> str:
    """MM/DD/YYYY from an e-mail's Date header (RFC 5322, or ISO as Outlook files give)."""
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return parsedate_to_datetime(text).strftime("%m/%d/%Y")
    with contextlib.suppress(ValueError):
        return dt.datetime.fromisoformat(text.strip()).strftime("%m/%d/%Y")
    return ""


def read_metadata(record: DocumentRecord, original: Path) -> Metadata:
    """File name and date; sender, recipients and subject of an e-mail original (.eml or
    Outlook .msg, read by the converter's own readers and within their limits)."""
    name = Path(record.source_path).name if record.source_path else original.name
    meta = Metadata(filename=name, doc_date=_us_date(record.document_date))
    mime = (record.detected_type or "").lower()
    if mime not in (EML_MIME, MSG_MIME) or not original.is_file():
        return meta
    reader = read_eml if mime == EML_MIME else read_msg
    try:
        mail = reader(original, ConvertLimits())
    except IntakeError:
        return meta  # unreadable as mail: the DAT carries its name and date only
    return Metadata(
        filename=name, doc_date=meta.doc_date or _mail_date(mail.date),
        sent_from=_addresses([mail.sender]) if mail.sender else "",
        to=_addresses([mail.to]) if mail.to else "",
        cc=_addresses([mail.cc]) if mail.cc else "",
        subject=mail.subject.strip(),
    )


def _page_count(path: Path, record: DocumentRecord) -> int:
    if not path.is_file():
        raise ProductionError(
            f"document {record.id}: its filed copy is missing", path=path,
            fix="run `intake-desktop ledger verify` and restore the file")
    if path.suffix.lower() != ".pdf":
        raise ProductionError(
            f"document {record.id}: its filed copy is not a PDF and cannot be imaged",
            path=path, fix="convert it to PDF, or produce it native")
    try:
        with open_for_stamping(path) as pdf:
            pages = len(pdf.pages)
    except StampError as exc:
        raise ProductionError(f"document {record.id}: {exc.what}", path=path,
                              fix=exc.fix) from exc
    if pages == 0:
        raise ProductionError(f"document {record.id}: the PDF has no pages", path=path,
                              fix="replace it with the complete document")
    return pages


class _Finder:
    """Ledger look-ups, cached per matter."""

    def __init__(self, ledger: ProductionLedger, spec: ProductionSpec,
                 workspace_root: Path | None = None) -> None:
        self.ledger = ledger
        self.spec = spec
        self.workspace_root = workspace_root
        self._filed: list[DocumentRecord] | None = None

    def filed(self) -> list[DocumentRecord]:
        if self._filed is None:
            self._filed = self.ledger.docs.documents(status=DocStatus.FILED)
        return self._filed

    def one(self, doc_id: int | None, sha256: str | None, where: str,
            line: int) -> DocumentRecord:
        record: DocumentRecord | None
        if doc_id is not None:
            record = self.ledger.docs.document(doc_id)
        else:
            record = next((r for r in self.filed() if sha256 in (r.sha256, r.filed_sha256)),
                          None)
        ref = f"document {doc_id}" if doc_id is not None else f"sha256 {sha256}"
        if record is None:
            raise ProductionError(f"line {line}, {where}: no {ref} in the ledger",
                                  path=self.spec.path,
                                  fix="check the id or hash with `intake-desktop ledger history`")
        if record.status != DocStatus.FILED or not record.filed_path:
            raise ProductionError(
                f"line {line}, {where}: {ref} is not filed (status {record.status})",
                path=self.spec.path, fix="file it first or refer to another document")
        return record

    def searched(self, sel: Selection) -> list[DocumentRecord]:
        """The filed documents a saved browser search lists, in the browser's order."""
        saved = load_searches(Workspace(self.workspace_root)) if (
            self.workspace_root is not None) else {}
        search = saved.get(sel.search or "")
        where = f"line {sel.line}, documents {sel.position}"
        if search is None:
            known = ", ".join(repr(n) for n in sorted(saved)) or "none yet"
            raise ProductionError(
                f"{where}: there is no saved search named {sel.search!r} (saved: {known})",
                path=self.spec.path,
                fix="save the search in the exhibit browser (Save search…) or correct the name")
        found = [r for r in search_documents(self.ledger.docs, search)
                 if r.status == DocStatus.FILED and r.filed_path]
        if not found:
            raise ProductionError(f"{where}: the saved search {sel.search!r} lists no filed "
                                  "documents", path=self.spec.path,
                                  fix="check the search in the exhibit browser")
        return found

    def selection(self, sel: Selection) -> list[DocumentRecord]:
        if sel.search is not None:
            return self.searched(sel)
        if sel.category is None:
            return [self.one(sel.document_id, sel.sha256, f"documents {sel.position}",
                             sel.line)]
        found = [r for r in self.filed()
                 if r.matter_id == sel.matter and r.category == sel.category]
        if not found:
            raise ProductionError(
                f"line {sel.line}, documents {sel.position}: no filed documents in category "
                f"{sel.category!r} of matter {sel.matter!r}", path=self.spec.path,
                fix="check the category and matter names (`intake-desktop ledger export`)")
        return sorted(found, key=lambda r: (r.document_date or "9999", r.id))

    def family(self, record: DocumentRecord) -> list[DocumentRecord]:
        """The record's whole family, parent first, each child after its parent."""
        if not record.family_id:
            return [record]
        members = [r for r in self.filed() if r.family_id == record.family_id]
        if record.id not in {m.id for m in members}:
            members.append(record)
        by_parent: dict[int | None, list[DocumentRecord]] = {}
        ids = {m.id for m in members}
        for m in sorted(members, key=lambda r: r.id):
            parent = m.parent_id if m.parent_id in ids else None
            by_parent.setdefault(parent, []).append(m)
        ordered: list[DocumentRecord] = []

        def walk(parent: int | None) -> None:
            for m in by_parent.get(parent, []):
                ordered.append(m)
                walk(m.id)

        walk(None)
        return ordered


def plan_production(spec: ProductionSpec, ledger: ProductionLedger,
                    workspace_root: Path) -> tuple[list[PlannedDoc], list[str]]:
    """The production's documents in order (families contiguous), and warnings."""
    finder = _Finder(ledger, spec, workspace_root)
    warnings = list(spec.warnings)
    chosen: dict[int, Selection | None] = {}
    for sel in spec.selections:
        for record in finder.selection(sel):
            chosen.setdefault(record.id, sel)
    withheld: dict[int, Withhold] = {}
    for w in spec.withheld:
        record = finder.one(w.document_id, w.sha256, f"withhold {w.position}", w.line)
        withheld[record.id] = w
        chosen.setdefault(record.id, None)

    records: dict[int, DocumentRecord] = {}
    order: list[int] = []
    families: dict[int, str] = {}
    for doc_id in list(chosen):
        if doc_id in families:
            continue
        found = ledger.docs.document(doc_id)
        assert found is not None
        members = finder.family(found)
        record = found
        key = record.family_id or f"D{record.id}"
        for m in members:
            if m.id in families:
                continue
            families[m.id] = key
            records[m.id] = m
            order.append(m.id)
            if m.id not in chosen:
                warnings.append(f"document {m.id} ({Path(m.source_path).name}) was added to "
                                f"keep family {key} together")

    planned: list[PlannedDoc] = []
    control = 0
    for doc_id in order:
        record = records[doc_id]
        filed = _abs(record.filed_path, workspace_root)
        assert filed is not None
        original = _abs(record.original_path, workspace_root) or filed
        if not original.is_file():
            raise ProductionError(f"document {record.id}: its original is missing",
                                  path=original,
                                  fix="run `intake-desktop ledger verify` and restore it")
        chosen_by = chosen.get(doc_id)
        conf = spec.confidentiality
        if chosen_by is not None and chosen_by.confidentiality is not None:
            conf = chosen_by.confidentiality
        w_entry = withheld.get(doc_id)
        if w_entry is not None:
            treatment = Treatment.WITHHELD
        elif is_native(record, original, spec.natives):
            treatment = Treatment.NATIVE
        else:
            treatment = Treatment.IMAGED
        pages = _page_count(filed, record) if treatment == Treatment.IMAGED else 0
        doc = PlannedDoc(
            record=record, treatment=treatment, original=original,
            image_source=filed if filed.suffix.lower() == ".pdf" else None,
            source_pages=pages, confidentiality=conf, meta=read_metadata(record, original),
            family=families[doc_id], withhold=w_entry,
        )
        if w_entry is not None and not spec.withheld_slip_sheets:
            control += 1
            doc.control = f"{spec.volume}-PRIV-{control:04d}"
        planned.append(doc)
    return planned, warnings


def number_documents(docs: Sequence[PlannedDoc], first: int) -> None:
    number = first
    for doc in docs:
        if doc.pages:
            doc.bates_first = number
            number += doc.pages
