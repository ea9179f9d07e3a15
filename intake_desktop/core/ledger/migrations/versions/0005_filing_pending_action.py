"""Documents remember a review action or an undo under way, so recovery can finish it.

Revision ID: 0005_filing_pending_action
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_filing_pending_action"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("pending_action", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("pending_action")
