"""The badges plugin's tables: tickets, stations, check-ins.

Revision ID: badges_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "badges_0001"
down_revision = None
branch_labels = ("badges",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "badges_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE",
                                name="fk_badges_ticket_attendee_id_attendee"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_badges_ticket_event_id_event"),
        sa.PrimaryKeyConstraint("id", name="pk_badges_ticket"),
        sa.UniqueConstraint("secret", name="uq_badges_ticket_secret"),
    )
    op.create_index("ix_badges_ticket_attendee_id", "badges_ticket", ["attendee_id"])
    op.create_table(
        "badges_station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False, server_default="door"),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_badges_station_event_id_event"),
        sa.PrimaryKeyConstraint("id", name="pk_badges_station"),
        sa.UniqueConstraint("secret", name="uq_badges_station_secret"),
    )
    op.create_index("ix_badges_station_event_id", "badges_station", ["event_id"])
    op.create_table(
        "badges_checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("nonce", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE",
                                name="fk_badges_checkin_attendee_id_attendee"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_badges_checkin_event_id_event"),
        sa.ForeignKeyConstraint(["station_id"], ["badges_station.id"], ondelete="SET NULL",
                                name="fk_badges_checkin_station_id_badges_station"),
        sa.PrimaryKeyConstraint("id", name="pk_badges_checkin"),
        sa.UniqueConstraint("station_id", "nonce", name="uq_badges_checkin_nonce"),
    )
    op.create_index("ix_badges_checkin_attendee", "badges_checkin", ["attendee_id", "undone_at"])


def downgrade():
    op.drop_table("badges_checkin")
    op.drop_table("badges_station")
    op.drop_table("badges_ticket")
