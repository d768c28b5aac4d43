"""The follow-up plugin's tables.

Revision ID: followup_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "followup_0001"
down_revision = None
branch_labels = ("followup",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "followup_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.String(length=12), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_followup_settings_event_id_event"),
        sa.PrimaryKeyConstraint("event_id", name="pk_followup_settings"),
    )
    op.create_table(
        "followup_delivery",
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE",
                                name="fk_followup_delivery_attendee_id_attendee"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_followup_delivery_event_id_event"),
        sa.PrimaryKeyConstraint("attendee_id", name="pk_followup_delivery"),
    )
    op.create_index("ix_followup_delivery_event_id", "followup_delivery", ["event_id"])
    op.create_table(
        "followup_preference",
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE",
                                name="fk_followup_preference_attendee_id_attendee"),
        sa.PrimaryKeyConstraint("attendee_id", name="pk_followup_preference"),
    )


def downgrade():
    for table in ("followup_preference", "followup_delivery", "followup_settings"):
        op.drop_table(table)
