"""Ledger URLs for a firm database: the password kept apart from the URL.

Settings and config.toml hold the URL without its password; the password lives in the
operating system's keyring (core/firm_db.py) and is put back only when connecting.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from intake_desktop.core.errors import LedgerError


def _parse(url: str):  # type: ignore[no-untyped-def]
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise LedgerError(
            f"{url!r} is not a database URL",
            fix="write it as postgresql+psycopg://USER@SERVER/DATABASE",
        ) from exc


def is_server_url(url: str) -> bool:
    """A database server (PostgreSQL), not a SQLite file."""
    return bool(url) and not url.startswith("sqlite")


def split_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password it carried (None: none)."""
    parsed = _parse(url)
    password = parsed.password
    bare = parsed._replace(password=None).render_as_string(hide_password=False)
    return bare, (str(password) if password is not None else None)


def with_password(url: str, password: str) -> str:
    return _parse(url).set(password=password).render_as_string(hide_password=False)


def account_key(url: str) -> str:
    """What the keyring files the password under: user@host:port/database."""
    p = _parse(url)
    return f"{p.username or ''}@{p.host or ''}:{p.port or ''}/{p.database or ''}"


def display(url: str) -> str:
    """The URL without its password (for messages and the window)."""
    try:
        return split_password(url)[0]
    except LedgerError:
        return url


def probe(url: str, timeout: float = 5.0) -> str | None:
    """None when the database answers within `timeout` seconds; else what went wrong, in
    one line (the URL's password never appears in it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    connect_args: dict[str, object] = {}
    if url.startswith("postgresql"):
        connect_args["connect_timeout"] = max(1, int(timeout))
    try:
        engine = create_engine(url, connect_args=connect_args, poolclass=NullPool)
    except (SQLAlchemyError, ImportError) as exc:
        return f"cannot use {display(url)} ({exc})"
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        return reason[0] if reason else exc.__class__.__name__
    finally:
        engine.dispose()
    return None
