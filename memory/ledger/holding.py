"""The ledger's tax rules, pure (tools/strategy/tax_math.py shares them): the one unit cost and the
one holding-period rule.

The holding-period rule: when a lot held from `acquired` and disposed of on `sold` is long term.

Default, the calendar rule of US reporting (IRS Pub. 544): the holding period starts the day after
acquisition and includes the day of disposal; long term means *more than one year*. So a lot bought
2023-03-01 and sold 2024-03-01 is short term, sold 2024-03-02 long term: long term when the sale
falls after the purchase's first anniversary. A lot bought on 29 February has its anniversary on
28 February of the next year (the day-after-purchase count, 1 March to 28 February, is one year).

`HoldingRule(days=N)` keeps the older "held more than N days" rule for other jurisdictions.
Everything that classifies a lot (the lot engine, tax_lots, harvest, tax-aware sells) asks this class.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal


def unit_cost(cost_basis: Decimal, quantity: Decimal) -> Decimal:
    """Basis per unit (fees included); zero for an empty lot. The one unit-cost computation."""
    return cost_basis / quantity if quantity else Decimal(0)


def as_day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def anniversary(day: date, years: int = 1) -> date:
    """The same month and day `years` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class HoldingRule:
    """Long term after more than one calendar year (days=None, the default) or more than `days` days."""

    days: int | None = None

    @classmethod
    def of(cls, days: int | None) -> "HoldingRule":
        """From the setting: None or 0 = the calendar rule, N > 0 = more than N days."""
        if days is not None and days < 0:
            raise ValueError(f"holding period days must be positive, got {days}")
        return cls(days or None)

    def last_short_day(self, acquired: date | datetime) -> date:
        """The last day a sale is still short term."""
        start = as_day(acquired)
        return anniversary(start) if self.days is None else start + timedelta(days=self.days)

    def first_long_day(self, acquired: date | datetime) -> date:
        """The first day a sale is long term."""
        return self.last_short_day(acquired) + timedelta(days=1)

    def is_long(self, acquired: date | datetime, sold: date | datetime) -> bool:
        return as_day(sold) > self.last_short_day(acquired)

    @property
    def label(self) -> str:
        return "more than one year (calendar)" if self.days is None else f"more than {self.days} days"

    @property
    def key(self) -> str:
        """A short name stored with the materialised lots: 'calendar' or the number of days."""
        return "calendar" if self.days is None else str(self.days)
