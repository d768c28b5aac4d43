"""A more diverse mix (the host's preference, and what it did to each run), and the
event's board of asks and offers.

Revision ID: matching_0003
Revises: matching_0002
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "matching_0003"
down_revision = "matching_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matching_setup") as batch:
        batch.add_column(sa.Column("mix_fields", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("mix_newcomers", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("matching_run") as batch:
        batch.add_column(sa.Column("mix", sa.JSON(), nullable=True))
    op.create_table(
        "matching_board_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE",
                                name="fk_matching_board_post_event_id_event"),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE",
                                name="fk_matching_board_post_attendee_id_attendee"),
        sa.PrimaryKeyConstraint("id", name="pk_matching_board_post"),
    )
    op.create_index("ix_matching_board_post_event_id", "matching_board_post", ["event_id"])
    op.create_index("ix_matching_board_post_attendee_id", "matching_board_post",
                    ["attendee_id"])


def downgrade():
    op.drop_table("matching_board_post")
    with op.batch_alter_table("matching_run") as batch:
        batch.drop_column("mix")
    with op.batch_alter_table("matching_setup") as batch:
        batch.drop_column("mix_newcomers")
        batch.drop_column("mix_fields")
