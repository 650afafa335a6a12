"""Stress scenarios against a source: historical replays on real windows, tiers, venue failure, custom shocks.

Reads prices through `tools.indices.series`; the arithmetic is in `stress_math`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from indexdesk.tools.errors import ToolError
from indexdesk.tools.risk.stress_math import (
    ScenarioOutcome,
    buy_and_hold_replay,
    compact_path,
    instant_shock,
)
from indexdesk.tools.units import percent

# Eight points show the shape of a crisis (start, trough, end and the way down) at a third of the
# tokens of twenty; a stress result with every scenario must stay near the ~800-token result budget.
PATH_POINTS = 8

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.portfolio.positions import Holdings

# The synthetic sample market places its episodes on the same dates (tools/market/sample.py EPISODES).
REPLAYS: dict[str, tuple[date, date, str]] = {
    "bear_2018": (date(2017, 12, 17), date(2018, 12, 15), "2018 bear market, Dec 2017 top to Dec 2018 bottom"),
    "covid_crash_2020": (date(2020, 3, 11), date(2020, 3, 13), "March 2020 crash"),
    "luna_collapse_2022": (date(2022, 5, 5), date(2022, 5, 13), "Terra/LUNA collapse"),
    "ftx_collapse_2022": (date(2022, 11, 6), date(2022, 11, 10), "FTX collapse"),
}
HYPOTHETICAL: dict[str, str] = {
    "exchange_failure": "a venue fails: part of the holdings kept there is lost",
    "tier_shock": "instant move by tier (core, satellite, speculative, cash)",
    "custom": "instant per-index or per-asset moves you give in shocks",
}
SCENARIO_NAMES: tuple[str, ...] = tuple(REPLAYS) + tuple(HYPOTHETICAL)
DEFAULT_TIER_SHOCKS: dict[str, float] = {"core": -0.30, "satellite": -0.50, "speculative": -0.70, "cash": 0.0}
TIERS = tuple(DEFAULT_TIER_SHOCKS)
PROXY = "BTC"


class ScenarioSkipped(Exception):
    """A scenario the source cannot replay (no prices in its window); reported as a warning."""


@dataclass
class ScenarioRun:
    outcome: ScenarioOutcome
    description: str
    start: date | None = None
    end: date | None = None
    notes: list[str] = field(default_factory=list)
    path_days: list[int] = field(default_factory=list)
    path_values: list[float] = field(default_factory=list)


def holding_tier(ctx: ToolContext, name: str) -> str:
    """core / satellite / speculative / cash: the holding's one tier (`targets.holding_tier`)."""
    from indexdesk.tools.targets import holding_tier as the_tier

    return the_tier(ctx, name)


def replay(ctx: ToolContext, holdings: Holdings, scenario: str) -> ScenarioRun:
    """Buy-and-hold through the scenario's window; unlisted holdings follow BTC (stated in the notes)."""
    from indexdesk.tools.indices.series import level_panel

    start, end, description = REPLAYS[scenario]
    names = list(holdings.names)
    wanted = names + ([PROXY] if PROXY not in names else [])
    try:
        levels, market = level_panel(ctx, wanted, start, end)
    except ToolError:  # the proxy itself is unknown to this source
        levels, market = level_panel(ctx, names, start, end)
    if levels.empty or levels.index[0].date() > start or levels.index[-1].date() < end:
        raise ScenarioSkipped(f"{scenario}: source {market.label!r} has no prices for {start}..{end}; skipped")
    notes: list[str] = []
    proxied: list[str] = []
    filled = levels.ffill()
    for name in names:
        column = levels[name]
        if np.isnan(column.iloc[0]):
            proxy = filled[PROXY] if PROXY in filled and not np.isnan(levels[PROXY].iloc[0]) else None
            if proxy is None:
                raise ScenarioSkipped(f"{scenario}: {name} has no price on {start} and no {PROXY} proxy; skipped")
            filled[name] = proxy
            proxied.append(name)
        elif column.iloc[1:].isna().any():
            last_seen = column.last_valid_index().date()
            notes.append(f"{name} has missing prices in the window (last {last_seen}): held at its last price")
    if proxied:  # one note for all of them: the same sentence per holding costs the model tokens, not facts
        notes.insert(0, f"not listed on {start}, replayed with {PROXY}'s move (smaller coins usually fell further): "
                        + ", ".join(proxied))
    outcome = buy_and_hold_replay(filled[names], np.asarray(holdings.weights))
    path = compact_path(outcome.path, max_points=PATH_POINTS)
    return ScenarioRun(outcome, description, start, end, notes,
                       [(d.date() - start).days for d in path.index], [round(float(v), 4) for v in path])


def exchange_failure(holdings: Holdings, loss: float, share: float, *, venue_shares: bool = False) -> ScenarioRun:
    """Lose `loss` of the part (`share`) of each long holding kept on the failed venue.

    With `venue_shares` and holdings from the ledger, the failed venue is the one holding the most
    value, and each holding loses only what is kept there."""
    weights = np.asarray(holdings.weights)
    if venue_shares and holdings.venues:
        exposure = {venue: float(np.dot(np.clip(weights, 0, None), shares)) for venue, shares in holdings.venues}
        venue = max(exposure, key=exposure.__getitem__)
        kept = np.asarray(dict(holdings.venues)[venue])
        shocks = np.where(weights > 0, -loss * kept, 0.0)
        notes = [f"venue {venue} fails (it holds {percent(exposure[venue], 0)} of the portfolio, the most of any venue): "
                 f"{percent(loss, 0)} of what is kept there is lost; other venues and cash untouched"]
        return ScenarioRun(instant_shock(weights, shocks), HYPOTHETICAL["exchange_failure"], notes=notes)
    shocks = np.where(weights > 0, -loss * share, 0.0)
    notes = [f"{percent(loss, 0)} of the {percent(share, 0)} of holdings kept on the venue is lost; cash assumed off the venue"]
    if (weights < 0).any():
        notes.append("short positions are not counted (their collateral is not modelled)")
    return ScenarioRun(instant_shock(weights, shocks), HYPOTHETICAL["exchange_failure"], notes=notes)


def tier_shock(ctx: ToolContext, holdings: Holdings, overrides: dict[str, float]) -> ScenarioRun:
    tier_moves = {**DEFAULT_TIER_SHOCKS, **overrides}
    tiers = [holding_tier(ctx, name) for name in holdings.names]
    shocks = np.array([tier_moves[t] for t in tiers])
    moves = ", ".join(f"{t} {percent(m, 0, signed=True)}" for t, m in tier_moves.items())
    held = ", ".join(f"{n}={t}" for n, t in zip(holdings.names, tiers))
    return ScenarioRun(instant_shock(np.asarray(holdings.weights), shocks), HYPOTHETICAL["tier_shock"],
                       notes=[f"moves: {moves}", f"tiers: {held}"])


def custom_shock(holdings: Holdings, shocks: dict[str, float]) -> ScenarioRun:
    moves = np.array([shocks.get(name, 0.0) for name in holdings.names])
    unshocked = [n for n in holdings.names if n not in shocks]
    notes = [f"not shocked (0%): {', '.join(unshocked)}"] if unshocked else []
    return ScenarioRun(instant_shock(np.asarray(holdings.weights), moves), HYPOTHETICAL["custom"], notes=notes)
