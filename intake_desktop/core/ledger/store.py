"""The ledger: the one owner of the database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    and_,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from intake_desktop import tool_version
from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger import triggers
from intake_desktop.core.ledger.bates import BatesCounters
from intake_desktop.core.ledger.chain import ChainReport, canonical_detail, row_hash, verify_rows
from intake_desktop.core.ledger.claims import ClaimRecord, ClaimState, OwnerRecord
from intake_desktop.core.ledger.holdings import passphrase_digest
from intake_desktop.core.ledger.queries import (
    DocumentFilter,
    DocumentText,
    MatterRecord,
    UserRecord,
)
from intake_desktop.core.ledger.records import (
    Actor,
    DocStatus,
    DocumentRecord,
    EventKind,
    EventRecord,
)
from intake_desktop.core.ledger.schema import (
    EVENT_HASHED_COLUMNS,
    chain_head,
    claim_owners,
    claims,
    document_text,
    documents,
    events,
    matters,
    users,
)
from intake_desktop.core.shipped import package_file

MIGRATIONS = package_file("intake_desktop.core.ledger", "migrations")


def utc_now() -> str:
    """UTC time with microseconds, ISO 8601, as recorded in events."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def event_kind(kind: EventKind | str) -> EventKind:
    """The `EventKind` member for `kind`; a LedgerError for anything else."""
    try:
        return EventKind(kind)
    except ValueError:
        raise LedgerError(
            f"{kind!r} is not a kind of ledger event",
            fix="add it to EventKind in core/ledger/records.py before recording it",
        ) from None


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Txn:
    """One write transaction: documents, matters and chained events commit together."""

    def __init__(self, conn: Connection, actor: Actor, rules_version: str | None) -> None:
        self._conn = conn
        self._actor = actor
        self._rules_version = rules_version
        self._head: tuple[int, str] | None = None

    def ensure_matter(self, matter_id: str, name: str = "") -> None:
        exists = self._conn.execute(
            select(matters.c.id).where(matters.c.id == matter_id)
        ).first()
        if not exists:
            values = {"id": matter_id, "name": name or matter_id, "created_at": utc_now()}
            if self._conn.dialect.name == "postgresql":
                # Two workstations may file the first documents of a new matter at once.
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                self._conn.execute(pg_insert(matters).values(**values).on_conflict_do_nothing())
            else:
                self._conn.execute(matters.insert().values(**values))

    def insert_document(self, **fields: Any) -> int:
        now = utc_now()
        fields.setdefault("created_at", now)
        fields.setdefault("updated_at", now)
        result = self._conn.execute(documents.insert().values(**fields))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def update_document(self, doc_id: int, **fields: Any) -> None:
        fields["updated_at"] = utc_now()
        self._conn.execute(update(documents).where(documents.c.id == doc_id).values(**fields))

    def add_event(
        self,
        kind: EventKind,
        *,
        document_id: int | None = None,
        matter_id: str | None = None,
        path_before: str | None = None,
        path_after: str | None = None,
        sha256_before: str | None = None,
        sha256_after: str | None = None,
        detail: dict[str, Any] | None = None,
        rules_version: str | None = None,
    ) -> int:
        """Append one event to the chain; returns its sequence number.

        Only members of `EventKind` are accepted (a free string is refused before anything
        is written, so a typo never enters the chain).
        """
        kind = event_kind(kind)
        if self._head is None:
            # Take the write lock on the head row first (serializes writers on PostgreSQL too).
            self._conn.execute(
                update(chain_head)
                .where(chain_head.c.id == 1)
                .values(writes=chain_head.c.writes + 1)
            )
            row = self._conn.execute(
                select(chain_head.c.seq, chain_head.c.hash).where(chain_head.c.id == 1)
            ).one()
            self._head = (int(row[0]), str(row[1]))
        seq, prev = self._head[0] + 1, self._head[1]
        values = {
            "seq": seq,
            "at": utc_now(),
            "kind": kind.value,
            "document_id": document_id,
            "matter_id": matter_id,
            "actor_user": self._actor.user,
            "actor_role": self._actor.role,
            "tool_version": tool_version(),
            "rules_version": rules_version if rules_version is not None else self._rules_version,
            "path_before": path_before,
            "path_after": path_after,
            "sha256_before": sha256_before,
            "sha256_after": sha256_after,
            "detail": canonical_detail(detail),
        }
        digest = row_hash(prev, [values[c] for c in EVENT_HASHED_COLUMNS])
        self._conn.execute(events.insert().values(**values, prev_hash=prev, row_hash=digest))
        self._conn.execute(
            update(chain_head).where(chain_head.c.id == 1).values(seq=seq, hash=digest)
        )
        self._head = (seq, digest)
        return seq


