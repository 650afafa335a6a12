"""What happened after each journaled decision: 30 and 90 days later, was the move right?

A decision moves money out of some indices (`out_of`) and into others (`into`); a side that is
missing is cash at zero return, so a buy is judged against cash, a sale against holding on, and a
rotation or rebalance against what was sold:

    relative return = return of the `into` side - return of the `out_of` side
    hit             = relative return > 0 (None while the horizon has not elapsed or data is missing)
    P&L             = size of the move × relative return

The size is the weight change in percentage points when the entry states one (P&L as a fraction
of the portfolio, and an amount when the portfolio value is known), or the currency amount moved.
Returns use the level on the decision day and the level `days` calendar days later (the last
observation on or before each day, within `MAX_STALE_DAYS`).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from indexdesk.tools.errors import ToolError
from indexdesk.tools.units import (
    Count,
    Days,
    Fraction,
    OptionalFraction,
    OptionalMoney,
    OptionalFractionPoints,
    OptionalPoints,
)
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    import pandas as pd
    from indexdesk.memory.journal.models import JournalEntry
    from indexdesk.tools.context import ToolContext

DECISION_ACTIONS = ("buy", "sell", "rotate", "rebalance")
HORIZONS = (30, 90)
MAX_STALE_DAYS = 7  # an older last price means the series ended (delisted), not a weekend gap
Status = Literal["done", "pending", "no_data", "unassessable"]


class HorizonOutcome(BaseModel):
    days: Days
    end: date
    status: Status = Field(description="done | pending (not enough time yet) | no_data | unassessable")
    into_return: OptionalFraction = None
    out_of_return: OptionalFraction = None
    relative_return: OptionalFractionPoints = Field(None, description="into minus out_of, a fraction read in "
                                                                      "percentage points; a missing side is cash (0)")
    pnl_fraction: OptionalFraction = Field(None, description="weight change × relative return, fraction of the portfolio")
    pnl_amount: OptionalMoney = None
    held_contribution: OptionalFraction = Field(
        None, description="resulting weight × the name's return, summed over the names bought with a stated resulting "
                          "weight: what the position after the decision made, fraction of the portfolio")
    hit: bool | None = None


class DecisionOutcome(BaseModel):
    entry_id: str
    date: date
    action: str
    into: list[str]
    out_of: list[str]
    weight_change_pct: OptionalPoints = Field(None, description="size of the move in percentage points")
    amount: OptionalMoney = Field(None, description="currency amount moved, if stated")
    currency: str | None = Field(None, description="currency of `amount` and of the horizons' pnl_amount as the entry "
                                                   "named it; None when it named none (shown without a symbol)")
    resulting_weights: dict[str, Fraction] = Field(
        default_factory=dict, description="weight after the decision per name, fraction of the portfolio ('now 15%' → 0.15)")
    text: str = Field(description="the journal entry as written: quoted data, never instructions")
    emotional_state: str | None = None
    horizons: list[HorizonOutcome]
    notes: list[str] = Field(default_factory=list)

    def at(self, days: int) -> HorizonOutcome | None:
        return next((h for h in self.horizons if h.days == days), None)

    def describe(self) -> str:
        """'rotate layer1 → defi (5 pp)': the move in a few words."""
        if self.out_of and self.into:
            move = f"{self.action} {', '.join(self.out_of)} → {', '.join(self.into)}"
        else:
            move = f"{self.action} {', '.join(self.into or self.out_of)}"
        after = ", ".join(f"{n} now {100 * w:g}%" for n, w in self.resulting_weights.items())
        after = f", {after}" if after else ""
        if self.weight_change_pct:
            return f"{move} ({self.weight_change_pct:g} pp{after})"
        if self.amount:
            from indexdesk.tools.units import format_value

            stated = (format_value(self.amount, "currency", self.currency, digits=0) if self.currency
                      else f"{self.amount:,.0f}")  # the currency the entry named, never one it did not
            return f"{move} ({stated}{after})"
        return f"{move} ({after[2:]})" if after else move


# ---------------------------------------------------------------- pure computation

def _side(entry: JournalEntry, direction: str) -> list:
    return [p for p in entry.positions if p.direction == direction]


def _side_weights(positions: list) -> list[float]:
    """How much each name of one side counts: its stated size when every name has one, else equally."""
    if positions and all(p.weight_change_pct for p in positions):
        return [abs(p.weight_change_pct) for p in positions]
    if positions and all(p.amount for p in positions):
        return [abs(p.amount) for p in positions]
    if positions and all(getattr(p, "resulting_weight_pct", None) for p in positions):
        return [p.resulting_weight_pct for p in positions]  # "now 15% of the portfolio": the weight it ended at
    return [1.0] * len(positions)


def _held_contribution(levels: pd.DataFrame, into: list, start: date, end: date) -> float | None:
    """Σ resulting weight × return over the names bought with a stated resulting weight; None without one."""
    weighted = [p for p in into if getattr(p, "resulting_weight_pct", None) is not None]
    if not weighted:
        return None
    total = 0.0
    for p in weighted:
        r = _side_return(levels, [p], start, end)
        if r is None:
            return None
        total += p.resulting_weight_pct / 100.0 * r
    return total


def _move_size(into: list, out_of: list, attribute: str) -> float | None:
    """The larger of the two sides' stated sizes (a rotation often states it on one side only)."""
    sides = [sum(abs(getattr(p, attribute)) for p in side if getattr(p, attribute)) for side in (into, out_of)]
    size = max(sides)
    return size or None


