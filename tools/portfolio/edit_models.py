"""Result models of the tools that change or explain the ledger's history (delete, amend, reconcile, history)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from indexdesk.tools.units import Count, Fraction, Hours


class TxLine(BaseModel):
    id: str
    day: date
    kind: str
    symbol: str
    quantity: str = Field(description="exact decimal text")
    price: str = ""
    fee: str = ""
    venue: str = ""
    to_venue: str = ""


class ChangeResult(BaseModel):
    action: str = Field(description="delete | amend | reconcile")
    removed: list[TxLine] = Field(default_factory=list)
    added: list[TxLine] = Field(default_factory=list)
    summary: str
    open_lots: Count = Field(description="open lots after the change (rebuilt from the new history)")
    warnings: list[str] = Field(default_factory=list)


class PairLine(BaseModel):
    pair: str = Field(description="WITHDRAWAL_ID:DEPOSIT_ID (a repeated transfer: ROW_ID:TRANSFER_ID), what "
                                  "`reconcile_transfers` takes")
    description: str


class TransferCandidates(BaseModel):
    unambiguous: list[PairLine] = Field(description="pairs applied by reconcile_transfers without arguments")
    ambiguous: list[PairLine] = Field(description="competing pairs: choose by id, never guessed")
    window_hours: Hours
    fee_tolerance: Fraction = Field(description="largest network fee, as a fraction of the withdrawal")
    warnings: list[str] = Field(default_factory=list)


class AuditLine(BaseModel):
    at: datetime
    action: str
    tx_id: str
    change: str = Field(description="the fields that changed, old -> new")
    command: str


class HistoryResult(BaseModel):
    entries: list[AuditLine]
    shown: Count
    total: Count
    warnings: list[str] = Field(default_factory=list)
