"""A more diverse mix: the host's preference, and what it did to each run.

Revision ID: matching_0003
Revises: matching_0002
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "matching_0003"
down_revision = "matching_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matching_setup") as batch:
        batch.add_column(sa.Column("mix_fields", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("mix_newcomers", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("matching_run") as batch:
        batch.add_column(sa.Column("mix", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("matching_run") as batch:
        batch.drop_column("mix")
    with op.batch_alter_table("matching_setup") as batch:
        batch.drop_column("mix_newcomers")
        batch.drop_column("mix_fields")
