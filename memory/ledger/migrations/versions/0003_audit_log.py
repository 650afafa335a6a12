"""The audit log: every change to the ledger's history (add, delete, amend, reconcile), append-only.

Revision ID: 0003
Revises: 0001 (the coordinator chains it after 0002 when that lands)
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("tx_id", sa.String(64), nullable=False),
        sa.Column("old", sa.Text, nullable=True),
        sa.Column("new", sa.Text, nullable=True),
        sa.Column("command", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_tx", "audit_log", ["tx_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_tx", "audit_log")
    op.drop_table("audit_log")
