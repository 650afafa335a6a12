"""Rotation rules: target weights on decision days from prices up to that day. Pure numpy/pandas.

Every rule maps (prices T × N, decision day positions K, base weights N, ...) to targets K × N
using rows ≤ each decision day only. The tilt moves weight between indices and keeps the total
invested; `fit_tiers` then keeps each tier's total inside its range.

* momentum — rank by lookback return; the top quartile gets +tilt each, the bottom quartile
  −tilt each (never below zero; what cannot be taken is not given).
* mean_reversion — an index ≥ 30 % below its 365-day high gets +tilt (funded pro rata by the
  others) and keeps it until its lookback return is back in the top quartile (take profit).
* blended — momentum inside satellite/speculative, mean reversion inside core.
* pair — the z-score of log(A/B) over the lookback: below −z A is cheap (A +tilt, B −tilt),
  above +z the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

RuleName = Literal["momentum", "mean_reversion", "blended", "pair"]
DRAWDOWN_ENTRY = 0.30  # the playbook's "declining 30 %+"
HIGH_WINDOW = 365  # days over which the high is taken
PAIR_Z = 2.0  # relative value is "extreme" beyond two standard deviations
STALE_DAYS = 30  # an index whose level has not moved in this many days is not traded by the rules


@dataclass(frozen=True)
class RuleParams:
    lookback: int = 90
    tilt: float = 0.05
    pair: tuple[int, int] = (0, 1)  # column positions of the pair rule


def quartile_size(n: int) -> int:
    """How many indices make a quartile: ceil(n / 4), at most half, at least one."""
    return max(1, min(n // 2, int(np.ceil(n / 4)))) if n >= 2 else 0


def lookback_returns(prices: np.ndarray, days: np.ndarray, lookback: int) -> np.ndarray:
    """Return over `lookback` days ending on each decision day (NaN without that much history)."""
    days = np.asarray(days, dtype=int)
    base_day = days - lookback
    out = np.full((days.size, prices.shape[1]), np.nan)
    ok = base_day >= 0
    out[ok] = prices[days[ok]] / prices[base_day[ok]] - 1.0
    return out


def trading(prices: np.ndarray, days: np.ndarray, window: int = STALE_DAYS) -> np.ndarray:
    """Whether each column's price moved at all in the `window` days up to each decision day (a flat
    level means its constituents no longer trade, e.g. an index held as cash): K × N booleans."""
    moved = np.vstack([np.zeros((1, prices.shape[1])), (np.diff(prices, axis=0) != 0).astype(float)])
    running = np.cumsum(moved, axis=0)
    days = np.asarray(days, dtype=int)
    before = np.where(days - window >= 0, days - window, 0)
    return (running[days] - running[before]) > 0


def _ranks_mask(values: np.ndarray, q: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(top-quartile mask, bottom-quartile mask) per row among the non-NaN values (NaN = not ranked)."""
    k, n = values.shape
    valid = ~np.isnan(values)
    count = valid.sum(axis=1)
    size = np.array([quartile_size(int(c)) for c in count]) if q is None else np.where(count >= 2, q, 0)
    rows = np.arange(k)[:, None]
    descending = np.argsort(np.where(valid, -values, np.inf), axis=1, kind="stable")
    ascending = np.argsort(np.where(valid, values, np.inf), axis=1, kind="stable")
    top = np.zeros((k, n), dtype=bool)
    bottom = np.zeros((k, n), dtype=bool)
    position = np.arange(n)[None, :]
    top[rows, descending] = position < size[:, None]
    bottom[rows, ascending] = position < size[:, None]
    return top & valid, bottom & valid


def shift_weight(base: np.ndarray, up: np.ndarray, down: np.ndarray, tilt: float) -> np.ndarray:
    """Rows of base + tilt on `up` − tilt on `down`, the total kept: the cut is capped at each weight,
    and the overweights share what was actually cut."""
    base = np.broadcast_to(base, up.shape).astype(float)
    cut = np.where(down, np.minimum(tilt, base), 0.0)
    given = cut.sum(axis=1)
    ups = up.sum(axis=1)
    add = np.where(up, (given / np.where(ups > 0, ups, 1))[:, None], 0.0)
    add = np.where((ups > 0)[:, None], add, 0.0)
    cut = np.where((ups > 0)[:, None], cut, 0.0)  # nobody to give to: nothing moves
    return base - cut + add


