"""The first ledger schema: transactions, lots, lot closings, targets, meta.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from indexdesk.memory.ledger.models import Amount

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tx_id", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("quantity", Amount(), nullable=False),
        sa.Column("price", Amount(), nullable=True),
        sa.Column("fee", Amount(), nullable=False),
        sa.Column("currency", sa.String(16), nullable=False),
        sa.Column("venue", sa.String(64), nullable=False),
        sa.Column("to_venue", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.DateTime, nullable=False),
        sa.Column("lot_id", sa.String(160), nullable=False),
        sa.Column("sleeve", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_index("ix_transactions_symbol_time", "transactions", ["symbol", "timestamp"])
    op.create_index("ix_transactions_time", "transactions", ["timestamp"])
    op.create_table(
        "lots",
        sa.Column("lot_id", sa.String(160), primary_key=True),
        sa.Column("symbol", sa.String(64), nullable=False, index=True),
        sa.Column("venue", sa.String(64), nullable=False),
        sa.Column("quantity", Amount(), nullable=False),
        sa.Column("cost_basis", Amount(), nullable=False),
        sa.Column("acquired", sa.DateTime, nullable=False),
        sa.Column("opened_by", sa.String(64), sa.ForeignKey("transactions.tx_id", ondelete="CASCADE"), nullable=False),
        sa.Column("sleeve", sa.String(16), nullable=False),
    )
    op.create_table(
        "lot_closings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lot_id", sa.String(160), nullable=False),
        sa.Column("tx_id", sa.String(64), sa.ForeignKey("transactions.tx_id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("venue", sa.String(64), nullable=False),
        sa.Column("quantity", Amount(), nullable=False),
        sa.Column("cost_basis", Amount(), nullable=False),
        sa.Column("proceeds", Amount(), nullable=True),
        sa.Column("acquired", sa.DateTime, nullable=False),
        sa.Column("closed", sa.DateTime, nullable=False, index=True),
        sa.Column("long_term", sa.Integer, nullable=False),
    )
    op.create_table(
        "targets",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("low", Amount(), nullable=True),
        sa.Column("high", Amount(), nullable=True),
        sa.Column("target", Amount(), nullable=True),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("meta", "targets", "lot_closings", "lots", "transactions"):
        op.drop_table(table)
