"""The RSVP plugin's tables: questions and registrations.

Revision ID: rsvp_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "rsvp_0001"
down_revision = None
branch_labels = ("rsvp",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "rsvp_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_rsvp_question_event_id_event"),
        sa.PrimaryKeyConstraint("id", name="pk_rsvp_question"),
    )
    op.create_index("ix_rsvp_question_event_id", "rsvp_question", ["event_id"])
    op.create_table(
        "rsvp_registration",
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("guest_name", sa.String(length=120), nullable=False),
        sa.Column("ics_bump", sa.Integer(), nullable=False),
        sa.Column("reminder_sent_at", sa.DateTime(), nullable=True),
        sa.Column("waiting_since", sa.DateTime(), nullable=True),
        sa.Column("promoted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE",
                                name="fk_rsvp_registration_attendee_id_attendee"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_rsvp_registration_event_id_event"),
        sa.PrimaryKeyConstraint("attendee_id", name="pk_rsvp_registration"),
    )
    op.create_index("ix_rsvp_registration_event_id", "rsvp_registration", ["event_id"])


def downgrade():
    op.drop_table("rsvp_registration")
    op.drop_table("rsvp_question")
