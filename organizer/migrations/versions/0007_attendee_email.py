"""Find one person's places on every guest list by their address (their network, their
series, the link to it) without reading every guest list.

Revision ID: 0007_attendee_email
Revises: 0006_pictures
Create Date: 2026-12-04
"""
from alembic import op

revision = "0007_attendee_email"
down_revision = "0006_pictures"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_attendee_email", "attendee", ["email"])


def downgrade():
    op.drop_index("ix_attendee_email", table_name="attendee")
