"""Table models over ledger records: the exhibit browser (fetchMore paging), review, history."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from intake_desktop.core.document_details import DocumentDetails, edited_details
from intake_desktop.core.ledger import (
    DocumentFilter,
    DocumentRecord,
    DocumentText,
    EventRecord,
    Ledger,
)
from intake_desktop.core.search_text import snippet
from intake_desktop.core.walls import screened
from intake_desktop.qt.wording import for_window

AnyIndex = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
DISPLAY = Qt.ItemDataRole.DisplayRole
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(Generic[R]):
    def __init__(
        self, title: str, value: Callable[[R], Any], tip: Callable[[R], Any] | None = None,
        *, key: str = "", width: int = 100, shown: bool = True,
    ) -> None:
        self.title, self.value, self.tip = title, value, tip
        self.key, self.width, self.shown = key or title.lower(), width, shown


class ListTableModel(QAbstractTableModel):
    """A flat table: row count, column count and header titles come from two hooks."""

    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    def row_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        headers = self.headers()
        if (role == DISPLAY and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(headers)):
            return headers[section]
        return None


class RecordTableModel(ListTableModel, Generic[R]):
    """A read-only table of records with named columns."""

    columns: Sequence[Column[R]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.records: list[R] = []

    def headers(self) -> Sequence[str]:
        return [column.title for column in self.columns]

    def row_total(self) -> int:
        return len(self.records)

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        record = self.records[index.row()]
        column = self.columns[index.column()]
        if role == DISPLAY:
            value = column.value(record)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(column.tip(record)) if column.tip else None
        if role == RECORD_ROLE:
            return record
        return None

    def record(self, row: int) -> R | None:
        return self.records[row] if 0 <= row < len(self.records) else None

    def set_records(self, records: list[R]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()


def _name(path: str | None) -> str:
    return Path(path).name if path else ""


KIND_WORDS = {
    "application/pdf": "PDF",
    "message/rfc822": "Email",
    "application/vnd.ms-outlook": "Email (Outlook)",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Spreadsheet",
    "application/zip": "Zip archive",
    "text/plain": "Text",
    "text/html": "Web page",
}


def kind_in_words(mime: str) -> str:
    """"application/pdf" -> "PDF", "image/jpeg" -> "Image (JPEG)"."""
    if mime in KIND_WORDS:
        return KIND_WORDS[mime]
    major, _, minor = mime.partition("/")
    if major == "image":
        return f"Image ({minor.upper().removeprefix('X-')})"
    if major in ("audio", "video"):
        return major.capitalize()
    return "Other file" if mime else ""


def describe(path: str | None, matter: str | None = None) -> str:
    """A description from a file name: "Letter_from_insurer-2024.pdf" -> "Letter from
    insurer 2024"; what other columns show (a leading date, the matter, the category code
    after it, as in "2024-02-11_2024-017 Smith_MED_MRI.pdf") is left out."""
    stem = Path(path).stem if path else ""
    if matter:
        stem = stem.replace(matter, " ")
    stem = re.sub(r"^\s*(?:rcvd-)?\d{4}-\d{2}-\d{2}(?=[\s_-])", " ", stem)
    if matter:
        stem = re.sub(r"^[\s_-]*[A-Z]{2,6}(?=[\s_-])", " ", stem)
    stem = stem.replace("_", " ")
    stem = re.sub(r"(?<!\d)-|-(?!\d)", " ", stem)
    return re.sub(r"\s+", " ", stem).strip()


DOC_COLUMNS: tuple[Column[DocumentRecord], ...] = (
    Column("Description", lambda d: describe(d.filed_path or d.source_path, d.matter_id)
           or describe(d.source_path),
           lambda d: d.filed_path or d.source_path, key="description", width=210),
    Column("Matter", lambda d: d.matter_id or "", lambda d: d.matter_id or "", width=120),
    Column("Category", lambda d: d.category, width=110),
    Column("Date", lambda d: d.document_date or f"rcvd {d.created_at[:10]}",
           lambda d: "The document's own date" if d.document_date else
           f"No date found in the document: received {d.created_at[:10]}",
           width=104),
    Column("Pages", lambda d: "", key="pages", width=48),
    Column("Exhibit / Bates", lambda d: "", key="labels", width=130, shown=False),
    Column("Kind", lambda d: kind_in_words(d.detected_type), lambda d: d.detected_type,
           width=90, shown=False),
    Column("File name", lambda d: _name(d.filed_path) or _name(d.source_path),
           lambda d: d.filed_path or d.source_path, key="file", width=200, shown=False),
    Column("Size", lambda d: _size(d.size), width=70, shown=False),
    Column("No.", lambda d: d.id, key="id", width=48, shown=False),
    Column("Custodian", lambda d: "", key="custodian", width=130, shown=False),
    Column("Found", lambda d: "", key="found", width=260, shown=False),
)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _label_range(labels: str) -> str:
    """"Ex. 3 ABC000001 ABC000002 ..." -> "Ex. 3 · ABC000001-ABC000002"."""
    words = labels.split()
    bates = [w for w in words if re.fullmatch(r"[A-Za-z_.-]*\d{3,}", w)]
    rest = " ".join(w for w in words if w not in bates)
    span = f"{bates[0]}-{bates[-1]}" if len(bates) > 1 else "".join(bates)
    return " · ".join(x for x in (rest, span) if x)


# Shown before a provisional filing's description (waiting for a lawyer's approval).
PROVISIONAL_MARK = "⚑ Provisional ·"
# The browser counts matches up to this many (the label then says "more than"): counting a
# common word's 700,000 matches in a firm's ledger took seconds for a number nobody reads.
COUNT_CAP = 10_000


class DocumentTableModel(RecordTableModel[DocumentRecord]):
    """The ledger's documents, loaded a page at a time (keyset paging on the id).

    `canFetchMore`/`fetchMore` ask the ledger for the next `page_size` rows after the last
    id shown, so 100,000 documents open as fast as 200.
    """

    columns = DOC_COLUMNS

    def __init__(self, ledger: Ledger, page_size: int = 200, parent: Any = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.page_size = page_size
        self.filter = DocumentFilter()
        self._exhausted = False
        self._fetching = False
        self.total = 0  # above `count_cap`: more than that many (not counted further)
        self.count_cap = COUNT_CAP
        self.texts: dict[int, DocumentText] = {}  # pages, labels (and words) per document
        self.details: dict[int, DocumentDetails] = {}  # title, custodian someone gave
        # First-page thumbnails (the browser's thumbnail view sets these).
        self.thumbnail: Callable[[DocumentRecord], Any] | None = None
        self.show_thumbnails = False
        # Documents filed provisionally, waiting for a lawyer's approval (issue 17).
        self.provisional: set[int] = set()

    def thumbnail_ready(self, doc_id: int) -> None:
        row = next((n for n, d in enumerate(self.records) if d.id == doc_id), -1)
        if row >= 0:
            index = self.index(row, self.column_index("description"))
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def snippet(self, doc: DocumentRecord) -> str:
        """Where the search words occur in the document's text (with "…" around)."""
        found = self.texts.get(doc.id)
        query = self.filter.text
        if found is None or not query.strip():
            return ""
        hit = snippet(found.body, query, 90) or snippet(found.labels, query, 90)
        return hit.text if hit else ""

    def column_index(self, key: str) -> int:
        return next(n for n, c in enumerate(self.columns) if c.key == key)

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if (role == Qt.ItemDataRole.DecorationRole and self.show_thumbnails
                and self.thumbnail is not None and index.isValid()
                and 0 <= index.row() < len(self.records)
                and self.columns[index.column()].key == "description"):
            return self.thumbnail(self.records[index.row()])
        if role == DISPLAY and index.isValid() and 0 <= index.row() < len(self.records):
            key = self.columns[index.column()].key
            if key == "found":
                return self.snippet(self.records[index.row()])
            given = self.details.get(self.records[index.row()].id)
            if key == "custodian":
                return given.custodian if given is not None else ""
            if key == "description":
                text = given.title if given is not None and given.title else (
                    super().data(index, role))
                if self.records[index.row()].id in self.provisional:
                    return f"{PROVISIONAL_MARK} {text}"
                return text
            if key in ("pages", "labels"):
                found = self.texts.get(self.records[index.row()].id)
                if found is None:
                    return ""
                if key == "pages":
                    return "" if found.pages is None else str(found.pages)
                return _label_range(found.labels)
        return super().data(index, role)

    def set_filter(self, flt: DocumentFilter) -> None:
        # Matter walls: the acting person's screened matters are never listed or searched.
        flt = dataclasses.replace(flt, exclude_matters=tuple(sorted(screened(self.ledger))))
        self.beginResetModel()
        self.filter = flt
        self.records = []
        self.details = {}
        self._exhausted = False
        self.endResetModel()
        self.total = self.ledger.docs.count_documents_upto(flt, self.count_cap)
        from intake_desktop.core.approvals import provisional_ids

        self.provisional = provisional_ids(self.ledger)
        self.fetch_page()

    def reload(self) -> None:
        self.set_filter(self.filter)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        self.fetch_page()

    def fetch_page(self) -> int:
        if self._exhausted or self._fetching:
            return 0
        self._fetching = True
        try:
            after = self.records[-1].id if self.records else 0
            page = self.ledger.docs.browse_documents(self.filter, after_id=after,
                                                     limit=self.page_size)
            if len(page) < self.page_size:
                self._exhausted = True
            if page:
                self.texts.update(self.ledger.docs.document_texts(
                    [d.id for d in page], with_body=bool(self.filter.text.strip())))
                self.details.update(edited_details(self.ledger, page))
                first = len(self.records)
                self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
                self.records.extend(page)
                self.endInsertRows()
            return len(page)
        finally:
            self._fetching = False


