"""Who was asked to fill in a networking profile, so nobody is asked twice.

Revision ID: matching_0002
Revises: matching_0001
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "matching_0002"
down_revision = "matching_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "matching_nudge",
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE",
                                name="fk_matching_nudge_attendee_id_attendee"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_matching_nudge_event_id_event"),
        sa.PrimaryKeyConstraint("attendee_id"),
    )
    op.create_index("ix_matching_nudge_event_id", "matching_nudge", ["event_id"])


def downgrade():
    op.drop_index("ix_matching_nudge_event_id", table_name="matching_nudge")
    op.drop_table("matching_nudge")
