"""Local user profiles of the desktop app (role, salted scrypt passphrase hash).

Revision ID: 0004_users
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_users"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(120), primary_key=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("passphrase_hash", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("users")