def review_reason(doc: DocumentRecord, root: Path | None = None) -> str:
    """The reason as the window says it: the file named once (by its name), no flags."""
    reason = doc.reason or "the reason was not recorded"
    source = doc.source_path
    reason = reason.replace(f"{source}: ", "", 1).replace(source, Path(source).name)
    return for_window(reason, root)


class ReviewModel(RecordTableModel[DocumentRecord]):
    columns = (
        Column("No.", lambda d: d.id),
        Column("File", lambda d: _name(d.source_path), lambda d: d.source_path),
        Column("Why it needs review", lambda d: review_reason(d), lambda d: review_reason(d)),
        Column("Matter", lambda d: d.matter_id or ""),
        Column("Received", lambda d: d.created_at[:16].replace("T", " ")),
    )


EVENT_TEXT = {
    "received": "Received",
    "original_preserved": "Original preserved",
    "filed": "Filed",
    "duplicate": "Set aside as duplicate",
    "routed_to_review": "Sent to review",
    "source_removed": "Removed from Intake",
    "recovered": "Recovered after interruption",
    "rolled_back": "Rolled back",
    "converted": "Converted",
    "review_resolved": "Review resolved",
    "opened": "Opened",
    "split": "Split to fit a court limit",
    "stamped": "Stamped (exhibit / Bates)",
    "ocr": "Text layer added (OCR)",
    "rules_changed": "Naming rules changed",
    "sealed": "Ledger sealed",
    "exported": "Exported",
    "signed_in": "Signed in",
    "profile_saved": "Profile saved",
    "bates_reserved": "Bates numbers reserved",
    "bates_released": "Bates numbers released",
    "undone": "Filing undone",
    "superseded": "Superseded",
    "repaired": "Repaired",
    "rules_accepted": "Rules file accepted",
    "ledger_attached": "Ledger attached to this workspace",
    "details_edited": "Details edited",
}


def _event_detail(e: EventRecord) -> str:
    parts = []
    if e.path_after:
        parts.append(f"→ {e.path_after}")
    for key in ("reason", "action", "rule", "category"):
        if e.detail.get(key):
            parts.append(f"{key}: {e.detail[key]}")
    after = e.detail.get("after")
    if isinstance(after, dict) and isinstance(e.detail.get("changed"), list):
        words = {"title": "title", "document_date": "date", "custodian": "custodian"}
        parts += [f"{words.get(str(k), k)}: {after.get(k) or '(none)'}"
                  for k in e.detail["changed"]]
    return "; ".join(parts)


class HistoryModel(RecordTableModel[EventRecord]):
    """One document's custody trail."""

    columns = (
        Column("When (UTC)", lambda e: e.at[:19].replace("T", " "), lambda e: e.at),
        Column("What", lambda e: EVENT_TEXT.get(e.kind, e.kind), lambda e: e.kind),
        Column("Who", lambda e: f"{e.actor_user} ({e.actor_role})"),
        Column("Detail", _event_detail,
               lambda e: f"SHA-256 after: {e.sha256_after or e.sha256_before or '-'}"),
    )
