"""Correlation of daily returns: the matrix, its average, pairs that are the same bet, rolling pairs.

Pure numpy/pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SAME_BET = 0.9
DIVERSIFIER_RANGE = (0.3, 0.7)


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    correlation: float


def correlation_matrix(returns: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlation of the columns on the rows where all are present; NaN for a constant column."""
    complete = returns.dropna(how="any")
    values = complete.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = values - values.mean(axis=0)
        norms = np.sqrt((centred ** 2).sum(axis=0))
        matrix = (centred.T @ centred) / np.outer(norms, norms)
    matrix[~np.isfinite(matrix)] = np.nan
    np.fill_diagonal(matrix, np.where(norms > 0, 1.0, np.nan))
    return pd.DataFrame(np.clip(matrix, -1.0, 1.0), index=returns.columns, columns=returns.columns)


def pairs(matrix: pd.DataFrame) -> list[Pair]:
    """Every unordered pair with its correlation, most correlated first (NaN pairs left out)."""
    names = list(matrix.columns)
    out = [Pair(names[i], names[j], float(matrix.iat[i, j]))
           for i in range(len(names)) for j in range(i + 1, len(names)) if np.isfinite(matrix.iat[i, j])]
    return sorted(out, key=lambda p: -p.correlation)


def average_pairwise_correlation(matrix: pd.DataFrame) -> float:
    """Mean of the off-diagonal correlations (each pair once); NaN with fewer than two series."""
    found = [p.correlation for p in pairs(matrix)]
    return float(np.mean(found)) if found else float("nan")


def same_bet_pairs(matrix: pd.DataFrame, threshold: float = SAME_BET) -> list[Pair]:
    return [p for p in pairs(matrix) if p.correlation >= threshold]


def diversifier_pairs(matrix: pd.DataFrame, band: tuple[float, float] = DIVERSIFIER_RANGE) -> list[Pair]:
    return [p for p in pairs(matrix) if band[0] <= p.correlation <= band[1]]


def rolling_correlation(first: pd.Series, second: pd.Series, window: int) -> pd.Series:
    """Correlation over a trailing window of `window` days where both have returns."""
    both = pd.concat([first, second], axis=1).dropna(how="any")
    return both.iloc[:, 0].rolling(window).corr(both.iloc[:, 1]).dropna()
