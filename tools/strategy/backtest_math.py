"""A vectorised daily backtester of target-weight portfolios: pure numpy, no I/O.

Conventions (the ones `bt` uses, so calendar and threshold runs agree with it to 1e-6):
* Prices are closes, one row a day, positive and finite (the caller fills or cuts gaps).
* Weights decided on day t use data up to and including t and are traded at t's close, so
  they earn from t+1 on: no look-ahead.
* Day 0 starts invested at the first target (value 1.0, no cost for the initial allocation);
  weights summing below 1 leave cash at zero return.
* Between trades holdings are fixed quantities, so weights drift with prices.
* A trade costs `cost_bps` (fees + slippage) on the value traded: the value after a rebalance
  is value_before × (1 − cost × turnover), turnover = Σ|target − drifted weight|.

A policy is when to trade (the table `POLICY_TIMINGS`, one `TradeTiming` per kind) and how much:
every kind trades all the way back to the latest target. Band edges are inclusive, compared with
a tolerance (`EDGE_TOLERANCE`), so a weight exactly on its edge is inside in tools and backtests alike
whatever the float rounding of the division.

Policies (when to trade to the latest target):
* calendar — on each decision day (the first day of each week/month/quarter, and day 0), like
  bt's RunWeekly/RunMonthly/RunQuarterly.
* threshold — when any weight deviates from its target by more than `band` relative to the
  target (bt's RunIfOutOfBounds: 0.2 lets a 10 % target run from 8 % to 12 %, both edges inside).
* asymmetric_bands — below target × (1 − lower) or above target × (1 + upper): 10 % with
  lower 0.3 / upper 0.5 acts below 7 % or above 15 % (7 % and 15 % themselves are inside).
* volatility_trigger — on days a trigger series is set (e.g. BTC 30-day volatility > 80 %),
  at most once per `cooldown` days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

PolicyName = Literal["calendar", "threshold", "asymmetric_bands", "volatility_trigger"]
CadenceName = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
CADENCES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "yearly")
EDGE_TOLERANCE = 1e-9  # a weight this close to its band edge is on it, hence inside
_SEARCH_CHUNK = 64  # days examined at once when looking for the next band breach


@dataclass(frozen=True)
class Policy:
    kind: str = "calendar"
    cadence: str = "monthly"  # when rules decide (and calendar trades)
    band: float = 0.2  # threshold: relative deviation from target
    lower: float = 0.3  # asymmetric: relative room below target
    upper: float = 0.5  # asymmetric: relative room above target
    cooldown: int = 30  # volatility_trigger: days between trades


@dataclass
class BacktestRun:
    equity: np.ndarray  # value each day, 1.0 on day 0 (after costs)
    trade_days: np.ndarray  # positions of days with a trade (day 0 = the initial allocation)
    trade_weights: np.ndarray  # target weights traded to on those days (rows)
    turnover: np.ndarray  # Σ|trade| as a fraction of value on each trade day (0 on day 0)
    costs: np.ndarray  # cost on each trade day as a fraction of the value before it

    @property
    def returns(self) -> np.ndarray:
        return self.equity[1:] / self.equity[:-1] - 1.0

    def total_turnover(self) -> float:
        return float(self.turnover.sum())


def decision_days(dates: pd.DatetimeIndex, cadence: str) -> np.ndarray:
    """Day 0 and every day whose period differs from the previous day's (bt's RunPeriod rule)."""
    if cadence not in CADENCES:
        raise ValueError(f"cadence must be one of {CADENCES}, got {cadence!r}")
    n = len(dates)
    if n == 0:
        return np.zeros(0, dtype=int)
    if cadence == "daily":
        return np.arange(n)
    if cadence == "weekly":
        iso = dates.isocalendar()
        key = iso["year"].to_numpy() * 100 + iso["week"].to_numpy()
    elif cadence == "monthly":
        key = dates.year.to_numpy() * 100 + dates.month.to_numpy()
    elif cadence == "quarterly":
        key = dates.year.to_numpy() * 10 + dates.quarter.to_numpy()
    else:
        key = dates.year.to_numpy()
    changed = np.flatnonzero(key[1:] != key[:-1]) + 1
    return np.concatenate(([0], changed)).astype(int)


def _as_rows(weights: np.ndarray, count: int) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return np.broadcast_to(weights, (count, weights.shape[-1])) if weights.ndim == 1 else weights


def simulate(prices: np.ndarray, trade_days: np.ndarray, weights: np.ndarray, cost_bps: float = 0.0) -> BacktestRun:
    """Equity of trading to `weights[k]` at the close of `trade_days[k]` (which must start at 0), fully vectorised."""
    prices = np.asarray(prices, dtype=float)
    days = np.asarray(trade_days, dtype=int)
    if days.size == 0 or days[0] != 0:
        raise ValueError("trade_days must start with day 0")
    rows = _as_rows(weights, days.size)
    cost = cost_bps / 1e4
    cash = 1.0 - rows.sum(axis=1)
    segment = np.searchsorted(days, np.arange(prices.shape[0]), side="right") - 1
    relative = prices / prices[days][segment]
    growth = np.einsum("tn,tn->t", rows[segment], relative) + cash[segment]
    # Drift of the previous segment up to each trade day, then the trade and its cost.
    if days.size > 1:
        held = rows[:-1] * prices[days[1:]] / prices[days[:-1]]
        before = held.sum(axis=1) + cash[:-1]
        drifted = held / before[:, None]
        turnover = np.concatenate(([0.0], np.abs(rows[1:] - drifted).sum(axis=1)))
        step = np.concatenate(([1.0], before * (1.0 - cost * turnover[1:])))
    else:
        turnover = np.zeros(1)
        step = np.ones(1)
    start_value = np.cumprod(step)
    equity = start_value[segment] * growth
    return BacktestRun(equity, days, np.array(rows), turnover, cost * turnover)


def drifted_weights(prices: np.ndarray, trade_days: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each day's weights after drift since the last trade (T × N), on the closes of that day after trading."""
    days = np.asarray(trade_days, dtype=int)
    rows = _as_rows(weights, days.size)
    segment = np.searchsorted(days, np.arange(prices.shape[0]), side="right") - 1
    held = rows[segment] * prices / prices[days][segment]
    total = held.sum(axis=1) + (1.0 - rows.sum(axis=1))[segment]
    return held / total[:, None]


