"""A delivery is claimed first and marked sent once the mail has gone.

Revision ID: followup_0002
Revises: followup_0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "followup_0002"
down_revision = "followup_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("followup_delivery") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        batch.alter_column("sent_at", existing_type=sa.DateTime(), nullable=True)
    # Deliveries made before kept one time for both.
    op.execute("UPDATE followup_delivery SET claimed_at = sent_at")
    with op.batch_alter_table("followup_delivery") as batch:
        batch.alter_column("claimed_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    op.execute("UPDATE followup_delivery SET sent_at = claimed_at WHERE sent_at IS NULL")
    with op.batch_alter_table("followup_delivery") as batch:
        batch.alter_column("sent_at", existing_type=sa.DateTime(), nullable=False)
        batch.drop_column("claimed_at")
