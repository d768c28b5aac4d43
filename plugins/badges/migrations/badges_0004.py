"""The door without the network: signing keys, what each station last reported, and the
offline check-ins the server could not simply keep.

Revision ID: badges_0004
Revises: badges_0003
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "badges_0004"
down_revision = "badges_0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("badges_station") as batch:
        batch.add_column(sa.Column("seen_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("queued", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("copied_at", sa.DateTime(), nullable=True))
    op.create_table(
        "badges_event_key",
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("private", sa.LargeBinary(), nullable=False),
        sa.Column("public", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False))
    op.create_table(
        "badges_door_conflict",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("station_id", sa.Integer(),
                  sa.ForeignKey("badges_station.id", ondelete="SET NULL"), nullable=True),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("attendee_id", sa.Integer(), sa.ForeignKey("attendee.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("checkin_id", sa.Integer(),
                  sa.ForeignKey("badges_checkin.id", ondelete="SET NULL"), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("station_id", "nonce", name="uq_badges_conflict_nonce"))


def downgrade():
    op.drop_table("badges_door_conflict")
    op.drop_table("badges_event_key")
    with op.batch_alter_table("badges_station") as batch:
        batch.drop_column("copied_at")
        batch.drop_column("queued")
        batch.drop_column("seen_at")
