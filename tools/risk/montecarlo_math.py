"""Monte Carlo VaR/CVaR: simulated h-day paths of correlated daily returns, seeded and reproducible.

Models:
* `fhs` (default) — filtered historical simulation: each asset's returns are divided by their
  EWMA volatility (lambda 0.94); whole days of these standardised residuals are resampled, so
  cross-asset dependence and fat tails come from the data; each path starts from today's
  volatility and updates it day by day, so turbulent windows stay turbulent.
* `student_t` — multivariate Student-t with the sample mean and covariance; degrees of freedom
  from the assets' median excess kurtosis (method of moments, 4 + 6/kurtosis).
* `normal` — multivariate normal with the sample mean and covariance (the parametric model, used
  to validate the simulator).

Paths are simulated one day at a time over all paths (arrays of paths × assets), never as a
paths × days × assets block, so memory stays ~10 arrays of paths × assets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from indexdesk.tools.risk.var_math import Convention, RiskEstimate, scenario_risk

Model = Literal["fhs", "student_t", "normal"]

EWMA_LAMBDA = 0.94
PATHS_PER_CHUNK = 100_000
MIN_DAILY_RETURN = -0.9999  # a price cannot fall below zero, whatever a fat tail draws


@dataclass
class _Fitted:
    mean: np.ndarray
    cholesky: np.ndarray | None = None
    dof: float | None = None
    residuals: np.ndarray | None = None  # standardised residuals, T × N (fhs)
    start_variance: np.ndarray | None = None  # tomorrow's EWMA variance per asset (fhs)


def ewma_filter(returns: np.ndarray, lam: float = EWMA_LAMBDA) -> tuple[np.ndarray, np.ndarray]:
    """Standardised residuals (T × N) and the one-day-ahead EWMA variance after the last day (N,)."""
    centred = returns - returns.mean(axis=0)
    variance = centred.var(axis=0)  # seed with the window's variance
    residuals = np.empty_like(centred)
    for t in range(centred.shape[0]):
        sd = np.sqrt(variance)
        residuals[t] = np.divide(centred[t], sd, out=np.zeros_like(sd), where=sd > 0)
        variance = lam * variance + (1 - lam) * centred[t] ** 2
    return residuals, variance


def student_t_dof(returns: np.ndarray) -> float:
    """Degrees of freedom matching the median excess kurtosis of the assets (4 + 6/K), within [4.1, 30]."""
    centred = returns - returns.mean(axis=0)
    m2 = (centred ** 2).mean(axis=0)
    ok = m2 > 0
    if not ok.any():
        return 30.0
    kurtosis = float(np.median((centred[:, ok] ** 4).mean(axis=0) / m2[ok] ** 2 - 3))
    return 30.0 if kurtosis <= 6 / 26 else float(np.clip(4 + 6 / kurtosis, 4.1, 30.0))


def _covariance_factor(returns: np.ndarray) -> np.ndarray:
    cov = np.atleast_2d(np.cov(returns, rowvar=False))
    # An eigen-factor instead of Cholesky: defined for constant or perfectly collinear columns too.
    values, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def fit_model(asset_returns: np.ndarray, model: Model) -> _Fitted:
    returns = np.asarray(asset_returns, dtype=float)
    fitted = _Fitted(mean=returns.mean(axis=0))
    if model == "fhs":
        residuals, fitted.start_variance = ewma_filter(returns)
        fitted.residuals = residuals.astype(np.float32)
    else:
        fitted.cholesky = _covariance_factor(returns)
        if model == "student_t":
            fitted.dof = student_t_dof(returns)
    return fitted


def _draw_day(rng: np.random.Generator, fitted: _Fitted, model: Model, out: np.ndarray,
              volatility: np.ndarray | None) -> np.ndarray:
    """One simulated day of centred shocks for every path, written into `out`."""
    paths = out.shape[0]
    if model == "fhs":
        np.take(fitted.residuals, rng.integers(0, fitted.residuals.shape[0], size=paths), axis=0, out=out)
        out *= volatility
        return out
    np.matmul(rng.standard_normal((paths, fitted.mean.size)), fitted.cholesky.T, out=out)
    if model == "student_t":
        nu = fitted.dof
        out *= np.sqrt((nu - 2) / rng.chisquare(nu, size=paths))[:, None]
    return out


def simulate_paths(asset_returns: np.ndarray, weights: np.ndarray, horizon_days: int, paths: int = 100_000,
                   seed: int = 42, model: Model = "fhs", buy_and_hold: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Simulated h-day portfolio returns (paths,) and each holding's contribution (paths × N).

    Contributions add up to each path's return: buy-and-hold by construction, rebalanced daily
    through Carino's log-linking of the daily contributions.
    """
    weights = np.asarray(weights, dtype=float)
    fitted = fit_model(asset_returns, model)
    n = weights.size
    chunks = max(1, math.ceil(paths / PATHS_PER_CHUNK))
    streams = np.random.SeedSequence(seed).spawn(chunks)
    portfolio = np.empty(paths)
    contributions = np.empty((paths, n))
    for index, stream in enumerate(streams):
        lo, hi = index * PATHS_PER_CHUNK, min(paths, (index + 1) * PATHS_PER_CHUNK)
        rng = np.random.default_rng(stream)
        portfolio[lo:hi], contributions[lo:hi] = _simulate_chunk(rng, fitted, model, weights, horizon_days,
                                                                 hi - lo, buy_and_hold)
    return portfolio, contributions


