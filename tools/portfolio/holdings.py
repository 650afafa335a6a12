"""What the ledger holds, priced: positions by symbol or index with venue, tier, sleeve, value and basis.

`valuation(ctx, as_of)` is the one place a ledger becomes numbers; `get_portfolio` shows it and
`current_holdings` hands it to every tool that takes weights (through `resolve_holdings`).
A holding with no price is kept out of the weights and listed as unpriced — never valued at zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from indexdesk.tools.errors import ToolError
from indexdesk.tools import calendar

if TYPE_CHECKING:
    from indexdesk.memory.ledger import Book
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.portfolio.positions import Holdings

SLEEVES = ("index", "coin", "yield", "hedge", "stablecoin")
CASH_NAME = "cash"


@dataclass
class PositionValue:
    name: str  # asset symbol (upper case) or catalogue index (lower case)
    units: Decimal
    cost_basis: Decimal
    venues: dict[str, Decimal]  # units by venue
    tier: str
    sleeve: str
    price: float | None = None
    price_date: date | None = None
    stale: bool = False  # its price is older than Settings.price_max_age_days before the valuation day

    @property
    def value(self) -> float | None:
        return None if self.price is None else float(self.units) * self.price

    @property
    def venue(self) -> str:
        return "+".join(sorted(self.venues, key=lambda v: -self.venues[v])) or "-"


@dataclass
class Valuation:
    as_of: date
    currency: str
    positions: list[PositionValue]
    cash: Decimal
    cash_tracked: bool
    source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def priced(self) -> list[PositionValue]:
        return [p for p in self.positions if p.price is not None]

    @property
    def unpriced(self) -> list[PositionValue]:
        return [p for p in self.positions if p.price is None]

    @property
    def invested_value(self) -> float:
        return sum(p.value for p in self.priced)

    @property
    def total_value(self) -> float:
        return self.invested_value + (float(self.cash) if self.cash_tracked and self.cash > 0 else 0.0)

    def weight(self, position: PositionValue) -> float | None:
        total = self.total_value
        return position.value / total if position.value is not None and total > 0 else None


def _as_day(as_of) -> date | None:
    return calendar.parse_day(as_of, "as_of")


def ledger_or_none(ctx: "ToolContext"):
    """The ledger store, or None when none exists yet (no file and no URL): reading never creates one.

    A ledger file that existed and is gone is an error (StoreError), never silently the tier template."""
    if ctx.ledger is None and not ctx.settings.database_url:
        path = ctx.settings.home / "ledger.sqlite"
        if not path.exists():
            from indexdesk.memory import integrity

            if integrity.went_missing(ctx.settings.home, "ledger", path):
                raise integrity.missing_error("ledger", path)
            return None
    return ctx.ledger_store()


def price_on(ctx: "ToolContext", name: str, day: date) -> tuple[float | None, date | None]:
    """The last price of an asset or an index NAV on or before `day` (None when there is none)."""
    import math

    key = ("ledger_price", ctx.settings.source, name, day)
    if key in ctx.memo:
        return ctx.memo[key]
    from indexdesk.tools.indices.series import index_levels, load

    series = None
    if load(ctx).lookup(name) is not None:
        series = index_levels(ctx, name).levels
    else:
        close = ctx.market().close
        if name in close.columns:
            series = close[name]
    found: tuple[float | None, date | None] = (None, None)
    if series is not None:
        upto = series.loc[: str(day)].dropna()
        if not upto.empty and math.isfinite(float(upto.iloc[-1])):
            found = (float(upto.iloc[-1]), upto.index[-1].date())
    ctx.memo[key] = found
    return found


def _tier_and_sleeve(ctx: "ToolContext", name: str, declared: str) -> tuple[str, str]:
    from indexdesk.tools.indices.series import load
    from indexdesk.tools.market.universe import ASSETS
    from indexdesk.tools.targets import holding_tier

    is_index = load(ctx).lookup(name) is not None
    tier = holding_tier(ctx, name)  # unknown coins fall to the default map's speculative
    if declared:
        sleeve = declared
    elif is_index:
        sleeve = "index"
    elif name in ASSETS and ASSETS[name].category == "stablecoin":
        sleeve = "stablecoin"
    else:
        sleeve = "coin"
    if sleeve == "stablecoin":
        tier = "cash"
    return tier, sleeve


def valuation_of_book(ctx: "ToolContext", book: "Book", day: date, currency: str) -> Valuation:
    market = ctx.market()
    grouped: dict[str, PositionValue] = {}
    for lot in book.positions():  # lots summed per (symbol, venue, sleeve): a handful, however long the history
        position = grouped.get(lot.symbol)
        if position is None:
            tier, sleeve = _tier_and_sleeve(ctx, lot.symbol, lot.sleeve)
            position = grouped[lot.symbol] = PositionValue(lot.symbol, Decimal(0), Decimal(0), {}, tier, sleeve)
        _, sleeve = _tier_and_sleeve(ctx, lot.symbol, lot.sleeve) if lot.sleeve else (None, None)
        if sleeve and sleeve not in position.sleeve.split("+"):
            position.sleeve = "+".join(sorted(position.sleeve.split("+") + [sleeve]))
        position.units += lot.quantity
        position.cost_basis += lot.cost_basis
        position.venues[lot.venue] = position.venues.get(lot.venue, Decimal(0)) + lot.quantity
    warnings: list[str] = []
    limit = ctx.settings.price_max_age_days
    for position in grouped.values():
        position.price, position.price_date = price_on(ctx, position.name, day)
        if position.price is None:
            warnings.append(f"{position.name}: no price from {market.label} on or before {day}: listed unpriced")
        elif (day - position.price_date).days > limit:
            position.stale = True
            warnings.append(f"{position.name}: last price is from {position.price_date}, "
                            f"{(day - position.price_date).days} days before {day} (stale beyond {limit} days)")
    cash_flows = [amount for (_, cur), amount in book.cash.items() if cur == currency]
    cash = sum(cash_flows, Decimal(0))
    tracked = book.deposits != 0
    if tracked and cash < 0:
        warnings.append(f"recorded cash is negative ({cash:.2f} {currency}): some buys were paid from unrecorded deposits")
    positions = sorted(grouped.values(), key=lambda p: (-(p.value or 0.0), p.name))
    return Valuation(day, currency, positions, cash, tracked, market.label, warnings)


def valuation(ctx: "ToolContext", as_of=None) -> Valuation | None:
    """The ledger priced on `as_of` (default: the market's last day); None when there is no ledger."""
    store = ledger_or_none(ctx)
    if store is None:
        return None
    market = ctx.market()
    last = market.as_of or date.today()
    day = _as_day(as_of) or last
    if day > date.today():
        raise ToolError(f"as_of {day} is in the future", field="as_of")
    book = store.book() if _as_day(as_of) is None else store.book(as_of=day)
    if not book.positions() and not book.cash:
        return None
    # The same book (identity changes with every write) priced on the same day: computed once per context.
    key = ("ledger_valuation", ctx.settings.source, id(book), day)
    cached = ctx.memo.get(key) if _as_day(as_of) is None else None
    if cached is not None and cached[0] is book:
        return cached[1]
    currency = store.currency() or "USD"
    result = valuation_of_book(ctx, book, min(day, last), currency)
    if day > last:
        result.warnings.append(f"prices end on {last}: valued at {last}")
    if _as_day(as_of) is None:
        ctx.memo[key] = (book, result)
    return result


def current_holdings(ctx: "ToolContext", as_of=None) -> "Holdings | None":
    """The ledger's priced holdings as weights of the portfolio (cash the remainder); None when empty."""
    from indexdesk.tools.portfolio.positions import Holdings

    value = valuation(ctx, as_of)
    if value is None or not value.priced or value.total_value <= 0:
        return None
    total = value.total_value
    names = tuple(p.name for p in value.priced)
    weights = tuple(p.value / total for p in value.priced)
    venues: dict[str, list[float]] = {}
    for i, position in enumerate(value.priced):
        for venue, units in position.venues.items():
            venues.setdefault(venue, [0.0] * len(names))[i] = float(units / position.units)
    return Holdings(names, weights, total, origin=f"ledger as of {value.as_of.isoformat()}",
                    venues=tuple((venue, tuple(shares)) for venue, shares in venues.items()),
                    notes=tuple(f"unpriced, left out: {p.name}" for p in value.unpriced))
