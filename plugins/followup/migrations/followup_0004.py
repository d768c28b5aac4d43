"""Each person's network: who they are across events, their notes and follow-up states,
one-click links used, and the nudges a week and a month after an event.

Revision ID: followup_0004
Revises: followup_0003
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "followup_0004"
down_revision = "followup_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "followup_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("feed_token", sa.String(length=64), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("nudges", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_followup_person"),
        sa.UniqueConstraint("email", name="uq_followup_person_email"),
        sa.UniqueConstraint("feed_token", name="uq_followup_person_feed_token"),
    )
    op.create_table(
        "followup_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("remind_on", sa.Date(), nullable=True),
        sa.Column("state_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["followup_person.id"], ondelete="CASCADE",
                                name="fk_followup_contact_person_id_followup_person"),
        sa.ForeignKeyConstraint(["other_id"], ["followup_person.id"], ondelete="CASCADE",
                                name="fk_followup_contact_other_id_followup_person"),
        sa.PrimaryKeyConstraint("id", name="pk_followup_contact"),
        sa.UniqueConstraint("person_id", "other_id", name="uq_followup_contact_pair"),
    )
    op.create_index("ix_followup_contact_other_id", "followup_contact", ["other_id"])
    op.create_index("ix_followup_contact_due", "followup_contact", ["state", "remind_on"])
    op.create_table(
        "followup_link_use",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["followup_person.id"], ondelete="CASCADE",
                                name="fk_followup_link_use_person_id_followup_person"),
        sa.PrimaryKeyConstraint("nonce", name="pk_followup_link_use"),
    )
    op.create_index("ix_followup_link_use_person_id", "followup_link_use", ["person_id"])
    with op.batch_alter_table("followup_delivery") as batch:
        batch.add_column(sa.Column("week_nudge_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("month_nudge_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("followup_delivery") as batch:
        batch.drop_column("month_nudge_at")
        batch.drop_column("week_nudge_at")
    for table in ("followup_link_use", "followup_contact", "followup_person"):
        op.drop_table(table)
