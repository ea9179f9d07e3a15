"""The append-only triggers on `events`: find them missing or disabled, and put them back.

The same statements as migration 0001 (which must stay frozen), so a restored trigger is
the one the ledger was created with.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

SQLITE_TRIGGERS = ("events_no_update", "events_no_delete")
PG_TRIGGER = "events_append_only"

_SQLITE_CREATE = """
CREATE TRIGGER events_no_{op} BEFORE {OP} ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END
"""
_PG_FUNC = """
CREATE OR REPLACE FUNCTION intake_events_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$ LANGUAGE plpgsql
"""
_PG_CREATE = (
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION intake_events_append_only()"
)


def missing(conn: Connection) -> list[str]:
    """Names of the append-only triggers that are absent, disabled or no longer refuse."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        rows = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='events'")
        )
        present = {str(name) for name, sql in rows if "RAISE(ABORT" in str(sql).upper()}
        return [t for t in SQLITE_TRIGGERS if t not in present]
    if dialect == "postgresql":
        row = conn.execute(
            text(
                "SELECT t.tgenabled, p.prosrc FROM pg_trigger t JOIN pg_proc p "
                "ON p.oid = t.tgfoid WHERE t.tgrelid = 'events'::regclass "
                "AND t.tgname = :name"
            ),
            {"name": PG_TRIGGER},
        ).first()
        if row is None or row[0] == "D" or "RAISE EXCEPTION" not in str(row[1]).upper():
            return [PG_TRIGGER]
        return []
    return []


def restore(conn: Connection, names: list[str]) -> None:
    """Create (or re-enable) the named triggers inside the caller's transaction."""
    if conn.dialect.name == "sqlite":
        for name in names:
            op = name.removeprefix("events_no_")
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            conn.exec_driver_sql(_SQLITE_CREATE.format(op=op, OP=op.upper()))
    elif conn.dialect.name == "postgresql" and PG_TRIGGER in names:
        conn.exec_driver_sql(_PG_FUNC)
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON events")
        conn.exec_driver_sql(_PG_CREATE)
