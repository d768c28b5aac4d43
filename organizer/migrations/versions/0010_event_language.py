"""The language of an event's (and a series') mails, badges, calendar text and PDFs.

Revision ID: 0010_event_language
Revises: 0009_retention
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_event_language"
down_revision = "0009_retention"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("event", "series"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("language", sa.String(8), nullable=False,
                                       server_default="en"))


def downgrade():
    for table in ("event", "series"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("language")
