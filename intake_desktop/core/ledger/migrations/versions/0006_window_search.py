"""Full-text search over what documents say (window, issue 14).

`document_text` keeps each document's words (text layer, OCR text, email bodies, converted
Office text), its page count and the labels stamped on it (Bates numbers, exhibit labels).
SQLite indexes it with an FTS5 table kept in step by triggers; PostgreSQL with a generated
tsvector column and a GIN index.

Revision ID: 0006_window_search
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_window_search"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE document_fts USING fts5(body, labels, content='document_text', "
    "content_rowid='document_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER document_text_ai AFTER INSERT ON document_text BEGIN "
    "INSERT INTO document_fts(rowid, body, labels) VALUES (new.document_id, new.body, "
    "new.labels); END",
    "CREATE TRIGGER document_text_ad AFTER DELETE ON document_text BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, body, labels) VALUES ('delete', "
    "old.document_id, old.body, old.labels); END",
    "CREATE TRIGGER document_text_au AFTER UPDATE ON document_text BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, body, labels) VALUES ('delete', "
    "old.document_id, old.body, old.labels); INSERT INTO document_fts(rowid, body, labels) "
    "VALUES (new.document_id, new.body, new.labels); END",
]


def upgrade() -> None:
    op.create_table(
        "document_text",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("pages", sa.Integer),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("labels", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE document_text ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(body, '') || ' ' || coalesce(labels, ''))) STORED"
        )
        op.execute("CREATE INDEX document_text_tsv ON document_text USING GIN (tsv)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("document_text_ai", "document_text_ad", "document_text_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS document_fts")
    op.drop_table("document_text")
