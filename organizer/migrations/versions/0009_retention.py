"""A host's retention period: guests of their events are anonymised that many months after.

Revision ID: 0009_retention
Revises: 0008_erasure
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_retention"
down_revision = "0008_erasure"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("host") as batch:
        batch.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("host") as batch:
        batch.drop_column("retention_months")