def _doc(row: Any) -> DocumentRecord:
    m = row._mapping
    return DocumentRecord(**{k: m[k] for k in DocumentRecord.__dataclass_fields__})


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_query(word: str) -> str:
    """One word (or word start) for an FTS5 MATCH, quoted so no input is FTS syntax."""
    return '"' + word.replace('"', '""') + '"*'


def _text_match(word: str, n: int, dialect: str) -> Any:
    """Ids of documents whose text or stamped labels contain `word` (None: no index)."""
    key = f"fts_{n}"
    if dialect == "sqlite":
        clause = text(f"SELECT rowid AS document_id FROM document_fts WHERE document_fts "
                      f"MATCH :{key}").bindparams(**{key: _fts_query(word)})
    elif dialect == "postgresql":
        clause = text(f"SELECT document_id FROM document_text WHERE tsv @@ "
                      f"to_tsquery('simple', :{key})").bindparams(
            **{key: "'" + word.replace("'", "''").replace("\\", "") + "':*"})
    else:
        return None
    return documents.c.id.in_(clause.columns(document_id=Integer))


def _filter_conditions(flt: DocumentFilter, dialect: str = "") -> list[Any]:
    """WHERE conditions of the exhibit browser's filter (desktop app block below)."""
    conds: list[Any] = []
    if flt.statuses:
        conds.append(documents.c.status.in_(list(flt.statuses)))
    if flt.matter_id:
        conds.append(documents.c.matter_id == flt.matter_id)
    if flt.category:
        conds.append(documents.c.category == flt.category)
    day = func.coalesce(documents.c.document_date, func.substr(documents.c.created_at, 1, 10))
    if flt.date_from:
        conds.append(day >= flt.date_from)
    if flt.date_to:
        conds.append(day <= flt.date_to)
    for n, word in enumerate(flt.text.split()):
        pattern = f"%{_like_escape(word)}%"
        found = [
            col.ilike(pattern, escape="\\")
            for col in (
                documents.c.filed_path,
                documents.c.source_path,
                documents.c.category,
                documents.c.matter_id,
            )
        ]
        in_text = _text_match(word, n, dialect)
        if in_text is not None:
            found.append(in_text)
        conds.append(or_(*found))
    return conds


def _user(row: Any) -> UserRecord:
    m = row._mapping
    return UserRecord(**{k: m[k] for k in UserRecord.__dataclass_fields__})


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


