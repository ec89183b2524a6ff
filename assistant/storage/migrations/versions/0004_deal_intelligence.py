"""deal intelligence: buyer contacts, deal briefs, conversation segments, webhook deliveries

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buyer_contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id"),
    )
    with op.batch_alter_table("buyer_contacts", schema=None) as batch_op:
        batch_op.create_index("buyer_contacts_by_email", ["email"], unique=False)
        batch_op.create_index("buyer_contacts_by_account", ["account"], unique=False)

    op.create_table(
        "deal_briefs",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("brief", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("disputed_level", sa.String(length=32), nullable=False),
        sa.Column("disputed_by", sa.String(length=120), nullable=False),
        sa.Column("dispute_note", sa.Text(), nullable=False),
        sa.Column("disputed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    with op.batch_alter_table("deal_briefs", schema=None) as batch_op:
        batch_op.create_index("ix_deal_briefs_account", ["account"], unique=False)

    op.create_table(
        "conversation_segments",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("landing_page", sa.String(length=500), nullable=False),
        sa.Column("referrer", sa.String(length=255), nullable=False),
        sa.Column("utm_source", sa.String(length=200), nullable=False),
        sa.Column("utm_medium", sa.String(length=200), nullable=False),
        sa.Column("utm_campaign", sa.String(length=200), nullable=False),
        sa.Column("utm_term", sa.String(length=200), nullable=False),
        sa.Column("utm_content", sa.String(length=200), nullable=False),
        sa.Column("company_size", sa.String(length=32), nullable=False),
        sa.Column("industry", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id"),
    )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("webhook_deliveries_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_webhook_deliveries_conversation_id", ["conversation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_conversation_id")
        batch_op.drop_index("webhook_deliveries_due")
    op.drop_table("webhook_deliveries")
    op.drop_table("conversation_segments")
    with op.batch_alter_table("deal_briefs", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_briefs_account")
    op.drop_table("deal_briefs")
    with op.batch_alter_table("buyer_contacts", schema=None) as batch_op:
        batch_op.drop_index("buyer_contacts_by_account")
        batch_op.drop_index("buyer_contacts_by_email")
    op.drop_table("buyer_contacts")
