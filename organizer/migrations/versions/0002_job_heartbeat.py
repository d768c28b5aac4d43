"""Jobs record when they last reported, so one that stopped can be told apart.

Revision ID: 0002_job_heartbeat
Revises: 0001_core
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_job_heartbeat"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("job") as batch:
        batch.drop_column("heartbeat_at")
