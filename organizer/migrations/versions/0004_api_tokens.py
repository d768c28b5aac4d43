"""Hosts' personal API tokens, stored hashed.

Revision ID: 0004_api_tokens
Revises: 0003_outbox
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_api_tokens"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["host_id"], ["host.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_token_host_id", "api_token", ["host_id"])


def downgrade():
    op.drop_index("ix_api_token_host_id", table_name="api_token")
    op.drop_table("api_token")
