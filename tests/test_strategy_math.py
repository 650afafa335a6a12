"""The strategy's pure math on hand-worked examples: backtester, policies, rules, attribution, tax lots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexdesk.tools.strategy import backtest_math as bm
from indexdesk.tools.strategy import evaluation_math as ev
from indexdesk.tools.strategy import rules_math as rm
from indexdesk.tools.strategy import tax_math as tm


def dates(n: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="D")


# ------------------------------------------------------------------ backtester

def test_simulate_hand_worked_with_costs():
    prices = np.array([[100.0, 100.0], [110.0, 100.0], [121.0, 100.0]])
    run = bm.simulate(prices, np.array([0, 1]), np.array([0.5, 0.5]), cost_bps=100)
    # Day 1 before trading: 0.5 × 1.1 + 0.5 = 1.05; A drifted to 0.55 / 1.05; turnover 2 × (0.55/1.05 − 0.5).
    turnover = 2 * (0.55 / 1.05 - 0.5)
    after = 1.05 * (1 - 0.01 * turnover)
    assert run.turnover[1] == pytest.approx(turnover)
    np.testing.assert_allclose(run.equity, [1.0, after, after * 1.05])


def test_weights_below_one_hold_cash_at_zero_return():
    prices = np.array([[1.0], [2.0]])
    run = bm.simulate(prices, np.array([0]), np.array([0.4]))
    np.testing.assert_allclose(run.equity, [1.0, 1.4])


def test_decision_days_follow_bt_period_rule():
    days = pd.DatetimeIndex(["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02", "2024-04-01"])
    assert bm.decision_days(days, "monthly").tolist() == [0, 2, 4]
    assert bm.decision_days(days, "quarterly").tolist() == [0, 4]
    with pytest.raises(ValueError):
        bm.decision_days(days, "hourly")


def a_rises_then(path: list[float]) -> np.ndarray:
    """A (target 10 %) follows `path`, B (90 %) stays flat."""
    return np.column_stack([path, np.ones(len(path))])


def test_asymmetric_bands_let_a_winner_run_to_15_percent():
    # A's weight is 0.1x / (0.1x + 0.9): 12 % at x = 1.227, 15 % at x = 1.588.
    prices = a_rises_then([1.0, 1.2, 1.5, 1.6, 1.6])
    target = np.array([0.1, 0.9])
    symmetric = bm.run_policy(prices, dates(5), np.array([0]), target, bm.Policy("threshold", band=0.2))
    asymmetric = bm.run_policy(prices, dates(5), np.array([0]), target,
                               bm.Policy("asymmetric_bands", lower=0.3, upper=0.5))
    assert symmetric.trade_days.tolist() == [0, 2]
    assert asymmetric.trade_days.tolist() == [0, 3]


def test_asymmetric_bands_act_below_7_percent():
    # Below 7 % when 0.1x / (0.1x + 0.9) < 0.07, i.e. x < 0.677.
    prices = a_rises_then([1.0, 0.8, 0.7, 0.66, 0.66])
    run = bm.run_policy(prices, dates(5), np.array([0]), np.array([0.1, 0.9]),
                        bm.Policy("asymmetric_bands", lower=0.3, upper=0.5))
    assert run.trade_days.tolist() == [0, 3]


def test_volatility_trigger_respects_the_cooldown():
    trigger = np.array([False, True, True, False, True, True, False, True])
    assert bm.trigger_trade_days(trigger, cooldown=3).tolist() == [0, 4, 7]
    prices = a_rises_then([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7])
    run = bm.run_policy(prices, dates(8), np.array([0]), np.array([0.5, 0.5]),
                        bm.Policy("volatility_trigger", cooldown=3), trigger=trigger)
    assert run.trade_days.tolist() == [0, 4, 7]


def test_buy_and_hold_never_trades():
    prices = a_rises_then([1.0, 2.0, 4.0])
    run = bm.buy_and_hold(prices, np.array([0.5, 0.5]))
    np.testing.assert_allclose(run.equity, [1.0, 1.5, 2.5])
    assert run.total_turnover() == 0


# ------------------------------------------------------------------ rules

def four_indices() -> np.ndarray:
    """Over the last two days: A +30 %, B +10 %, C 0 %, D −20 %."""
    return np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.3, 1.1, 1.0, 0.8]])


def test_momentum_overweights_top_quartile_and_underweights_bottom():
    out = rm.momentum(four_indices(), np.array([2]), np.full(4, 0.25), lookback=2, tilt=0.05)
    np.testing.assert_allclose(out[0], [0.30, 0.25, 0.25, 0.20])


def test_momentum_without_enough_history_keeps_the_base():
    out = rm.momentum(four_indices(), np.array([1]), np.full(4, 0.25), lookback=2, tilt=0.05)
    np.testing.assert_allclose(out[0], [0.25] * 4)


def test_tier_ranges_limit_the_tilt():
    # Core = A, B (range 48-60 %); satellite = C, D (40-60 %). Momentum moves 5 % from A (core) to C
    # (satellite): core may only give 2 %, so the cut shrinks to 2 % and the add with it.
    prices = np.array([[1.0] * 4, [1.0] * 4, [0.8, 1.0, 1.3, 1.1]])  # C best, A worst
    tier = np.array([0, 0, 1, 1])
    raw = rm.momentum(prices, np.array([2]), np.full(4, 0.25), 2, 0.05)
    np.testing.assert_allclose(raw[0], [0.20, 0.25, 0.30, 0.25])
    fitted, changed = rm.fit_tiers(raw, tier, np.array([0.48, 0.4]), np.array([0.6, 0.6]), np.full(4, 0.25))
    np.testing.assert_allclose(fitted[0], [0.23, 0.25, 0.27, 0.25])
    assert changed.tolist() == [True]


def test_a_tier_that_cannot_give_keeps_its_weight_and_the_others_shrink():
    # D is alone in its tier at its floor: its cut is undone; A's add halves to match B's cut.
    prices = np.array([[1.0] * 4, [1.0] * 4, [1.4, 0.7, 1.0, 0.6]])  # A best, D worst (then B)
    raw = rm.momentum(prices, np.array([2]), np.full(4, 0.25), 2, 0.05)
    tier = np.array([0, 0, 1, 2])
    fitted, _ = rm.fit_tiers(raw, tier, np.array([0.0, 0.0, 0.25]), np.array([1.0, 1.0, 0.5]), np.full(4, 0.25))
    np.testing.assert_allclose(raw[0], [0.30, 0.25, 0.25, 0.20])
    np.testing.assert_allclose(fitted[0], [0.25, 0.25, 0.25, 0.25])


def test_an_index_whose_level_stopped_moving_is_not_ranked():
    rng = np.random.default_rng(3)
    prices = np.cumprod(1 + rng.normal(0, 0.02, (80, 4)), axis=0)
    prices[40:, 0] = prices[40, 0]  # A flat for 40 days: its constituents no longer trade
    live = rm.trading(prices, np.array([79]))
    assert live.tolist() == [[False, True, True, True]]
    out = rm.momentum(prices, np.array([79]), np.full(4, 0.25), 30, 0.05)
    assert out[0, 0] == 0.25


def test_mean_reversion_buys_a_deep_fall_and_takes_profit_in_the_top_quartile():
    # A falls 40 % from its high (entry), then rallies into the top quartile (exit).
    a = [1.0, 1.0, 0.6, 0.6, 0.9]
    others = [[1.0, 1.0, 1.0, 1.01, 1.0]] * 3  # A lags on day 3, leads on day 4
    prices = np.column_stack([a] + others)
    days = np.array([2, 3, 4])
    flags = rm.mean_reversion_flags(prices, days, lookback=1)
    assert flags[:, 0].tolist() == [True, True, False]
    out = rm.mean_reversion(prices, days, np.full(4, 0.25), lookback=1, tilt=0.05)
    np.testing.assert_allclose(out[0], [0.30] + [0.25 - 0.05 / 3] * 3)
    np.testing.assert_allclose(out[2], [0.25] * 4)


def test_pair_overweights_the_cheap_side_when_the_spread_is_extreme():
    rng = np.random.default_rng(1)
    b = np.exp(np.cumsum(rng.normal(0, 0.01, 40)))
    a = b * np.exp(rng.normal(0, 0.01, 40))
    a[-1] = a[-1] * 0.7  # A suddenly cheap against B
    prices = np.column_stack([a, b, b])
    z = rm.pair_zscores(prices, np.array([39]), 0, 1, 20)[0]
    assert z < -rm.PAIR_Z
    out = rm.pair(prices, np.array([39]), np.array([0.3, 0.3, 0.4]), 20, 0.05, 0, 1)
    np.testing.assert_allclose(out[0], [0.35, 0.25, 0.4])


def test_blended_uses_mean_reversion_in_core_and_momentum_elsewhere():
    prices = np.column_stack([[1.0, 1.0, 0.6], [1.0, 1.0, 1.0], [1.0, 1.0, 1.3], [1.0, 1.0, 0.9]])
    out = rm.blended(prices, np.array([2]), np.full(4, 0.25), 2, 0.05, np.array([True, True, False, False]))
    np.testing.assert_allclose(out[0], [0.30, 0.20, 0.30, 0.20])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(rm.RULES), st.floats(0.01, 0.1))
def test_rules_keep_weights_non_negative_and_the_total(seed, rule, tilt):
    rng = np.random.default_rng(seed)
    prices = np.cumprod(1 + rng.normal(0, 0.05, (120, 6)), axis=0)
    base = np.array([0.35, 0.2, 0.15, 0.1, 0.1, 0.1])
    tier = np.array([0, 0, 1, 1, 1, 2])
    out, _ = rm.targets(rule, prices, np.arange(30, 120, 10), base, rm.RuleParams(20, tilt, (2, 3)), tier,
                        np.array([0.5, 0.3, 0.1]), np.array([0.6, 0.4, 0.2]), tier == 0)
    assert (out >= -1e-12).all()
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("rule", rm.RULES)
def test_no_look_ahead(rule):
    """Perturb every price after day t: every decision up to t, and the equity up to t, stay the same."""
    rng = np.random.default_rng(7)
    n_days, t = 300, 180
    prices = np.cumprod(1 + rng.normal(0, 0.04, (n_days, 5)), axis=0)
    moved = prices.copy()
    moved[t + 1:] *= np.exp(rng.normal(0, 0.3, (n_days - t - 1, 5)))
    base = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
    tier = np.array([0, 0, 1, 1, 2])
    low, high = np.array([0.5, 0.3, 0.05]), np.array([0.6, 0.4, 0.2])
    days = bm.decision_days(dates(n_days), "weekly")
    params = rm.RuleParams(30, 0.05, (0, 1))
    first, _ = rm.targets(rule, prices, days, base, params, tier, low, high, tier == 0)
    second, _ = rm.targets(rule, moved, days, base, params, tier, low, high, tier == 0)
    early = days <= t
    np.testing.assert_array_equal(first[early], second[early])
    for policy in (bm.Policy("calendar", "weekly"), bm.Policy("threshold", "weekly", band=0.1)):
        one = bm.run_policy(prices, dates(n_days), days, first, policy, 20.0)
        two = bm.run_policy(moved, dates(n_days), days, second, policy, 20.0)
        np.testing.assert_array_equal(one.equity[: t + 1], two.equity[: t + 1])


# ------------------------------------------------------------------ attribution and sweep

def test_attribution_parts_add_up_to_the_total():
    benchmark = np.array([1.0, 1.10])  # +10 %
    own_hold = np.array([1.0, 1.12])  # selection +2 %
    gross = np.array([1.0, 1.15])  # timing +3 %
    net = np.array([1.0, 1.149])  # costs −0.1 %
    parts = ev.attribute(benchmark, own_hold, gross, net)
    assert (parts.beta, parts.index_selection, parts.timing, parts.cost_drag) == pytest.approx((0.10, 0.02, 0.03, -0.001))
    assert parts.beta + parts.index_selection + parts.timing + parts.cost_drag == pytest.approx(parts.total, abs=1e-15)


def test_sweep_judge_picks_in_sample_and_measures_held_back_days():
    benchmark = np.zeros(100)
    good_then_bad = np.r_[np.full(70, 0.002), np.full(30, -0.001)]
    steady = np.full(100, 0.001)
    verdict = ev.judge_sweep(np.vstack([steady, good_then_bad]), benchmark, held_back=0.3)
    assert verdict.best == 1 and verdict.split == 70
    assert verdict.in_sample_edge > 0 > verdict.out_of_sample_edge


def test_equity_stats_reuse_the_metrics_module():
    from indexdesk.tools import metrics

    returns = np.array([0.01, -0.02, 0.03, 0.0])
    stats = ev.equity_stats(returns)
    assert stats.annual_volatility == metrics.annual_volatility(returns)
    assert stats.max_drawdown == metrics.max_drawdown(returns)


# ------------------------------------------------------------------ tax lots

@dataclass
class Lot:
    lot_id: str
    symbol: str
    venue: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: date


TODAY = date(2025, 6, 30)
LOTS = [
    Lot("near", "ETH", "kraken", Decimal(1), Decimal(95), date(2024, 7, 20)),  # turns long-term on 2025-07-21
    Lot("short", "ETH", "kraken", Decimal(1), Decimal(90), date(2025, 3, 22)),
    Lot("long", "ETH", "kraken", Decimal(1), Decimal(80), date(2023, 6, 1)),
    Lot("loss", "ETH", "kraken", Decimal(1), Decimal(120), date(2025, 1, 1)),
]


def test_sell_order_prefers_losses_then_long_term_then_highest_basis_and_defers_near_long_term():
    order = [lot.lot_id for lot in tm.sell_order(LOTS, Decimal(100), TODAY)]
    assert order == ["loss", "long", "short", "near"]


def test_choose_lots_hand_worked_gain_and_tax():
    sales = tm.choose_lots(LOTS, Decimal("2.5"), Decimal(100), TODAY)
    assert [(s.lot_id, s.quantity, s.gain) for s in sales] == [
        ("loss", Decimal(1), Decimal(-20)), ("long", Decimal(1), Decimal(20)), ("short", Decimal("0.5"), Decimal(5))]
    # Short-term net −15 at 40 %, long-term +20 at 20 %: −6 + 4 = −2.
    assert tm.estimated_tax(sales, 0.4, 0.2) == Decimal("-2.0")


def test_harvest_candidates_largest_loss_first_above_the_minimum():
    lots = LOTS + [Lot("btc", "BTC", "coinbase", Decimal("0.5"), Decimal(40000), date(2024, 1, 1))]
    found = tm.harvest_candidates(lots, {"ETH": Decimal(100), "BTC": Decimal(100000)}, TODAY, Decimal(10), 0.3)
    assert [(c.lot_id, c.loss, c.tax_saved) for c in found] == [("loss", Decimal(20), Decimal("6.0"))]
    found = tm.harvest_candidates(lots, {"ETH": Decimal(100), "BTC": Decimal(70000)}, TODAY, Decimal(10), 0.3)
    assert [c.lot_id for c in found] == ["btc", "loss"]


def test_regimes_from_trend_and_volatility():
    btc = np.r_[np.full(200, 100.0), 120.0, 120.0, 80.0]
    vol = np.r_[np.full(200, 0.5), 0.5, 0.9, 0.5]
    labels = rm.regimes(btc, vol, np.array([100, 200, 201, 202]), window=200)
    assert labels.tolist() == ["neutral", "bull", "neutral", "bear"]


def test_scale_tiers_keeps_the_split_inside_each_tier():
    out = rm.scale_tiers(np.array([0.35, 0.2, 0.3, 0.15]), np.array([0, 0, 1, 2]), np.array([[0.75, 0.2, 0.05]]))
    np.testing.assert_allclose(out[0], [0.75 * 0.35 / 0.55, 0.75 * 0.2 / 0.55, 0.2, 0.05])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(0, 100))
def test_trading_to_the_drifted_weights_costs_nothing_and_changes_nothing(seed, cost_bps):
    rng = np.random.default_rng(seed)
    prices = np.cumprod(1 + rng.normal(0, 0.08, (60, 3)), axis=0)
    weights = np.array([0.5, 0.3, 0.1])
    hold = bm.buy_and_hold(prices, weights)
    days = np.array([0, 20, 40])
    drifted = bm.drifted_weights(prices, np.array([0]), weights)[days]
    run = bm.simulate(prices, days, drifted, cost_bps)
    np.testing.assert_allclose(run.equity, hold.equity, rtol=1e-12)
    np.testing.assert_allclose(run.turnover, 0.0, atol=1e-12)
    assert (hold.equity > 0).all()  # long-only: never a loss beyond 100 %


def test_rules_and_policies_are_one_table_each_with_literal_choices():
    import typing

    assert typing.get_args(rm.RuleName) == rm.RULES == tuple(rm.ROTATION_RULES)
    assert typing.get_args(bm.PolicyName) == bm.POLICIES == tuple(bm.POLICY_TIMINGS)
    assert typing.get_args(bm.CadenceName) == bm.CADENCES
    assert all(rule.summary and rule.name == name for name, rule in rm.ROTATION_RULES.items())
    with pytest.raises(ValueError, match="rule must be one of"):
        rm.rule_named("reversion")


@pytest.mark.parametrize("weight, acts", [(0.08, False), (0.12, False), (0.0799, True), (0.1201, True)])
def test_threshold_band_edges_are_inside_whatever_the_float_rounding(weight, acts):
    # A 10 % target with a ±20 % band keeps 8 %..12 % inside: |0.08 - 0.1| / 0.1 is 0.20000000000000004 in floats.
    policy = bm.Policy(kind="threshold", band=0.2)
    drift = np.array([[weight, 1 - weight]])
    target = np.array([0.1, 1 - weight])
    assert bool(bm.breaches(drift, target, policy)[0]) is acts


@pytest.mark.parametrize("weight, acts", [(0.07, False), (0.15, False), (0.0699, True), (0.1501, True)])
def test_asymmetric_band_edges_are_inside(weight, acts):
    policy = bm.Policy(kind="asymmetric_bands", lower=0.3, upper=0.5)
    assert bool(bm.breaches(np.array([[weight]]), np.array([0.1]), policy)[0]) is acts
