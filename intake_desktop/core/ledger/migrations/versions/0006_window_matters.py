"""Matters as first-class records: number, client, practice type, responsible attorney.

Revision ID: 0006_window_matters
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_window_matters"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("number", "client", "practice", "attorney")


def upgrade() -> None:
    with op.batch_alter_table("matters") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("matters") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
