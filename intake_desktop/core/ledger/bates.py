"""The ledger's Bates counters: the next free number per prefix (exhibit sets).

`ledger.bates`. The counter lives in `bates_counters`; every reservation and release
is a chained event in the same transaction, so the custody log shows who took which range.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.exc import IntegrityError

from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger.records import EventKind
from intake_desktop.core.ledger.schema import bates_counters, events
from intake_desktop.core.ledger.store_base import LedgerStore, utc_now


def _locked_counter(conn: Connection, prefix: str) -> Row[Any] | None:
    """The prefix's counter row (next_number), locked for this transaction."""
    return conn.execute(
        select(bates_counters.c.next_number)
        .where(bates_counters.c.prefix == prefix)
        .with_for_update()
    ).first()


class BatesStore(LedgerStore):
    """Bates numbering (`ledger.bates`): counters per prefix, reservations as events."""

    BATES_RESERVED = EventKind.BATES_RESERVED
    BATES_RELEASED = EventKind.BATES_RELEASED

    def next_bates(self, prefix: str) -> int:
        """The next free Bates number for `prefix` (1 for a prefix never used)."""
        with self._reader.connect() as conn:
            row = conn.execute(
                select(bates_counters.c.next_number).where(bates_counters.c.prefix == prefix)
            ).first()
        return int(row[0]) if row else 1

    def reserve_bates(
        self,
        prefix: str,
        count: int,
        start: int | None = None,
        *,
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Reserve `count` consecutive numbers for `prefix`; returns the first.

        `start=None` continues at the next free number. An explicit start below the next
        free number would reuse numbers already stamped and is refused; one above it skips
        numbers, which is allowed and recorded in the event (`skipped`).
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        try:
            return self._reserve_bates(prefix, count, start, detail)
        except IntegrityError:
            # Another workstation created this prefix's counter at the same moment; its
            # row exists now, so the retry locks it and continues after that range.
            return self._reserve_bates(prefix, count, start, detail)

    def _reserve_bates(
        self, prefix: str, count: int, start: int | None, detail: dict[str, Any] | None
    ) -> int:
        with self._ledger.transaction() as txn:
            conn = txn._conn
            row = _locked_counter(conn, prefix)
            free = int(row[0]) if row else 1
            if start is None:
                first = free
            elif row is not None and start < free:
                raise LedgerError(
                    f"Bates numbers for prefix {prefix!r} from {start} would reuse numbers "
                    f"already assigned (the next free number is {free})",
                    fix=f"remove `start` from the spec to continue at {free}, "
                    "or use another prefix",
                )
            else:
                first = start
            last = first + count - 1
            if row is None:
                conn.execute(
                    bates_counters.insert().values(
                        prefix=prefix, next_number=last + 1, updated_at=utc_now()
                    )
                )
            else:
                conn.execute(
                    update(bates_counters)
                    .where(bates_counters.c.prefix == prefix)
                    .values(next_number=last + 1, updated_at=utc_now())
                )
            skipped = first - free if row is not None and first > free else 0
            txn.add_event(
                self.BATES_RESERVED,
                detail={
                    **(detail or {}),
                    "prefix": prefix,
                    "first": first,
                    "last": last,
                    "count": count,
                    "skipped": skipped,
                },
            )
        return first

    def release_bates(
        self, prefix: str, first: int, count: int, *, reason: str = ""
    ) -> bool:
        """Give back a reservation whose build failed, if it is still the latest one.

        Returns False (and changes nothing) when numbers after it were reserved since.
        """
        with self._ledger.transaction() as txn:
            conn = txn._conn
            row = _locked_counter(conn, prefix)
            if row is None or int(row[0]) != first + count:
                return False
            conn.execute(
                update(bates_counters)
                .where(bates_counters.c.prefix == prefix)
                .values(next_number=first, updated_at=utc_now())
            )
            txn.add_event(
                self.BATES_RELEASED,
                detail={"prefix": prefix, "first": first, "last": first + count - 1,
                        "count": count, "reason": reason},
            )
        return True

    def bates_reservations(self, prefix: str) -> list[dict[str, Any]]:
        """Every reservation for `prefix` that was not given back, oldest first: its event
        detail plus `seq` and `at` (an exhibit build looks for its own earlier range)."""
        query = (
            select(events.c.seq, events.c.at, events.c.kind, events.c.detail)
            .where(events.c.kind.in_([self.BATES_RESERVED, self.BATES_RELEASED]))
            .order_by(events.c.seq.desc())
        )
        released: list[int] = []
        kept: list[dict[str, Any]] = []
        with self._reader.connect() as conn:
            for seq, at, kind, raw in conn.execute(query):
                detail = json.loads(raw or "{}")
                if detail.get("prefix") != prefix:
                    continue
                if kind == self.BATES_RELEASED:
                    released.append(int(detail.get("first", 0)))
                elif int(detail.get("first", 0)) in released:
                    released.remove(int(detail["first"]))
                else:
                    kept.append({**detail, "seq": int(seq), "at": str(at)})
        return kept[::-1]

    def latest_bates_reservation(self, prefix: str) -> dict[str, Any] | None:
        """The newest reservation for `prefix` that was not given back: its event detail
        plus `seq` and `at`; None when there is none."""
        query = (
            select(events.c.seq, events.c.at, events.c.kind, events.c.detail)
            .where(events.c.kind.in_([self.BATES_RESERVED, self.BATES_RELEASED]))
            .order_by(events.c.seq.desc())
        )
        released: list[int] = []
        with self._reader.connect() as conn:
            for seq, at, kind, raw in conn.execute(query):
                detail = json.loads(raw or "{}")
                if detail.get("prefix") != prefix:
                    continue
                if kind == self.BATES_RELEASED:
                    released.append(int(detail.get("first", 0)))
                elif int(detail.get("first", 0)) in released:
                    released.remove(int(detail["first"]))
                else:
                    return {**detail, "seq": int(seq), "at": str(at)}
        return None
