"""Tickets keep their QR code, made once when issued.

Revision ID: badges_0002
Revises: badges_0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "badges_0002"
down_revision = "badges_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("badges_ticket") as batch:
        batch.add_column(sa.Column("code", sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table("badges_ticket") as batch:
        batch.drop_column("code")
