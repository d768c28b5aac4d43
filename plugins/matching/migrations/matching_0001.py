"""The matching plugin's tables.

Revision ID: matching_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "matching_0001"
down_revision = None
branch_labels = ("matching",)
depends_on = "0001_core"


def _fk(table, column, target, ondelete="CASCADE"):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete,
                                   name=f"fk_{table}_{column}_{target}")


def upgrade():
    op.create_table(
        "matching_profile",
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("seeks", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("share", sa.JSON(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("matching_profile", "attendee_id", "attendee"),
        _fk("matching_profile", "event_id", "event"),
        sa.PrimaryKeyConstraint("attendee_id", name="pk_matching_profile"),
    )
    op.create_index("ix_matching_profile_event_id", "matching_profile", ["event_id"])
    op.create_table(
        "matching_setup",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("checked_in_only", sa.Boolean(), nullable=False),
        sa.Column("same_org", sa.String(length=10), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        _fk("matching_setup", "event_id", "event"),
        sa.PrimaryKeyConstraint("event_id", name="pk_matching_setup"),
    )
    op.create_table(
        "matching_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        _fk("matching_rule", "event_id", "event"),
        _fk("matching_rule", "first_id", "attendee"),
        _fk("matching_rule", "second_id", "attendee"),
        sa.PrimaryKeyConstraint("id", name="pk_matching_rule"),
        sa.UniqueConstraint("event_id", "first_id", "second_id", name="uq_matching_rule_pair"),
    )
    op.create_index("ix_matching_rule_event_id", "matching_rule", ["event_id"])
    op.create_table(
        "matching_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("rounds", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        _fk("matching_run", "event_id", "event"),
        sa.PrimaryKeyConstraint("id", name="pk_matching_run"),
    )
    op.create_index("ix_matching_run_event_id", "matching_run", ["event_id"])
    op.create_table(
        "matching_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("group_no", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("mailed_at", sa.DateTime(), nullable=True),
        _fk("matching_match", "run_id", "matching_run"),
        _fk("matching_match", "event_id", "event"),
        _fk("matching_match", "attendee_id", "attendee"),
        sa.PrimaryKeyConstraint("id", name="pk_matching_match"),
    )
    op.create_index("ix_matching_match_run_id", "matching_match", ["run_id"])
    op.create_index("ix_matching_match_event_id", "matching_match", ["event_id"])
    op.create_index("ix_matching_match_attendee_id", "matching_match", ["attendee_id"])
    op.create_table(
        "matching_intro",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        _fk("matching_intro", "event_id", "event"),
        _fk("matching_intro", "from_id", "attendee"),
        _fk("matching_intro", "to_id", "attendee"),
        sa.PrimaryKeyConstraint("id", name="pk_matching_intro"),
        sa.UniqueConstraint("from_id", "to_id", name="uq_matching_intro_pair"),
    )
    op.create_index("ix_matching_intro_event_id", "matching_intro", ["event_id"])
    op.create_index("ix_matching_intro_to_id", "matching_intro", ["to_id"])


def downgrade():
    for table in ("matching_intro", "matching_match", "matching_run", "matching_rule",
                  "matching_setup", "matching_profile"):
        op.drop_table(table)
