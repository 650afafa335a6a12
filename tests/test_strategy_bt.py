"""The backtester equals `bt` on real prices: calendar and symmetric-threshold rebalancing, and rule targets.

bt conventions matched: no commissions, fractional positions (`integer_positions=False`), a
rebalance at the close of the first day and of each day starting a new period (RunMonthly...),
RunIfOutOfBounds' tolerance relative to the target weight.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indexdesk.tools.strategy import backtest_math as bm
from indexdesk.tools.strategy import rules_math as rm

bt = pytest.importorskip("bt")

BASKET = {"BTC": 0.4, "ETH": 0.3, "XRP": 0.1, "LTC": 0.1, "DOGE": 0.05}  # 5 % cash


@pytest.fixture(scope="module")
def prices(real_prices) -> pd.DataFrame:
    return real_prices[list(BASKET)].loc["2019-01-01":"2021-12-31"].dropna()


def bt_equity(prices: pd.DataFrame, algos) -> np.ndarray:
    strategy = bt.Strategy("s", algos)
    result = bt.run(bt.Backtest(strategy, prices, integer_positions=False, progress_bar=False))
    curve = result.prices.iloc[:, 0]
    return (curve.iloc[1:] / curve.iloc[1]).to_numpy()  # bt adds a day before the first


def weights_of(prices: pd.DataFrame) -> np.ndarray:
    return np.array([BASKET[c] for c in prices.columns])


@pytest.mark.parametrize("cadence, run_algo", [("monthly", "RunMonthly"), ("quarterly", "RunQuarterly"),
                                               ("weekly", "RunWeekly")])
def test_calendar_rebalancing_equals_bt(prices, cadence, run_algo):
    expected = bt_equity(prices, [getattr(bt.algos, run_algo)(), bt.algos.WeighSpecified(**BASKET),
                                  bt.algos.Rebalance()])
    days = bm.decision_days(prices.index, cadence)
    ours = bm.run_policy(prices.to_numpy(), prices.index, days, weights_of(prices), bm.Policy("calendar", cadence))
    np.testing.assert_allclose(ours.equity, expected, rtol=1e-6)


@pytest.mark.parametrize("band", [0.1, 0.25])
def test_threshold_rebalancing_equals_bt(prices, band):
    expected = bt_equity(prices, [bt.algos.WeighSpecified(**BASKET), bt.algos.RunIfOutOfBounds(band),
                                  bt.algos.Rebalance()])
    ours = bm.run_policy(prices.to_numpy(), prices.index, np.array([0]), weights_of(prices),
                         bm.Policy("threshold", band=band))
    assert len(ours.trade_days) > 5
    np.testing.assert_allclose(ours.equity, expected, rtol=1e-6)


def test_momentum_targets_traded_monthly_equal_bt(prices):
    values = prices.to_numpy()
    days = bm.decision_days(prices.index, "monthly")
    days = days[days >= 90]
    days = np.concatenate(([0], days))
    base = weights_of(prices)
    targets = rm.momentum(values, days, base, lookback=90, tilt=0.05)
    frame = pd.DataFrame(targets, index=prices.index[days], columns=prices.columns)
    expected = bt_equity(prices, [bt.algos.RunMonthly(), bt.algos.WeighTarget(frame), bt.algos.Rebalance()])
    ours = bm.simulate(values, days, targets)
    np.testing.assert_allclose(ours.equity, expected, rtol=1e-6)
