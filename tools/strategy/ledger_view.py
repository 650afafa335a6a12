"""The ledger's actual portfolio for attribution: its time-weighted return, holdings at the start, fees paid.

The ledger modules (`indexdesk.tools.portfolio.*`) may be absent or empty: then `None`, and
attribution falls back to the strategy's backtest on the holdings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext


@dataclass
class LedgerWindow:
    total: float  # time-weighted return over the window (flows excluded)
    holdings: Any  # Holdings at the start
    fees: float  # fees paid in the window, in currency
    value_start: float
    realised_gain: float = 0.0  # gains minus losses of the lots sold in the window, in currency


def realised_in(store, start: date, end: date) -> float:
    """Net gain of the lot closings by sells inside [start, end] (the tax base of the window)."""
    book = getattr(store, "book", None)
    if book is None:
        return 0.0
    return float(sum(c.gain for c in book().closings
                     if c.proceeds is not None and start <= c.closed.date() <= end))


def fees_paid(transactions) -> float:
    """Fees on trades plus fee transactions (in currency: quantity × price when priced, else quantity)."""
    total = 0.0
    for tx in transactions:
        total += float(getattr(tx, "fee", 0) or 0)
        if tx.kind == "fee":
            total += float(tx.quantity) * (float(tx.price) if tx.price is not None else 1.0)
    return total


def ledger_window(ctx: "ToolContext", start: date, end: date) -> LedgerWindow | None:
    try:
        from indexdesk.tools.portfolio.holdings import current_holdings
        from indexdesk.tools.portfolio.performance import ledger_performance
    except ImportError:
        return None
    performance = ledger_performance(ctx, start, end)
    held = current_holdings(ctx, as_of=start) if performance is not None else None
    if performance is None or held is None:
        return None
    store = ctx.ledger_store()
    fees = fees_paid(store.transactions(start=start, end=end))
    return LedgerWindow(float(performance.time_weighted_return), held, fees, float(performance.value_start),
                        realised_in(store, start, end))
