"""Value at Risk and Conditional VaR (expected shortfall): historical, parametric, Cornish-Fisher.

Pure numpy (the normal distribution from normal_math.py). Conventions used everywhere here:
* Returns are simple returns; VaR and CVaR are **positive loss fractions** (a 5 % loss is 0.05).
* `confidence` is in (0, 1); the tail probability is `alpha = 1 - confidence`.
* A portfolio is `weights` over the columns of an asset-return matrix (T × N); whatever the
  weights leave out is cash at zero return, so every number is a fraction of the whole portfolio.
* Component (Euler) contributions are per holding and add up to the portfolio figure:
  exactly by differentiation for the closed forms, by construction (tail-scenario averages) for
  scenario methods (historical, Monte Carlo).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from indexdesk.tools.risk.normal_math import norm

# "interpolated": VaR is numpy's linearly interpolated percentile and CVaR the mean of the
#   floor((n-1)·alpha)+1 worst outcomes (empyrical-reloaded's definitions).
# "order_statistic": VaR is the ceil(alpha·n)-th worst outcome and CVaR the Rockafellar-Uryasev
#   tail average (riskfolio-lib's VaR_Hist / CVaR_Hist).
Convention = Literal["interpolated", "order_statistic"]


@dataclass
class RiskEstimate:
    """One VaR/CVaR figure with its per-holding Euler contributions (losses, fractions of the portfolio)."""

    var: float
    cvar: float
    var_components: np.ndarray
    cvar_components: np.ndarray
    scenarios: int
    details: dict = field(default_factory=dict)


# ------------------------------------------------------------------ scenario (empirical) measures

def _as_losses(returns: np.ndarray) -> np.ndarray:
    losses = -np.asarray(returns, dtype=float).ravel()
    if losses.size == 0:
        raise ValueError("no returns")
    return losses


def _worst(losses: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` largest losses, largest first (argpartition: no full sort)."""
    n = losses.size
    picked = np.argpartition(-losses, count - 1)[:count] if count < n else np.arange(n)
    return picked[np.argsort(-losses[picked], kind="stable")]


def var_scenario_weights(losses: np.ndarray, alpha: float, convention: Convention = "interpolated") -> np.ndarray:
    """Weights over scenarios whose dot product with the losses is the VaR (sum to 1)."""
    n = losses.size
    weights = np.zeros(n)
    if convention == "order_statistic":
        rank = max(int(math.ceil(alpha * n)) - 1, 0)
        weights[_worst(losses, rank + 1)[rank]] = 1.0
        return weights
    # numpy's linear percentile of returns at alpha sits at position (n-1)·alpha of the ascending returns,
    # i.e. of the losses sorted worst first.
    position = (n - 1) * alpha
    lower = int(math.floor(position))
    fraction = position - lower
    order = _worst(losses, min(lower + 2, n))
    weights[order[lower]] += 1.0 - fraction
    if fraction > 0:
        weights[order[min(lower + 1, n - 1)]] += fraction
    return weights


def cvar_scenario_weights(losses: np.ndarray, alpha: float, convention: Convention = "interpolated") -> np.ndarray:
    """Weights over scenarios whose dot product with the losses is the CVaR (sum to 1, tail only)."""
    n = losses.size
    weights = np.zeros(n)
    if convention == "order_statistic":
        k = max(int(math.ceil(alpha * n)), 1)
        worst = _worst(losses, k)
        weights[worst[:-1]] = 1.0 / (alpha * n)
        weights[worst[-1]] = 1.0 - (k - 1) / (alpha * n)
        return weights
    k = int((n - 1) * alpha) + 1
    weights[_worst(losses, k)] = 1.0 / k
    return weights


def historical_var(returns: np.ndarray, confidence: float, convention: Convention = "interpolated") -> float:
    """Historical VaR of a return series as a positive loss fraction."""
    losses = _as_losses(returns)
    return float(var_scenario_weights(losses, 1.0 - confidence, convention) @ losses)


def historical_cvar(returns: np.ndarray, confidence: float, convention: Convention = "interpolated") -> float:
    """Historical CVaR (expected shortfall) of a return series as a positive loss fraction."""
    losses = _as_losses(returns)
    return float(cvar_scenario_weights(losses, 1.0 - confidence, convention) @ losses)


