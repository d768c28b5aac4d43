"""Webhook endpoints and their attempts, deliveries in the outbox, idempotent API writes;
guest lists read in the order people joined.

Revision ID: 0005_webhooks
Revises: 0004_api_tokens
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_webhooks"
down_revision = "0004_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("types", sa.String(length=1000), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("failing_since", sa.DateTime(), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("pause_reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["host_id"], ["host.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_endpoint_host_id", "webhook_endpoint", ["host_id"])
    op.create_index("ix_webhook_endpoint_event_id", "webhook_endpoint", ["event_id"])
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("webhook_endpoint_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_outbox_message_webhook_endpoint_id_webhook_endpoint",
                                 "webhook_endpoint", ["webhook_endpoint_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("ix_outbox_message_webhook_endpoint_id", ["webhook_endpoint_id"])
    op.create_table(
        "webhook_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["outbox_message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_attempt_message_id", "webhook_attempt", ["message_id"])
    op.create_table(
        "idempotent_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_id", "key"),
    )
    op.create_index("ix_idempotent_request_created_at", "idempotent_request", ["created_at"])
    op.create_index("ix_attendee_event_order", "attendee", ["event_id", "id"])
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("webhooks", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("event") as batch:
        batch.drop_column("webhooks")
    op.drop_index("ix_attendee_event_order", table_name="attendee")
    op.drop_index("ix_idempotent_request_created_at", table_name="idempotent_request")
    op.drop_table("idempotent_request")
    op.drop_index("ix_webhook_attempt_message_id", table_name="webhook_attempt")
    op.drop_table("webhook_attempt")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_webhook_endpoint_id")
        batch.drop_constraint("fk_outbox_message_webhook_endpoint_id_webhook_endpoint",
                              type_="foreignkey")
        batch.drop_column("webhook_endpoint_id")
    op.drop_index("ix_webhook_endpoint_event_id", table_name="webhook_endpoint")
    op.drop_index("ix_webhook_endpoint_host_id", table_name="webhook_endpoint")
    op.drop_table("webhook_endpoint")