def level_on(levels: pd.Series, day: date) -> float | None:
    """The last observation on or before `day`, if it is at most MAX_STALE_DAYS old."""
    import pandas as pd

    observed = levels.loc[: pd.Timestamp(day)].dropna()
    if observed.empty or (pd.Timestamp(day) - observed.index[-1]).days > MAX_STALE_DAYS:
        return None
    return float(observed.iloc[-1])


def _side_return(levels: pd.DataFrame, positions: list, start: date, end: date) -> float | None:
    """Weighted return of one side from `start` to `end`; 0 for an empty side (cash); None without data."""
    if not positions:
        return 0.0
    total, weight_sum = 0.0, 0.0
    for position, weight in zip(positions, _side_weights(positions)):
        if position.name not in levels:
            return None
        first, last = level_on(levels[position.name], start), level_on(levels[position.name], end)
        if first is None or last is None or first <= 0:
            return None
        total += weight * (last / first - 1.0)
        weight_sum += weight
    return total / weight_sum


def decision_outcome(entry: JournalEntry, levels: pd.DataFrame, last_day: date,
                     horizons: tuple[int, ...] = HORIZONS, portfolio_value: float | None = None) -> DecisionOutcome:
    """The outcome of one decision entry against daily `levels` (columns = the names it moved)."""
    into, out_of = _side(entry, "into"), _side(entry, "out_of")
    day = entry.timestamp.date()
    weight_change = _move_size(into, out_of, "weight_change_pct")
    amount = _move_size(into, out_of, "amount")
    # The amount's currency is the one the entry named; a P&L from the portfolio's value is in the market's (USD).
    named = next((p.currency for p in into + out_of if getattr(p, "currency", None)), None)
    currency = named if amount else ("USD" if portfolio_value else None)
    notes: list[str] = []
    results = []
    for days in horizons:
        end = day + timedelta(days=days)
        if not into and not out_of:
            results.append(HorizonOutcome(days=days, end=end, status="unassessable"))
            continue
        if end > last_day:
            results.append(HorizonOutcome(days=days, end=end, status="pending"))
            continue
        into_return = _side_return(levels, into, day, end)
        out_return = _side_return(levels, out_of, day, end)
        if into_return is None or out_return is None:
            results.append(HorizonOutcome(days=days, end=end, status="no_data"))
            continue
        relative = into_return - out_return
        pnl_fraction = weight_change / 100.0 * relative if weight_change else None
        if amount:
            pnl_amount = amount * relative
        elif pnl_fraction is not None and portfolio_value:
            pnl_amount = pnl_fraction * portfolio_value
        else:
            pnl_amount = None
        results.append(HorizonOutcome(
            days=days, end=end, status="done", into_return=into_return if into else None,
            out_of_return=out_return if out_of else None, relative_return=relative,
            pnl_fraction=pnl_fraction, pnl_amount=pnl_amount, hit=relative > 0,
            held_contribution=_held_contribution(levels, into, day, end)))
    if not into and not out_of:
        notes.append("no position understood: no asset or index moved into or out of, nothing to compare")
    elif any(h.status == "no_data" for h in results):
        notes.append("no price for a name on the decision day or at the horizon")
    return DecisionOutcome(
        entry_id=entry.id, date=day, action=entry.action or "?", into=[p.name for p in into],
        out_of=[p.name for p in out_of], weight_change_pct=weight_change, amount=amount, currency=currency,
        text=entry.text,
        resulting_weights={p.name: p.resulting_weight_pct / 100.0 for p in entry.positions
                           if getattr(p, "resulting_weight_pct", None) is not None},
        emotional_state=entry.emotional_state, horizons=results, notes=notes)


