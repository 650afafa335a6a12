"""`backtest` (with a parameter sweep and its out-of-sample test) and `attribute_performance`."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from itertools import product
from typing import Annotated

import numpy as np
import pandas as pd
from indexdesk.tools import calendar
from indexdesk.tools.calendar import EARLIEST_MARKET_DAY, LATEST_DAY
from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.registry import tool
from indexdesk.tools.risk.inputs import WeightList
from indexdesk.tools.strategy import backtest_math as bm
from indexdesk.tools.strategy import evaluation_math as ev
from indexdesk.tools.strategy import holdings_panel as uv
from indexdesk.tools.strategy import runs
from indexdesk.tools.strategy.ledger_view import ledger_window
from indexdesk.tools.strategy.models import (
    AttributionResult,
    BacktestResult,
    StatsLine,
    SweepLine,
    SweepSummary,
)
from indexdesk.tools.strategy.tools import Name, _cost, _r
from indexdesk.tools.strategy.words import CADENCE_WORDS, POLICY_WORDS, STRATEGY_WORDS
from indexdesk.tools.units import percent
from pydantic import Field

DateText = Annotated[str, Field(max_length=10)]
GridText = Annotated[str, Field(max_length=200)]
DEFAULT_GRID = "lookback=30:180:30 tilt=0.05,0.075,0.1 cadence=weekly,monthly,quarterly"
MAX_CONFIGS = 600
SWEEP_KEYS = ("lookback", "tilt", "cadence")


def read_date(text: str | None, field_name: str) -> date | None:
    return calendar.parse_day(text, field_name, earliest=EARLIEST_MARKET_DAY, latest=LATEST_DAY)


def read_window(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    first, last = read_date(start, "start"), read_date(end, "end")
    if first and last and first >= last:
        raise ToolError(f"start {first} is not before end {last}", hint="swap them or widen the window",
                        field="start")
    return first, last


# The finest step each swept value is read at: lookbacks are whole days, tilts whole basis points
# (also in percent form: 7.5 = 7.5 %). A finer step or value is refused, never rounded silently.
RESOLUTION = {"lookback": 1.0, "tilt": 1e-4}


def _number(key: str, text: str) -> float:
    value = float(text)  # ValueError -> "not numbers"
    if not math.isfinite(value):
        raise ToolError(f"sweep {key}={text.strip()[:30]!r} is not a finite number", field="sweep",
                        hint=f"e.g. {DEFAULT_GRID}")
    resolution = RESOLUTION[key]
    if abs(value / resolution - round(value / resolution)) > 1e-6:
        unit = "whole days" if key == "lookback" else "whole basis points (0.0001)"
        raise ToolError(f"sweep {key}={text.strip()[:30]!r} is finer than {key} is read at: {unit}", field="sweep",
                        hint=f"e.g. {DEFAULT_GRID}")
    return value


def _values_spec(key: str, text: str) -> tuple[int, tuple]:
    """(how many values, how to build them) — counted from the text alone, nothing allocated."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ToolError(f"sweep {key}={text[:30]!r}: a range is START:STOP:STEP", field="sweep")
        low, high, step = (_number(key, p) for p in parts)
        if step <= 0 or high < low:
            raise ToolError(f"sweep {key}={text[:30]!r}: STOP must be ≥ START and STEP > 0", field="sweep")
        steps = math.floor((high - low) / step + 1e-9)  # arithmetic: a 72-million grid is refused, not built
        return steps + 1, ("range", low, step, steps)
    values = [_number(key, p) for p in text.split(",") if p.strip()]
    return len(values), ("list", values)


def _build(spec: tuple) -> list[float]:
    if spec[0] == "list":
        return spec[1]
    _, low, step, steps = spec
    return [round(low + i * step, 6) for i in range(steps + 1)]


