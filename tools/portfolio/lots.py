"""Open tax lots for other tools (loss harvesting, rotation): `open_lots(ctx, as_of=None)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext


@dataclass(frozen=True)
class Lot:
    """One open lot: units of a symbol (or index) at a venue, its total cost basis (fees included) and
    the day it was acquired (a transfer keeps the original day)."""

    lot_id: str
    symbol: str
    venue: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: date
    sleeve: str = ""

    @property
    def unit_cost(self) -> Decimal:
        return self.cost_basis / self.quantity if self.quantity else Decimal(0)


def open_lots(ctx: "ToolContext", as_of=None) -> list[Lot]:
    """Open lots at the end of `as_of` (default: now), oldest first; [] when there is no ledger."""
    from indexdesk.tools.portfolio.holdings import _as_day, ledger_or_none

    store = ledger_or_none(ctx)
    if store is None:
        return []
    day = _as_day(as_of)
    book = store.book() if day is None else store.book(as_of=day)
    return [Lot(lot.lot_id, lot.symbol, lot.venue, lot.quantity, lot.cost_basis, lot.acquired.date(), lot.sleeve)
            for lot in book.lots]