class Ledger(BatesCounters):
    """Chain-of-custody ledger. Create with `Ledger.open(url, actor)`."""

    def __init__(self, url: str, actor: Actor, rules_version: str | None = None) -> None:
        self.url = url
        self.actor = actor
        self.rules_version = rules_version
        # Run at the end of the first write transaction (e.g. record which workspace this
        # ledger serves), so a read-only use such as a rules preview writes nothing at all.
        self._first_write: Callable[[Txn], None] | None = None
        try:
            if url.startswith("sqlite"):
                self._writer = _sqlite_engine(url, immediate=True)
                self._reader = _sqlite_engine(url, immediate=False)
            else:
                self._writer = create_engine(url, pool_pre_ping=True)
                self._reader = self._writer
        except (SQLAlchemyError, ImportError) as exc:
            raise LedgerError(
                f"cannot open the ledger at {url} ({exc})",
                fix="check --db or the [ledger] url in .intake/config.toml",
            ) from exc

    @classmethod
    def open(cls, url: str, actor: Actor, rules_version: str | None = None) -> Ledger:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        ledger = cls(url, actor, rules_version)
        ledger.migrate()
        return ledger

    def with_actor(self, actor: Actor) -> Ledger:
        other = Ledger(self.url, actor, self.rules_version)
        other._first_write = self._first_write
        return other

    def on_first_write(self, hook: Callable[[Txn], None] | None) -> None:
        """Call `hook(txn)` at the end of the next write transaction that commits."""
        self._first_write = hook

    def migrate(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self._writer.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")
        except OperationalError as exc:
            raise LedgerError(
                f"cannot open or upgrade the ledger at {self.url} ({exc.orig})",
                fix="check that the folder is writable and the database is not on a network share",
            ) from exc

    def close(self) -> None:
        self._writer.dispose()
        if self._reader is not self._writer:
            self._reader.dispose()

    @contextmanager
    def transaction(self, rules_version: str | None = None) -> Iterator[Txn]:
        hook, self._first_write = self._first_write, None
        try:
            with self._writer.begin() as conn:
                txn = Txn(conn, self.actor, rules_version or self.rules_version)
                yield txn
                if hook is not None:
                    # Last, so the chain head is locked after whatever the body locked first
                    # (e.g. a new matter row): the same lock order as every other writer.
                    hook(txn)
        except BaseException:
            if hook is not None and self._first_write is None:
                self._first_write = hook  # not committed: run it with the next write
            raise

    def record(self, kind: EventKind, **fields: Any) -> int:
        """Append a single event in its own transaction."""
        with self.transaction() as txn:
            return txn.add_event(kind, **fields)

    # ---- queries -------------------------------------------------------------------------

    def document(self, doc_id: int) -> DocumentRecord | None:
        with self._reader.connect() as conn:
            row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
        return _doc(row) if row else None

    def find_filed(self, matter_id: str, sha256: str) -> DocumentRecord | None:
        """The first filed document of this matter with these bytes."""
        with self._reader.connect() as conn:
            row = conn.execute(
                select(documents)
                .where(
                    documents.c.matter_id == matter_id,
                    documents.c.sha256 == sha256,
                    documents.c.status == DocStatus.FILED,
                )
                .order_by(documents.c.id)
            ).first()
        return _doc(row) if row else None

    def find_waiting_in_review(self, sha256: str) -> DocumentRecord | None:
        """The first document with these bytes waiting in Review/ (filing de-duplicates)."""
        with self._reader.connect() as conn:
            row = conn.execute(
                select(documents)
                .where(documents.c.sha256 == sha256, documents.c.status == DocStatus.REVIEW)
                .order_by(documents.c.id)
            ).first()
        return _doc(row) if row else None

    def documents(
        self,
        *,
        status: str | None = None,
        matter_id: str | None = None,
        after_id: int = 0,
        limit: int | None = None,
    ) -> list[DocumentRecord]:
        query = select(documents).where(documents.c.id > after_id).order_by(documents.c.id)
        if status:
            query = query.where(documents.c.status == status)
        if matter_id:
            query = query.where(documents.c.matter_id == matter_id)
        if limit:
            query = query.limit(limit)
        with self._reader.connect() as conn:
            return [_doc(r) for r in conn.execute(query)]

    def unfinished(self) -> list[DocumentRecord]:
        """Pending intents and filed documents whose Intake/ source was not yet removed."""
        with self._reader.connect() as conn:
            rows = conn.execute(
                select(documents)
                .where(
                    or_(
                        documents.c.status == DocStatus.PENDING,
                        documents.c.source_cleared.is_(False),
                    )
                )
                .order_by(documents.c.id)
            )
            return [_doc(r) for r in rows]

    def reserved_paths(self) -> set[str]:
        """Destination paths claimed by pending intents (never handed out twice)."""
        with self._reader.connect() as conn:
            rows = conn.execute(
                select(documents.c.original_path, documents.c.filed_path).where(
                    documents.c.status == DocStatus.PENDING
                )
            )
            return {p for row in rows for p in row if p}

    def matters(self) -> list[str]:
        with self._reader.connect() as conn:
            return [r[0] for r in conn.execute(select(matters.c.id).order_by(matters.c.id))]

    def events(
        self, *, document_id: int | None = None, kinds: Collection[EventKind] | None = None
    ) -> list[EventRecord]:
        query = select(events).order_by(events.c.seq)
        if document_id is not None:
            query = query.where(events.c.document_id == document_id)
        if kinds is not None:
            query = query.where(events.c.kind.in_([k.value for k in kinds]))
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

    # ---- watch claims (migration 0002_claims) ---------------------------------------------
    # A watcher claims an intake file (key: folder, relative path, size, mtime) before any
    # work. The claim is one INSERT in its own transaction against a primary key, so of two
    # processes racing, on SQLite or PostgreSQL, exactly one insert succeeds. Times are the
    # clients' epoch seconds; keep `stale_after` well above the workstations' clock skew.

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

    # ---- desktop app: browsing, review queue and user profiles (issue 8) ------------------
    # Keyset-paged, filtered document queries for the exhibit browser, recent documents for
    # the rules preview, and the local user profiles of migration 0004_users.

    def browse_documents(
        self, flt: DocumentFilter, *, after_id: int = 0, limit: int = 200
    ) -> list[DocumentRecord]:
        """One keyset page of documents matching `flt`, in id order."""
        query = (
            select(documents)
            .where(documents.c.id > after_id, *_filter_conditions(flt, self._dialect))
            .order_by(documents.c.id)
            .limit(limit)
        )
        with self._reader.connect() as conn:
            return [_doc(r) for r in conn.execute(query)]

    def count_documents(self, flt: DocumentFilter) -> int:
        query = select(func.count()).select_from(documents).where(
            *_filter_conditions(flt, self._dialect))
        with self._reader.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def categories(self) -> list[str]:
        """Categories in use, sorted (the empty category left out)."""
        query = (
            select(documents.c.category)
            .where(documents.c.category != "")
            .distinct()
            .order_by(documents.c.category)
        )
        with self._reader.connect() as conn:
            return [str(r[0]) for r in conn.execute(query)]

    def recent_documents(self, limit: int = 20) -> list[DocumentRecord]:
        """The latest top-level documents that were filed or sent to review, newest first."""
        query = (
            select(documents)
            .where(
                documents.c.status.in_([DocStatus.FILED, DocStatus.REVIEW]),
                documents.c.parent_id.is_(None),
            )
            .order_by(documents.c.id.desc())
            .limit(limit)
        )
        with self._reader.connect() as conn:
            return [_doc(r) for r in conn.execute(query)]

    def users(self) -> list[UserRecord]:
        with self._reader.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def user(self, name: str) -> UserRecord | None:
        with self._reader.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return _user(row) if row else None

    def save_user(
        self, name: str, role: str, passphrase_hash: str, *, detail: dict[str, Any]
    ) -> None:
        """Create or update a profile and record a `profile_saved` event, in one transaction."""
        now = utc_now()
        with self.transaction() as txn:
            conn = txn._conn
            exists = conn.execute(select(users.c.name).where(users.c.name == name)).first()
            if exists:
                conn.execute(
                    update(users)
                    .where(users.c.name == name)
                    .values(role=role, passphrase_hash=passphrase_hash, updated_at=now)
                )
            else:
                conn.execute(
                    users.insert().values(
                        name=name, role=role, passphrase_hash=passphrase_hash,
                        created_at=now, updated_at=now,
                    )
                )
            # The passphrase hash is chained as a digest: a forged or swapped row in `users`
            # then disagrees with its events (`ledger verify`, and admin sign-in, refuse it).
            txn.add_event(
                EventKind.PROFILE_SAVED,
                detail={**detail, "user": name, "role": str(role),
                        "passphrase_sha256": passphrase_digest(passphrase_hash)},
            )

    def profile_events(self, name: str | None = None) -> list[EventRecord]:
        """The `profile_saved` events (of one profile when `name` is given), oldest first."""
        query = select(events).where(events.c.kind == EventKind.PROFILE_SAVED.value)
        with self._reader.connect() as conn:
            found = [_event(r) for r in conn.execute(query.order_by(events.c.seq))]
        return [e for e in found if name is None or e.detail.get("user") == name]

    # ---- the ledger's own integrity: triggers, attachment to a workspace ------------------

    @property
    def display_url(self) -> str:
        """The URL without its password (as recorded in events and shown in messages)."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError):
            return self.url

    def missing_triggers(self) -> list[str]:
        """Append-only triggers on `events` that were dropped or disabled."""
        with self._reader.connect() as conn:
            return triggers.missing(conn)

    def restore_triggers(self) -> list[str]:
        """Put back every missing append-only trigger; returns the names restored."""
        try:
            with self._writer.begin() as conn:
                gone = triggers.missing(conn)
                if gone:
                    triggers.restore(conn, gone)
        except SQLAlchemyError as exc:
            raise LedgerError(
                f"cannot restore the ledger's append-only triggers ({exc.__class__.__name__})",
                fix="ask the database owner to run `intake-desktop ledger verify`",
            ) from exc
        return gone

    def kind_events(self, kind: EventKind) -> list[EventRecord]:
        """Every event of one kind, oldest first (e.g. the ledger's attachments)."""
        query = select(events).where(events.c.kind == kind.value).order_by(events.c.seq)
        with self._reader.connect() as conn:
            return [_event(r) for r in conn.execute(query)]

    # ---- desktop app: full-text search and matters (issue 14, window) -------------------
    # document_text (migration 0006_window_search) and the matter columns of
    # 0006_window_matters. Search text is an index, not custody: it is written without an
    # event; saving a matter's details is recorded ("matter_saved").

    @property
    def _dialect(self) -> str:
        return self._reader.dialect.name

    def set_document_text(
        self, document_id: int, body: str, pages: int | None = None
    ) -> None:
        """Keep (or replace) what a document says, for full-text search."""
        values = {"pages": pages, "body": body, "updated_at": utc_now()}
        with self._writer.begin() as conn:
            done = conn.execute(
                update(document_text)
                .where(document_text.c.document_id == document_id)
                .values(**values)
            )
            if not done.rowcount:
                conn.execute(document_text.insert().values(
                    document_id=document_id, labels="", **values))

    def set_document_texts(self, texts: Sequence[tuple[int, str, int | None]]) -> None:
        """`set_document_text` for several documents ((id, body, pages)) in one
        transaction (a filed batch)."""
        if not texts:
            return
        with self._writer.begin() as conn:
            for document_id, body, pages in texts:
                values = {"pages": pages, "body": body, "updated_at": utc_now()}
                done = conn.execute(
                    update(document_text)
                    .where(document_text.c.document_id == document_id)
                    .values(**values)
                )
                if not done.rowcount:
                    conn.execute(document_text.insert().values(
                        document_id=document_id, labels="", **values))

    def add_document_labels(self, document_id: int, labels: Sequence[str]) -> None:
        """Add stamped labels (Bates numbers, exhibit labels) to a document's search text."""
        with self._writer.begin() as conn:
            row = conn.execute(
                select(document_text.c.labels).where(document_text.c.document_id == document_id)
            ).first()
            have = str(row[0]).split() if row else []
            new = [w for label in labels for w in str(label).split() if w not in have]
            if not new:
                return
            joined = " ".join([*have, *new])
            if row:
                conn.execute(update(document_text)
                             .where(document_text.c.document_id == document_id)
                             .values(labels=joined, updated_at=utc_now()))
            else:
                conn.execute(document_text.insert().values(
                    document_id=document_id, pages=None, body="", labels=joined,
                    updated_at=utc_now()))

    def document_texts(
        self, document_ids: Sequence[int], *, with_body: bool = True
    ) -> dict[int, DocumentText]:
        """The search text of these documents (those indexed); pages and labels only when
        `with_body` is False."""
        if not document_ids:
            return {}
        t = document_text.c
        body = t.body if with_body else text("'' AS body")
        query = select(t.document_id, t.pages, body, t.labels).where(
            t.document_id.in_(list(document_ids)))
        with self._reader.connect() as conn:
            return {
                int(r[0]): DocumentText(int(r[0]), r[1], str(r[2] or ""), str(r[3] or ""))
                for r in conn.execute(query)
            }

    def matter_list(self) -> list[MatterRecord]:
        """Every matter with its details, by id."""
        with self._reader.connect() as conn:
            return [
                MatterRecord(**{k: r._mapping[k] or "" for k in MatterRecord.__dataclass_fields__})
                for r in conn.execute(select(matters).order_by(matters.c.id))
            ]

    def save_matter(self, matter: MatterRecord) -> MatterRecord:
        """Create a matter or change its details (recorded as a `matter_saved` event)."""
        values = {k: getattr(matter, k) for k in ("name", "number", "client", "practice",
                                                   "attorney")}
        with self.transaction() as txn:
            txn.ensure_matter(matter.id, matter.name)
            txn._conn.execute(update(matters).where(matters.c.id == matter.id).values(**values))
            txn.add_event(EventKind.MATTER_SAVED, matter_id=matter.id, detail=values)
        return next(m for m in self.matter_list() if m.id == matter.id)
