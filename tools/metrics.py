"""Performance metrics of simple (non-cumulative) periodic returns: one function per metric.

Conventions, chosen to agree with empyrical (and quantstats where it has the metric):
* NaN returns are dropped first (a series before its inception, a gap); pairwise metrics
  (beta, correlation) use the periods both series observed.
* Annualisation uses `periods_per_year` (crypto trades every day: 365) and the number of
  returns, not calendar time: CAGR = (1 + total) ** (periods_per_year / n) - 1.
* Sample standard deviation (ddof=1). Downside risk is the root mean square of the
  negative part of (return - required_return) over all periods.
* Drawdowns include the starting value 1.0, so a loss on the first period counts.
* Too little data (fewer than 2 returns, or zero dispersion where a ratio divides by it)
  gives NaN, never an exception: the tool layer reports NaN as null with a warning.

Pure numpy/pandas: no I/O, no project imports.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

DEFAULT_PERIODS_PER_YEAR = 365
# Below this, a standard deviation is floating-point noise around zero, not dispersion.
_ZERO_DISPERSION = 1e-14


def _clean(returns) -> np.ndarray:
    values = np.asarray(returns, dtype=float).ravel()
    return values[~np.isnan(values)]


def _clean_series(returns) -> pd.Series:
    series = returns if isinstance(returns, pd.Series) else pd.Series(np.asarray(returns, dtype=float))
    return series.dropna().astype(float)


def _paired(returns, benchmark_returns) -> tuple[np.ndarray, np.ndarray]:
    """Both series on the periods where both are observed (aligned by index for pandas input)."""
    if (isinstance(returns, pd.Series) and isinstance(benchmark_returns, pd.Series)
            and not returns.index.equals(benchmark_returns.index)):
        both = pd.concat([returns, benchmark_returns], axis=1, join="inner").dropna()
        return both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float)
    a = np.asarray(returns, dtype=float).ravel()
    b = np.asarray(benchmark_returns, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"returns and benchmark_returns differ in length: {a.shape[0]} vs {b.shape[0]}")
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


def total_return(returns) -> float:
    """Compounded return over the whole series: prod(1 + r) - 1. NaN when empty."""
    values = _clean(returns)
    if values.size == 0:
        return float("nan")
    return float(np.prod(1.0 + values) - 1.0)


def annual_return(returns, periods_per_year: int = DEFAULT_PERIODS_PER_YEAR) -> float:
    """Compound annual growth rate (CAGR) over len(returns) / periods_per_year years."""
    values = _clean(returns)
    if values.size == 0:
        return float("nan")
    growth = float(np.prod(1.0 + values))
    if growth < 0:  # a loss beyond -100% has no real-valued growth rate
        return float("nan")
    return growth ** (periods_per_year / values.size) - 1.0


def annual_volatility(returns, periods_per_year: int = DEFAULT_PERIODS_PER_YEAR) -> float:
    """Sample standard deviation of returns scaled by sqrt(periods_per_year)."""
    values = _clean(returns)
    if values.size < 2:
        return float("nan")
    return float(np.std(values, ddof=1) * np.sqrt(periods_per_year))


def sharpe_ratio(returns, risk_free: float = 0.0, periods_per_year: int = DEFAULT_PERIODS_PER_YEAR) -> float:
    """Mean excess return over its standard deviation, annualised; `risk_free` is per period."""
    excess = _clean(returns) - risk_free
    if excess.size < 2:
        return float("nan")
    std = np.std(excess, ddof=1)
    if std < _ZERO_DISPERSION:
        return float("nan")
    return float(np.mean(excess) / std * np.sqrt(periods_per_year))


def downside_risk(returns, required_return: float = 0.0,
                  periods_per_year: int = DEFAULT_PERIODS_PER_YEAR) -> float:
    """Annualised root mean square of the shortfall below `required_return` (all periods count)."""
    values = _clean(returns)
    if values.size == 0:
        return float("nan")
    shortfall = np.minimum(values - required_return, 0.0)
    return float(np.sqrt(np.mean(shortfall ** 2)) * np.sqrt(periods_per_year))


def sortino_ratio(returns, required_return: float = 0.0,
                  periods_per_year: int = DEFAULT_PERIODS_PER_YEAR) -> float:
    """Annualised mean excess return over annualised downside risk; NaN without any shortfall."""
    values = _clean(returns)
    if values.size < 2:
        return float("nan")
    risk = downside_risk(values, required_return, periods_per_year)
    if risk < _ZERO_DISPERSION:
        return float("nan")
    return float(np.mean(values - required_return) * periods_per_year / risk)


def _wealth(values: np.ndarray) -> np.ndarray:
    """Cumulative wealth with the starting value 1.0 prepended."""
    return np.concatenate(([1.0], np.cumprod(1.0 + values)))


def drawdowns(path):
    """How far each point of a value path lies below its running peak, in [-1, 0] (0 at a new peak).

    The one drawdown computation: metrics, stress paths and the review's charts all use it. A pandas
    Series keeps its index; a path that starts at or below zero counts as 0 until it turns positive.
    """
    values = np.asarray(path, dtype=float)
    peaks = np.fmax.accumulate(values) if values.size else values  # fmax: a missing point is no peak
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.where(peaks > 0, values / np.where(peaks > 0, peaks, 1.0) - 1.0, 0.0)
    depth = np.where(np.isnan(values), np.nan, depth)  # a missing point has no drawdown (as pandas' cummax)
    if isinstance(path, pd.Series):
        return pd.Series(depth, index=path.index, name=path.name)
    return depth


def max_drawdown_of_path(path) -> float:
    """The deepest drawdown of a value path (wealth, portfolio value), in [-1, 0]; NaN when empty."""
    depth = drawdowns(path)
    return float(np.min(depth)) if len(depth) else float("nan")


def max_drawdown(returns) -> float:
    """Largest peak-to-trough loss of cumulative wealth, in [-1, 0]; NaN when empty."""
    values = _clean(returns)
    if values.size == 0:
        return float("nan")
    return max_drawdown_of_path(_wealth(values))


class DrawdownPeriod(NamedTuple):
    max_drawdown: float
    peak: object  # the index label of the peak (the period before the first return if wealth never rose)
    trough: object
    recovery: object  # first label back at the peak's level; None if not recovered


def max_drawdown_period(returns: pd.Series) -> DrawdownPeriod:
    """The maximum drawdown and its peak, trough and recovery labels (dates for a dated series).

    A peak at the starting value is labelled one period before the first return (for a
    DatetimeIndex: first date minus the spacing of the first two dates).
    """
    series = _clean_series(returns)
    if series.empty:
        return DrawdownPeriod(float("nan"), None, None, None)
    wealth = _wealth(series.to_numpy())
    running_peak = np.maximum.accumulate(wealth)
    below_peak = drawdowns(wealth)
    trough_at = int(np.argmin(below_peak))
    depth = float(below_peak[trough_at])
    if depth == 0.0:
        return DrawdownPeriod(0.0, None, None, None)
    peak_at = int(np.flatnonzero(wealth[: trough_at + 1] == running_peak[trough_at])[-1])
    after = np.flatnonzero(wealth[trough_at:] >= wealth[peak_at])
    recovery_at = trough_at + int(after[0]) if after.size else None

    def label(position: int | None):
        # Wealth position 0 is the start, one period before the first return.
        if position is None:
            return None
        if position > 0:
            return series.index[position - 1]
        if isinstance(series.index, pd.DatetimeIndex):
            step = series.index[1] - series.index[0] if len(series) > 1 else pd.Timedelta(days=1)
            return series.index[0] - step
        return None

    return DrawdownPeriod(depth, label(peak_at), label(trough_at), label(recovery_at))


def calmar_ratio(returns, periods_per_year: int = DEFAULT_PERIODS_PER_YEAR) -> float:
    """CAGR over the absolute maximum drawdown; NaN without a drawdown."""
    depth = max_drawdown(returns)
    if not depth < 0:
        return float("nan")
    return annual_return(returns, periods_per_year) / abs(depth)


def beta(returns, benchmark_returns) -> float:
    """Covariance with the benchmark over the benchmark's variance, on periods both observed."""
    a, b = _paired(returns, benchmark_returns)
    if a.size < 2:
        return float("nan")
    b_centred = b - b.mean()
    variance = np.mean(b_centred ** 2)
    if np.sqrt(variance) < _ZERO_DISPERSION:
        return float("nan")
    return float(np.mean(b_centred * a) / variance)


def correlation(returns, benchmark_returns) -> float:
    """Pearson correlation with the benchmark on periods both observed; NaN if either is flat."""
    a, b = _paired(returns, benchmark_returns)
    if a.size < 2:
        return float("nan")
    a_centred = a - a.mean()
    b_centred = b - b.mean()
    a_spread, b_spread = np.sqrt(np.mean(a_centred ** 2)), np.sqrt(np.mean(b_centred ** 2))
    if a_spread < _ZERO_DISPERSION or b_spread < _ZERO_DISPERSION:
        return float("nan")
    denominator = np.sqrt(np.sum(a_centred ** 2) * np.sum(b_centred ** 2))
    return float(np.clip(np.sum(a_centred * b_centred) / denominator, -1.0, 1.0))
