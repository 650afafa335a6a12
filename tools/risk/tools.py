"""The risk tools: VaR/CVaR four ways, stress tests, correlation, volatility-targeted sizing.

Each takes explicit weights (or index names) so it works without a ledger and from other agents;
the arithmetic lives in the pure `*_math` modules, the data in `tools.indices.series`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.params import NameList, Seed, Window
from indexdesk.tools.price_provenance import honest_warnings
from indexdesk.tools.registry import tool
from indexdesk.tools.risk import scenarios as sc
from indexdesk.tools.risk.inputs import (
    ShockList,
    WeightList,
    read_confidence,
    read_fraction,
    resolve_holdings,
    window_returns,
)
from indexdesk.tools.risk.models import (
    CorrelationResult,
    PairNote,
    RollingCorrelation,
    ScenarioResult,
    SizedPosition,
    SizingResult,
    StressResult,
    VarComponent,
    VarResult,
    rounded,
)
from indexdesk.tools.units import percent

Method = Literal["historical", "parametric", "cornish_fisher", "monte_carlo"]
MONTE_CARLO_PATHS = 100_000
FAT_TAIL_FACTOR = 1.1  # flag a tail ratio 10 % above the normal distribution's at the same confidence
MAX_SERIES = 20


# ------------------------------------------------------------------ compute_var

def _method_notes(method: str, horizon: int, buy_and_hold: bool, scenarios: int, details: dict) -> str:
    holding = "buy-and-hold within the horizon" if buy_and_hold else "rebalanced daily"
    if method == "historical":
        scaled = (f"{scenarios} overlapping {horizon}-day windows of compounded daily returns ({holding}); "
                  "overlapping windows are not independent" if horizon > 1 else f"{scenarios} daily returns")
        return (f"Historical simulation on {scaled}. VaR: linearly interpolated percentile; CVaR: mean of the "
                "worst outcomes; components: each holding's average loss in those tail outcomes.")
    if method == "monte_carlo":
        return (f"Monte Carlo: {details.get('paths', MONTE_CARLO_PATHS):,} simulated {horizon}-day paths "
                f"({holding}) by filtered historical simulation: whole days of EWMA-standardised residuals "
                "resampled (keeps cross-asset dependence and fat tails), volatility updated along each path; "
                "components: each holding's average loss in the tail paths.")
    log_model = details.get("model") == "log"
    scale = ("" if horizon == 1 and not log_model else
             f" Scaled to {horizon} day(s) on daily log returns as mean×h and σ×√h"
             + (", skew/√h and excess kurtosis/h" if method == "cornish_fisher" else "")
             + ", loss = 1 − e^quantile (never above 100 %); independent days assumed, volatility clustering "
               "ignored; components keep the linear model's Euler shares." if log_model else
             f" Scaled to {horizon} days as mean×h and σ×√h on simple returns (short or leveraged portfolio)"
             + (", skew/√h and excess kurtosis/h" if method == "cornish_fisher" else "")
             + ": valid only for independent returns; ignores compounding and volatility clustering.")
    if details.get("fallback") == "normal":
        return "Normal distribution (Cornish-Fisher expansion not valid for this skew/kurtosis)." + scale
    if method == "parametric":
        return "Normal distribution with the window's mean and covariance; exact Euler components." + scale
    return (f"Cornish-Fisher: normal quantile adjusted for skew {details.get('skew', 0):.2f} and excess kurtosis "
            f"{details.get('excess_kurtosis', 0):.2f}; exact Euler components." + scale)


def _tail_note(var: float, cvar: float, confidence: float, method: str) -> tuple[float, str]:
    from indexdesk.tools.risk.var_math import normal_tail_ratio

    normal = normal_tail_ratio(confidence)
    threshold = normal * FAT_TAIL_FACTOR
    if not var > 0:
        return float("nan"), "no tail ratio: the VaR is not a loss at this confidence"
    ratio = cvar / var
    reference = f"a normal distribution gives {normal:.2f} at {confidence * 100:g}%; fat tails flagged above {threshold:.2f}"
    if method == "parametric":
        return ratio, f"{ratio:.2f}: normal tails by assumption ({reference})"
    if ratio > threshold:
        return ratio, (f"{ratio:.2f}: fat tails — when the VaR is breached the average loss is {ratio:.2f}× the VaR "
                       f"({reference})")
    return ratio, f"{ratio:.2f}: tails close to normal ({reference})"


@tool(category="risk", examples=(
    'how much can I lose in a bad week',
    'value at risk at 99 percent',
    'cvar expected shortfall',
    'worst case loss of my portfolio',
    'tail risk',
), synonyms={"method": {"normal": "parametric", "gaussian": "parametric", "normal assumptions": "parametric",
                        "variance-covariance": "parametric", "monte carlo": "monte_carlo", "monte-carlo": "monte_carlo",
                        "simulated": "monte_carlo", "simulation": "monte_carlo", "cornish-fisher": "cornish_fisher",
                        "cornish fisher": "cornish_fisher", "fat tails": "cornish_fisher", "history": "historical",
                        "empirical": "historical"},
             "buy_and_hold": {"buy and hold": "true", "buy-and-hold": "true", "never rebalance": "true",
                              "no rebalancing": "true", "without rebalancing": "true", "just hold": "true",
                              "rebalanced daily": "false", "rebalance daily": "false"}})
def compute_var(ctx: ToolContext, weights: WeightList | None = None, confidence: float = 0.95, horizon_days: int = 1,
                method: Method = "historical", window: Window = "1y", buy_and_hold: bool = False,
                portfolio_value: float | None = None, seed: Seed = 42) -> VarResult:
    """Value at Risk and CVaR of a portfolio, with each holding's contribution.

    Args:
        weights: holdings as [{"name": "BTC", "weight": 0.6}, ...]; the remainder is cash; default: the ledger's holdings.
        confidence: between 0.5 and 0.9999, e.g. 0.95 or 0.99.
        horizon_days: loss horizon in days, 1 to 365.
        method: historical, parametric (normal), cornish_fisher (skew/kurtosis-adjusted) or monte_carlo.
        window: history used: 30d, 90d, 180d, 1y, 3y, ytd, all, or START:END dates.
        buy_and_hold: true = no rebalancing within the horizon; false = rebalanced daily.
        portfolio_value: portfolio value for amounts (default: the ledger's, else 100000).
        seed: random seed of the Monte Carlo simulation.
    """
    from indexdesk.tools.risk import var_math
    from indexdesk.tools.risk.montecarlo_math import monte_carlo_risk

    warnings: list[str] = []
    level = read_confidence(confidence, warnings)
    if not 1 <= horizon_days <= 365:
        raise ToolError(f"horizon_days must be 1 to 365, got {horizon_days}", field="horizon_days")
    holdings = resolve_holdings(ctx, weights, portfolio_value, warnings)
    data = window_returns(ctx, list(holdings.names), window, min_days=max(2, horizon_days if method == "historical" else 2))
    warnings += data.warnings
    returns = data.returns[list(holdings.names)].to_numpy(dtype=float)
    w = np.asarray(holdings.weights)
    days = returns.shape[0]
    if days < 30:
        warnings.append(f"only {days} daily returns: the estimate is rough")
    if method == "historical":
        estimate = var_math.historical_risk(returns, w, level, horizon_days, buy_and_hold)
        if estimate.scenarios * (1 - level) < 1:
            warnings.append(f"only {estimate.scenarios} {horizon_days}-day outcomes: fewer than one beyond the "
                            f"{level * 100:g}% VaR; the VaR is close to the worst outcome; use a longer window or monte_carlo")
    elif method in ("parametric", "cornish_fisher"):
        estimate = var_math.reported_moment_risk(returns, w, level, horizon_days, method == "cornish_fisher")
        if estimate.details.get("fallback") == "normal":
            warnings.append("skew/kurtosis are outside the Cornish-Fisher expansion's valid range (its quantile is "
                            "not monotone): the normal (parametric) figure is reported instead; historical or "
                            "monte_carlo is safer for such fat tails")
        if horizon_days == 1 and estimate.details.get("model") == "log":
            warnings.append("the one-day linear figure exceeded 100 % (impossible for this portfolio): computed "
                            "on log returns instead")
        if estimate.details.get("model") == "linear" and holdings.invested > 1.0 + 1e-9:
            warnings.append("leveraged: the loss can exceed the portfolio's value")
    else:
        estimate = monte_carlo_risk(returns, w, level, horizon_days, MONTE_CARLO_PATHS, seed, "fhs", buy_and_hold)
    if np.allclose(returns, 0.0):
        warnings.append("prices were constant over the window: no measurable risk")
    ratio, note = _tail_note(estimate.var, estimate.cvar, level, method)
    if estimate.var < 0:
        warnings.append("the VaR is negative: at this confidence the window's trend still shows a gain; "
                        "a longer window gives a more prudent figure")
    value = holdings.portfolio_value
    components = [
        VarComponent(name=name, weight=rounded(weight), var=rounded(cv), cvar=rounded(ccv),
                     var_amount=rounded(cv * value, 2),
                     share_of_var=rounded(cv / estimate.var, 4) if estimate.var else float("nan"))
        for name, weight, cv, ccv in zip(holdings.names, holdings.weights, estimate.var_components,
                                         estimate.cvar_components)]
    return VarResult(
        method=method, confidence=level, horizon_days=horizon_days, buy_and_hold=buy_and_hold,
        portfolio_value=value, var=rounded(estimate.var), cvar=rounded(estimate.cvar),
        var_amount=rounded(estimate.var * value, 2), cvar_amount=rounded(estimate.cvar * value, 2),
        tail_ratio=rounded(ratio, 3), tail_note=note, components=components, cash_weight=rounded(holdings.cash),
        start=data.start, end=data.end, observations=days, scenarios=estimate.scenarios,
        method_notes=_method_notes(method, horizon_days, buy_and_hold, estimate.scenarios, estimate.details),
        origin=holdings.origin, source=data.market.label, as_of=data.market.as_of,
        warnings=honest_warnings(ctx, warnings, ledger_valued=holdings.origin.startswith("ledger")))


# ------------------------------------------------------------------ stress_test

def _split_shocks(ctx: ToolContext, shocks: list, warnings: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Shock items → (tier overrides, per-index/asset shocks), each a fraction ≥ -1."""
    from indexdesk.tools.indices.series import resolve_names

    tiers: dict[str, float] = {}
    named: dict[str, float] = {}
    for item in shocks:
        move = read_fraction(item.shock, f"shock for {item.name}", "shocks", warnings, low=-1.0, high=10.0)
        key = item.name.strip().lower()
        if key in sc.TIERS:
            tiers[key] = move
        else:
            named[resolve_names(ctx, [item.name])[0]] = move
    return tiers, named


def _scenario_result(name: str, run: sc.ScenarioRun, holdings, value: float) -> ScenarioResult:
    outcome = run.outcome
    parts = {n: rounded(c) for n, c in zip(holdings.names, outcome.contributions)}
    worst = min(parts, key=parts.__getitem__)
    hit = parts[worst] < 0
    return ScenarioResult(
        scenario=name, description=run.description, start=run.start, end=run.end, pnl=rounded(outcome.pnl),
        pnl_amount=rounded(outcome.pnl * value, 2), max_drawdown=rounded(outcome.max_drawdown),
        worst_contributor=worst if hit else None,
        worst_contributor_amount=rounded(parts[worst] * value, 2) if hit else None, contributions=parts,
        path_days=run.path_days, path_values=run.path_values, notes=run.notes)


# What people call the scenarios (read by the offline router and the tool selector through the spec).
SCENARIO_WORDS = {
    "exchange goes bust": "exchange_failure", "exchange fails": "exchange_failure", "exchange failure": "exchange_failure",
    "exchange collapses": "exchange_failure", "exchange goes under": "exchange_failure",
    "exchange gets hacked": "exchange_failure", "exchange blows up": "exchange_failure",
    "exchange goes bankrupt": "exchange_failure", "exchange is hacked": "exchange_failure",
    "ftx": "ftx_collapse_2022", "luna": "luna_collapse_2022", "terra": "luna_collapse_2022",
    "covid": "covid_crash_2020", "march 2020": "covid_crash_2020", "2018 bear": "bear_2018",
}


@tool(category="risk", synonyms={"scenarios": SCENARIO_WORDS}, examples=(
    'what if the market crashes',
    'replay the FTX collapse on my holdings',
    'stress scenario luna',
    'what happens if ETH falls 40%',
    'crisis scenarios bear market',
))
def stress_test(ctx: ToolContext, weights: WeightList | None = None, scenarios: NameList | None = None,
                exchange_loss: float = 0.30, exchange_share: float = 1.0, shocks: ShockList | None = None,
                portfolio_value: float | None = None) -> StressResult:
    """Portfolio P&L in historical crises and hypothetical shocks, with the worst contributor.

    Args:
        weights: holdings as [{"name": "BTC", "weight": 0.6}, ...]; the remainder is cash; default: the ledger's holdings.
        scenarios: any of bear_2018, covid_crash_2020, luna_collapse_2022, ftx_collapse_2022, exchange_failure, tier_shock, custom; default all that apply.
        exchange_loss: fraction of the holdings on the failed venue that is lost (default 0.30).
        exchange_share: fraction of the holdings kept on that venue (default 1.0, or the ledger's largest venue).
        shocks: moves for tier_shock (names core/satellite/speculative/cash) or custom (index or symbol), e.g. [{"name": "defi", "shock": -0.5}].
        portfolio_value: portfolio value for amounts (default: the ledger's, else 100000).
    """
    warnings: list[str] = []
    holdings = resolve_holdings(ctx, weights, portfolio_value, warnings)
    loss = read_fraction(exchange_loss, "exchange_loss", "exchange_loss", warnings)
    share = read_fraction(exchange_share, "exchange_share", "exchange_share", warnings)
    tier_moves, named_moves = _split_shocks(ctx, shocks or [], warnings)
    if scenarios:
        chosen = []
        for raw in scenarios:
            name = raw.strip().lower()
            if name not in sc.SCENARIO_NAMES:
                raise unknown_name("scenario", raw, sc.SCENARIO_NAMES, field="scenarios")
            if name not in chosen:
                chosen.append(name)
    else:
        chosen = list(sc.REPLAYS) + ["exchange_failure", "tier_shock"] + (["custom"] if named_moves else [])
    if "custom" in chosen and not named_moves:
        raise ToolError("scenario 'custom' needs shocks naming indices or assets",
                        hint='e.g. shocks=[{"name": "defi", "shock": -0.5}]', field="shocks")
    for name in set(named_moves) - set(holdings.names):
        warnings.append(f"shock for {name} ignored: it is not held")
    results: list[ScenarioResult] = []
    skipped: list[str] = []
    market = ctx.market()
    # Hypothetical scenarios shock today's holdings: today's coverage of each index travels with them.
    from indexdesk.tools.indices.series import data_notes
    warnings += data_notes(ctx, list(holdings.names), market.as_of, market.as_of)
    for name in chosen:
        try:
            if name in sc.REPLAYS:
                run = sc.replay(ctx, holdings, name)
            elif name == "exchange_failure":
                run = sc.exchange_failure(holdings, loss, share, venue_shares=exchange_share == 1.0)
            elif name == "tier_shock":
                run = sc.tier_shock(ctx, holdings, tier_moves)
            else:
                run = sc.custom_shock(holdings, named_moves)
        except sc.ScenarioSkipped as reason:
            skipped.append(str(reason))
            continue
        results.append(_scenario_result(name, run, holdings, holdings.portfolio_value))
    warnings += skipped
    if not results:
        raise ToolError("no scenario could be run on this source: " + "; ".join(skipped),
                        hint="choose hypothetical scenarios (exchange_failure, tier_shock, custom) or another source")
    worst = min(results, key=lambda r: r.pnl)
    return StressResult(portfolio_value=holdings.portfolio_value, cash_weight=rounded(holdings.cash),
                        origin=holdings.origin,
                        scenarios=results, worst_scenario=worst.scenario if worst.pnl < 0 else None,
                        source=market.label, as_of=market.as_of,
                        warnings=honest_warnings(ctx, warnings, ledger_valued=holdings.origin.startswith("ledger")))


# ------------------------------------------------------------------ analyze_correlation

def _suggestions(same: list, diversifiers: list, average: float, matrix) -> list[str]:
    out = [f"{p.first} and {p.second} move together ({p.correlation:.2f}): the same bet twice; keep one, "
           "or size them as one position" for p in same[:4]]
    if diversifiers:
        best = ", ".join(f"{p.first}/{p.second} ({p.correlation:.2f})" for p in diversifiers[:4])
        out.append(f"good diversifiers (0.3–0.7): {best}: they share the market's direction but not every move")
    if np.isfinite(average) and average >= 0.7:
        out.append(f"average correlation {average:.2f}: these holdings largely rise and fall together; "
                   "adding more of them adds little diversification")
    low = [p for p in _pairs(matrix) if p.correlation < 0.3]
    if low:
        p = min(low, key=lambda q: q.correlation)
        out.append(f"{p.first}/{p.second} ({p.correlation:.2f}) barely move together: the strongest "
                   "diversification here (check a stable or cash-like series is not the reason)")
    return out


def _pairs(matrix):
    from indexdesk.tools.risk.correlation_math import pairs

    return pairs(matrix)


@tool(category="risk", examples=(
    'do these move together',
    'correlation matrix',
    'is this diversifying',
    'are these two redundant',
    'overlap between indices',
))
def analyze_correlation(ctx: ToolContext, indices: NameList | None = None, window: Window = "90d",
                        rolling_pair: NameList | None = None, rolling_window: int = 30) -> CorrelationResult:
    """Correlation of indices or assets over a window, with redundant pairs flagged.

    Args:
        indices: catalogue index names or asset symbols (2 to 20); default: the ledger's holdings.
        window: 30d, 90d, 180d, 1y, 3y, ytd, all, or START:END dates.
        rolling_pair: two names whose rolling correlation to show, e.g. ["BTC", "ETH"].
        rolling_window: days in each rolling correlation (5 to 365).
    """
    from indexdesk.tools.indices.series import resolve_names
    from indexdesk.tools.risk import correlation_math as cm
    from indexdesk.tools.risk.stress_math import compact_path

    origin = "explicit names"
    if indices:
        names = resolve_names(ctx, indices)
    else:  # what is held (the ledger), else the tier template; cash has no series
        held = resolve_holdings(ctx, None, None, [])
        names, origin = list(held.names)[:MAX_SERIES], held.origin
    if not 2 <= len(names) <= MAX_SERIES:
        raise ToolError(f"give 2 to {MAX_SERIES} distinct indices or assets, got {len(names)}", field="indices")
    data = window_returns(ctx, names, window, min_days=3)
    warnings = list(data.warnings)
    matrix = cm.correlation_matrix(data.returns[names])
    constant = [n for n in names if np.isnan(matrix.at[n, n])]
    if constant:
        warnings.append(f"constant prices (no correlation defined): {', '.join(constant)}")
    if len(data.returns) < 30:
        warnings.append(f"only {len(data.returns)} days: correlations are noisy")
    average = cm.average_pairwise_correlation(matrix)
    same = cm.same_bet_pairs(matrix)
    diversifiers = cm.diversifier_pairs(matrix)
    rolling = None
    if rolling_pair:
        pair = resolve_names(ctx, rolling_pair)
        if len(pair) != 2:
            raise ToolError("rolling_pair needs exactly two different names", field="rolling_pair")
        if not 5 <= rolling_window <= 365:
            raise ToolError(f"rolling_window must be 5 to 365 days, got {rolling_window}", field="rolling_window")
        pair_data = window_returns(ctx, pair, window, min_days=rolling_window + 1, field_name="rolling_pair")
        series = cm.rolling_correlation(pair_data.returns[pair[0]], pair_data.returns[pair[1]], rolling_window)
        if series.empty:
            warnings.append("rolling correlation undefined (constant prices in every window)")
        else:
            shown = compact_path(series)
            rolling = RollingCorrelation(pair=pair, window_days=rolling_window,
                                         dates=[d.date().isoformat() for d in shown.index],
                                         values=[rounded(v, 3) for v in shown], latest=rounded(series.iloc[-1], 3),
                                         low=rounded(series.min(), 3), high=rounded(series.max(), 3))

    def note(p) -> PairNote:
        return PairNote(first=p.first, second=p.second, correlation=rounded(p.correlation, 3))

    return CorrelationResult(
        names=names, matrix=[[rounded(v, 3) for v in row] for row in matrix.to_numpy()],
        average_correlation=rounded(average, 3), same_bet=[note(p) for p in same[:10]],
        diversifiers=[note(p) for p in diversifiers[:10]], suggestions=_suggestions(same, diversifiers, average, matrix),
        rolling=rolling, origin=origin, start=data.start, end=data.end, observations=len(data.returns),
        source=data.market.label, as_of=data.market.as_of, warnings=warnings)


# ------------------------------------------------------------------ size_positions

@tool(category="risk", examples=(
    'how big should each position be',
    'target volatility sizing',
    'risk parity weights',
    'position sizes for 30% vol',
    'how much to allocate to memecoins for a vol target',
))
def size_positions(ctx: ToolContext, target_volatility: float, indices: NameList | None = None,
                   weights: WeightList | None = None, lookback: Window = "90d",
                   allow_leverage: bool = False) -> SizingResult:
    """Volatility-targeted position sizes: riskier holdings get smaller weights, the rest is cash.

    Args:
        target_volatility: annualised volatility each position is sized to, e.g. 0.4 for 40%.
        indices: names to size from equal weights (give this or weights).
        weights: holdings [{"name": "BTC", "weight": 0.6}, ...] to resize; neither given: the ledger's holdings.
        lookback: window for realised volatility: 30d, 90d, 180d, 1y, or START:END dates.
        allow_leverage: allow weights summing above 1 (borrowing); default scales down to at most 1.
    """
    from indexdesk.tools.indices.series import resolve_names
    from indexdesk.tools.portfolio.positions import Holdings
    from indexdesk.tools.risk.sizing_math import (
        annualised_volatility,
        portfolio_volatility,
        volatility_target_weights,
    )

    warnings: list[str] = []
    target = read_fraction(target_volatility, "target_volatility", "target_volatility", warnings, low=0.0, high=5.0)
    if target <= 0:
        raise ToolError("target_volatility must be above 0, e.g. 0.4 for 40% a year", field="target_volatility")
    if indices and weights:
        raise ToolError("give either indices or weights (not both)",
                        hint='e.g. indices=["BTC", "defi"] or weights=[{"name": "BTC", "weight": 0.6}]',
                        field="indices")
    if weights or not indices:
        holdings = resolve_holdings(ctx, weights, 1.0, warnings)
    else:
        names = resolve_names(ctx, indices)
        holdings = Holdings(tuple(names), tuple(1.0 / len(names) for _ in names), 1.0, "equal weights")
    names = list(holdings.names)
    data = window_returns(ctx, names, lookback, min_days=3, field_name="lookback")
    warnings += data.warnings
    returns = data.returns[names].to_numpy(dtype=float)
    vols = annualised_volatility(returns)
    flat = [n for n, v in zip(names, vols) if not v > 0]
    if flat:
        warnings.append(f"no volatility over the lookback (constant prices): {', '.join(flat)} kept at base weight")
    sizing = volatility_target_weights(np.asarray(holdings.weights), vols, target, allow_leverage)
    notes = [f"each position = base weight × {percent(target, 0)} / its volatility: when a volatility doubles, "
             "the position halves"]
    if sizing.scale < 1:
        notes.append(f"scaled by {sizing.scale:.3f} so the weights sum to 1 (no leverage); "
                     "pass allow_leverage=true to keep the full sizes")
    port_vol = portfolio_volatility(sizing.weights, returns)
    if np.isfinite(port_vol) and port_vol < target * 0.9:
        notes.append(f"diversification: the sized portfolio's own volatility is {percent(port_vol, 0)}, below the target")
    positions = [SizedPosition(name=n, base_weight=rounded(b), volatility=rounded(v, 4), weight=rounded(w),
                               change=rounded(w - b))
                 for n, b, v, w in zip(names, holdings.weights, vols, sizing.weights)]
    return SizingResult(target_volatility=target, allow_leverage=allow_leverage, positions=positions,
                        invested=rounded(float(sizing.weights.sum())), cash=rounded(sizing.cash),
                        scale=rounded(sizing.scale), portfolio_volatility=rounded(port_vol, 4), notes=notes,
                        origin=holdings.origin,
                        start=data.start, end=data.end, source=data.market.label, as_of=data.market.as_of,
                        warnings=honest_warnings(ctx, warnings, ledger_valued=holdings.origin.startswith("ledger")))
