"""Least privilege on the firm's PostgreSQL ledger (`intake-desktop ledger grant`).

Two roles:
- the **owner** owns every table, sequence and the append-only trigger function; it runs
  the schema upgrades (`alembic upgrade`, Settings > Firm database) and `ledger migrate`.
- the **app** role is what the desks connect as: it may read everything, append events
  (INSERT on `events`, and move the chain head), file documents and take claims, but the
  server refuses it UPDATE, DELETE and TRUNCATE on `events` and `desk_events`, and only an
  owner may drop or disable a trigger, so tampering is refused when it is tried, not only
  found by `ledger verify` later.

Run the SQL as a role that may create roles (the postgres superuser) after the schema exists
(`ledger migrate`, or the first desk that opens the database as the owner), and again after
each schema upgrade (new tables get the app's SELECT through the default privileges; the
statements are idempotent).
"""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from intake_desktop.core.errors import LedgerError

# What the desks may do besides SELECT (every other table: read only).
APP_WRITES: tuple[tuple[str, str], ...] = (
    ("events", "INSERT"),  # append only
    ("chain_head", "UPDATE"),  # the head moves with each append (verify checks it)
    ("documents", "INSERT, UPDATE"),
    ("document_text", "INSERT, UPDATE"),
    ("matters", "INSERT, UPDATE"),
    ("users", "INSERT, UPDATE"),
    ("bates_counters", "INSERT, UPDATE"),
    ("claims", "INSERT, UPDATE, DELETE"),
    ("claim_owners", "INSERT, UPDATE, DELETE"),
)


def _ident(name: str) -> str:
    if not name or not all(c.isalnum() or c == "_" for c in name):
        raise LedgerError(f"{name!r} is not a usable role or database name",
                          fix="use letters, digits and underscores")
    return '"' + name + '"'


def database_of(url: str | None) -> str | None:
    """The database named by a SQLAlchemy URL (None: no URL or none named)."""
    if not url:
        return None
    try:
        return make_url(url).database
    except Exception:  # a malformed URL is reported by whoever connects to it
        return None


def grant_statements(owner: str, app: str, database: str | None = None) -> list[str]:
    """The SQL, one statement per item (idempotent; run it again after upgrades)."""
    o, a = _ident(owner), _ident(app)
    stmts = [
        "DO $$ BEGIN\n"
        f"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN\n"
        f"    CREATE ROLE {o} LOGIN; END IF;\n"
        f"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN\n"
        f"    CREATE ROLE {a} LOGIN; END IF;\n"
        "END $$",
        # lets a non-superuser admin hand its tables to the owner
        f"GRANT {o} TO CURRENT_USER",
    ]
    if database:
        d = _ident(database)
        stmts += [
            f"REVOKE ALL ON DATABASE {d} FROM PUBLIC",
            f"GRANT CONNECT, TEMPORARY ON DATABASE {d} TO {o}, {a}",
        ]
    stmts += [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {o}",
        f"GRANT USAGE ON SCHEMA public TO {a}",
        # the owner owns the tables (sequences follow their tables) and the trigger function
        "DO $$ DECLARE r record; BEGIN\n"
        "  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n"
        f"    EXECUTE format('ALTER TABLE public.%I OWNER TO {o}', r.tablename);\n"
        "  END LOOP;\n"
        "  IF EXISTS (SELECT FROM pg_proc WHERE proname = 'intake_events_append_only') THEN\n"
        f"    ALTER FUNCTION intake_events_append_only() OWNER TO {o}; END IF;\n"
        "END $$",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {a}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {a}",
        *(f"GRANT {what} ON TABLE public.{_ident(table)} TO {a}" for table, what in APP_WRITES),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT SELECT ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {a}",
    ]
    return stmts


def grant_sql(owner: str, app: str, database: str | None = None) -> str:
    """The statements as one script for psql (with what each role is for)."""
    where = f" (database {database})" if database else ""
    head = (
        f"-- Intake Desktop: roles for the firm's ledger{where}.\n"
        f"-- {owner}: owns the schema, runs upgrades and `ledger migrate`.\n"
        f"-- {app}: the desks; appends events, never updates, deletes or truncates them.\n"
        "-- Run as the postgres superuser after the schema exists, and again after upgrades;\n"
        f"-- then set passwords: ALTER ROLE {owner} PASSWORD '...'; ALTER ROLE {app} "
        "PASSWORD '...';\n"
    )
    return head + "".join(s + ";\n" for s in grant_statements(owner, app, database))


def apply_grants(url: str, owner: str, app: str) -> str:
    """Run the statements on `url` in one transaction; returns the SQL that was run."""
    database = database_of(url)
    statements = grant_statements(owner, app, database)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name != "postgresql":
                raise LedgerError("roles and grants exist only on PostgreSQL",
                                  fix="give --db the URL of the firm's PostgreSQL database")
            # Through the driver without parameters: format('%I') is not a placeholder.
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            for statement in statements:
                cursor.execute(statement)
    except SQLAlchemyError as exc:
        raise LedgerError(
            f"the grants were not applied ({getattr(exc, 'orig', exc)}); nothing changed",
            fix="connect as a role that may create roles and owns the ledger's tables "
            "(the postgres superuser), or run the SQL printed by `intake-desktop ledger grant` "
            "with psql",
        ) from exc
    finally:
        engine.dispose()
    return grant_sql(owner, app, database)
