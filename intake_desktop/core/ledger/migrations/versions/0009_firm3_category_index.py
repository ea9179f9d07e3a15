"""A firm-sized ledger's browser on SQLite (issue 20: measured at 1,000,000 documents).

- An index on documents.category, so the list of categories in use is a few index seeks
  instead of reading every document (2.8 s at 1,000,000).
- SQLite: an FTS5 trigram index of the four searched path columns (filed path, source
  path, category, matter), kept by triggers, so a search word found anywhere in a path is an
  index lookup instead of four LIKE '%word%' over every document (10 s at 1,000,000 for a
  word in one file name). Where this SQLite lacks the trigram tokenizer (before 3.34) the
  table is left out and search reads every row as before. PostgreSQL has its pg_trgm
  indexes (0008_firm_search_trgm).

Revision ID: 0009_firm3_category_index
Revises: 0008_firm_search_trgm
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_firm3_category_index"
down_revision = "0008_firm_search_trgm"
branch_labels = None
depends_on = None

COLUMNS = "filed_path, source_path, category, matter_id"
NEW = "new.id, new.filed_path, new.source_path, new.category, new.matter_id"
OLD = "old.id, old.filed_path, old.source_path, old.category, old.matter_id"
SQLITE_PATHS = [
    f"CREATE VIRTUAL TABLE document_paths USING fts5({COLUMNS}, content='documents', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER documents_paths_ai AFTER INSERT ON documents BEGIN "
    f"INSERT INTO document_paths(rowid, {COLUMNS}) VALUES ({NEW}); END",
    f"CREATE TRIGGER documents_paths_ad AFTER DELETE ON documents BEGIN "
    f"INSERT INTO document_paths(document_paths, rowid, {COLUMNS}) VALUES ('delete', {OLD}); "
    "END",
    f"CREATE TRIGGER documents_paths_au AFTER UPDATE OF {COLUMNS} ON documents BEGIN "
    f"INSERT INTO document_paths(document_paths, rowid, {COLUMNS}) VALUES ('delete', {OLD}); "
    f"INSERT INTO document_paths(rowid, {COLUMNS}) VALUES ({NEW}); END",
    "INSERT INTO document_paths(document_paths) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.create_index("ix_documents_category", "documents", ["category"])
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # Without statistics SQLite takes any new index for a selective one and would walk
    # 166,000 rows of a category rather than the 20,000 of a matter.
    op.execute("ANALYZE ix_documents_category")
    try:
        with bind.begin_nested():
            for statement in SQLITE_PATHS:
                bind.execute(sa.text(statement))
    except sa.exc.OperationalError:  # no trigram tokenizer: search reads every row
        pass


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("documents_paths_ai", "documents_paths_ad", "documents_paths_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS document_paths")
    op.drop_index("ix_documents_category", table_name="documents")
