"""A follow-up is queued in the outbox with its delivery row, which names the message.

Revision ID: followup_0003
Revises: followup_0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "followup_0003"
down_revision = "followup_0002"
branch_labels = None
depends_on = None


def upgrade():
    # A follow-up claimed but never sent (its sender died on the way) is
    # forgotten, so the next send queues it like everyone else's.
    op.execute("DELETE FROM followup_delivery WHERE sent_at IS NULL")
    with op.batch_alter_table("followup_delivery") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch.drop_column("sent_at")


def downgrade():
    with op.batch_alter_table("followup_delivery") as batch:
        batch.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch.drop_column("message_id")