def parse_grid(text: str) -> dict[str, list]:
    """'lookback=30:180:30 tilt=0.05,0.1 cadence=weekly,monthly' → values per key ('default' = the standard grid).

    The number of configurations is computed from the text first and refused above MAX_CONFIGS in
    microseconds; only then are the values built."""
    text = DEFAULT_GRID if text.strip().lower() in ("default", "true", "yes") else text
    specs: dict[str, tuple] = {}
    counts: dict[str, int] = {}
    for item in text.split():
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or not value:
            raise ToolError(f"sweep item {item[:30]!r} is not KEY=VALUES", hint=f"e.g. {DEFAULT_GRID}", field="sweep")
        if key not in SWEEP_KEYS:
            raise unknown_name("sweep parameter", key, SWEEP_KEYS, field="sweep")
        if key == "cadence":
            specs[key] = ("list", [v.strip().lower() for v in value.split(",")])
            counts[key] = len(specs[key][1])
            continue
        try:
            counts[key], specs[key] = _values_spec(key, value)
        except (ValueError, OverflowError):
            raise ToolError(f"sweep {key}={value[:30]!r}: not numbers", field="sweep") from None
    total = math.prod(counts.values())
    if total > MAX_CONFIGS:
        shown = f"{total:,}" if total < 10 ** 15 else f"about {float(total):.1e}"
        raise ToolError(f"the sweep has {shown} configurations; at most {MAX_CONFIGS}", field="sweep",
                        hint="use coarser steps, e.g. lookback=30:180:30 tilt=0.05,0.1")
    return {key: _build(spec) for key, spec in specs.items()}


def _stats(name: str, returns: np.ndarray) -> StatsLine:
    s = ev.equity_stats(returns)
    return StatsLine(name=name, total_return=_r(s.total_return), annual_return=_r(s.annual_return),
                     annual_volatility=_r(s.annual_volatility), sharpe_ratio=_r(s.sharpe_ratio, 3),
                     max_drawdown=_r(s.max_drawdown))


def _config_name(lookback: int, tilt: float, cadence: str) -> str:
    return f"lookback={lookback} tilt={tilt:g} cadence={cadence}"


def run_sweep(universe: uv.Universe, rule: str, grid: dict[str, list], base: dict, cost: float, start_pos: int,
              pair: tuple[int, int], warnings: list[str]) -> SweepSummary:
    lookbacks = [int(v) for v in grid.get("lookback", [base["lookback"]])]
    tilts = [uv.read_tilt(float(v), warnings, universe.ranges) for v in grid.get("tilt", [base["tilt"]])]
    cadences = [uv.read_choice("cadence", c, bm.CADENCES, "sweep") for c in grid.get("cadence", [base["cadence"]])]
    for lookback in lookbacks:
        uv.read_lookback(lookback)
    configs = list(product(lookbacks, tilts, cadences))
    if len(configs) > MAX_CONFIGS:
        raise ToolError(f"the sweep has {len(configs)} configurations; at most {MAX_CONFIGS}", field="sweep")
    start_pos = max(start_pos, max(lookbacks))
    if len(universe.prices) - start_pos < 2 * uv.MIN_HISTORY:
        raise ToolError("too little history after the longest lookback for a sweep", field="sweep")
    matrix = runs.sweep_returns(universe, rule, configs, cost, start_pos, pair)
    window = universe.prices.to_numpy(dtype=float)[start_pos:]
    dates = universe.prices.index[start_pos:]
    static = bm.run_policy(window, dates, bm.decision_days(dates, "monthly"), universe.base,
                           bm.Policy("calendar", "monthly"), cost).returns
    verdict = ev.judge_sweep(matrix, static)
    in_edges = ev.edges(matrix[:, :verdict.split], static[:verdict.split], 365)
    order = np.argsort(-np.nan_to_num(in_edges, nan=-np.inf))[:5]
    text = verdict_text(verdict.in_sample_edge, verdict.out_of_sample_edge, verdict.walk_forward_edge)
    return SweepSummary(configurations=len(configs), best=_config_name(*configs[verdict.best]),
                        in_sample_edge=_r(verdict.in_sample_edge), out_of_sample_edge=_r(verdict.out_of_sample_edge),
                        walk_forward_edge=_r(verdict.walk_forward_edge),
                        held_back_from=dates[1:][verdict.split].date(),
                        top=[SweepLine(config=_config_name(*configs[i]), edge=_r(in_edges[i])) for i in order],
                        verdict=text)


def verdict_text(in_sample: float, out_of_sample: float, walk_forward: float) -> str:
    """The sweep's verdict in one line, edges per year over the static targets. When the held-back test
    and the walk-forward test disagree, the line says so rather than reading as a contradiction."""
    if in_sample <= 0:
        text = "no configuration beat the static targets even in sample"
    elif out_of_sample <= 0:
        text = "the best in-sample configuration did no better than the static targets on the held-back data"
    else:
        text = f"{percent(out_of_sample / in_sample, 0)} of the in-sample edge held on the held-back data"
    if out_of_sample <= 0 < walk_forward:
        return (text + f"; re-chosen fold by fold (walk-forward) it earned {percent(walk_forward, 1, signed=True)}/yr "
                "over them: a mixed verdict")
    return text + f"; walk-forward edge {percent(walk_forward, 1, signed=True)}/yr"


