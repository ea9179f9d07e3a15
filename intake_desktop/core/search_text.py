"""Full-text search: the words of a filed document (every page of its text layer, which holds
OCR text, email bodies and converted Office text), kept in the ledger as it is filed, and the
snippets with the hits that the window highlights."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_desktop.core.pipeline import PageText
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress

if TYPE_CHECKING:  # the OCR stage reads MAX_PAGES in preparation workers, without the ledger
    from intake_desktop.core.ledger import Ledger

log = logging.getLogger(__name__)

MAX_CHARS = 400_000  # a document's indexed text (a few hundred pages of dense text)
MAX_PAGES = 2_000
FACT_KEYS = ("pdf_title", "email_subject", "email_from", "first_page_text")


def extract_text(
    path: Path, facts: Mapping[str, Any] | None = None, known: PageText | None = None
) -> tuple[str, int | None]:
    """The document's words and page count (None for files that are not PDFs).

    Reads the text layer of every page of a PDF (`known`: that text, read already while
    preparing the file); anything else (and a PDF whose text cannot be read) falls back to
    the facts filing already extracted.
    """
    facts = facts or {}
    parts = [str(facts[k]) for k in FACT_KEYS if facts.get(k)]
    pages: int | None = None
    if known is not None:
        parts.extend(known.pages)
        pages = known.page_count
    elif path.suffix.lower() == ".pdf" and path.is_file() and _looks_like_pdf(path):
        try:
            from intake_desktop.core.pdf.text import read_page_texts, text_reader

            with text_reader(path, decrypt=True) as reader:
                assert reader is not None  # decrypt: a reader or an exception
                pages = len(reader.pages)
                read_page_texts(reader, max_pages=MAX_PAGES, max_chars=MAX_CHARS, into=parts)
        except Exception as exc:  # a damaged or protected PDF: the facts are all we have
            log.info("no text layer read from %s: %s", path, exc)
    elif path.suffix.lower() in (".txt", ".csv", ".md") and path.is_file():
        parts.append(path.read_text(encoding="utf-8", errors="replace")[:MAX_CHARS])
    body = re.sub(r"\s+", " ", " ".join(parts)).strip()[:MAX_CHARS]
    return body, pages


def _looks_like_pdf(path: Path) -> bool:
    """A PDF header in the first KB (as readers accept it): a file merely named .pdf is
    not parsed, which on a megabyte of other bytes costs the parser a second of searching."""
    try:
        with open(path, "rb") as fh:
            return b"%PDF-" in fh.read(1024)
    except OSError:
        return False


def index_document(
    ledger: Ledger, document_id: int, path: Path, facts: Mapping[str, Any] | None = None,
    known: PageText | None = None,
) -> None:
    """Keep a filed document's words for search. Never raises: search is not custody."""
    try:
        body, pages = extract_text(path, facts, known)
        ledger.docs.set_document_text(document_id, body, pages)
    except Exception as exc:  # the filing is done and recorded; the index can be rebuilt
        log.warning("document %s was filed but not indexed for search: %s", document_id, exc)


def bates_numbers(first: str | None, last: str | None, limit: int = 5_000) -> list[str]:
    """Every Bates number from `first` to `last` (same prefix and digits), else the ends."""
    if not first:
        return []
    a = re.fullmatch(r"(.*?)(\d+)(\D*)", first)
    b = re.fullmatch(r"(.*?)(\d+)(\D*)", last or first)
    if not a or not b or (a.group(1), a.group(3)) != (b.group(1), b.group(3)):
        return [x for x in (first, last) if x]
    lo, hi, width = int(a.group(2)), int(b.group(2)), len(a.group(2))
    if hi < lo or hi - lo > limit:
        return [x for x in (first, last) if x]
    return [f"{a.group(1)}{n:0{width}d}{a.group(3)}" for n in range(lo, hi + 1)]


def index_stamps(ledger: Ledger, document_id: int, label: str, first: str | None,
                 last: str | None) -> None:
    """Make an exhibit's label and its Bates numbers searchable."""
    try:
        ledger.docs.add_document_labels(document_id, [label, *bates_numbers(first, last)])
    except Exception as exc:
        log.warning("exhibit labels of document %s not indexed: %s", document_id, exc)


@dataclass(frozen=True)
class Snippet:
    """A stretch of text around the first hit; `hits` are (start, end) offsets in `text`."""

    text: str
    hits: tuple[tuple[int, int], ...]


def words_of(query: str) -> list[str]:
    return [w for w in query.split() if w]


def snippet(body: str, query: str, width: int = 120) -> Snippet | None:
    """The text around the first hit of any query word (word starts, case-insensitive)."""
    words = words_of(query)
    if not body or not words:
        return None
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.I)
    first = pattern.search(body)
    if first is None:
        return None
    start = max(0, first.start() - width // 6)
    end = min(len(body), start + width)
    text = ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")
    shift = 1 if start else 0
    hits = tuple((m.start() + shift, m.end() + shift)
                 for m in pattern.finditer(body[start:end]))
    return Snippet(text, hits)


def hit_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query words (as word starts) occur in `text`."""
    words: Sequence[str] = words_of(query)
    if not words:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")", re.I)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


@dataclass
class ReindexReport:
    """What `reindex_documents` did (one line of `search reindex --json`)."""

    indexed: int = 0  # documents whose words were read now
    already: int = 0  # documents already indexed (left alone)
    labelled: int = 0  # documents whose stamped labels were added back
    missing_files: list[str] = field(default_factory=list)  # filed copies not on disk

    def to_json(self) -> dict[str, Any]:
        return {"indexed": self.indexed, "already": self.already, "labelled": self.labelled,
                "missing_files": self.missing_files}


def reindex_documents(
    ledger: Ledger,
    root: Path,
    *,
    everything: bool = False,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    batch: int = 500,
) -> ReindexReport:
    """Index filed documents that have no search text (filed before migration 0006), or
    every filed document with `everything`; their stamped labels and Bates numbers too."""
    report = ReindexReport()
    from intake_desktop.core.ledger.queries import DocumentFilter

    total = ledger.docs.count_documents(DocumentFilter(statuses=("filed",)))
    done_ids: list[int] = []
    after = 0
    seen = 0
    while True:
        page = ledger.docs.documents(status="filed", after_id=after, limit=batch)
        if not page:
            break
        after = page[-1].id
        have = ledger.docs.document_texts([d.id for d in page], with_body=False)
        for doc in page:
            if cancel is not None and cancel.is_set():
                return report
            seen += 1
            on_progress(seen, total, doc.filed_path or doc.source_path)
            if doc.id in have and not everything:
                report.already += 1
                continue
            path = root / (doc.filed_path or "")
            if not doc.filed_path or not path.is_file():
                report.missing_files.append(doc.filed_path or doc.source_path)
                continue
            body, pages = extract_text(path)
            ledger.docs.set_document_text(doc.id, body, pages)
            report.indexed += 1
            done_ids.append(doc.id)
    wanted = set(done_ids)
    from intake_desktop.core.ledger import EventKind

    for event in ledger.chain.events(kinds=[EventKind.STAMPED]):
        if event.document_id in wanted:
            d = event.detail
            index_stamps(ledger, event.document_id or 0, str(d.get("label") or ""),
                         d.get("bates_first"), d.get("bates_last"))
            report.labelled += 1
    return report
