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

from dataclasses import dataclass

import numpy as np
import pandas as pd

RULES = ("momentum", "mean_reversion", "blended", "pair")
DRAWDOWN_ENTRY = 0.30  # the playbook's "declining 30 %+"
HIGH_WINDOW = 365  # days over which the high is taken
PAIR_Z = 2.0  # relative value is "extreme" beyond two standard deviations


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


def _ranks_mask(values: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """(top-q mask, bottom-q mask) per row; rows with any NaN get neither."""
    k, n = values.shape
    top = np.zeros((k, n), dtype=bool)
    bottom = np.zeros((k, n), dtype=bool)
    if q == 0:
        return top, bottom
    valid = ~np.isnan(values).any(axis=1)
    order = np.argsort(-np.where(np.isnan(values), -np.inf, values), axis=1, kind="stable")
    rows = np.arange(k)[:, None]
    top[rows, order[:, :q]] = True
    bottom[rows, order[:, n - q:]] = True
    top &= valid[:, None]
    bottom &= valid[:, None]
    return top, bottom


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
    ranked = lookback_returns(prices, days, lookback)
    top, bottom = _ranks_mask(ranked, quartile_size(prices.shape[1]))
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
    top, _ = _ranks_mask(lookback_returns(prices, days, lookback), quartile_size(prices.shape[1]))
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
    z = pair_zscores(prices, days, a, b, lookback)
    k, n = len(days), prices.shape[1]
    up = np.zeros((k, n), dtype=bool)
    down = np.zeros((k, n), dtype=bool)
    cheap_a, cheap_b = z <= -z_entry, z >= z_entry
    up[:, a], down[:, b] = cheap_a, cheap_a
    up[:, b] |= cheap_b
    down[:, a] |= cheap_b
    return shift_weight(base, up, down, tilt)


def project_totals(totals: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Closest tier totals inside [low, high] with the same sum (clip(t + λ) found by bisection per row)."""
    target = totals.sum(axis=1)
    lo_shift = (low - totals).min(axis=1) - 1.0
    hi_shift = (high - totals).max(axis=1) + 1.0
    for _ in range(60):
        mid = (lo_shift + hi_shift) / 2
        over = np.clip(totals + mid[:, None], low, high).sum(axis=1) > target
        hi_shift = np.where(over, mid, hi_shift)
        lo_shift = np.where(over, lo_shift, mid)
    return np.clip(totals + ((lo_shift + hi_shift) / 2)[:, None], low, high)


def fit_tiers(weights: np.ndarray, tier: np.ndarray, low: np.ndarray, high: np.ndarray,
              base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each tier's weights so its total lies in [low, high] (per tier id); returns (weights,
    rows where the ranges changed something). A tier emptied by the tilt refills at base proportions."""
    weights = np.asarray(weights, dtype=float)
    tier = np.asarray(tier, dtype=int)
    members = np.eye(len(low))[tier]  # N × J
    totals = weights @ members
    fitted = project_totals(totals, np.asarray(low, float), np.asarray(high, float))
    changed = np.abs(fitted - totals).max(axis=1) > 1e-9
    base_totals = base @ members
    share = np.where(totals[:, tier] > 0, weights / np.where(totals[:, tier] > 0, totals[:, tier], 1),
                     np.where(base_totals[tier] > 0, base / np.where(base_totals[tier] > 0, base_totals[tier], 1), 0))
    return share * fitted[:, tier], changed


def targets(rule: str, prices: np.ndarray, days: np.ndarray, base: np.ndarray, params: RuleParams,
            tier: np.ndarray, low: np.ndarray, high: np.ndarray, is_core: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Target rows of a named rule on the decision days, tier ranges applied: (targets, tier-limited rows)."""
    base = np.asarray(base, dtype=float)
    if rule == "momentum":
        raw = momentum(prices, days, base, params.lookback, params.tilt)
    elif rule == "mean_reversion":
        raw = mean_reversion(prices, days, base, params.lookback, params.tilt)
    elif rule == "blended":
        core = is_core if is_core is not None else np.zeros(prices.shape[1], dtype=bool)
        raw = blended(prices, days, base, params.lookback, params.tilt, core)
    elif rule == "pair":
        raw = pair(prices, days, base, params.lookback, params.tilt, *params.pair)
    else:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    return fit_tiers(raw, tier, low, high, base)