def momentum(prices: np.ndarray, days: np.ndarray, base: np.ndarray, lookback: int, tilt: float) -> np.ndarray:
    ranked = np.where(trading(prices, days), lookback_returns(prices, days, lookback), np.nan)
    top, bottom = _ranks_mask(ranked)
    return shift_weight(base, top, bottom, tilt)


def drawdown_from_high(prices: np.ndarray, days: np.ndarray, window: int = HIGH_WINDOW) -> np.ndarray:
    """Price over its high of the last `window` days, minus one, on each decision day."""
    high = pd.DataFrame(prices).rolling(window, min_periods=1).max().to_numpy()
    days = np.asarray(days, dtype=int)
    return prices[days] / high[days] - 1.0


def mean_reversion_flags(prices: np.ndarray, days: np.ndarray, lookback: int,
                         entry: float = DRAWDOWN_ENTRY) -> np.ndarray:
    """Which indices are held overweight on each decision day (entered on a deep drawdown, left once
    back in the top quartile by lookback return). Sequential over decision days only."""
    drawdown = drawdown_from_high(prices, days)
    live = trading(prices, days)
    top, _ = _ranks_mask(np.where(live, lookback_returns(prices, days, lookback), np.nan))
    drawdown = np.where(live, drawdown, 0.0)
    flags = np.zeros(drawdown.shape, dtype=bool)
    held = np.zeros(prices.shape[1], dtype=bool)
    for k in range(len(days)):
        held = (held & ~top[k]) | ((drawdown[k] <= -entry) & ~top[k])
        flags[k] = held
    return flags


def mean_reversion(prices: np.ndarray, days: np.ndarray, base: np.ndarray, lookback: int, tilt: float) -> np.ndarray:
    """Distressed indices +tilt each, funded pro rata by the rest (by weight)."""
    flags = mean_reversion_flags(prices, days, lookback)
    base_rows = np.broadcast_to(base, flags.shape).astype(float)
    wanted = np.where(flags, tilt, 0.0).sum(axis=1)
    donors = np.where(flags, 0.0, base_rows)
    pool = donors.sum(axis=1)
    taken = np.minimum(wanted, pool)
    scale = np.where(pool > 0, taken / np.where(pool > 0, pool, 1), 0.0)
    count = flags.sum(axis=1)
    add = np.where(flags, (taken / np.maximum(count, 1))[:, None], 0.0)
    return base_rows - donors * scale[:, None] + add


def blended(prices: np.ndarray, days: np.ndarray, base: np.ndarray, lookback: int, tilt: float,
            is_core: np.ndarray) -> np.ndarray:
    """Mean reversion among core indices, momentum among the others; each group keeps its total."""
    out = np.broadcast_to(base, (len(days), prices.shape[1])).astype(float).copy()
    for group, rule in ((np.asarray(is_core, dtype=bool), mean_reversion), (~np.asarray(is_core, dtype=bool), momentum)):
        if group.sum() >= 2:
            out[:, group] = rule(prices[:, group], days, base[group], lookback, tilt)
    return out


def pair_zscores(prices: np.ndarray, days: np.ndarray, a: int, b: int, lookback: int) -> np.ndarray:
    """z-score of log(A/B) on each decision day against its own trailing `lookback` days."""
    spread = pd.Series(np.log(prices[:, a] / prices[:, b]))
    mean = spread.rolling(lookback, min_periods=lookback).mean()
    std = spread.rolling(lookback, min_periods=lookback).std(ddof=1)
    z = ((spread - mean) / std).to_numpy()
    return z[np.asarray(days, dtype=int)]


def pair(prices: np.ndarray, days: np.ndarray, base: np.ndarray, lookback: int, tilt: float, a: int, b: int,
         z_entry: float = PAIR_Z) -> np.ndarray:
    live = trading(prices, days)
    z = np.where(live[:, a] & live[:, b], pair_zscores(prices, days, a, b, lookback), 0.0)
    k, n = len(days), prices.shape[1]
    up = np.zeros((k, n), dtype=bool)
    down = np.zeros((k, n), dtype=bool)
    cheap_a, cheap_b = z <= -z_entry, z >= z_entry
    up[:, a], down[:, b] = cheap_a, cheap_a
    up[:, b] |= cheap_b
    down[:, a] |= cheap_b
    return shift_weight(base, up, down, tilt)


