"""Yield of what the ledger holds: staking and lending income received, as a simple annual rate.

The yield sleeve (staked or lent coins) earns income transactions. Its APY is what was actually
received over the trailing year, annualised: income units ÷ the units that earned them (held units
less that income) × 365 ÷ the days observed, which run from the symbol's first transaction (or a
year ago, whichever is later). Observed, not promised: a venue's advertised rate is not in a
transaction history. Fewer than 30 days observed say nothing and give no rate.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from indexdesk.tools import calendar

YEAR_DAYS = 365
MIN_DAYS = 30


_day = calendar.day_or_none


def observed_apy(store, units_by_name: dict[str, Decimal], as_of: date) -> dict[str, float]:
    """Annualised income yield by symbol, for the symbols with income in the year before `as_of`."""
    start = as_of - timedelta(days=YEAR_DAYS)
    income: dict[str, Decimal] = {}
    for tx in store.transactions(start=start, end=as_of, kind="income"):
        if tx.symbol in units_by_name:
            income[tx.symbol] = income.get(tx.symbol, Decimal(0)) + tx.quantity
    rates: dict[str, float] = {}
    for symbol, received in income.items():
        principal = units_by_name[symbol] - received
        held_since = _day(store.first_transaction_time(symbol))
        days = (as_of - max(start, held_since)).days
        if principal > 0 and days >= MIN_DAYS:
            rates[symbol] = float(received / principal) * YEAR_DAYS / min(days, YEAR_DAYS)
    return rates
