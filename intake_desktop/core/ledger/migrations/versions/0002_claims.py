"""Watch claims: which process took which intake file, so two watchers never take the same.

Revision ID: 0002_claims
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_claims"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("reason", sa.Text),
        sa.Column("claimed_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "claim_owners",
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("host", sa.Text, nullable=False, server_default=""),
        sa.Column("pid", sa.Integer, nullable=False, server_default="0"),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("heartbeat_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("claim_owners")
    op.drop_table("claims")