def fit_tiers(weights: np.ndarray, tier: np.ndarray, low: np.ndarray, high: np.ndarray,
              base: np.ndarray, rounds: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Shrink the tilts (weights − base) until every tier's total lies in [low, high] and the total is kept.

    A tier that would leave its range has its cuts (or adds) scaled back; then the other side is
    scaled so the moves still sum to zero. Indices the rule did not move are never touched.
    Returns (weights, rows where the ranges changed something)."""
    weights = np.asarray(weights, dtype=float)
    base = np.asarray(base, dtype=float)
    members = np.eye(len(low))[np.asarray(tier, dtype=int)]  # N × J
    room_down = np.asarray(low, float) - base @ members  # ≤ 0
    room_up = np.asarray(high, float) - base @ members  # ≥ 0
    delta = weights - base
    for _ in range(rounds):
        cuts, adds = np.minimum(delta, 0.0), np.maximum(delta, 0.0)
        cut_sum, add_sum = cuts @ members, adds @ members
        net = cut_sum + add_sum
        keep_cuts = np.where(net < room_down - 1e-12,
                             np.clip((room_down - add_sum) / np.where(cut_sum < 0, cut_sum, -1), 0, 1), 1.0)
        keep_adds = np.where(net > room_up + 1e-12,
                             np.clip((room_up - cut_sum) / np.where(add_sum > 0, add_sum, 1), 0, 1), 1.0)
        delta = cuts * (keep_cuts @ members.T) + adds * (keep_adds @ members.T)
        given, taken = np.maximum(delta, 0).sum(axis=1), -np.minimum(delta, 0).sum(axis=1)
        scale_adds = np.where(given > taken, taken / np.where(given > 0, given, 1), 1.0)
        scale_cuts = np.where(taken > given, given / np.where(taken > 0, taken, 1), 1.0)
        delta = np.maximum(delta, 0) * scale_adds[:, None] + np.minimum(delta, 0) * scale_cuts[:, None]
    fitted = base + delta
    changed = np.abs(fitted - weights).max(axis=1) > 1e-9
    return fitted, changed


# ---------------------------------------------------------------- the rules, one table

Signal = tuple[float | None, str]  # (the number the rule decided on, a note saying it)


@dataclass(frozen=True)
class RotationRule:
    """A rotation rule = a signal (what it reads on each decision day) + targets (how it tilts the base).

    `decide(prices, days, base, params, is_core)` gives raw target rows before tier ranges;
    `explain(prices, last, params, names, tiers)` gives each holding's signal and note on day `last`.
    """

    name: str
    summary: str
    decide: Callable[..., np.ndarray]
    explain: Callable[..., list[Signal]]


def _momentum_notes(prices: np.ndarray, last: np.ndarray, lookback: int) -> tuple[np.ndarray, list[str]]:
    returns = lookback_returns(prices, last, lookback)[0]
    order = np.argsort(-returns, kind="stable")
    rank = {int(i): r + 1 for r, i in enumerate(order)}
    n = prices.shape[1]
    return returns, [f"{lookback}d return {returns[i]:+.1%}, rank {rank[i]}/{n}" for i in range(n)]


def _explain_momentum(prices, last, params: RuleParams, names, tiers) -> list[Signal]:
    returns, notes = _momentum_notes(prices, last, params.lookback)
    return [(float(returns[i]), notes[i]) for i in range(len(names))]


def _explain_reversion(prices, last, params: RuleParams, names, tiers, *, momentum_for=()) -> list[Signal]:
    returns, notes = _momentum_notes(prices, last, params.lookback)
    drawdown = drawdown_from_high(prices, last)[0]
    out: list[Signal] = []
    for i in range(len(names)):
        if i in momentum_for:
            out.append((float(returns[i]), notes[i]))
        else:
            out.append((float(drawdown[i]), f"{drawdown[i]:+.0%} from its {HIGH_WINDOW}d high; {notes[i]}"))
    return out


def _explain_blended(prices, last, params: RuleParams, names, tiers) -> list[Signal]:
    return _explain_reversion(prices, last, params, names, tiers,
                              momentum_for={i for i, tier in enumerate(tiers) if tier != "core"})


def _explain_pair(prices, last, params: RuleParams, names, tiers) -> list[Signal]:
    a, b = params.pair
    z = pair_zscores(prices, last, a, b, params.lookback)[0]
    note = f"log({names[a]}/{names[b]}) z-score {z:+.2f} over {params.lookback}d (acts beyond ±{PAIR_Z:g})"
    return [(None, note) if i in (a, b) else (None, "not in the pair") for i in range(len(names))]


ROTATION_RULES: dict[str, RotationRule] = {rule.name: rule for rule in (
    RotationRule("momentum", "top quartile by lookback return +tilt each, bottom quartile −tilt each",
                 lambda prices, days, base, p, core: momentum(prices, days, base, p.lookback, p.tilt),
                 _explain_momentum),
    RotationRule("mean_reversion", f"an index {DRAWDOWN_ENTRY:.0%}+ below its {HIGH_WINDOW}-day high +tilt, "
                                   "held until back in the top quartile",
                 lambda prices, days, base, p, core: mean_reversion(prices, days, base, p.lookback, p.tilt),
                 _explain_reversion),
    RotationRule("blended", "mean reversion inside the core tier, momentum inside the others",
                 lambda prices, days, base, p, core: blended(
                     prices, days, base, p.lookback, p.tilt,
                     core if core is not None else np.zeros(prices.shape[1], dtype=bool)),
                 _explain_blended),
    RotationRule("pair", f"the cheaper of two indices +tilt when log(A/B) is beyond ±{PAIR_Z:g} z-scores",
                 lambda prices, days, base, p, core: pair(prices, days, base, p.lookback, p.tilt, *p.pair),
                 _explain_pair),
)}
RULES: tuple[str, ...] = tuple(ROTATION_RULES)


def rule_named(rule: str) -> RotationRule:
    try:
        return ROTATION_RULES[rule]
    except KeyError:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}") from None


def targets(rule: str, prices: np.ndarray, days: np.ndarray, base: np.ndarray, params: RuleParams,
            tier: np.ndarray, low: np.ndarray, high: np.ndarray, is_core: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Target rows of a named rule on the decision days, tier ranges applied: (targets, tier-limited rows)."""
    base = np.asarray(base, dtype=float)
    raw = rule_named(rule).decide(prices, days, base, params, is_core)
    return fit_tiers(raw, tier, low, high, base)


def explain(rule: str, prices: np.ndarray, params: RuleParams, names: list[str], tiers: list[str]) -> list[Signal]:
    """Each holding's signal and note on the last day: a flat (not trading) level is said as such."""
    last = np.array([len(prices) - 1])
    live = trading(prices, last)[0]
    said = rule_named(rule).explain(prices, last, params, names, tiers)
    return [(None, f"level flat for {STALE_DAYS}d (constituents not trading): held") if not live[i] else said[i]
            for i in range(len(names))]


def regimes(btc: np.ndarray, volatility: np.ndarray, days: np.ndarray, window: int = 200,
            threshold: float = 0.80) -> np.ndarray:
    """'bull' / 'bear' / 'neutral' on each decision day: bear below the `window`-day average, bull above it
    with volatility under `threshold`, neutral otherwise (or without `window` days of history)."""
    days = np.asarray(days, dtype=int)
    average = pd.Series(btc).rolling(window, min_periods=window).mean().to_numpy()[days]
    return regime_labels(np.asarray(btc, float)[days], average, np.asarray(volatility, float)[days], threshold)


def regime_labels(price: np.ndarray, average: np.ndarray, volatility: np.ndarray, threshold: float = 0.80) -> np.ndarray:
    """The regime rule on given numbers (NaN volatility is not calm; a NaN average is neutral)."""
    price, average, volatility = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (price, average, volatility))
    out = np.where(price < average, "bear", np.where(volatility < threshold, "bull", "neutral"))
    return np.where(np.isnan(average), "neutral", out)


def scale_tiers(base: np.ndarray, tier: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Rows of the base weights rescaled inside each tier to the tier totals of each row (K × J)."""
    members = np.eye(totals.shape[1])[np.asarray(tier, dtype=int)]
    base_totals = base @ members
    share = np.where(base_totals[tier] > 0, base / np.where(base_totals[tier] > 0, base_totals[tier], 1), 0.0)
    return share[None, :] * totals[:, tier]