def prepare(ctx: ToolContext, strategy: str, lookback: int, tilt: float, weights, start, end, warnings: list[str],
            pair=None) -> tuple[str, int, float, uv.Universe, int, tuple[int, int]]:
    rule = uv.read_choice("strategy", strategy, runs.STRATEGIES, "strategy")
    from indexdesk.tools.targets import tier_ranges

    lookback = uv.read_lookback(lookback)
    tilt = uv.read_tilt(tilt, warnings, tier_ranges(ctx))
    first, last = read_window(start, end)
    held = uv.holdings(ctx, weights, warnings)
    universe = uv.load(ctx, held, warnings, start=first, end=last, lookback=lookback)
    start_pos = runs.start_position(universe, first, lookback)
    if len(universe.prices) - start_pos < uv.MIN_HISTORY:
        raise ToolError(f"only {len(universe.prices) - start_pos} day(s) to test after the {lookback}-day lookback",
                        hint="start earlier or shorten the lookback", field="start")
    pair_pos = uv.pair_positions(ctx, universe, pair) if rule == "pair" else (0, 1)
    return rule, lookback, tilt, universe, start_pos, pair_pos


@tool(category="strategy", examples=(
    'backtest momentum rotation',
    'how would this strategy have done',
    'simulate monthly rebalancing',
    'backtest the tier template since 2022',
    'sweep rebalance thresholds',
), synonyms={"strategy": STRATEGY_WORDS, "cadence": CADENCE_WORDS, "policy": POLICY_WORDS})
def backtest(ctx: ToolContext, strategy: Name = "momentum", lookback: int = 90, tilt: float = 0.05,
             cadence: Name = "monthly", policy: Name = "calendar", start: DateText | None = None,
             end: DateText | None = None, cost_bps: float = 15.0, weights: WeightList | None = None,
             sweep: GridText | None = None) -> BacktestResult:
    """Daily backtest of a strategy vs static targets and buy-and-hold; optional parameter sweep.

    Args:
        strategy: momentum, mean_reversion, blended, pair (defi/layer1) or static.
        lookback: days ranked, 5-730.
        tilt: weight moved per index, 0-0.10.
        cadence: weekly, monthly or quarterly.
        policy: calendar, threshold, asymmetric_bands or volatility_trigger.
        start: YYYY-MM-DD; omitted: all history.
        end: YYYY-MM-DD.
        cost_bps: fees + slippage, bps.
        weights: holdings; omitted: ledger, else tier template.
        sweep: grid like "lookback=30:180:30 tilt=0.05,0.1 cadence=monthly", or "default".
    """
    warnings: list[str] = []
    cost = _cost(cost_bps)
    period = uv.read_choice("cadence", cadence, bm.CADENCES, "cadence")
    kind = uv.read_choice("policy", policy, bm.POLICIES, "policy")
    grid = parse_grid(sweep) if sweep else None  # bounded before anything is loaded or built
    rule, lookback, tilt, universe, start_pos, pair_pos = prepare(ctx, strategy, lookback, tilt, weights, start, end,
                                                                  warnings)
    trigger = (uv.btc_volatility(ctx, universe.prices.index).to_numpy() > 0.8) if kind == "volatility_trigger" else None
    run = runs.backtest(universe, rule, lookback, tilt, bm.Policy(kind, period), cost, start_pos, pair_pos, trigger)
    if run.limited:
        warnings.append(f"tier ranges limited the tilt at {run.limited} decision(s)")
    summary = None
    if sweep:
        if rule == "static":
            raise ToolError("the static targets have no parameters to sweep", field="sweep")
        summary = run_sweep(universe, rule, grid, {"lookback": lookback, "tilt": tilt, "cadence": period},
                            cost, start_pos, pair_pos, warnings)
    drag = ev.equity_stats(run.net.returns).annual_return - ev.equity_stats(run.gross.returns).annual_return
    params = f"{_config_name(lookback, tilt, period)} policy={kind} cost={cost:g}bps"
    return BacktestResult(
        strategy=rule, params=params, origin=universe.origin, start=run.dates[0].date(), end=run.dates[-1].date(),
        days=len(run.dates), stats=[_stats(rule, run.net.returns), _stats("static targets", run.static.returns),
                                    _stats("buy and hold", run.hold.returns)],
        turnover_per_year=_r(run.net.total_turnover() / run.years), cost_drag_per_year=_r(drag),
        trades=len(run.net.trade_days) - 1, sweep=summary, source=universe.source, as_of=universe.as_of,
        warnings=list(dict.fromkeys(warnings)))