def breaches(drift: np.ndarray, target: np.ndarray, policy: Policy) -> np.ndarray:
    """Rows (days) where a drifted weight leaves its band around the target; the edges are inside."""
    positive = target > 0
    safe = np.where(positive, target, 1.0)
    if policy.kind == "threshold":
        out = np.abs(drift - target) / safe > policy.band + EDGE_TOLERANCE
    else:
        out = ((drift < target * (1.0 - policy.lower) - EDGE_TOLERANCE)
               | (drift > target * (1.0 + policy.upper) + EDGE_TOLERANCE))
    out = np.where(positive, out, np.abs(drift) > EDGE_TOLERANCE)
    return out.any(axis=1)


def band_trade_days(prices: np.ndarray, targets_by_day: np.ndarray, policy: Policy) -> np.ndarray:
    """Trade days of a band policy: day 0, then each first day the drift since the last trade breaches."""
    n = prices.shape[0]
    trades = [0]
    last = 0
    while True:
        start = last + 1
        found = None
        while start < n and found is None:
            stop = min(n, start + _SEARCH_CHUNK)
            held = targets_by_day[last] * prices[start:stop] / prices[last]
            cash = 1.0 - targets_by_day[last].sum()
            drift = held / (held.sum(axis=1) + cash)[:, None]
            hit = np.flatnonzero(breaches(drift, targets_by_day[start:stop], policy))
            if hit.size:
                found = start + int(hit[0])
            start = stop
        if found is None:
            return np.asarray(trades, dtype=int)
        trades.append(found)
        last = found


def trigger_trade_days(trigger: np.ndarray, cooldown: int) -> np.ndarray:
    """Day 0, then days the trigger is set, at least `cooldown` days after the previous trade."""
    trades = [0]
    for day in np.flatnonzero(np.asarray(trigger, dtype=bool)):
        if day - trades[-1] >= cooldown:
            trades.append(int(day))
    return np.asarray(trades, dtype=int)


def daily_targets(n_days: int, days: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The latest decided target on each day (rows decided on `days`, held until the next decision)."""
    position = np.searchsorted(days, np.arange(n_days), side="right") - 1
    return _as_rows(rows, len(days))[position]


# ---------------------------------------------------------------- the policies, one table

@dataclass(frozen=True)
class TradeTiming:
    """When a policy trades: `trade_days(prices, decisions, per_day, policy, trigger)` → day positions (first 0)."""

    name: str
    summary: str
    trade_days: Callable[..., np.ndarray]


def _trigger_days(prices, decisions, per_day, policy: Policy, trigger) -> np.ndarray:
    if trigger is None:
        raise ValueError("volatility_trigger needs a trigger series")
    return trigger_trade_days(trigger, policy.cooldown)


POLICY_TIMINGS: dict[str, TradeTiming] = {timing.name: timing for timing in (
    TradeTiming("calendar", "on the first day of each period (the cadence)",
                lambda prices, decisions, per_day, policy, trigger: np.asarray(decisions, dtype=int)),
    TradeTiming("threshold", "when a weight is more than `band` (relative) off its target",
                lambda prices, decisions, per_day, policy, trigger: band_trade_days(prices, per_day, policy)),
    TradeTiming("asymmetric_bands", "below target × (1 − lower) or above target × (1 + upper)",
                lambda prices, decisions, per_day, policy, trigger: band_trade_days(prices, per_day, policy)),
    TradeTiming("volatility_trigger", "on days the trigger is set, at most once per `cooldown` days",
                _trigger_days),
)}
POLICIES: tuple[str, ...] = tuple(POLICY_TIMINGS)


def run_policy(prices: np.ndarray, dates: pd.DatetimeIndex, decisions: np.ndarray, targets: np.ndarray,
               policy: Policy, cost_bps: float = 0.0, trigger: np.ndarray | None = None) -> BacktestRun:
    """Backtest targets decided on `decisions` (day positions, first = 0) traded by `policy`."""
    prices = np.asarray(prices, dtype=float)
    targets = _as_rows(targets, len(decisions))
    timing = POLICY_TIMINGS.get(policy.kind)
    if timing is None:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy.kind!r}")
    per_day = daily_targets(prices.shape[0], decisions, targets)
    days = timing.trade_days(prices, decisions, per_day, policy, trigger)
    return simulate(prices, days, per_day[days], cost_bps)


def buy_and_hold(prices: np.ndarray, weights: np.ndarray) -> BacktestRun:
    """The weights bought on day 0 and never traded again."""
    return simulate(prices, np.array([0]), np.asarray(weights, dtype=float)[None, :])
