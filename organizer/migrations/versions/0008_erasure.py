"""A record of every erasure of someone's data (what, when, by whom; never who).

Revision ID: 0008_erasure
Revises: 0007_attendee_email
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_erasure"
down_revision = "0007_attendee_email"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=20), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["host_id"], ["host.id"], ondelete="SET NULL",
                                name="fk_erasure_host_id_host"),
        sa.PrimaryKeyConstraint("id", name="pk_erasure"),
    )
    op.create_index("ix_erasure_at", "erasure", ["at"])


def downgrade():
    op.drop_table("erasure")
