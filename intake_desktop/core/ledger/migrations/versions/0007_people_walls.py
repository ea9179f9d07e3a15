"""People (initials, the computer account they sign in from) and matter walls (issue 17).

Revision ID: 0007_people_walls
Revises: 0004_users
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_people_walls"
down_revision = "0004_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("initials", sa.String(12), nullable=False, server_default=""))
        batch.add_column(sa.Column("account", sa.String(120), nullable=False, server_default=""))
    op.create_table(
        "walls",
        sa.Column("person", sa.String(120), primary_key=True),
        sa.Column("matter_id", sa.String(120), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("added_by", sa.String(120), nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("walls")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("account")
        batch.drop_column("initials")
