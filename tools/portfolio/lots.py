"""Open tax lots for other tools (loss harvesting, rotation): `open_lots(ctx, as_of=None)`.

The lots are the ledger's one `Lot` class (indexdesk.memory.ledger.lots.Lot), copied so a caller
cannot change the cached book.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexdesk.memory.ledger.lots import Lot

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

__all__ = ["Lot", "open_lots"]


def open_lots(ctx: "ToolContext", as_of=None) -> list[Lot]:
    """Open lots at the end of `as_of` (default: now), oldest first; [] when there is no ledger."""
    from indexdesk.tools.portfolio.holdings import _as_day, ledger_or_none

    store = ledger_or_none(ctx)
    if store is None:
        return []
    day = _as_day(as_of)
    book = store.book() if day is None else store.book(as_of=day)
    return [Lot(lot.lot_id, lot.symbol, lot.venue, lot.quantity, lot.cost_basis, lot.acquired, lot.opened_by,
                lot.sleeve) for lot in book.lots]
