"""Holding a seat for every date of a series.

Revision ID: rsvp_0002
Revises: rsvp_0001
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "rsvp_0002"
down_revision = "rsvp_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rsvp_series_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], ondelete="CASCADE",
                                name="fk_rsvp_series_hold_series_id_series"),
        sa.PrimaryKeyConstraint("id", name="pk_rsvp_series_hold"),
        sa.UniqueConstraint("series_id", "email", name="uq_rsvp_series_hold_person"),
        sa.UniqueConstraint("token", name="uq_rsvp_series_hold_token"),
    )
    op.create_index("ix_rsvp_series_hold_series_id", "rsvp_series_hold", ["series_id"])
    with op.batch_alter_table("rsvp_registration") as batch:
        batch.add_column(sa.Column("hold_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_rsvp_registration_hold_id_rsvp_series_hold",
                                 "rsvp_series_hold", ["hold_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_rsvp_registration_hold_id", ["hold_id"])


def downgrade():
    with op.batch_alter_table("rsvp_registration") as batch:
        batch.drop_index("ix_rsvp_registration_hold_id")
        batch.drop_constraint("fk_rsvp_registration_hold_id_rsvp_series_hold",
                              type_="foreignkey")
        batch.drop_column("hold_id")
    op.drop_table("rsvp_series_hold")
