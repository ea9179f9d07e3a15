"""Watch claims: which watcher process took which intake file (`ledger.watch_claims`)."""

from __future__ import annotations

import enum
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from intake_desktop.core.ledger.schema import claim_owners, claims
from intake_desktop.core.ledger.store_base import LedgerStore


class ClaimState(enum.StrEnum):
    ACTIVE = "active"  # a watcher is filing this file now
    FAILED = "failed"  # filing failed; kept so nobody retries it before `retry_failed_after`


@dataclass(frozen=True)
class ClaimRecord:
    key: str
    owner: str
    state: str
    source: str
    reason: str | None
    claimed_at: float
    updated_at: float


@dataclass(frozen=True)
class OwnerRecord:
    owner: str
    host: str
    pid: int
    started_at: float
    heartbeat_at: float


class ClaimStore(LedgerStore):
    """Watch claims (`ledger.watch_claims`, migration 0002_claims).

    A watcher claims an intake file (key: folder, relative path, size, mtime) before any
    work. The claim is one INSERT in its own transaction against a primary key, so of two
    processes racing, on SQLite or PostgreSQL, exactly one insert succeeds. Times are the
    clients' epoch seconds; keep `stale_after` well above the workstations' clock skew.
    """

    def claim(self, key: str, owner: str, *, source: str = "", now: float | None = None) -> bool:
        """Take `key` for `owner`. False when another owner (or this one) already holds it."""
        at = time.time() if now is None else now
        try:
            with self._writer.begin() as conn:
                conn.execute(
                    claims.insert().values(
                        key=key, owner=owner, state=ClaimState.ACTIVE, source=source,
                        reason=None, claimed_at=at, updated_at=at,
                    )
                )
        except IntegrityError:
            return False
        return True

    def release(self, key: str, owner: str | None = None) -> None:
        """Drop a claim (after the file was filed, so a later file of the same name is new)."""
        query = delete(claims).where(claims.c.key == key)
        if owner is not None:
            query = query.where(claims.c.owner == owner)
        with self._writer.begin() as conn:
            conn.execute(query)

    def claim_many(
        self, items: Sequence[tuple[str, str]], owner: str, *, now: float | None = None
    ) -> set[str]:
        """Take several keys ((key, source) pairs) for `owner` in one transaction; the keys
        taken. A key another owner holds is left to it (insert-or-ignore on the primary
        key, so of two processes racing for a key exactly one gets it)."""
        if not items:
            return set()
        at = time.time() if now is None else now
        rows = [{"key": key, "owner": owner, "state": ClaimState.ACTIVE, "source": source,
                 "reason": None, "claimed_at": at, "updated_at": at} for key, source in items]
        keys = [key for key, _ in items]
        if self._writer.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement: Any = pg_insert(claims).on_conflict_do_nothing()
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(claims).on_conflict_do_nothing()
        with self._writer.begin() as conn:
            conn.execute(statement, rows)
            taken = conn.execute(
                select(claims.c.key).where(claims.c.key.in_(keys), claims.c.owner == owner,
                                           claims.c.claimed_at == at)
            )
            return {str(row[0]) for row in taken}

    def release_many(self, keys: Collection[str], owner: str) -> None:
        """Drop several claims of `owner` in one transaction (a filed batch)."""
        listed = list(keys)
        if not listed:
            return
        with self._writer.begin() as conn:
            for start in range(0, len(listed), 500):
                conn.execute(delete(claims).where(claims.c.key.in_(listed[start:start + 500]),
                                                  claims.c.owner == owner))

    def fail_claim(self, key: str, owner: str, reason: str, *, now: float | None = None) -> None:
        """Keep the claim as failed: no watcher retries this file before the claim expires."""
        at = time.time() if now is None else now
        with self._writer.begin() as conn:
            conn.execute(
                update(claims)
                .where(claims.c.key == key, claims.c.owner == owner)
                .values(state=ClaimState.FAILED, reason=reason, updated_at=at)
            )

    def heartbeat(self, owner: str, *, host: str = "", pid: int = 0,
                  now: float | None = None) -> None:
        """Record that `owner` is alive (creates its row on first call)."""
        at = time.time() if now is None else now
        with self._writer.begin() as conn:
            done = conn.execute(
                update(claim_owners).where(claim_owners.c.owner == owner).values(heartbeat_at=at)
            )
            if done.rowcount == 0:
                conn.execute(
                    claim_owners.insert().values(
                        owner=owner, host=host, pid=pid, started_at=at, heartbeat_at=at
                    )
                )

    def retire_owner(self, owner: str) -> None:
        """A watcher stopping cleanly: drop its heartbeat row and any claim it still holds."""
        with self._writer.begin() as conn:
            conn.execute(
                delete(claims).where(
                    claims.c.owner == owner, claims.c.state == ClaimState.ACTIVE
                )
            )
            conn.execute(delete(claim_owners).where(claim_owners.c.owner == owner))

    def owners(self) -> list[OwnerRecord]:
        with self._reader.connect() as conn:
            rows = conn.execute(select(claim_owners).order_by(claim_owners.c.owner))
            return [OwnerRecord(**dict(r._mapping)) for r in rows]

    def live_owners(self, *, within: float, now: float | None = None) -> list[OwnerRecord]:
        """Owners whose heartbeat is at most `within` seconds old."""
        at = time.time() if now is None else now
        with self._reader.connect() as conn:
            rows = conn.execute(
                select(claim_owners)
                .where(claim_owners.c.heartbeat_at >= at - within)
                .order_by(claim_owners.c.owner)
            )
            return [OwnerRecord(**dict(r._mapping)) for r in rows]

    def expire_claims(
        self, *, stale_after: float, retry_failed_after: float, now: float | None = None
    ) -> list[ClaimRecord]:
        """Drop claims of owners silent for `stale_after` s and failures older than
        `retry_failed_after` s, so the file is taken again. Returns what was dropped."""
        at = time.time() if now is None else now
        live = select(claim_owners.c.owner).where(
            claim_owners.c.heartbeat_at >= at - stale_after
        )
        stale = or_(
            and_(
                claims.c.state == ClaimState.ACTIVE,
                claims.c.claimed_at < at - stale_after,
                claims.c.owner.not_in(live),
            ),
            and_(
                claims.c.state == ClaimState.FAILED,
                claims.c.updated_at < at - retry_failed_after,
            ),
        )
        with self._writer.begin() as conn:
            found = conn.execute(select(claims).where(stale))
            rows = [ClaimRecord(**dict(r._mapping)) for r in found]
            if rows:
                conn.execute(delete(claims).where(claims.c.key.in_([r.key for r in rows])))
            conn.execute(
                delete(claim_owners).where(claim_owners.c.heartbeat_at < at - stale_after)
            )
        return rows

    def claims(self, *, owner: str | None = None, state: str | None = None) -> list[ClaimRecord]:
        query = select(claims).order_by(claims.c.claimed_at)
        if owner is not None:
            query = query.where(claims.c.owner == owner)
        if state is not None:
            query = query.where(claims.c.state == state)
        with self._reader.connect() as conn:
            return [ClaimRecord(**dict(r._mapping)) for r in conn.execute(query)]
