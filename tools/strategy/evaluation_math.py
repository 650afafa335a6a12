"""Equity-curve statistics, return attribution and the out-of-sample test of a parameter sweep. Pure numpy.

Statistics reuse `tools/metrics.py` (one volatility function in the project).

Attribution of a strategy's total return over a window, by telescoping (the parts add up to
the total exactly, by construction):
* beta — buy-and-hold of the static benchmark allocation (the targets bought on day 0);
* index_selection — buy-and-hold of the portfolio's own starting weights, minus beta;
* timing — the strategy before costs (its rebalancing and tactical moves), minus that buy-and-hold;
* cost_drag — the strategy after costs minus before costs (≤ 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import indexdesk.tools.metrics as metrics


@dataclass(frozen=True)
class EquityStats:
    total_return: float
    annual_return: float
    annual_volatility: float
    sharpe_ratio: float
    max_drawdown: float
    calmar_ratio: float


def equity_stats(returns: np.ndarray, periods_per_year: int = metrics.DEFAULT_PERIODS_PER_YEAR) -> EquityStats:
    return EquityStats(
        total_return=metrics.total_return(returns),
        annual_return=metrics.annual_return(returns, periods_per_year),
        annual_volatility=metrics.annual_volatility(returns, periods_per_year),
        sharpe_ratio=metrics.sharpe_ratio(returns, periods_per_year=periods_per_year),
        max_drawdown=metrics.max_drawdown(returns),
        calmar_ratio=metrics.calmar_ratio(returns, periods_per_year))


@dataclass(frozen=True)
class Attribution:
    total: float
    beta: float
    index_selection: float
    timing: float
    cost_drag: float


def total_of(equity: np.ndarray) -> float:
    return float(equity[-1] / equity[0] - 1.0)


def attribute(benchmark_hold: np.ndarray, own_hold: np.ndarray, gross: np.ndarray, net: np.ndarray) -> Attribution:
    """Split the net total return from four equity curves over the same days (see the module doc)."""
    beta = total_of(benchmark_hold)
    own = total_of(own_hold)
    before_costs = total_of(gross)
    total = total_of(net)
    return Attribution(total=total, beta=beta, index_selection=own - beta, timing=before_costs - own,
                       cost_drag=total - before_costs)


def attribute_actual(benchmark_hold: np.ndarray, own_hold: np.ndarray, total: float, cost_drag: float) -> Attribution:
    """The same split for an actual portfolio whose net return is known (e.g. a ledger's time-weighted
    return) and whose costs were recorded: timing is what is left, so the parts still add up exactly."""
    beta = total_of(benchmark_hold)
    own = total_of(own_hold)
    return Attribution(total=total, beta=beta, index_selection=own - beta, timing=total - own - cost_drag,
                       cost_drag=cost_drag)


@dataclass(frozen=True)
class SweepVerdict:
    best: int  # row of the configuration chosen on the in-sample days
    in_sample_edge: float  # its annual return minus the benchmark's, in sample
    out_of_sample_edge: float  # the same configuration's edge on the held-back days
    walk_forward_edge: float  # edge of re-choosing the best on all earlier folds, on each next fold
    split: int  # first held-back day (position in the returns)


def _annual_edge(returns: np.ndarray, benchmark: np.ndarray, periods_per_year: int) -> float:
    return metrics.annual_return(returns, periods_per_year) - metrics.annual_return(benchmark, periods_per_year)


def edges(config_returns: np.ndarray, benchmark: np.ndarray, periods_per_year: int) -> np.ndarray:
    """Annual-return edge of each configuration (rows) over the benchmark on the same days."""
    growth = np.prod(1.0 + config_returns, axis=1)
    own = np.where(growth > 0, growth, np.nan) ** (periods_per_year / config_returns.shape[1]) - 1.0
    return own - metrics.annual_return(benchmark, periods_per_year)


def judge_sweep(config_returns: np.ndarray, benchmark: np.ndarray, held_back: float = 0.3, folds: int = 4,
                periods_per_year: int = metrics.DEFAULT_PERIODS_PER_YEAR) -> SweepVerdict:
    """Choose the best configuration on the first (1 − held_back) of the days; measure it on the rest;
    and walk forward: on each of `folds` later blocks, the best on everything before it."""
    days = config_returns.shape[1]
    split = int(round(days * (1.0 - held_back)))
    in_edges = edges(config_returns[:, :split], benchmark[:split], periods_per_year)
    best = int(np.nanargmax(in_edges))
    out_edge = _annual_edge(config_returns[best, split:], benchmark[split:], periods_per_year)
    bounds = np.linspace(0, days, folds + 2).astype(int)[1:]
    chosen = []
    for left, right in zip(bounds[:-1], bounds[1:]):
        pick = int(np.nanargmax(edges(config_returns[:, :left], benchmark[:left], periods_per_year)))
        chosen.append(config_returns[pick, left:right])
    walked = np.concatenate(chosen)
    walk_edge = _annual_edge(walked, benchmark[bounds[0]:], periods_per_year)
    return SweepVerdict(best, float(in_edges[best]), float(out_edge), float(walk_edge), split)