def _simulate_chunk(rng: np.random.Generator, fitted: _Fitted, model: Model, weights: np.ndarray, horizon: int,
                    paths: int, buy_and_hold: bool) -> tuple[np.ndarray, np.ndarray]:
    # Buffers are reused day after day: this loop is the hot path of the 100k × 30 × 12 benchmark.
    n = weights.size
    # float32 days halve the memory traffic; sums over the horizon are kept in float64.
    day, scratch = np.empty((paths, n), dtype=np.float32), np.empty((paths, n), dtype=np.float32)
    variance = volatility = None
    if model == "fhs":
        variance = np.broadcast_to(fitted.start_variance, (paths, n)).astype(np.float32)
        volatility = np.sqrt(variance)
    if buy_and_hold:
        growth = np.ones((paths, n))
    else:
        log_growth = np.zeros(paths)
        linked = np.zeros((paths, n))
    for _ in range(horizon):
        _draw_day(rng, fitted, model, day, volatility)
        if variance is not None:  # EWMA update from the day's shock, so turbulence persists along the path
            np.square(day, out=scratch)
            scratch *= 1 - EWMA_LAMBDA
            variance *= EWMA_LAMBDA
            variance += scratch
            np.sqrt(variance, out=volatility)
        day += fitted.mean.astype(np.float32)
        np.maximum(day, np.float32(MIN_DAILY_RETURN), out=day)
        if buy_and_hold:
            day += 1.0
            growth *= day
            continue
        daily = day @ weights.astype(np.float32)
        log_daily = np.log1p(np.maximum(daily, MIN_DAILY_RETURN))
        k = np.divide(log_daily, daily, out=np.ones_like(daily), where=np.abs(daily) > 1e-15)
        log_growth += log_daily
        np.multiply(day, k[:, None], out=scratch)
        linked += scratch
    if buy_and_hold:
        contributions = (growth - 1.0) * weights
        return contributions.sum(axis=1), contributions
    total = np.expm1(log_growth)
    # Carino's K taken as Σ linked·w / total (equal to log growth / total in exact arithmetic), so the
    # contributions add up to each path's return to float64 precision whatever the day precision was.
    linked_sum = linked @ weights
    big_k = np.divide(linked_sum, total, out=np.ones_like(total), where=np.abs(total) > 1e-12)
    return total, linked * weights / big_k[:, None]


def monte_carlo_risk(asset_returns: np.ndarray, weights: np.ndarray, confidence: float, horizon_days: int = 1,
                     paths: int = 100_000, seed: int = 42, model: Model = "fhs", buy_and_hold: bool = False,
                     convention: Convention = "interpolated") -> RiskEstimate:
    """Monte Carlo VaR/CVaR with tail-scenario components (they add up to the totals)."""
    portfolio, contributions = simulate_paths(asset_returns, weights, horizon_days, paths, seed, model, buy_and_hold)
    estimate = scenario_risk(portfolio, contributions, confidence, convention)
    fitted_dof = student_t_dof(np.asarray(asset_returns, dtype=float)) if model == "student_t" else None
    estimate.details = {"model": model, "paths": paths, **({"dof": fitted_dof} if fitted_dof else {})}
    return estimate
