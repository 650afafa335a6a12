"""Stress scenarios: buy-and-hold replays of historical windows and hypothetical instant shocks.

Pure numpy/pandas. Weights are fractions of the portfolio; the remainder is cash at zero return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indexdesk.tools.metrics import max_drawdown_of_path


@dataclass
class ScenarioOutcome:
    """P&L of one scenario as a fraction of the portfolio, each holding's part, and the value path."""

    pnl: float
    contributions: np.ndarray
    path: pd.Series  # portfolio value relative to the start (1.0 = start)
    max_drawdown: float


def buy_and_hold_replay(levels: pd.DataFrame, weights: np.ndarray) -> ScenarioOutcome:
    """Hold the weights from the first row's prices to the last row's; no rebalancing, cash flat.

    `levels` is dates × holdings with no NaN; its first row is the day the portfolio is bought.
    """
    weights = np.asarray(weights, dtype=float)
    if len(levels) < 2:
        raise ValueError("a replay needs a start and an end price")
    relative = levels.to_numpy(dtype=float) / levels.to_numpy(dtype=float)[0]
    value = (1.0 - weights.sum()) + relative @ weights
    contributions = weights * (relative[-1] - 1.0)
    path = pd.Series(value, index=levels.index)
    return ScenarioOutcome(float(contributions.sum()), contributions, path, max_drawdown(value))


def instant_shock(weights: np.ndarray, shocks: np.ndarray) -> ScenarioOutcome:
    """Every holding moves by its shock at once (a fraction, -0.3 = a 30 % fall)."""
    weights = np.asarray(weights, dtype=float)
    contributions = weights * np.asarray(shocks, dtype=float)
    pnl = float(contributions.sum())
    path = pd.Series([1.0, 1.0 + pnl])
    return ScenarioOutcome(pnl, contributions, path, max_drawdown(path.to_numpy()))


def max_drawdown(values: np.ndarray) -> float:
    """Largest peak-to-trough fall of a value path, as a positive fraction (metrics' drawdown, sign flipped)."""
    return abs(max_drawdown_of_path(values))


def compact_path(path: pd.Series, max_points: int = 20) -> pd.Series:
    """At most `max_points` points of a path, always keeping the first, the last and the trough."""
    if len(path) <= max_points:
        return path
    positions = set(np.linspace(0, len(path) - 1, max_points - 1).round().astype(int).tolist())
    positions.add(int(np.argmin(path.to_numpy())))
    return path.iloc[sorted(positions)]
