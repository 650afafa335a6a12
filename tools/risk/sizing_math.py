"""Volatility targeting: size each position by target volatility over its realised volatility.

Pure numpy. A position whose volatility doubles is halved; without leverage the positions are
scaled down together until they sum to at most 1 (the rest is cash).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DAYS_PER_YEAR = 365  # crypto trades every day


def annualised_volatility(returns: np.ndarray, periods_per_year: int = DAYS_PER_YEAR) -> np.ndarray:
    """Sample standard deviation of each column × √periods; NaN with fewer than 2 rows."""
    values = np.atleast_2d(np.asarray(returns, dtype=float).T).T
    if values.shape[0] < 2:
        return np.full(values.shape[1], np.nan)
    return values.std(axis=0, ddof=1) * np.sqrt(periods_per_year)


@dataclass
class Sizing:
    weights: np.ndarray
    raw_weights: np.ndarray  # before the no-leverage scale-down
    scale: float  # the common factor applied for no leverage (1.0 when none was needed)

    @property
    def cash(self) -> float:
        return float(1.0 - self.weights.sum())


def volatility_target_weights(base_weights: np.ndarray, volatilities: np.ndarray, target: float,
                              allow_leverage: bool = False) -> Sizing:
    """w_i = base_i × target / vol_i; scaled down together so Σw ≤ 1 unless leverage is allowed.

    A position with zero volatility cannot be scaled by it and keeps its base weight.
    """
    base = np.asarray(base_weights, dtype=float)
    vols = np.asarray(volatilities, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(vols > 0, base * target / vols, base)
    total = float(raw.sum())
    scale = 1.0 / total if (not allow_leverage and total > 1.0) else 1.0
    return Sizing(raw * scale, raw, scale)


def portfolio_volatility(weights: np.ndarray, returns: np.ndarray, periods_per_year: int = DAYS_PER_YEAR) -> float:
    """Annualised volatility of the portfolio with these weights (cash flat)."""
    values = np.asarray(returns, dtype=float)
    if values.shape[0] < 2:
        return float("nan")
    return float((values @ np.asarray(weights, dtype=float)).std(ddof=1) * np.sqrt(periods_per_year))
