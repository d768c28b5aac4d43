"""Pictures (event covers, host photos) in the sizes pages use; a host's bio; guests who
chose to appear on the event's public page.

Revision ID: 0006_pictures
Revises: 0005_webhooks
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_pictures"
down_revision = "0005_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "picture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("alt", sa.String(length=300), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "picture_file",
        sa.Column("picture_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["picture_id"], ["picture.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("picture_id", "size"),
    )
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("cover_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_event_cover_id_picture", "picture", ["cover_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("host") as batch:
        batch.add_column(sa.Column("bio", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("photo_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_host_photo_id_picture", "picture", ["photo_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("attendee") as batch:
        batch.add_column(sa.Column("listed", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("attendee") as batch:
        batch.drop_column("listed")
    with op.batch_alter_table("host") as batch:
        batch.drop_constraint("fk_host_photo_id_picture", type_="foreignkey")
        batch.drop_column("photo_id")
        batch.drop_column("bio")
    with op.batch_alter_table("event") as batch:
        batch.drop_constraint("fk_event_cover_id_picture", type_="foreignkey")
        batch.drop_column("cover_id")
    op.drop_table("picture_file")
    op.drop_table("picture")
