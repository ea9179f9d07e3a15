"""Translations paired with their originals, and where a document's date came from, in words.

The immigration preset files a certified translation beside its original and names it after
it: `<date>_<matter>_CIV_Birth-Certificate.pdf` and
`<date>_<matter>_CIV_Birth-Certificate_EN-translation.pdf`. A filed document whose name ends
`_<LANGUAGE CODE>-translation` is a translation; its original is the filed document of the
same matter, in the same folder, whose name is the same once the leading date field
(`2024-02-02`, `rcvd-2026-12-03`, `undated`) and the translation suffix are set aside (the
two dates may differ). The link is a `translation_linked` event on the translation whose
detail names `translation_of` (the original's document id); it is made when the second of
the two is filed, whichever that is. A link counts while both documents are filed: a
translation whose original was undone waits for the next original that fits.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind, EventRecord, Ledger

_COUNTER = re.compile(r" \(\d+\)$")  # the filer's collision counter
_TRANSLATION = re.compile(r"^(?P<base>.+)_(?P<lang>[A-Za-z]{2})-translation$", re.IGNORECASE)
_DATE_FIELD = re.compile(r"^(?:(?:rcvd-)?\d{4}-\d{2}-\d{2}|undated)_", re.IGNORECASE)


def pair_key(filed_path: str) -> tuple[str, str | None]:
    """(folder/name without the date field and the translation suffix, the translation's
    language code or None for a document that is not a translation)."""
    path = PurePosixPath(filed_path)
    stem = _COUNTER.sub("", path.stem)
    language: str | None = None
    found = _TRANSLATION.match(stem)
    if found:
        stem, language = found.group("base"), found.group("lang").upper()
    stem = _DATE_FIELD.sub("", stem, count=1)
    return f"{path.parent.as_posix()}/{stem}", language


def _links(ledger: Ledger) -> dict[int, int]:
    """Translation id -> original id, the latest link of each translation."""
    found: dict[int, int] = {}
    for event in ledger.chain.kind_events(EventKind.TRANSLATION_LINKED):
        original = event.detail.get("translation_of")
        if event.document_id is not None and isinstance(original, int):
            found[event.document_id] = original
    return found


def _translations_in(root: Path, folder: str) -> set[str] | None:
    """The pair keys of the translations named in a filed folder (None: it cannot be
    listed, so any document may have one)."""
    try:
        # Names only, and only translation-like ones parsed: a folder of 20,000 filed
        # copies (one matter's category after a busy month) is listed in milliseconds.
        names = os.listdir(root / PurePosixPath(folder))
    except OSError:
        return None
    keys = set()
    for name in names:
        if "-translation" not in name.lower():
            continue
        other, language = pair_key(f"{folder}/{name}")
        if language:
            keys.add(other)
    return keys


def _has_translation_beside(root: Path | None, doc: DocumentRecord, key: str,
                            listed: dict[str, set[str] | None] | None = None) -> bool:
    """Whether the original's folder holds a file named as a translation of it: a folder
    listing, so filing the other documents does not read the matter's rows each time.
    `listed`: the folders already listed (a batch lists each of its folders once)."""
    if root is None or not doc.filed_path:
        return True
    folder = PurePosixPath(doc.filed_path).parent.as_posix()
    if listed is None or folder not in listed:
        keys = _translations_in(root, folder)
        if listed is not None:
            listed[folder] = keys
    else:
        keys = listed[folder]
    return keys is None or key in keys


def link_batch(ledger: Ledger, docs: Iterable[DocumentRecord],
               workspace_root: Path) -> None:
    """`link_translations` for the documents of a batch just filed, each folder listed
    once (the listing, taken after the whole batch was named, shows all of it)."""
    listed: dict[str, set[str] | None] = {}
    for doc in docs:
        link_translations(ledger, doc, workspace_root, listed=listed)


def link_translations(
    ledger: Ledger, doc: DocumentRecord, workspace_root: Path | None = None,
    *, listed: dict[str, set[str] | None] | None = None,
) -> list[tuple[int, int]]:
    """Link `doc` (just filed) to its original or to its waiting translations; the
    (translation id, original id) pairs recorded. `workspace_root` lets an ordinary
    document skip the ledger query when no translation sits beside it."""
    if doc.status != DocStatus.FILED or not doc.filed_path or not doc.matter_id:
        return []
    key, language = pair_key(doc.filed_path)
    if language is None and not _has_translation_beside(workspace_root, doc, key, listed):
        return []
    filed = [d for d in ledger.docs.documents(status=DocStatus.FILED, matter_id=doc.matter_id)
             if d.filed_path and d.id != doc.id]
    alive = {d.id for d in filed} | {doc.id}
    links = {t: o for t, o in _links(ledger).items() if o in alive}
    pairs: list[tuple[int, int]] = []
    if language is not None:
        if doc.id in links:
            return []
        originals = [d for d in filed if pair_key(d.filed_path or "") == (key, None)]
        if originals:
            pairs.append((doc.id, originals[0].id))
    else:
        for other in filed:
            other_key, other_language = pair_key(other.filed_path or "")
            if other_language and other_key == key and other.id not in links:
                pairs.append((other.id, doc.id))
    if not pairs:
        return []
    by_id = {d.id: d for d in filed}
    by_id[doc.id] = doc
    with ledger.transaction() as txn:
        for translation_id, original_id in pairs:
            translation, original = by_id[translation_id], by_id[original_id]
            txn.add_event(
                EventKind.TRANSLATION_LINKED, document_id=translation_id,
                matter_id=doc.matter_id, path_before=original.filed_path,
                path_after=translation.filed_path, sha256_before=original.filed_sha256,
                sha256_after=translation.filed_sha256,
                detail={"translation_of": original_id,
                        "language": pair_key(translation.filed_path or "")[1]},
            )
    return pairs


def translation_pair(
    ledger: Ledger, doc: DocumentRecord | None
) -> tuple[DocumentRecord | None, list[DocumentRecord]]:
    """(the original `doc` translates, the translations of `doc`), filed documents only."""
    if doc is None:
        return None, []
    links = _links(ledger)
    original: DocumentRecord | None = None
    if doc.id in links:
        found = ledger.docs.document(links[doc.id])
        if found is not None and found.status == DocStatus.FILED:
            original = found
    translations = []
    for translation_id, original_id in links.items():
        if original_id == doc.id:
            found = ledger.docs.document(translation_id)
            if found is not None and found.status == DocStatus.FILED:
                translations.append(found)
    if original is not None and doc.status != DocStatus.FILED:
        original = None
    return original, translations if doc.status == DocStatus.FILED else []


# ---- where the date came from ------------------------------------------------------------

_SOURCES = {
    "email_date": "Date from the email's Date header",
    "filename": "Date from the file name",
    "capture_date": "Date from the photo's capture time (EXIF)",
    "text": "Date from the first date in the text",
    "pdf_metadata": "Date from the PDF's properties",
    "office_metadata": "Date from the document's properties",
}


def describe_date_source(source: str, date: str | None, received: str | None) -> str:
    """A date source (core/rules/facts.DATE_SOURCES) in words, with the date."""
    if source == "none" or (not date and source not in ("parent",)):
        return f"No date found: received {received}" if received else "No date found"
    if source == "parent":
        return ("No date of its own: named with the date of the email or archive it "
                "came in" + (f" ({date})" if date else ""))
    if source.startswith("text:"):
        label = source.split(":", 1)[1].strip()
        words = f"Date from “{label[:1].upper()}{label[1:]}” in the text"
    else:
        words = _SOURCES.get(source, f"Date from {source.replace('_', ' ')}")
    return f"{words}: {date}"


def date_provenance(events: Sequence[EventRecord] | Iterable[EventRecord]) -> str | None:
    """Where a document's date came from, from its events (the latest `filed`, the first
    `received`); None when it was never filed with a recorded date source."""
    received: str | None = None
    filed: EventRecord | None = None
    for event in events:
        if event.kind == EventKind.RECEIVED and received is None:
            received = event.at[:10]
        elif event.kind == EventKind.FILED:
            filed = event
    if filed is None or not filed.detail.get("date_source"):
        return None
    date = filed.detail.get("document_date")
    return describe_date_source(str(filed.detail["date_source"]),
                                str(date) if date else None, received)
