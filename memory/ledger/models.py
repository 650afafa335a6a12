"""The ledger's tables (SQLAlchemy 2). Amounts are Decimal end to end: NUMERIC(38, 18) on
PostgreSQL, the exact decimal text on SQLite (whose NUMERIC would round through a float)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Numeric, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Amount(TypeDecorator):
    """A Decimal stored without loss on every backend."""

    impl = String(48)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(38, 18, asdecimal=True))
        return dialect.type_descriptor(String(48))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        return value if dialect.name == "postgresql" else format(value, "f")

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    pass


class TransactionRow(Base):
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tx_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    symbol: Mapped[str] = mapped_column(String(64), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Amount(), nullable=False)
    price: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)
    fee: Mapped[Decimal] = mapped_column(Amount(), nullable=False)
    currency: Mapped[str] = mapped_column(String(16), nullable=False)
    venue: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    to_venue: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    timestamp: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    lot_id: Mapped[str] = mapped_column(String(160), nullable=False, default="")
    sleeve: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_transactions_symbol_time", "symbol", "timestamp"),
                      Index("ix_transactions_time", "timestamp"))


class LotRow(Base):
    """Open lots after the whole history (rebuilt on every write)."""

    __tablename__ = "lots"

    lot_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    venue: Mapped[str] = mapped_column(String(64), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Amount(), nullable=False)
    cost_basis: Mapped[Decimal] = mapped_column(Amount(), nullable=False)
    acquired: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    opened_by: Mapped[str] = mapped_column(ForeignKey("transactions.tx_id", ondelete="CASCADE"), nullable=False)
    sleeve: Mapped[str] = mapped_column(String(16), nullable=False, default="")


class LotClosingRow(Base):
    """Pieces of lots closed by sells (with proceeds), withdrawals and fees (rebuilt on every write)."""

    __tablename__ = "lot_closings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lot_id: Mapped[str] = mapped_column(String(160), nullable=False)
    tx_id: Mapped[str] = mapped_column(ForeignKey("transactions.tx_id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    symbol: Mapped[str] = mapped_column(String(64), nullable=False)
    venue: Mapped[str] = mapped_column(String(64), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Amount(), nullable=False)
    cost_basis: Mapped[Decimal] = mapped_column(Amount(), nullable=False)
    proceeds: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)
    acquired: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    closed: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    long_term: Mapped[int] = mapped_column(Integer, nullable=False)


class TargetRow(Base):
    """Targets: one row per tier range and per index target (kind = tier | index | band | risk)."""

    __tablename__ = "targets"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    low: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)
    high: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)
    target: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)


class AuditRow(Base):
    """One change to the history (append-only: rows are inserted, never updated or deleted).
    `old`/`new` hold the transaction's fields as JSON (null for an add / a delete)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # add | delete | amend | reconcile
    tx_id: Mapped[str] = mapped_column(String(64), nullable=False)
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    command: Mapped[str] = mapped_column(Text, nullable=False, default="")

    __table_args__ = (Index("ix_audit_log_tx", "tx_id"),)


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
