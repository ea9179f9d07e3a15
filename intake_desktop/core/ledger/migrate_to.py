"""Bring a desk's ledger into a firm database without breaking its chain (`ledger migrate`).

Two ways in:
- **copy** (an empty target): every table is copied row for row (documents with their ids,
  events with their hashes, the chain head, claims, Bates counters, profiles, matters and
  document text), so the target's chain is the desk's chain and verifies to the same head
  hash; an earlier seal of the desk matches the target.
- **merge** (`merge=True`, a target that already holds the firm's chain): the desk's events
  are kept as they were in `desk_events` (its own chain, verifiable on its own), its
  documents are added under new ids (`desk_documents` maps them), matters and profiles the
  firm lacks are added, and the firm chain records one `ledger_merged` event naming the
  desk's head hash and event count (new profiles also get their `profile_saved` event).

Either way the desk's own ledger first records `ledger_migrated` (where its custody went),
the copy is written in one target transaction while the desk's ledger is locked, and the
target's chains are verified inside that transaction: a copy that does not verify is
never committed. A copy into a target that already holds a chain is refused; so is merging a
desk whose chain the target already holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger.chain import ChainReport, verify_rows
from intake_desktop.core.ledger.desk_schema import desk_documents, desk_events
from intake_desktop.core.ledger.holdings import passphrase_digest
from intake_desktop.core.ledger.records import EventKind
from intake_desktop.core.ledger.schema import (
    EVENT_HASHED_COLUMNS,
    bates_counters,
    chain_head,
    claim_owners,
    claims,
    document_text,
    documents,
    events,
    matters,
    users,
)
from intake_desktop.core.ledger.store import Ledger, Txn

BATCH = 5000
# Copied in this order (foreign keys: matters before documents before their text).
COPIED_TABLES: tuple[Table, ...] = (
    matters, documents, document_text, events, bates_counters, users, claims, claim_owners,
    desk_events, desk_documents,
)

Progress = Callable[[str, int], None]


def _no_progress(_table: str, _rows: int) -> None:
    return None


@dataclass
class MigrationResult:
    """What `migrate_ledger` did (plain values for the command and the window)."""

    mode: str  # "copy" or "merge"
    target: str  # the target's URL, password hidden
    desk: str  # the desk's id (its workspace id, else the start of its first event's hash)
    source_events: int
    source_head: str
    target_events: int
    target_head: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode, "target": self.target, "desk": self.desk,
            "source_events": self.source_events, "source_head": self.source_head,
            "target_events": self.target_events, "target_head": self.target_head,
            "rows": dict(self.rows), "notes": list(self.notes),
        }


def _writer(ledger: Ledger) -> Engine:
    engine: Engine = ledger.writer
    return engine


def _chunks(conn: Connection, query: Any) -> Iterator[list[dict[str, Any]]]:
    result = conn.execution_options(yield_per=BATCH).execute(query)
    for part in result.mappings().partitions(BATCH):
        yield [dict(r) for r in part]


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _workspace_ids(conn: Connection) -> list[str]:
    rows = conn.execute(
        select(events.c.detail).where(events.c.kind == EventKind.LEDGER_ATTACHED.value)
        .order_by(events.c.seq)
    )
    import json

    found: list[str] = []
    for (detail,) in rows:
        try:
            ws = json.loads(detail or "{}").get("workspace_id")
        except (ValueError, AttributeError):
            continue
        if ws and ws not in found:
            found.append(str(ws))
    return found


def _first_hash(conn: Connection, table: Table, **where: Any) -> str | None:
    query = select(table.c.row_hash).order_by(table.c.seq).limit(1)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    row = conn.execute(query).first()
    return str(row[0]) if row else None


def verify_chain_rows(conn: Connection, table: Table = events, desk: str | None = None
                      ) -> ChainReport:
    """Recompute one chain on `conn` (the firm chain, or one merged desk's)."""
    cols = [table.c[c] for c in EVENT_HASHED_COLUMNS]
    query = select(*cols, table.c.prev_hash, table.c.row_hash).order_by(table.c.seq)
    if desk is not None:
        query = query.where(table.c.desk == desk)
    result = conn.execution_options(yield_per=BATCH).execute(query)
    return verify_rows(tuple(r) for r in result)


def _fix_sequence(conn: Connection) -> None:
    """After inserting ids by hand, PostgreSQL's serial must continue above them."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(
            "SELECT setval(pg_get_serial_sequence('documents', 'id'), "
            "GREATEST((SELECT COALESCE(MAX(id), 0) FROM documents), 1))"
        ))


def _refuse_target(target: Ledger, what: str, fix: str) -> LedgerError:
    return LedgerError(f"the database at {target.display_url} {what}", fix=fix)


def migrate_ledger(
    source: Ledger,
    target_url: str,
    *,
    merge: bool = False,
    on_progress: Progress = _no_progress,
) -> MigrationResult:
    """Copy (or, with `merge`, add) the `source` ledger into the ledger at `target_url`.

    The target is created or upgraded to the current schema first. Raises LedgerError
    (nothing written to either ledger) when the source's chain does not verify, when a copy
    would go into a target that already holds a chain, when a merge target is empty or
    already holds this desk's chain, or when the copy does not verify on the target.
    """
    if target_url == source.url:
        raise LedgerError("the target is the ledger being migrated",
                          fix="give the URL of the firm's PostgreSQL database with --to")
    own = source.chain.verify_chain()
    if not own.ok:
        raise LedgerError(
            f"the ledger at {source.display_url} does not verify ({own.problems[0]}), so it "
            "is not copied",
            fix="run `intake-desktop ledger verify` and restore the ledger from a backup first",
        )
    target = Ledger.open(target_url, source.actor)
    try:
        return _migrate(source, target, merge=merge, on_progress=on_progress)
    except SQLAlchemyError as exc:
        raise LedgerError(
            f"the copy into {target.display_url} failed and was rolled back "
            f"({exc.__class__.__name__}: {getattr(exc, 'orig', exc)})",
            fix="check that the database is reachable and that this role may write it "
            "(the owner role of `intake-desktop ledger grant`)",
        ) from exc
    finally:
        target.close()


def _migrate(source: Ledger, target: Ledger, *, merge: bool, on_progress: Progress
             ) -> MigrationResult:
    # Whatever the desk still owed its ledger (e.g. recording which workspace it serves)
    # goes in first, so the copy carries it.
    hook, source._first_write = source._first_write, None
    try:
        return _migrate_locked(source, target, hook, merge=merge, on_progress=on_progress)
    except BaseException:
        source._first_write = hook  # nothing was written: it runs with the next write
        raise


def _migrate_locked(source: Ledger, target: Ledger, hook: Callable[[Txn], None] | None, *,
                    merge: bool, on_progress: Progress) -> MigrationResult:
    with source.transaction() as stxn, _writer(target).begin() as tconn:
        sconn = stxn._conn
        if hook is not None:
            hook(stxn)
        ws_ids = _workspace_ids(sconn)
        first = _first_hash(sconn, events) or ""
        desk = ws_ids[-1] if ws_ids else (first[:16] or "empty")
        _check_target(target, tconn, sconn, merge=merge, desk=desk, first=first)
        stxn.add_event(
            EventKind.LEDGER_MIGRATED,
            detail={"to": target.display_url, "mode": "merge" if merge else "copy",
                    "desk": desk},
        )
        stxn.write_head()  # the head row moves once per transaction
        s_seq, s_head = (lambda r: (int(r[0]), str(r[1])))(
            sconn.execute(select(chain_head.c.seq, chain_head.c.hash)).one())
        result = MigrationResult(
            mode="merge" if merge else "copy", target=target.display_url, desk=desk,
            source_events=s_seq, source_head=s_head, target_events=0, target_head="",
        )
        if merge:
            _merge(sconn, tconn, Txn(tconn, source.actor, None), result, on_progress,
                   source_label=source.display_url, workspace_ids=ws_ids)
        else:
            _copy(sconn, tconn, result, on_progress)
        _verify_target(tconn, result, merge=merge)
    return result


def _check_target(target: Ledger, tconn: Connection, sconn: Connection, *, merge: bool,
                  desk: str, first: str) -> None:
    n_events = _count(tconn, events)
    holds = [t.name for t in (events, documents, users, matters, bates_counters)
             if _count(tconn, t)]
    if not merge:
        if holds:
            ws = ", ".join(_workspace_ids(tconn)) or "no workspace id"
            raise _refuse_target(
                target,
                f"already holds a ledger ({n_events} events; workspace {ws}), so this one is "
                "not copied over it",
                "give an empty database, or add this desk's ledger beside the firm's with "
                "--merge",
            )
        return
    if not n_events:
        raise _refuse_target(target, "holds no ledger to merge into",
                             "copy the first desk's ledger without --merge")
    if first and first == _first_hash(tconn, events):
        raise _refuse_target(target, "already holds this desk's chain (it was copied there)",
                             "nothing to do; point the desk at that database")
    merged = tconn.execute(select(desk_events.c.desk).where(desk_events.c.desk == desk)
                           .limit(1)).first()
    if merged or (first and tconn.execute(
            select(desk_events.c.desk).where(desk_events.c.row_hash == first).limit(1)).first()):
        raise _refuse_target(target, f"already holds the chain of desk {desk} (merged earlier)",
                             "nothing to do; each desk is merged once")


def _insert(tconn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        tconn.execute(table.insert(), list(rows))


def _copy(sconn: Connection, tconn: Connection, result: MigrationResult,
          on_progress: Progress) -> None:
    for table in COPIED_TABLES:
        key = list(table.primary_key.columns)
        written = 0
        for rows in _chunks(sconn, select(table).order_by(*key)):
            _insert(tconn, table, rows)
            written += len(rows)
            on_progress(table.name, written)
        result.rows[table.name] = written
    head = sconn.execute(select(chain_head)).mappings().one()
    tconn.execute(update(chain_head).where(chain_head.c.id == 1).values(
        seq=head["seq"], hash=head["hash"], writes=head["writes"]))
    _fix_sequence(tconn)


def _merge(sconn: Connection, tconn: Connection, txn: Txn, result: MigrationResult,
           on_progress: Progress, *, source_label: str, workspace_ids: list[str]) -> None:
    desk = result.desk
    offset = int(tconn.execute(select(func.coalesce(func.max(documents.c.id), 0))).scalar_one())
    # matters the firm lacks (an existing matter keeps the firm's details)
    have = {str(r[0]) for r in tconn.execute(select(matters.c.id))}
    added_matters = []
    for rows in _chunks(sconn, select(matters).order_by(matters.c.id)):
        new = [r for r in rows if r["id"] not in have]
        _insert(tconn, matters, new)
        added_matters += [r["id"] for r in new]
    result.rows["matters"] = len(added_matters)
    # documents under new ids (desk id + offset), with their family links and text
    n_docs = 0
    for rows in _chunks(sconn, select(documents).order_by(documents.c.id)):
        mapped = [{**r, "id": r["id"] + offset,
                   "parent_id": None if r["parent_id"] is None else r["parent_id"] + offset}
                  for r in rows]
        _insert(tconn, documents, mapped)
        _insert(tconn, desk_documents, [
            {"desk": desk, "desk_document_id": r["id"], "document_id": r["id"] + offset}
            for r in rows])
        n_docs += len(rows)
        on_progress("documents", n_docs)
    result.rows["documents"] = n_docs
    n_text = 0
    for rows in _chunks(sconn, select(document_text).order_by(document_text.c.document_id)):
        _insert(tconn, document_text, [{**r, "document_id": r["document_id"] + offset}
                                       for r in rows])
        n_text += len(rows)
    result.rows["document_text"] = n_text
    _fix_sequence(tconn)
    # the desk's chain, as it was
    n_events = 0
    for rows in _chunks(sconn, select(events).order_by(events.c.seq)):
        _insert(tconn, desk_events, [{**r, "desk": desk} for r in rows])
        n_events += len(rows)
        on_progress("events", n_events)
    result.rows["desk_events"] = n_events
    # Bates counters: a prefix both used continues above the higher of the two
    firm_bates = {str(r[0]): int(r[1]) for r in tconn.execute(
        select(bates_counters.c.prefix, bates_counters.c.next_number))}
    shared_prefixes = []
    for rows in _chunks(sconn, select(bates_counters)):
        for r in rows:
            if r["prefix"] not in firm_bates:
                _insert(tconn, bates_counters, [r])
            else:
                shared_prefixes.append(r["prefix"])
                if int(r["next_number"]) > firm_bates[r["prefix"]]:
                    tconn.execute(update(bates_counters)
                                  .where(bates_counters.c.prefix == r["prefix"])
                                  .values(next_number=r["next_number"],
                                          updated_at=r["updated_at"]))
    if shared_prefixes:
        result.notes.append(
            "both ledgers numbered Bates prefixes " + ", ".join(sorted(shared_prefixes))
            + ": the firm continues above the higher number; check the earlier productions "
            "for overlapping ranges")
    # profiles the firm lacks (same name: the firm's profile stays)
    firm_users = {str(r[0]) for r in tconn.execute(select(users.c.name))}
    added_users: list[str] = []
    kept_users: list[str] = []
    for rows in _chunks(sconn, select(users).order_by(users.c.name)):
        for r in rows:
            if r["name"] in firm_users:
                kept_users.append(r["name"])
                continue
            _insert(tconn, users, [r])
            added_users.append(r["name"])
            txn.add_event(EventKind.PROFILE_SAVED, detail={
                "user": r["name"], "role": str(r["role"]),
                "passphrase_sha256": passphrase_digest(str(r["passphrase_hash"])),
                "merged_from": desk,
            })
    if kept_users:
        result.notes.append("profiles on both desks keep the firm's role and passphrase: "
                            + ", ".join(kept_users))
    result.rows["users"] = len(added_users)
    skipped_claims = _count(sconn, claims)
    if skipped_claims:
        result.notes.append(f"{skipped_claims} watch claims of the desk were not carried over "
                            "(stop the desk's watcher before merging)")
    txn.add_event(EventKind.LEDGER_MERGED, detail={
        "desk": desk, "workspace_ids": workspace_ids, "from": source_label,
        "events": result.source_events, "head_hash": result.source_head,
        "documents": n_docs, "document_id_offset": offset,
        "matters_added": added_matters, "profiles_added": added_users,
        "profiles_kept": kept_users, "bates_prefixes_shared": sorted(shared_prefixes),
    })
    txn.write_head()  # a Txn outside Ledger.transaction: insert its events, move the head


def _verify_target(tconn: Connection, result: MigrationResult, *, merge: bool) -> None:
    firm = verify_chain_rows(tconn)
    t_seq, t_head = tconn.execute(select(chain_head.c.seq, chain_head.c.hash)).one()
    problems = list(firm.problems)
    if firm.events != int(t_seq) or firm.head_hash != str(t_head):
        problems.append("the chain head does not match the last event")
    if merge:
        desk = verify_chain_rows(tconn, desk_events, result.desk)
        problems += [f"desk {result.desk}: {p}" for p in desk.problems]
        if desk.events != result.source_events or desk.head_hash != result.source_head:
            problems.append(f"desk {result.desk}: the copy ends at event {desk.events}, "
                            f"not at the desk's head ({result.source_events})")
    elif (firm.events, firm.head_hash) != (result.source_events, result.source_head):
        problems.append(f"the copy ends at event {firm.events}, not at the desk's head "
                        f"({result.source_events})")
    if problems:
        raise LedgerError(
            f"the copy in {result.target} does not verify ({problems[0]}); nothing was "
            "written to it",
            fix="report this with `intake-desktop ledger verify --json` of the desk",
        )
    result.target_events, result.target_head = int(t_seq), str(t_head)


# ---- merged desks in `ledger verify` -------------------------------------------------------


def desk_chain_problems(ledger: Ledger) -> list[str]:
    """Each merged desk's chain recomputed and compared with the head its `ledger_merged`
    event recorded; desks in `desk_events` that no merge event names are reported too."""
    problems: list[str] = []
    recorded: dict[str, tuple[int, str]] = {}
    for e in ledger.chain.kind_events(EventKind.LEDGER_MERGED):
        recorded[str(e.detail.get("desk", ""))] = (
            int(e.detail.get("events", 0)), str(e.detail.get("head_hash", "")))
    with ledger.reader.connect() as conn:
        present = [str(r[0]) for r in conn.execute(select(desk_events.c.desk).distinct())]
        for desk in sorted(set(present) | set(recorded)):
            report = verify_chain_rows(conn, desk_events, desk)
            if desk not in recorded:
                problems.append(f"merged desk {desk}: its events are in the ledger but no "
                                "ledger_merged event records them (added outside the app)")
                continue
            n, head = recorded[desk]
            if not report.ok:
                problems.append(f"merged desk {desk}: {report.problems[0]}")
            elif (report.events, report.head_hash) != (n, head):
                problems.append(f"merged desk {desk}: its chain ends at event "
                                f"{report.events}, but {n} events were merged")
    return problems
