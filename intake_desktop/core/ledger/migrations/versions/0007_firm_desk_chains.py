"""Other desks' chains kept in a firm ledger (ledger migrate --merge).

`desk_events` holds every event of a merged desk as it was (append-only like `events`);
`desk_documents` maps that desk's document ids to the firm's.

Revision ID: 0007_firm_desk_chains
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_firm_desk_chains"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER desk_events_no_{op} BEFORE {OP} ON desk_events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END
"""

APPEND_ONLY_PG_FUNC = """
CREATE OR REPLACE FUNCTION intake_events_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "desk_events",
        sa.Column("desk", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("document_id", sa.Integer),
        sa.Column("matter_id", sa.String(120)),
        sa.Column("actor_user", sa.Text, nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("tool_version", sa.Text, nullable=False),
        sa.Column("rules_version", sa.Text),
        sa.Column("path_before", sa.Text),
        sa.Column("path_after", sa.Text),
        sa.Column("sha256_before", sa.String(64)),
        sa.Column("sha256_after", sa.String(64)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "desk_documents",
        sa.Column("desk", sa.String(64), primary_key=True),
        sa.Column("desk_document_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("document_id", sa.Integer, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("update", "delete"):
            op.execute(APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))
    elif dialect == "postgresql":
        op.execute(APPEND_ONLY_PG_FUNC)
        op.execute(
            "CREATE TRIGGER desk_events_append_only BEFORE UPDATE OR DELETE ON desk_events "
            "FOR EACH ROW EXECUTE FUNCTION intake_events_append_only()"
        )


def downgrade() -> None:
    op.drop_table("desk_documents")
    op.drop_table("desk_events")