@tool(category="strategy", examples=(
    'what drove my returns',
    'performance attribution by tier',
    'which holding contributed most',
    'allocation versus selection effect',
    'break down why my portfolio made what it made',
    'was my return market beta or my own picks',
), synonyms={"strategy": STRATEGY_WORDS})
def attribute_performance(ctx: ToolContext, start: DateText | None = None, end: DateText | None = None,
                          strategy: Name = "momentum", weights: WeightList | None = None,
                          tax_rate: float = 0.3) -> AttributionResult:
    """Split a portfolio's return into beta, index-selection alpha, timing alpha and cost drag.

    Args:
        start: YYYY-MM-DD; omitted: 90 days before the end.
        end: YYYY-MM-DD; omitted: latest.
        strategy: rule followed: momentum, mean_reversion, blended, pair or static.
        weights: holdings; omitted: ledger, else tier template.
        tax_rate: tax on gains realised in the window (ledger only), e.g. 0.3.
    """
    from indexdesk.tools.price_provenance import honest_warnings
    from indexdesk.tools.risk.inputs import read_fraction
    from indexdesk.tools.targets import targets

    warnings: list[str] = []
    rate = read_fraction(tax_rate, "tax_rate", "tax_rate", warnings)
    first, last = read_window(start, end)
    if first is None:
        close = ctx.market().close
        anchor = pd.Timestamp(last) if last else close.index[-1]
        first = (anchor - pd.Timedelta(days=90)).date()
    actual = None if weights else ledger_window(ctx, first, last or ctx.market().close.index[-1].date())
    if actual is not None:
        weights = actual.holdings
    rule, lookback, tilt, universe, start_pos, pair_pos = prepare(ctx, strategy, 90, 0.05, weights, str(first),
                                                                  last and str(last), warnings)
    run = runs.backtest(universe, rule, lookback, tilt, bm.Policy("calendar", "monthly"), 15.0, start_pos, pair_pos)
    wanted = targets(ctx).weights()
    benchmark_weights = np.array([wanted.get(n, 0.0) for n in universe.names])
    if benchmark_weights.sum() <= 0:
        benchmark_weights = universe.base
        warnings.append("none of the holdings is in the targets: the benchmark is the holdings' own start weights")
    elif abs(benchmark_weights.sum() - 1.0) > 1e-6:
        warnings.append(f"the targets held cover {percent(benchmark_weights.sum(), 0)}: the rest of the benchmark is cash")
    window = universe.prices.to_numpy(dtype=float)[start_pos:]
    benchmark = bm.buy_and_hold(window, benchmark_weights).equity
    if actual is None:
        parts = ev.attribute(benchmark, run.hold.equity, run.gross.equity, run.net.equity)
        origin, followed = universe.origin, rule
        costs = "fees and slippage at 15 bps a trade (no taxes without ledger lots)"
        tax_drag = 0.0
    else:
        cost = -actual.fees / actual.value_start if actual.value_start > 0 else 0.0
        # Taxes are not paid out of the ledger's value, so the time-weighted return is before tax:
        # the estimated tax on the window's net realised gain comes off the total and sits in cost drag.
        tax_drag = -rate * max(actual.realised_gain, 0.0) / actual.value_start if actual.value_start > 0 else 0.0
        parts = ev.attribute_actual(benchmark, run.hold.equity, actual.total, cost)
        parts = replace(parts, total=parts.total + tax_drag, cost_drag=parts.cost_drag + tax_drag)
        origin, followed = universe.origin, "ledger trades"
        costs = (f"fees recorded in the ledger plus {percent(rate, 0)} tax on the gains realised in the window "
                 "(total is after that tax); timing is the rest of the time-weighted return")
    explanation = ("beta: the static targets bought at the start and held; index selection: the holdings' own start "
                   f"weights held, minus beta; timing: rebalancing and tilts before costs, minus that; cost drag: {costs}")
    return AttributionResult(strategy=followed, origin=origin, start=run.dates[0].date(),
                             end=run.dates[-1].date(), total=parts.total, beta=parts.beta,
                             index_selection=parts.index_selection, timing=parts.timing,
                             cost_drag=parts.cost_drag, tax_drag=tax_drag, explanation=explanation, source=universe.source,
                             as_of=universe.as_of,
                             warnings=honest_warnings(ctx, warnings, ledger_valued=origin.startswith("ledger")))

