"""Bates counters: the next free Bates number per prefix (exhibit sets).

Revision ID: 0003_bates
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_bates"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bates_counters",
        sa.Column("prefix", sa.String(120), primary_key=True),
        sa.Column("next_number", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bates_counters")
