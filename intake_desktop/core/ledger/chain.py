"""The hash chain: row_hash = SHA256(prev_hash || canonical serialization of the row),
and the store of chained events (`ledger.chain`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from intake_desktop.core.ledger.records import EventKind, EventRecord
from intake_desktop.core.ledger.schema import (
    EVENT_HASHED_COLUMNS,
    GENESIS_HASH,
    chain_head,
    documents,
    events,
)
from intake_desktop.core.ledger.store_base import LedgerStore


def canonical_detail(detail: dict[str, Any] | None) -> str:
    """Detail dicts are stored as sorted, compact JSON so they hash the same everywhere."""
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, values: Sequence[Any]) -> str:
    """Hash of one event: the previous hash followed by its hashed columns as a JSON array."""
    payload = json.dumps(list(values), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


@dataclass
class ChainReport:
    ok: bool = True
    events: int = 0
    head_hash: str = GENESIS_HASH
    first_bad_event: int | None = None
    problems: list[str] = field(default_factory=list)

    def fail(self, seq: int, problem: str) -> None:
        if self.first_bad_event is None:
            self.first_bad_event = seq
        self.ok = False
        self.problems.append(f"event {seq}: {problem}")


def verify_rows(rows: Iterable[Sequence[Any]]) -> ChainReport:
    """Check rows of (hashed columns..., prev_hash, row_hash) in seq order.

    Reports the first event whose hash, link or sequence number is wrong.
    """
    report = ChainReport()
    prev = GENESIS_HASH
    expected_seq = 1
    for row in rows:
        values = row[:-2]
        stored_prev, stored_hash = row[-2], row[-1]
        seq = int(values[0])
        if seq != expected_seq:
            report.fail(expected_seq, f"event {expected_seq} is missing (next found: {seq})")
        if stored_prev != prev:
            report.fail(expected_seq, "link to the previous event is broken")
        if row_hash(stored_prev, values) != stored_hash:
            report.fail(expected_seq, "contents do not match the stored hash")
        prev = stored_hash
        expected_seq = seq + 1
        report.events += 1
    report.head_hash = prev
    return report


def _event(row: Any) -> EventRecord:
    m = dict(row._mapping)
    try:
        detail = json.loads(m["detail"] or "{}")
    except ValueError:
        detail = None
    # A damaged detail (only possible by editing the database) is shown as it is stored;
    # `verify_chain` reports the event.
    m["detail"] = detail if isinstance(detail, dict) else {"unreadable_detail": m["detail"]}
    return EventRecord(**m)


class ChainStore(LedgerStore):
    """The chained events (`ledger.chain`): record one, read them, verify the chain."""

    def record(self, kind: EventKind, **fields: Any) -> int:
        """Append a single event in its own transaction."""
        with self._ledger.transaction() as txn:
            return txn.add_event(kind, **fields)

    def events(
        self, *, document_id: int | None = None, kinds: Collection[EventKind] | None = None
    ) -> list[EventRecord]:
        query = select(events).order_by(self._seq_order(kinds is not None))
        if document_id is not None:
            query = query.where(events.c.document_id == document_id)
        if kinds is not None:
            query = query.where(events.c.kind.in_([k.value for k in kinds]))
        with self._reader.connect() as conn:
            return [_event(r) for r in conn.execute(query)]

    def recent_events(
        self, limit: int, *, exclude: Collection[EventKind] = ()
    ) -> list[EventRecord]:
        """The newest `limit` events, newest first, without the `exclude` kinds (the
        Supervision page's recent activity)."""
        query = select(events).order_by(events.c.seq.desc()).limit(limit)
        if exclude:
            query = query.where(events.c.kind.not_in([k.value for k in exclude]))
        with self._reader.connect() as conn:
            return [_event(r) for r in conn.execute(query)]

    def matter_events(self, matter_id: str) -> list[EventRecord]:
        """Every event naming the matter or one of its documents, oldest first (the
        per-matter activity report)."""
        mine = select(documents.c.id).where(documents.c.matter_id == matter_id)
        query = (select(events)
                 .where(or_(events.c.matter_id == matter_id, events.c.document_id.in_(mine)))
                 .order_by(events.c.seq))
        with self._reader.connect() as conn:
            return [_event(r) for r in conn.execute(query)]

    def latest_event(self, kinds: Iterable[str]) -> EventRecord | None:
        """The newest event of one of `kinds` (None: there is none)."""
        query = (select(events).where(events.c.kind.in_([str(k) for k in kinds]))
                 .order_by(events.c.seq.desc()).limit(1))
        with self._reader.connect() as conn:
            row = conn.execute(query).first()
        return _event(row) if row else None

    def history(self, path_or_sha: str, workspace_root: Path | None = None) -> list[EventRecord]:
        """Every event of the documents that have this SHA-256 or this path."""
        key = path_or_sha.strip()
        conds = [documents.c.sha256 == key.lower(), documents.c.filed_sha256 == key.lower()]
        candidates = {key}
        p = Path(key)
        if workspace_root is not None:
            with suppress(ValueError, OSError):
                candidates.add(p.resolve().relative_to(workspace_root.resolve()).as_posix())
        candidates.add(str(p.resolve()) if p.is_absolute() or p.exists() else key)
        for c in candidates:
            conds += [
                documents.c.filed_path == c,
                documents.c.original_path == c,
                documents.c.source_path == c,
            ]
        with self._reader.connect() as conn:
            ids = [r[0] for r in conn.execute(select(documents.c.id).where(or_(*conds)))]
            if not ids:
                return []
            rows = conn.execute(
                select(events).where(events.c.document_id.in_(ids)).order_by(events.c.seq)
            )
            return [_event(r) for r in rows]

    def head(self) -> tuple[int, str]:
        with self._reader.connect() as conn:
            row = conn.execute(select(chain_head.c.seq, chain_head.c.hash)).one()
        return int(row[0]), str(row[1])

    def event_count(self) -> int:
        with self._reader.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(events)).scalar_one())

    def event_hash_at(self, seq: int) -> str | None:
        with self._reader.connect() as conn:
            row = conn.execute(select(events.c.row_hash).where(events.c.seq == seq)).first()
        return str(row[0]) if row else None

    def verify_chain(self) -> ChainReport:
        """Recompute the whole chain (files on disk are checked by the caller)."""
        cols: Sequence[Any] = [events.c[c] for c in EVENT_HASHED_COLUMNS]
        query = select(*cols, events.c.prev_hash, events.c.row_hash).order_by(events.c.seq)
        with self._reader.connect() as conn:
            result = conn.execution_options(yield_per=5000).execute(query)
            report = verify_rows(tuple(r) for r in result)
            head_seq, head_hash = conn.execute(select(chain_head.c.seq, chain_head.c.hash)).one()
        if report.ok and (head_seq != report.events or head_hash != report.head_hash):
            report.fail(
                min(int(head_seq), report.events + 1),
                f"the chain head says {head_seq} events but {report.events} remain",
            )
        return report

    def _seq_order(self, by_kind: bool) -> Any:
        """Chain order. Selecting by kind on SQLite, `seq + 0`: its statistics only say that
        a few kinds share millions of events, so it would walk the whole chain in seq order
        looking for a kind that has none (10 s at 5,000,000 events for the browser's
        provisional marks); this way it reads the kind index and sorts what it found."""
        if by_kind and self._ledger.dialect == "sqlite":
            return events.c.seq + 0
        return events.c.seq

    def kind_events(self, kind: EventKind) -> list[EventRecord]:
        """Every event of one kind, oldest first (e.g. the ledger's attachments)."""
        query = select(events).where(events.c.kind == kind.value).order_by(
            self._seq_order(True))
        with self._reader.connect() as conn:
            return [_event(r) for r in conn.execute(query)]

    def profile_events(self, name: str | None = None) -> list[EventRecord]:
        """The `profile_saved` events (of one profile when `name` is given), oldest first."""
        query = select(events).where(events.c.kind == EventKind.PROFILE_SAVED.value)
        with self._reader.connect() as conn:
            found = [_event(r) for r in conn.execute(query.order_by(events.c.seq))]
        return [e for e in found if name is None or e.detail.get("user") == name]
