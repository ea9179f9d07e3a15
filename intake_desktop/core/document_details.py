"""A document's details a person gives it: title, document date and custodian.

Each edit is a `details_edited` event (before, after, what changed, who); the document date
also goes on the document's row, where the browser filters and sorts by it. Title and
custodian live in the events: the newest edit is the document's current details.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocumentRecord, EventKind, Ledger

FIELDS = ("title", "document_date", "custodian")
MAX_TEXT = 300


class DetailsError(IntakeError):
    """Details that cannot be saved (a bad date, an unknown document); nothing was recorded."""


@dataclass(frozen=True)
class DocumentDetails:
    title: str = ""  # empty: the file name describes the document
    document_date: str | None = None  # YYYY-MM-DD
    custodian: str = ""  # whose files it came from


def _from_event(detail: dict[str, object], date: str | None) -> DocumentDetails:
    after = detail.get("after")
    after = after if isinstance(after, dict) else {}
    return DocumentDetails(str(after.get("title") or ""), date,
                           str(after.get("custodian") or ""))


def current_details(ledger: Ledger, doc: DocumentRecord) -> DocumentDetails:
    """The details of `doc` now (the newest edit; the date from the document's row)."""
    edits = ledger.chain.events(document_id=doc.id, kinds=[EventKind.DETAILS_EDITED])
    if not edits:
        return DocumentDetails(document_date=doc.document_date)
    return _from_event(edits[-1].detail, doc.document_date)


def edited_details(ledger: Ledger, docs: Iterable[DocumentRecord]) -> dict[int, DocumentDetails]:
    """The details of those of `docs` that someone edited (one query for a page of rows)."""
    wanted = {d.id: d for d in docs}
    found: dict[int, DocumentDetails] = {}
    if not wanted:
        return found
    for event in ledger.chain.events(kinds=[EventKind.DETAILS_EDITED]):
        doc = wanted.get(event.document_id or 0)
        if doc is not None:
            found[doc.id] = _from_event(event.detail, doc.document_date)
    return found


def _clean_date(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise DetailsError(f"the document date {text} is not a date",
                           fix="give it as YYYY-MM-DD, e.g. 2024-02-11") from exc


def _clean_text(text: str, what: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        raise DetailsError(f"the {what} is {len(text)} characters long",
                           fix=f"keep it under {MAX_TEXT} characters")
    return text


def edit_details(
    ledger: Ledger,
    doc_id: int,
    *,
    title: str | None = None,
    document_date: str | None = None,
    custodian: str | None = None,
) -> DocumentDetails | None:
    """Save the details given (None: keep that one; "": clear it) as the acting user.

    Returns the details now, or None when nothing changed (then nothing is recorded).
    """
    doc = ledger.docs.document(doc_id)
    if doc is None:
        raise DetailsError(f"there is no document {doc_id}", fix="refresh the list")
    before = current_details(ledger, doc)
    after = DocumentDetails(
        before.title if title is None else _clean_text(title, "title"),
        before.document_date if document_date is None else _clean_date(document_date),
        before.custodian if custodian is None else _clean_text(custodian, "custodian"),
    )
    old, new = asdict(before), asdict(after)
    changed = [f for f in FIELDS if old[f] != new[f]]
    if not changed:
        return None
    with ledger.transaction() as txn:
        if "document_date" in changed:
            txn.update_document(doc.id, document_date=after.document_date)
        txn.add_event(
            EventKind.DETAILS_EDITED, document_id=doc.id, matter_id=doc.matter_id,
            path_before=doc.filed_path, sha256_before=doc.filed_sha256 or doc.sha256,
            detail={"before": old, "after": new, "changed": changed},
        )
    return after
