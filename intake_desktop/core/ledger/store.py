"""The ledger: the one owner of the database (SQLite by default, PostgreSQL by URL).

`Ledger` owns the engines, write transactions (`Txn`), migrations and the append-only
triggers; each kind of record has its own store, an attribute of the Ledger:

- `ledger.docs`         documents, their filing state and search text (document_store.py)
- `ledger.chain`        the chained events: record, read, verify (chain.py)
- `ledger.watch_claims` which watcher took which intake file (claims.py)
- `ledger.people`       user profiles (people_store.py)
- `ledger.matter_book`  matters and their details (matter_store.py)
- `ledger.bates`        Bates counters and reservations (bates.py)
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    event,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from intake_desktop import tool_version
from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger import triggers
from intake_desktop.core.ledger.bates import BatesStore
from intake_desktop.core.ledger.chain import ChainStore, canonical_detail, row_hash
from intake_desktop.core.ledger.claims import ClaimStore
from intake_desktop.core.ledger.document_store import DocumentStore
from intake_desktop.core.ledger.matter_store import MatterStore
from intake_desktop.core.ledger.people_store import PeopleStore
from intake_desktop.core.ledger.records import Actor, EventKind
from intake_desktop.core.ledger.schema import (
    EVENT_HASHED_COLUMNS,
    chain_head,
    documents,
    events,
    matters,
)
from intake_desktop.core.ledger.store_base import utc_now
from intake_desktop.core.shipped import package_file

__all__ = ["Ledger", "Txn", "event_kind", "utc_now"]

MIGRATIONS = package_file("intake_desktop.core.ledger", "migrations")


def migration_heads() -> frozenset[str] | None:
    """The head revisions of the shipped migrations, read from their files' plain
    `revision = "..."` / `down_revision = ...` lines (what alembic reads after importing
    them); None when a file is not in that form (alembic then decides)."""
    revisions: set[str] = set()
    below: set[str] = set()
    try:
        files = sorted((Path(MIGRATIONS) / "versions").glob("*.py"))
        for path in files:
            if path.name.startswith("__"):
                continue
            values: dict[str, Any] = {}
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    target, value = node.target, node.value
                else:
                    continue
                if isinstance(target, ast.Name) and target.id in (
                        "revision", "down_revision", "depends_on", "branch_labels"):
                    values[target.id] = ast.literal_eval(value)
            if not isinstance(values.get("revision"), str) or values.get("depends_on"):
                return None
            revisions.add(values["revision"])
            down = values.get("down_revision")
            below.update([down] if isinstance(down, str) else down or ())
    except (OSError, SyntaxError, ValueError, TypeError):
        return None
    return frozenset(revisions - below) or None


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


# Built once: each call only binds values (SQLAlchemy compiles each key set once).
_EVENT_INSERT = events.insert()
_DOCUMENT_INSERT = documents.insert()
_DOCUMENT_UPDATE = update(documents).where(documents.c.id == bindparam("_doc_id"))
_HEAD_UPDATE = update(chain_head).where(chain_head.c.id == 1)


class Txn:
    """One write transaction: documents, matters and chained events commit together."""

    def __init__(self, conn: Connection, actor: Actor, rules_version: str | None) -> None:
        self._raw = conn
        self._actor = actor
        self._rules_version = rules_version
        self._head: tuple[int, str] | None = None
        self._head_written = True  # False: events appended since the head row was written
        # Events appended but not yet inserted: written with one executemany before any
        # other statement of this transaction (see `_conn`) and before it commits.
        self._pending: list[dict[str, Any]] = []
        self._matters: set[str] = set()  # known to exist within this transaction

    @property
    def _conn(self) -> Connection:
        """The transaction's connection, with every event appended so far inserted (so
        any statement run on it, here or by a store, sees the events in order)."""
        self._flush_events()
        return self._raw

    def _flush_events(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            self._raw.execute(_EVENT_INSERT, pending)

    def ensure_matter(self, matter_id: str, name: str = "") -> None:
        if matter_id in self._matters:
            return
        exists = self._conn.execute(
            select(matters.c.id).where(matters.c.id == matter_id)
        ).first()
        self._matters.add(matter_id)
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
        result = self._conn.execute(_DOCUMENT_INSERT, fields)
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def update_document(self, doc_id: int, **fields: Any) -> None:
        fields["updated_at"] = utc_now()
        self._conn.execute(_DOCUMENT_UPDATE, {**fields, "_doc_id": doc_id})

    def update_documents(self, changes: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """`update_document` for many rows ((id, fields) each): one statement per set of
        fields changed (a filed batch)."""
        now = utc_now()
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for doc_id, fields in changes:
            row = {**fields, "updated_at": now, "_doc_id": doc_id}
            groups.setdefault(tuple(sorted(row)), []).append(row)
        for rows in groups.values():
            self._conn.execute(_DOCUMENT_UPDATE, rows)

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
        values["prev_hash"], values["row_hash"] = prev, digest
        self._pending.append(values)
        self._head = (seq, digest)
        self._head_written = False
        return seq

    def write_head(self) -> None:
        """Move the chain head row to the last event appended (once per transaction, at its
        end; the head row is locked since the first event, so no other writer moved it)."""
        self._flush_events()
        if self._head is not None and not self._head_written:
            seq, digest = self._head
            self._raw.execute(_HEAD_UPDATE, {"seq": seq, "hash": digest})
            self._head_written = True


class Ledger:
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
        self.docs = DocumentStore(self)
        self.chain = ChainStore(self)
        self.watch_claims = ClaimStore(self)
        self.people = PeopleStore(self)
        self.matter_book = MatterStore(self)
        self.bates = BatesStore(self)

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
        """Upgrade the schema to the shipped heads. A ledger already there is told by its
        alembic_version rows alone: opening it does not load alembic (a third of a second
        of every command's start)."""
        heads = migration_heads()
        if heads and self._at_revisions(heads):
            return
        from alembic import command
        from alembic.config import Config

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

    def _at_revisions(self, heads: frozenset[str]) -> bool:
        try:
            with self._reader.connect() as conn:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except SQLAlchemyError:
            return False  # a new database (no table yet): alembic creates it
        return {str(row[0]) for row in rows} == heads

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
                txn.write_head()
        except BaseException:
            if hook is not None and self._first_write is None:
                self._first_write = hook  # not committed: run it with the next write
            raise

    @property
    def reader(self) -> Engine:
        """The engine the stores read with (a second SQLite connection pool)."""
        return self._reader

    @property
    def writer(self) -> Engine:
        """The engine the stores write with (BEGIN IMMEDIATE on SQLite)."""
        return self._writer

    @property
    def dialect(self) -> str:
        """The database's dialect name ("sqlite", "postgresql")."""
        return self._reader.dialect.name

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
