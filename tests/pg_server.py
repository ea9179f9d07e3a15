"""A PostgreSQL database of its own per test (INTAKE_TEST_PG_URL: a role that may create
databases; `.ci/postgres.sh` starts a server and prints one). Names start with `firm_`."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("INTAKE_TEST_PG_URL", "")
needs_pg = pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")


@contextmanager
def pg_database(prefix: str = "firm") -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def can_create_roles() -> bool:
    if not ADMIN_URL:
        return False
    engine = create_engine(ADMIN_URL)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
            )).scalar()
        return bool(row)
    finally:
        engine.dispose()
