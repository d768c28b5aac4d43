"""One valid ticket per person, kept by the database.

Revision ID: badges_0003
Revises: badges_0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "badges_0003"
down_revision = "badges_0002"
branch_labels = None
depends_on = None

VALID = sa.text("revoked_at IS NULL")


def upgrade():
    # Should two valid tickets exist for one person, the newest stays valid.
    op.execute("UPDATE badges_ticket SET revoked_at = issued_at WHERE revoked_at IS NULL "
               "AND id < (SELECT max(newer.id) FROM badges_ticket AS newer "
               "WHERE newer.attendee_id = badges_ticket.attendee_id "
               "AND newer.revoked_at IS NULL)")
    op.create_index("uq_badges_ticket_valid", "badges_ticket", ["attendee_id"], unique=True,
                    sqlite_where=VALID, postgresql_where=VALID)


def downgrade():
    op.drop_index("uq_badges_ticket_valid", table_name="badges_ticket")
