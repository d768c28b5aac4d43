"""The fixture plugin's table.

Revision ID: everyhook_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "everyhook_0001"
down_revision = None
branch_labels = ("everyhook",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "everyhook_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id", ondelete="CASCADE")),
        sa.Column("text", sa.String(200), nullable=False),
    )


def downgrade():
    op.drop_table("everyhook_note")