def scenario_risk(portfolio_returns: np.ndarray, contributions: np.ndarray, confidence: float,
                  convention: Convention = "interpolated") -> RiskEstimate:
    """VaR/CVaR of scenario returns, with each holding's share from the same tail scenarios.

    `contributions` (S × N) are each holding's part of each scenario's return and add up to it.
    CVaR components are each holding's average loss over the tail scenarios, so they sum to the CVaR
    exactly. VaR components use the same tail shares scaled to the VaR: the loss in the single
    scenario at the quantile would also sum exactly, but it is one draw and far too noisy to act on.
    """
    losses = _as_losses(portfolio_returns)
    alpha = 1.0 - confidence
    at_var = var_scenario_weights(losses, alpha, convention)
    var = float(at_var @ losses)
    tail = cvar_scenario_weights(losses, alpha, convention)
    cvar = float(tail @ losses)
    contributions = np.asarray(contributions, dtype=float)
    cvar_components = -(tail @ contributions)
    # A zero CVaR leaves no tail shares to scale: then the losses in the quantile scenario itself.
    var_components = cvar_components * (var / cvar) if cvar != 0 else -(at_var @ contributions)
    return RiskEstimate(var, cvar, var_components, cvar_components, scenarios=losses.size)


# ------------------------------------------------------------------ horizon scenarios from history

