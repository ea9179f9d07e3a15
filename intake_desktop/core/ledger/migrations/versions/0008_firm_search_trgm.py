"""Trigram indexes so the browser's search of paths is indexable on PostgreSQL (issue 20).

The exhibit browser's search matches each word anywhere in the filed path, the source path,
the category and the matter (case-insensitive ILIKE '%word%'). On PostgreSQL this adds
`pg_trgm` GIN indexes on those four columns, so a search no longer reads every document.
`CREATE EXTENSION` needs the CREATE privilege on the database: when the ledger's role lacks
it (and no administrator has created the extension) the indexes are left out and search
still works, only slower; an administrator may run `CREATE EXTENSION pg_trgm` and this
migration again (downgrade then upgrade) to add them. SQLite is unchanged (nothing to do).
Also joins the two 0007 heads.

Revision ID: 0008_firm_search_trgm
Revises: 0007_firm_desk_chains, 0007_people_walls
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_firm_search_trgm"
down_revision = ("0007_firm_desk_chains", "0007_people_walls")
branch_labels = None
depends_on = None

TRGM_COLUMNS = ("filed_path", "source_path", "category", "matter_id")


def _has_trgm(bind: sa.Connection) -> bool:
    found = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
    return found.first() is not None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not _has_trgm(bind):
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError:
            return  # no privilege to create it: search works without the indexes
    for column in TRGM_COLUMNS:
        op.execute(f"CREATE INDEX IF NOT EXISTS documents_{column}_trgm ON documents "
                   f"USING GIN ({column} gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for column in TRGM_COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS documents_{column}_trgm")
