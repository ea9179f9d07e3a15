"""Initial ledger: matters, documents, the append-only event log and its chain head.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER events_no_{op} BEFORE {OP} ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END
"""

APPEND_ONLY_PG_FUNC = """
CREATE OR REPLACE FUNCTION intake_events_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "matters",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("detected_type", sa.String(120), nullable=False, server_default=""),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("original_path", sa.Text),
        sa.Column("filed_path", sa.Text),
        sa.Column("filed_sha256", sa.String(64)),
        sa.Column("matter_id", sa.String(120), sa.ForeignKey("matters.id")),
        sa.Column("category", sa.Text, nullable=False, server_default=""),
        sa.Column("document_date", sa.String(10)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("target_status", sa.String(16), nullable=False),
        sa.Column("family_id", sa.String(64)),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("documents.id")),
        sa.Column("rule", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("source_cleared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_documents_matter_sha", "documents", ["matter_id", "sha256"])
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False, index=True),
        sa.Column("document_id", sa.Integer, index=True),
        sa.Column("matter_id", sa.String(120)),
        sa.Column("actor_user", sa.Text, nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("tool_version", sa.Text, nullable=False),
        sa.Column("rules_version", sa.Text),
        sa.Column("path_before", sa.Text),
        sa.Column("path_after", sa.Text),
        sa.Column("sha256_before", sa.String(64), index=True),
        sa.Column("sha256_after", sa.String(64), index=True),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("writes", sa.BigInteger, nullable=False),
    )
    op.execute(
        sa.text("INSERT INTO chain_head (id, seq, hash, writes) VALUES (1, 0, :h, 0)").bindparams(
            h="0" * 64
        )
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("update", "delete"):
            op.execute(APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))
    elif dialect == "postgresql":
        op.execute(APPEND_ONLY_PG_FUNC)
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION intake_events_append_only()"
        )


def downgrade() -> None:
    op.drop_table("chain_head")
    op.drop_table("events")
    op.drop_table("documents")
    op.drop_table("matters")