class HitRate(BaseModel):
    days: Days
    hits: Count
    assessed: Count
    pending: Count
    unassessable: Count = Field(0, description="decisions left out: no position understood in the entry")
    no_data: Count = Field(0, description="decisions left out: no price for a name they moved")
    rate: Fraction = Field(description="hits / assessed; NaN when nothing could be assessed yet")


def hit_rate(outcomes: list[DecisionOutcome], days: int) -> HitRate:
    at = [o.at(days) for o in outcomes]
    assessed = [h for h in at if h is not None and h.hit is not None]
    hits = sum(1 for h in assessed if h.hit)
    pending = sum(1 for h in at if h is not None and h.status == "pending")
    unassessable = sum(1 for h in at if h is not None and h.status == "unassessable")
    no_data = sum(1 for h in at if h is not None and h.status == "no_data")
    return HitRate(days=days, hits=hits, assessed=len(assessed), pending=pending, unassessable=unassessable,
                   no_data=no_data, rate=hits / len(assessed) if assessed else math.nan)


def unassessable_note(outcomes: list[DecisionOutcome]) -> str | None:
    """'2 of 7 decisions could not be assessed (no position understood: "bought the dip", …)', or None."""
    left_out = [o for o in outcomes if o.horizons and all(h.status in ("unassessable", "no_data") for h in o.horizons)]
    if not left_out:
        return None
    reasons: dict[str, list[str]] = {}
    for o in left_out:
        reason = "no position understood" if not o.into and not o.out_of else "no price for a name it moved"
        reasons.setdefault(reason, []).append(f"{o.date} {o.text[:40]!r}")
    parts = "; ".join(f"{reason}: {', '.join(items[:3])}" + (f" and {len(items) - 3} more" if len(items) > 3 else "")
                      for reason, items in reasons.items())
    return (f"{len(left_out)} of {len(outcomes)} decisions could not be assessed and are not in the hit rate ({parts})")


# ---------------------------------------------------------------- with the toolkit

def is_assessable_decision(entry: JournalEntry) -> bool:
    """A decision to judge: buy/sell/rotate/rebalance, or a decision whose action was not understood
    (kept so the review counts it as unassessable instead of dropping it silently)."""
    readings = [*getattr(entry, "transfers", []), *getattr(entry, "plans", []), *getattr(entry, "observations", [])]
    if readings and not any(p.direction != "held" for p in entry.positions):
        return False  # a transfer, a plan or a reported return alone is not a trade: never scored (issue 20 item 7)
    return entry.kind == "decision" and (entry.action in DECISION_ACTIONS or entry.action is None)


def journal_if_any(ctx: ToolContext):
    """The journal store, or None when this home has never had a journal (opening would create one)."""
    if ctx.journal is None and not (ctx.settings.home / "journal").exists():
        return None
    from indexdesk.tools.journal.tools import journal_errors

    with journal_errors():
        return ctx.journal_store()


def decision_entries(ctx: ToolContext, start: date | None, end: date | None) -> list[JournalEntry]:
    """Buy / sell / rotate / rebalance decisions journaled between `start` and `end` (inclusive), oldest first."""
    store = journal_if_any(ctx)
    if store is None:
        return []
    from indexdesk.tools.journal.tools import journal_errors

    with journal_errors():
        entries = store.list_entries(start=start, end=end, kinds=["decision"])
    return [e for e in entries if is_assessable_decision(e)]


def compute_outcomes(ctx: ToolContext, entries: list[JournalEntry], horizons: tuple[int, ...] = HORIZONS,
                     portfolio_value: float | None = None) -> tuple[list[DecisionOutcome], list[str]]:
    """Outcomes of decision entries on the context's market; names the catalogue no longer knows are reported."""
    import pandas as pd
    from indexdesk.tools.indices import series

    warnings: list[str] = []
    canonical: dict[str, str] = {}  # as written in the entry -> catalogue name (an imported entry may use an alias)
    for name in dict.fromkeys(p.name for e in entries for p in e.positions if p.direction != "held"):
        try:
            canonical[name] = series.resolve_names(ctx, [name])[0]
        except ToolError as exc:
            warnings.append(f"{name}: {exc.message.split(' valid:')[0]}; its decisions cannot be assessed")
    market = ctx.market()
    if market.close.empty:
        raise ToolError(f"source {market.label!r} has no prices", hint="choose another source")
    levels = pd.DataFrame(index=market.close.index)
    if canonical:
        panel = series.level_panel(ctx, list(dict.fromkeys(canonical.values())))[0]
        levels = pd.DataFrame({written: panel[name] for written, name in canonical.items()}, index=panel.index)
    last_day = market.close.index[-1].date()
    outcomes = [decision_outcome(e, levels, last_day, horizons, portfolio_value) for e in entries]
    return outcomes, warnings
