"""Find who sat at one table (a run's round and group) without reading the whole run.

Revision ID: matching_0004
Revises: matching_0003
Create Date: 2026-12-04
"""
from alembic import op

revision = "matching_0004"
down_revision = "matching_0003"
branch_labels = None
depends_on = None


def upgrade():
    # The new index starts with run_id, so it serves the old one's lookups too.
    op.create_index("ix_matching_match_table", "matching_match", ["run_id", "round", "group_no"])
    op.drop_index("ix_matching_match_run_id", table_name="matching_match")


def downgrade():
    op.create_index("ix_matching_match_run_id", "matching_match", ["run_id"])
    op.drop_index("ix_matching_match_table", table_name="matching_match")
