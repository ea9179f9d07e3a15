"""The ledger's schema version, read without changing anything (for `doctor`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from intake_desktop.core.ledger.store import MIGRATIONS


@dataclass(frozen=True)
class SchemaStatus:
    """Revisions the database is at and those this version of the app expects."""

    current: tuple[str, ...]
    heads: tuple[str, ...]
    error: str = ""

    @property
    def up_to_date(self) -> bool:
        return not self.error and set(self.current) == set(self.heads)


def expected_heads() -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory(str(MIGRATIONS)).get_heads()))


def schema_status(url: str) -> SchemaStatus:
    """Open `url` read-only and compare its revisions with the shipped migrations."""
    heads = expected_heads()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            return SchemaStatus((), heads, f"no ledger database at {path}")
        url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
    try:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_heads()
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        return SchemaStatus((), heads, f"cannot read the ledger ({exc.__class__.__name__}: "
                                       f"{getattr(exc, 'orig', exc)})")
    return SchemaStatus(tuple(sorted(current)), heads)
