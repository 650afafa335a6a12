"""What the risk tools are asked about: which holdings (explicit, ledger or template), shocks,
confidence, and windows of data. `Holdings` itself lives with the portfolio (`portfolio/positions.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from indexdesk.tools.errors import ToolError
from indexdesk.tools.params import MAX_NAMES, Name
# Holdings and the weights they are given by live with the portfolio; re-exported for the risk tools.
from indexdesk.tools.portfolio.positions import (DEFAULT_PORTFOLIO_VALUE, Holdings, WeightItem,  # noqa: F401
                                                 WeightList, items_from_mapping)

if TYPE_CHECKING:
    import pandas as pd

    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.market.base import MarketData

MAX_ABS_WEIGHT = 10.0


class ShockItem(BaseModel):
    """A hypothetical move: a tier (core, satellite, speculative, cash), an index or an asset."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="tier, catalogue index or asset symbol")
    shock: float = Field(description="price move as a fraction, e.g. -0.5 for a 50% fall")


ShockList = Annotated[list[ShockItem], Field(max_length=MAX_NAMES),
                      BeforeValidator(lambda v: items_from_mapping(v, "shock"))]


def resolve_holdings(ctx: "ToolContext", weights: list[WeightItem] | None, portfolio_value: float | None,
                     warnings: list[str]) -> Holdings:
    """The holdings a tool works on: explicit weights → the ledger's current holdings → the tier template.

    `Holdings.origin` says which ("explicit weights" / "ledger as of YYYY-MM-DD" / "tier template
    (ledger empty)"). A portfolio value given wins; otherwise the ledger's value, else 100,000.
    """
    if not weights:
        return _implicit_holdings(ctx, portfolio_value, warnings)
    return _explicit_holdings(ctx, weights, DEFAULT_PORTFOLIO_VALUE if portfolio_value is None else portfolio_value,
                              warnings)


def _implicit_holdings(ctx: "ToolContext", portfolio_value: float | None, warnings: list[str]) -> Holdings:
    from dataclasses import replace

    from indexdesk.tools.portfolio.holdings import current_holdings
    from indexdesk.tools.targets import targets

    held = current_holdings(ctx)
    if held is not None:
        warnings.extend(held.notes)
        if portfolio_value is not None:
            _check_value(portfolio_value)
            held = replace(held, portfolio_value=float(portfolio_value))
        return held
    template = targets(ctx).weights()
    value = DEFAULT_PORTFOLIO_VALUE if portfolio_value is None else portfolio_value
    holdings = _explicit_holdings(ctx, [WeightItem(name=n, weight=w) for n, w in template.items()], value, warnings)
    return replace(holdings, origin="tier template (ledger empty)")


def _check_value(portfolio_value: float) -> None:
    if not (isinstance(portfolio_value, (int, float)) and math.isfinite(portfolio_value) and portfolio_value > 0):
        raise ToolError(f"portfolio_value must be a positive amount, got {portfolio_value}", field="portfolio_value")


def _explicit_holdings(ctx: "ToolContext", weights: list[WeightItem], portfolio_value: float,
                       warnings: list[str]) -> Holdings:
    """Explicit weights → Holdings: names resolved, repeats merged, percentages read as fractions."""
    from indexdesk.tools.indices.series import resolve_names

    if not (isinstance(portfolio_value, (int, float)) and math.isfinite(portfolio_value) and portfolio_value > 0):
        raise ToolError(f"portfolio_value must be a positive amount, got {portfolio_value}", field="portfolio_value")
    merged: dict[str, float] = {}
    for item in weights:
        if not math.isfinite(item.weight):
            raise ToolError(f"weight of {item.name!r} is not a number", field="weights")
        canonical = resolve_names(ctx, [item.name])[0]
        if canonical in merged:
            warnings.append(f"{item.name} is listed twice; its weights were added")
        merged[canonical] = merged.get(canonical, 0.0) + float(item.weight)
    values = list(merged.values())
    if all(v >= 0 for v in values) and 99.0 <= sum(values) <= 101.0 and max(values) > 1.0:
        values = [v / 100.0 for v in values]
        warnings.append("weights sum to ~100: read as percentages")
    big = [n for n, v in zip(merged, values) if abs(v) > MAX_ABS_WEIGHT]
    if big:
        raise ToolError(f"weight of {big[0]} is {merged[big[0]]}: weights are fractions of the portfolio (0.4 = 40%)",
                        hint="pass fractions that sum to at most 1; the remainder is cash", field="weights")
    kept = [(n, v) for n, v in zip(merged, values) if v != 0.0]
    if not kept:
        raise ToolError("every weight is zero", hint="give at least one non-zero weight", field="weights")
    if len(kept) < len(values):
        warnings.append("holdings with zero weight were left out")
    holdings = Holdings(tuple(n for n, _ in kept), tuple(v for _, v in kept), float(portfolio_value))
    if holdings.invested > 1.0 + 1e-9:
        warnings.append(f"weights sum to {holdings.invested:.3g} > 1: leveraged, cash is {holdings.cash:.3g}")
    elif holdings.cash > 1e-9:
        warnings.append(f"weights sum to {holdings.invested:.3g} < 1: the remaining {holdings.cash:.3g} is held as cash")
    if any(v < 0 for v in holdings.weights):
        warnings.append("negative weights are short positions")
    return holdings


