"""The lightning_talk table.

Revision ID: lightning_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "lightning_0001"
down_revision = None
branch_labels = ("lightning",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "lightning_talk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_lightning_talk_event_id_event"),
        sa.PrimaryKeyConstraint("id", name="pk_lightning_talk"),
    )
    op.create_index("ix_lightning_talk_event_id", "lightning_talk", ["event_id"])


def downgrade():
    op.drop_index("ix_lightning_talk_event_id", table_name="lightning_talk")
    op.drop_table("lightning_talk")
