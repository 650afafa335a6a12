"""Rules and backtests on a `Universe`: the glue between the tools and the pure math modules."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from indexdesk.tools.strategy import backtest_math as bm
from indexdesk.tools.strategy import evaluation_math as ev
from indexdesk.tools.strategy import rules_math as rm
from indexdesk.tools.strategy.holdings_panel import Universe
from indexdesk.tools.units import percent

STRATEGIES = ("momentum", "mean_reversion", "blended", "pair", "static")


@dataclass
class RuleRun:
    dates: pd.DatetimeIndex  # simulated days (the first is the start, invested at the first target)
    net: bm.BacktestRun
    gross: bm.BacktestRun
    static: bm.BacktestRun  # the base weights under the same policy, after the same costs
    hold: bm.BacktestRun  # the base weights bought on day 0 and held
    limited: int  # decisions where the tier ranges cut the tilt

    @property
    def years(self) -> float:
        return max(len(self.dates) - 1, 1) / 365.0


def rule_targets(universe: Universe, rule: str, days: np.ndarray, lookback: int, tilt: float,
                 pair: tuple[int, int] = (0, 1)) -> tuple[np.ndarray, np.ndarray]:
    """Targets (rows) decided on absolute day positions `days` of the universe's prices."""
    prices = universe.prices.to_numpy(dtype=float)
    if rule == "static":
        return np.broadcast_to(universe.base, (len(days), len(universe.base))).copy(), np.zeros(len(days), bool)
    ids, low, high = universe.tier_arrays()
    return rm.targets(rule, prices, np.asarray(days), universe.base, rm.RuleParams(lookback, tilt, pair),
                      ids, low, high, universe.is_core())


def start_position(universe: Universe, start, lookback: int) -> int:
    """First simulated day: on/after `start`, with `lookback` days of prices before it."""
    position = lookback
    if start is not None:
        position = max(position, int(universe.prices.index.searchsorted(pd.Timestamp(start))))
    return position


def backtest(universe: Universe, rule: str, lookback: int, tilt: float, policy: bm.Policy, cost_bps: float,
             start_pos: int, pair: tuple[int, int] = (0, 1), trigger: np.ndarray | None = None) -> RuleRun:
    prices = universe.prices.to_numpy(dtype=float)
    dates = universe.prices.index[start_pos:]
    window = prices[start_pos:]
    relative = bm.decision_days(dates, policy.cadence)
    rows, limited = rule_targets(universe, rule, start_pos + relative, lookback, tilt, pair)
    window_trigger = None if trigger is None else np.asarray(trigger)[start_pos:]
    net = bm.run_policy(window, dates, relative, rows, policy, cost_bps, window_trigger)
    gross = bm.simulate(window, net.trade_days, net.trade_weights, 0.0)
    static = bm.run_policy(window, dates, relative, universe.base, policy, cost_bps, window_trigger)
    hold = bm.buy_and_hold(window, universe.base)
    return RuleRun(dates, net, gross, static, hold, int(limited.sum()))


def summary_line(run: RuleRun, rule: str) -> str:
    """One line: the rule against holding the static targets over the same days, after costs."""
    mine = ev.equity_stats(run.net.returns)
    static = ev.equity_stats(run.static.returns)
    return (f"{rule} {run.dates[0].date()}..{run.dates[-1].date()}: {percent(mine.annual_return, 1, signed=True)}/yr "
            f"(Sharpe {mine.sharpe_ratio:.2f}, max DD {percent(mine.max_drawdown, 0)}) vs static targets "
            f"{percent(static.annual_return, 1, signed=True)}/yr (Sharpe {static.sharpe_ratio:.2f}); "
            f"turnover {percent(run.net.total_turnover() / run.years, 0)}/yr")


def sweep_returns(universe: Universe, rule: str, configs: list[tuple[int, float, str]], cost_bps: float,
                  start_pos: int, pair: tuple[int, int] = (0, 1)) -> np.ndarray:
    """Daily returns (configurations × days) of calendar-traded rule configurations from `start_pos`."""
    prices = universe.prices.to_numpy(dtype=float)
    window = prices[start_pos:]
    dates = universe.prices.index[start_pos:]
    ids, low, high = universe.tier_arrays()
    core = universe.is_core()
    days_by_cadence = {c: bm.decision_days(dates, c) for c in {c for _, _, c in configs}}
    out = np.empty((len(configs), len(window) - 1))
    for row, (lookback, tilt, cadence) in enumerate(configs):
        relative = days_by_cadence[cadence]
        targets, _ = rm.targets(rule, prices, start_pos + relative, universe.base,
                                rm.RuleParams(lookback, tilt, pair), ids, low, high, core)
        out[row] = bm.simulate(window, relative, targets, cost_bps).returns
    return out