def read_confidence(confidence: float, warnings: list[str]) -> float:
    """A confidence in (0.5, 0.9999); 95 is read as 0.95 and said so; anything else is an error."""
    value = float(confidence)
    if math.isfinite(value) and 50.0 < value < 99.99:
        warnings.append(f"confidence {confidence:g} read as {value / 100:g}")
        value /= 100.0
    if not (math.isfinite(value) and 0.5 < value < 0.9999):
        raise ToolError(f"confidence must be between 0.5 and 0.9999 (e.g. 0.95 or 0.99), got {confidence}",
                        hint="use 0.95 for 95%", field="confidence")
    return value


def read_fraction(value: float, what: str, field_name: str, warnings: list[str], *, low: float = 0.0,
                  high: float = 1.0) -> float:
    """A fraction in [low, high]; a number that only makes sense as a percentage is divided by 100."""
    number = float(value)
    if math.isfinite(number) and high < abs(number) <= 100 * max(abs(low), abs(high)):
        warnings.append(f"{what} {value:g} read as {number / 100:g} ({value:g}%)")
        number /= 100.0
    if not (math.isfinite(number) and low <= number <= high):
        raise ToolError(f"{what} must be a fraction between {low:g} and {high:g}, got {value}", field=field_name)
    return number


# ------------------------------------------------------------------ windows of data

@dataclass
class WindowReturns:
    """Daily returns of the holdings on the days where every holding has one."""

    returns: "pd.DataFrame"
    market: "MarketData"
    start: date  # the day of the base price of the first return (so start..end reads like the window asked for)
    end: date
    warnings: list[str] = field(default_factory=list)


def market_bounds(ctx: "ToolContext") -> tuple[date, date]:
    close = ctx.market().close
    if close.empty:
        raise ToolError(f"source {ctx.market().label!r} has no prices", hint="choose another source")
    return close.index[0].date(), close.index[-1].date()


def window_returns(ctx: "ToolContext", names: list[str], window: str, *, min_days: int = 2,
                   field_name: str = "window") -> WindowReturns:
    """Returns of `names` over `window`, cut to the days where all have data, with warnings saying what was cut."""
    from indexdesk.tools.indices.series import level_panel, parse_window, return_panel

    first, last = market_bounds(ctx)
    start, end = parse_window(window, first, last)
    panel, market = return_panel(ctx, list(names), start, end)
    warnings: list[str] = []
    if panel.empty:
        raise ToolError(f"no data in the window {start}..{end}", hint="choose a longer window", field=field_name)
    full_levels, _ = level_panel(ctx, list(names))
    for name in panel.columns:
        observed = panel[name].dropna()
        levels = full_levels[name].dropna()
        span = f"{levels.index[0].date()}..{levels.index[-1].date()}" if not levels.empty else "none"
        if observed.empty:
            raise ToolError(f"{name} has no prices in {start}..{end} (its data: {span})",
                            hint="choose a window inside its data, e.g. window='START:END', or drop it",
                            field=field_name)
        if observed.index[0] > panel.index[0]:
            warnings.append(f"{name} has data only from {observed.index[0].date()}")
        if observed.index[-1] < panel.index[-1]:
            warnings.append(f"{name}'s prices end on {observed.index[-1].date()} (delisted or no longer served)")
    complete = panel.dropna(how="any")
    if len(complete) < min_days:
        raise ToolError(f"only {len(complete)} day(s) in {start}..{end} where every holding has a price; "
                        f"need at least {min_days}", hint="choose a longer window or other holdings", field=field_name)
    inner = panel.loc[complete.index[0]: complete.index[-1]]
    gaps = len(inner) - len(complete)
    if gaps:
        warnings.append(f"{gaps} day(s) with a missing price were skipped (the move lands on the next priced day)")
    if complete.index[0] > panel.index[0] or complete.index[-1] < panel.index[-1]:
        warnings.append(f"window cut to {complete.index[0].date()}..{complete.index[-1].date()} "
                        "where every holding has prices")
    base_day = (complete.index[0] - timedelta(days=1)).date()
    return WindowReturns(complete, market, base_day, complete.index[-1].date(), warnings)