def horizon_scenarios(asset_returns: np.ndarray, weights: np.ndarray, horizon_days: int,
                      buy_and_hold: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping h-day portfolio returns and each holding's contribution to each of them.

    Rebalanced daily: the h daily portfolio returns compound; holdings' daily contributions are
    linked with Carino's factors so they add up to the compounded return. Buy-and-hold: each
    holding compounds on its own and the portfolio return is their weighted sum.
    Returns (S,) portfolio returns and (S × N) contributions, S = T - h + 1.
    """
    returns = np.asarray(asset_returns, dtype=float)
    weights = np.asarray(weights, dtype=float)
    t, n = returns.shape
    h = int(horizon_days)
    if h < 1 or t < h:
        raise ValueError(f"need at least {h} days of returns for a {h}-day horizon, got {t}")
    if h == 1:
        contributions = returns * weights
        return contributions.sum(axis=1), contributions
    if buy_and_hold:
        log_growth = np.vstack([np.zeros(n), np.cumsum(np.log1p(returns), axis=0)])
        asset_window = np.expm1(log_growth[h:] - log_growth[:-h])
        contributions = asset_window * weights
        return contributions.sum(axis=1), contributions
    daily = returns @ weights
    log_daily = np.log1p(daily)
    # Carino: a day's log return over its simple return, so sum_t k_t r_t = log growth.
    k = np.divide(log_daily, daily, out=np.ones_like(daily), where=np.abs(daily) > 1e-15)
    cum_log = np.concatenate([[0.0], np.cumsum(log_daily)])
    window_log = cum_log[h:] - cum_log[:-h]
    window_return = np.expm1(window_log)
    big_k = np.divide(window_log, window_return, out=np.ones_like(window_return),
                      where=np.abs(window_return) > 1e-15)
    linked = np.vstack([np.zeros(n), np.cumsum(returns * k[:, None], axis=0)])
    contributions = (linked[h:] - linked[:-h]) * weights / big_k[:, None]
    return window_return, contributions


def historical_risk(asset_returns: np.ndarray, weights: np.ndarray, confidence: float, horizon_days: int = 1,
                    buy_and_hold: bool = False, convention: Convention = "interpolated") -> RiskEstimate:
    """Historical-simulation VaR/CVaR over overlapping h-day windows, with components."""
    portfolio, contributions = horizon_scenarios(asset_returns, weights, horizon_days, buy_and_hold)
    return scenario_risk(portfolio, contributions, confidence, convention)


# ------------------------------------------------------------------ closed forms

def parametric_var(mean: float, std: float, confidence: float, horizon_days: int = 1) -> float:
    """Normal VaR: -(mean·h + z·std·√h), z the (1-confidence) quantile of N(0,1)."""
    z = norm.ppf(1.0 - confidence)
    return float(-(mean * horizon_days + z * std * math.sqrt(horizon_days)))


def parametric_cvar(mean: float, std: float, confidence: float, horizon_days: int = 1) -> float:
    """Normal CVaR: -(mean·h - std·√h·φ(z)/alpha)."""
    alpha = 1.0 - confidence
    z = norm.ppf(alpha)
    return float(-(mean * horizon_days - std * math.sqrt(horizon_days) * norm.pdf(z) / alpha))


def normal_tail_ratio(confidence: float) -> float:
    """CVaR/VaR of a zero-mean normal at this confidence (1.25 at 95 %, 1.15 at 99 %)."""
    alpha = 1.0 - confidence
    z = norm.ppf(alpha)
    return float(norm.pdf(z) / (alpha * -z))


def cornish_fisher_z(z: float, skew: float, excess_kurtosis: float) -> float:
    """The Cornish-Fisher adjusted standard-normal quantile."""
    s, k = skew, excess_kurtosis
    return z + (z * z - 1) * s / 6 + (z ** 3 - 3 * z) * k / 24 - (2 * z ** 3 - 5 * z) * s * s / 36


def _truncated_normal_moments(z: float) -> tuple[float, float, float, float]:
    """∫_{-∞}^{z} x^k φ(x) dx for k = 0..3."""
    pdf, cdf = norm.pdf(z), norm.cdf(z)
    return cdf, -pdf, cdf - z * pdf, -(z * z + 2) * pdf


def cornish_fisher_shortfall_z(confidence: float, skew: float, excess_kurtosis: float) -> float:
    """Mean of the Cornish-Fisher quantile over the tail: (1/alpha)·∫_0^alpha z_cf(Φ⁻¹(p)) dp."""
    alpha = 1.0 - confidence
    i0, i1, i2, i3 = _truncated_normal_moments(norm.ppf(alpha))
    s, k = skew, excess_kurtosis
    return (i1 + s / 6 * (i2 - i0) + k / 24 * (i3 - 3 * i1) - s * s / 36 * (2 * i3 - 5 * i1)) / alpha


def _cf_partials(confidence: float, skew: float, excess_kurtosis: float) -> tuple[tuple[float, float, float],
                                                                                  tuple[float, float, float]]:
    """(value, ∂/∂skew, ∂/∂kurtosis) of the VaR z and of the shortfall z."""
    alpha = 1.0 - confidence
    z = norm.ppf(alpha)
    s, k = skew, excess_kurtosis
    var_z = (cornish_fisher_z(z, s, k), (z * z - 1) / 6 - (2 * z ** 3 - 5 * z) * s / 18, (z ** 3 - 3 * z) / 24)
    i0, i1, i2, i3 = _truncated_normal_moments(z)
    es_z = (cornish_fisher_shortfall_z(confidence, s, k), ((i2 - i0) / 6 - s * (2 * i3 - 5 * i1) / 18) / alpha,
            (i3 - 3 * i1) / (24 * alpha))
    return var_z, es_z


def cornish_fisher_var(mean: float, std: float, skew: float, excess_kurtosis: float, confidence: float,
                       horizon_days: int = 1) -> float:
    """Cornish-Fisher (modified) VaR; iid aggregation: mean·h, std·√h, skew/√h, excess kurtosis/h."""
    h = horizon_days
    z = cornish_fisher_z(norm.ppf(1.0 - confidence), skew / math.sqrt(h), excess_kurtosis / h)
    return float(-(mean * h + std * math.sqrt(h) * z))


def cornish_fisher_cvar(mean: float, std: float, skew: float, excess_kurtosis: float, confidence: float,
                        horizon_days: int = 1) -> float:
    """Cornish-Fisher CVaR: the tail average of the Cornish-Fisher quantile function."""
    h = horizon_days
    z = cornish_fisher_shortfall_z(confidence, skew / math.sqrt(h), excess_kurtosis / h)
    return float(-(mean * h + std * math.sqrt(h) * z))


def cornish_fisher_is_monotone(skew: float, excess_kurtosis: float, confidence: float) -> bool:
    """Whether the expansion's quantile rises with z over the tail used: outside, the figure is unreliable."""
    z = np.linspace(norm.ppf(1.0 - confidence) - 1.0, 0.0, 200)
    s, k = skew, excess_kurtosis
    slope = 1 + z * s / 3 + (3 * z * z - 3) * k / 24 - (6 * z * z - 5) * s * s / 36
    return bool(np.all(slope > 0))


def parametric_risk(asset_returns: np.ndarray, weights: np.ndarray, confidence: float,
                    horizon_days: int = 1) -> RiskEstimate:
    """Normal VaR/CVaR of the portfolio with exact Euler components (they sum to the totals)."""
    return _moment_risk(asset_returns, weights, confidence, horizon_days, cornish_fisher=False)


def cornish_fisher_risk(asset_returns: np.ndarray, weights: np.ndarray, confidence: float,
                        horizon_days: int = 1) -> RiskEstimate:
    """Cornish-Fisher VaR/CVaR of the portfolio with exact Euler components.

    Skewness and kurtosis are homogeneous of degree 0 in the weights, so VaR(w) is homogeneous
    of degree 1 and w·∇VaR = VaR (Euler). The gradient of the portfolio's central moments needs
    only co-moments of each asset with the portfolio, never the N⁴ co-kurtosis tensor.
    """
    return _moment_risk(asset_returns, weights, confidence, horizon_days, cornish_fisher=True)


def _moment_risk(asset_returns: np.ndarray, weights: np.ndarray, confidence: float, horizon_days: int,
                 cornish_fisher: bool) -> RiskEstimate:
    returns = np.asarray(asset_returns, dtype=float)
    weights = np.asarray(weights, dtype=float)
    t = returns.shape[0]
    if t < 2:
        raise ValueError("need at least 2 days of returns")
    h = horizon_days
    asset_mean = returns.mean(axis=0)
    centred = returns - asset_mean
    port = centred @ weights
    m2 = float(np.mean(port ** 2))
    std = math.sqrt(m2 * t / (t - 1))  # sample standard deviation, as quantstats and pandas
    d_m2 = 2 * (centred * port[:, None]).mean(axis=0)
    d_std = d_m2 * t / (t - 1) / (2 * std) if std > 0 else np.zeros_like(weights)
    skew = kurt = 0.0
    d_skew = d_kurt = np.zeros_like(weights)
    # Below a daily std of 1e-12 the portfolio is flat: higher moments are noise and m2**-3 overflows.
    if cornish_fisher and m2 > 1e-24:
        m3, m4 = float(np.mean(port ** 3)), float(np.mean(port ** 4))
        skew, kurt = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3
        d_m3 = 3 * (centred * (port ** 2)[:, None]).mean(axis=0)
        d_m4 = 4 * (centred * (port ** 3)[:, None]).mean(axis=0)
        d_skew = d_m3 / m2 ** 1.5 - 1.5 * m3 * m2 ** -2.5 * d_m2
        d_kurt = d_m4 / m2 ** 2 - 2 * m4 * m2 ** -3 * d_m2
    skew_h, kurt_h = skew / math.sqrt(h), kurt / h
    if cornish_fisher:
        var_z, es_z = _cf_partials(confidence, skew_h, kurt_h)
    else:
        alpha = 1.0 - confidence
        z = norm.ppf(alpha)
        var_z, es_z = (z, 0.0, 0.0), (-norm.pdf(z) / alpha, 0.0, 0.0)
    mean = float(asset_mean @ weights)
    root_h = math.sqrt(h)

    def measure(zs: tuple[float, float, float]) -> tuple[float, np.ndarray]:
        z, dz_ds, dz_dk = zs
        total = -(mean * h + std * root_h * z)
        gradient = -(asset_mean * h + root_h * (d_std * z + std * (dz_ds * d_skew / root_h + dz_dk * d_kurt / h)))
        return float(total), weights * gradient

    var, var_components = measure(var_z)
    cvar, cvar_components = measure(es_z)
    details = {"mean": mean, "std": std}
    if cornish_fisher:
        details.update(skew=skew, excess_kurtosis=kurt,
                       expansion_valid=cornish_fisher_is_monotone(skew_h, kurt_h, confidence))
    return RiskEstimate(var, cvar, var_components, cvar_components, scenarios=t, details=details)


# ------------------------------------------------------------------ bounded closed forms (what the tool reports)

MIN_PORTFOLIO_RETURN = -0.9999  # a long-only basket can lose everything, not more; log1p(-1) would be -inf
_TAIL_POINTS = 4000  # midpoints of the tail probabilities for the Cornish-Fisher shortfall in log space


def _log_moments(portfolio: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, sample std, skew and excess kurtosis (population moments, as `_moment_risk`) of a series."""
    t = portfolio.size
    mean = float(portfolio.mean())
    centred = portfolio - mean
    m2 = float(np.mean(centred ** 2))
    std = math.sqrt(m2 * t / (t - 1))
    if m2 <= 1e-24:
        return mean, std, 0.0, 0.0
    return mean, std, float(np.mean(centred ** 3)) / m2 ** 1.5, float(np.mean(centred ** 4)) / m2 ** 2 - 3


def log_space_risk(portfolio_returns: np.ndarray, confidence: float, horizon_days: int,
                   cornish_fisher: bool) -> tuple[float, float, bool]:
    """(VaR, CVaR, expansion valid) of a long-only portfolio from the moments of its daily LOG returns.

    The h-day log return is a sum of daily ones, so its mean scales by h, its std by √h, skew by
    1/√h and excess kurtosis by 1/h (independent days); its quantile q converts back to a loss of
    1 − e^q, which can never exceed 100 %. CVaR is the tail average of 1 − e^{q(p)}: closed form for
    the normal (lognormal partial expectation), midpoint rule over tail probabilities for Cornish-Fisher.
    """
    logs = np.log1p(np.maximum(np.asarray(portfolio_returns, dtype=float), MIN_PORTFOLIO_RETURN))
    mean, std, skew, kurt = _log_moments(logs)
    h = horizon_days
    centre, spread = mean * h, std * math.sqrt(h)
    skew_h, kurt_h = skew / math.sqrt(h), kurt / h
    alpha = 1.0 - confidence
    z = norm.ppf(alpha)
    valid = True
    if cornish_fisher:
        valid = cornish_fisher_is_monotone(skew_h, kurt_h, confidence)
    if cornish_fisher and valid:
        var = -math.expm1(centre + spread * cornish_fisher_z(z, skew_h, kurt_h))
        tail_z = norm.ppf(alpha * (np.arange(_TAIL_POINTS) + 0.5) / _TAIL_POINTS)
        cvar = float(np.mean(-np.expm1(centre + spread * cornish_fisher_z(tail_z, skew_h, kurt_h))))
        return var, min(max(cvar, var), 1.0), valid
    var = -math.expm1(centre + spread * z)
    # E[e^X | X < q] for X ~ N(centre, spread²): e^{centre + spread²/2} Φ(z − spread) / alpha
    partial = math.exp(centre + spread * spread / 2 + norm.logcdf(z - spread) - math.log(alpha))
    return var, 1.0 - partial, valid


def reported_moment_risk(asset_returns: np.ndarray, weights: np.ndarray, confidence: float, horizon_days: int = 1,
                         cornish_fisher: bool = False) -> RiskEstimate:
    """Parametric or Cornish-Fisher VaR/CVaR as the tool reports them: possible numbers only.

    * One day, figures within 100 % and (Cornish-Fisher) a monotone expansion: the classic linear
      figures on simple returns (they equal empyrical / quantstats / riskfolio's).
    * A long-only, unleveraged portfolio over more than one day, or whose one-day linear figure is
      impossible (a loss above 100 %): the log-return model above, bounded by construction; its
      components keep the linear model's Euler shares, scaled to the new totals.
    * A Cornish-Fisher expansion that is not monotone over the tail (skew/kurtosis beyond its range):
      the figure is meaningless, so the normal model is reported instead (`details["fallback"]`).
    * Short or leveraged portfolios keep the linear figures: they can lose more than their equity.
    `details["model"]` says which one ("linear" or "log").
    """
    weights = np.asarray(weights, dtype=float)
    linear = _moment_risk(asset_returns, weights, confidence, horizon_days, cornish_fisher)
    expansion_valid = linear.details.get("expansion_valid", True)
    long_only = bool(np.all(weights >= 0) and weights.sum() <= 1.0 + 1e-9)
    if not expansion_valid:
        normal = _moment_risk(asset_returns, weights, confidence, horizon_days, False)
        normal.details.update(linear.details, fallback="normal", expansion_valid=False)
        linear = normal
    linear.details["model"] = "linear"
    impossible = linear.var > 1.0 or linear.cvar > 1.0
    if not long_only or (horizon_days == 1 and not impossible):
        return linear
    portfolio = np.asarray(asset_returns, dtype=float) @ weights
    use_cf = cornish_fisher and expansion_valid
    var, cvar, log_valid = log_space_risk(portfolio, confidence, horizon_days, use_cf)
    if use_cf and not log_valid:
        var, cvar, _ = log_space_risk(portfolio, confidence, horizon_days, False)
        linear.details["fallback"] = "normal"

    def scaled(components: np.ndarray, old: float, new: float) -> np.ndarray:
        return components * (new / old) if abs(old) > 1e-15 else np.zeros_like(components)

    return RiskEstimate(var, cvar, scaled(linear.var_components, linear.var, var),
                        scaled(linear.cvar_components, linear.cvar, cvar), scenarios=linear.scenarios,
                        details={**linear.details, "model": "log"})
