"""Metrics against hand-worked values, empyrical-reloaded and quantstats on real returns, and properties."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexdesk.tools import metrics

YEAR = 365


# ---------------------------------------------------------------- hand-worked

def test_hand_worked_three_returns():
    r = pd.Series([0.10, -0.20, 0.25], index=pd.date_range("2024-01-02", periods=3))
    # wealth 1 → 1.1 → 0.88 → 1.1
    assert metrics.total_return(r) == pytest.approx(0.10, abs=1e-15)
    assert metrics.annual_return(r, periods_per_year=3) == pytest.approx(0.10, abs=1e-15)
    assert metrics.annual_return(r, periods_per_year=6) == pytest.approx(1.1 ** 2 - 1, abs=1e-15)
    std = math.sqrt((0.05 ** 2 + 0.25 ** 2 + 0.20 ** 2) / 2)  # mean 0.05, ddof=1
    assert metrics.annual_volatility(r, periods_per_year=4) == pytest.approx(std * 2, abs=1e-15)
    assert metrics.sharpe_ratio(r, periods_per_year=4) == pytest.approx(0.05 / std * 2, abs=1e-12)
    downside = math.sqrt(0.04 / 3)  # only -0.20 falls short, averaged over all 3 periods
    assert metrics.downside_risk(r, periods_per_year=1) == pytest.approx(downside, abs=1e-15)
    assert metrics.sortino_ratio(r, periods_per_year=1) == pytest.approx(0.05 / downside, abs=1e-12)
    assert metrics.max_drawdown(r) == pytest.approx(-0.20, abs=1e-15)
    assert metrics.calmar_ratio(r, periods_per_year=3) == pytest.approx(0.10 / 0.20, abs=1e-12)
    period = metrics.max_drawdown_period(r)
    assert period.max_drawdown == pytest.approx(-0.20)
    assert (period.peak, period.trough, period.recovery) == (
        pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03"), pd.Timestamp("2024-01-04"))


def test_drawdown_counts_a_loss_on_the_first_period_and_dates_its_peak_before_it():
    r = pd.Series([-0.5, 0.5, 0.2], index=pd.date_range("2024-03-01", periods=3))
    # wealth 1 → 0.5 → 0.75 → 0.9: never recovers the starting value
    assert metrics.max_drawdown(r) == pytest.approx(-0.5)
    period = metrics.max_drawdown_period(r)
    assert period.peak == pd.Timestamp("2024-02-29")
    assert period.trough == pd.Timestamp("2024-03-01")
    assert period.recovery is None


def test_risk_free_and_required_return_shift_the_ratios():
    r = np.array([0.02, -0.01, 0.03, 0.00])
    shifted = r - 0.01
    assert metrics.sharpe_ratio(r, risk_free=0.01, periods_per_year=1) == pytest.approx(
        shifted.mean() / shifted.std(ddof=1))
    shortfall = np.minimum(shifted, 0)
    assert metrics.sortino_ratio(r, required_return=0.01, periods_per_year=1) == pytest.approx(
        shifted.mean() / math.sqrt(np.mean(shortfall ** 2)))


def test_beta_and_correlation_hand_worked():
    b = pd.Series([0.01, -0.02, 0.03, 0.00, 0.01])
    assert metrics.beta(2 * b, b) == pytest.approx(2.0)
    assert metrics.correlation(2 * b, b) == pytest.approx(1.0)
    assert metrics.correlation(-b, b) == pytest.approx(-1.0)
    assert metrics.beta(-0.5 * b + 0.001, b) == pytest.approx(-0.5)


def test_pairwise_metrics_use_only_days_both_observed():
    index = pd.date_range("2024-01-01", periods=5)
    a = pd.Series([0.01, np.nan, 0.03, -0.01, 0.02], index=index)
    b = pd.Series([0.02, 0.05, np.nan, -0.02, 0.04], index=index[[0, 1, 2, 3, 4]])
    both = [0, 3, 4]
    expected = np.corrcoef(a.iloc[both], b.iloc[both])[0, 1]
    assert metrics.correlation(a, b) == pytest.approx(expected)
    # misaligned indexes are aligned by date, not by position
    shuffled = b.iloc[::-1]
    assert metrics.correlation(a, shuffled) == pytest.approx(expected)


@pytest.mark.parametrize("returns", [[], [np.nan, np.nan], [0.05]])
def test_too_little_data_gives_nan(returns):
    r = np.array(returns, dtype=float)
    for name in ("annual_volatility", "sharpe_ratio", "sortino_ratio"):
        assert math.isnan(getattr(metrics, name)(r)), name
    assert math.isnan(metrics.beta(r, r)) and math.isnan(metrics.correlation(r, r))
    if not len(r[~np.isnan(r)]):
        for name in ("total_return", "annual_return", "max_drawdown", "downside_risk", "calmar_ratio"):
            assert math.isnan(getattr(metrics, name)(r)), name


def test_zero_dispersion_gives_nan_ratios():
    flat = np.full(10, 0.001)
    assert math.isnan(metrics.sharpe_ratio(flat))
    assert math.isnan(metrics.sortino_ratio(flat))  # no shortfall at all
    assert math.isnan(metrics.calmar_ratio(flat))  # no drawdown
    assert math.isnan(metrics.beta(np.linspace(-0.01, 0.01, 10), np.zeros(10)))
    assert math.isnan(metrics.correlation(flat, np.linspace(-0.01, 0.01, 10)))
    assert metrics.max_drawdown_period(pd.Series(flat)).peak is None


# ---------------------------------------------------------------- reference libraries on real data

@pytest.fixture(scope="module")
def real_returns(real_prices):
    closes = real_prices.loc["2018-01-01":"2022-09-25"]
    basket_members = ["BTC", "ETH", "XRP", "LTC", "DOGE", "ADA"]
    returns = closes[basket_members].pct_change(fill_method=None).iloc[1:]
    basket = returns.mean(axis=1)  # a daily-rebalanced equal-weight basket
    return {"BTC": returns["BTC"].dropna(), "ETH": returns["ETH"].dropna(), "basket": basket.dropna()}


@pytest.mark.parametrize("name", ["BTC", "ETH", "basket"])
def test_matches_empyrical(real_returns, name):
    empyrical = pytest.importorskip("empyrical")
    r = real_returns[name]
    benchmark = real_returns["BTC"]
    cases = {
        "total_return": (metrics.total_return(r), empyrical.cum_returns_final(r)),
        "annual_return": (metrics.annual_return(r), empyrical.annual_return(r, annualization=YEAR)),
        "annual_volatility": (metrics.annual_volatility(r), empyrical.annual_volatility(r, annualization=YEAR)),
        "sharpe_ratio": (metrics.sharpe_ratio(r), empyrical.sharpe_ratio(r, annualization=YEAR)),
        "sortino_ratio": (metrics.sortino_ratio(r), empyrical.sortino_ratio(r, annualization=YEAR)),
        "downside_risk": (metrics.downside_risk(r), empyrical.downside_risk(r, annualization=YEAR)),
        "max_drawdown": (metrics.max_drawdown(r), empyrical.max_drawdown(r)),
        "calmar_ratio": (metrics.calmar_ratio(r), empyrical.calmar_ratio(r, annualization=YEAR)),
        "beta": (metrics.beta(r, benchmark), empyrical.beta(r, benchmark)),
    }
    for metric, (ours, theirs) in cases.items():
        assert ours == pytest.approx(float(theirs), rel=1e-9, abs=1e-12), metric


@pytest.mark.parametrize("name", ["BTC", "ETH", "basket"])
def test_matches_quantstats(real_returns, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qs = pytest.importorskip("quantstats")
    r = real_returns[name]
    benchmark = real_returns["BTC"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = {
            "total_return": (metrics.total_return(r), qs.stats.comp(r)),
            "annual_return": (metrics.annual_return(r), qs.stats.cagr(r, periods=YEAR)),
            "annual_volatility": (metrics.annual_volatility(r), qs.stats.volatility(r, periods=YEAR)),
            "sharpe_ratio": (metrics.sharpe_ratio(r), qs.stats.sharpe(r, periods=YEAR)),
            "sortino_ratio": (metrics.sortino_ratio(r), qs.stats.sortino(r, periods=YEAR)),
            "max_drawdown": (metrics.max_drawdown(r), qs.stats.max_drawdown(r)),
            "calmar_ratio": (metrics.calmar_ratio(r), qs.stats.calmar(r, periods=YEAR)),
            "beta": (metrics.beta(r, benchmark), qs.stats.greeks(r, benchmark, periods=YEAR)["beta"]),
        }
    for metric, (ours, theirs) in cases.items():
        assert ours == pytest.approx(float(theirs), rel=1e-9, abs=1e-12), metric


def test_correlation_matches_pandas_and_drawdown_dates_match_the_wealth_curve(real_returns):
    r, benchmark = real_returns["ETH"], real_returns["BTC"]
    assert metrics.correlation(r, benchmark) == pytest.approx(r.corr(benchmark), rel=1e-9)
    period = metrics.max_drawdown_period(r)
    wealth = (1 + r).cumprod()
    assert wealth[period.trough] / wealth[period.peak] - 1 == pytest.approx(period.max_drawdown, rel=1e-12)
    assert wealth.loc[:period.trough].idxmax() == period.peak
    if period.recovery is not None:
        assert wealth[period.recovery] >= wealth[period.peak]
        assert (wealth.loc[period.trough:period.recovery].iloc[:-1] < wealth[period.peak]).all()


# ---------------------------------------------------------------- properties

returns_lists = st.lists(st.floats(min_value=-0.99, max_value=3.0, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(returns_lists)
def test_max_drawdown_is_between_minus_one_and_zero(values):
    depth = metrics.max_drawdown(values)
    assert -1.0 <= depth <= 0.0


@settings(max_examples=100, deadline=None)
@given(returns_lists)
def test_zero_returns_have_zero_volatility(values):
    if len(values) >= 2:
        assert metrics.annual_volatility(np.array(values) * 0.0) == 0.0


@settings(max_examples=100, deadline=None)
@given(returns_lists, returns_lists)
def test_total_return_compounds_across_a_split(first, second):
    whole = metrics.total_return(first + second)
    assert 1 + whole == pytest.approx((1 + metrics.total_return(first)) * (1 + metrics.total_return(second)),
                                      rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=-0.5, max_value=0.5, allow_nan=False), min_size=3, max_size=40),
       st.floats(min_value=0.1, max_value=5.0))
def test_beta_scales_and_correlation_is_scale_free(values, scale):
    b = np.array(values)
    if np.std(b) < 1e-6:
        return
    assert metrics.beta(scale * b, b) == pytest.approx(scale, rel=1e-9)
    assert metrics.correlation(scale * b, b) == pytest.approx(1.0, rel=1e-9)
