"""Tool `get_index_performance`: return and risk metrics of indices or assets over a window."""

from __future__ import annotations

from datetime import date
import numpy as np
from pydantic import BaseModel

from indexdesk.tools import calendar
from indexdesk.tools.units import Fraction, OptionalCount, OptionalRatio, Ratio

from indexdesk.tools import metrics
from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.indices import series
from indexdesk.tools.market.quality import MIN_ANNUALISED_RETURNS, short_history_note
from indexdesk.tools.params import Name, NameList, Window
from indexdesk.tools.registry import tool

MAX_NAMES = 20
SHORT_WINDOW = MIN_ANNUALISED_RETURNS  # fewer daily returns than this make annualised numbers noise
NAN = float("nan")  # reported as null by the registry
_DIGITS = 4


class IndexPerformance(BaseModel):
    """Metrics of one index or asset over the window (returns as fractions: 0.12 = +12%)."""

    name: str
    rank: OptionalCount  # by total return, 1 = best
    total_return: Fraction
    annual_return: Fraction
    annual_volatility: Fraction
    sharpe_ratio: Ratio
    sortino_ratio: Ratio
    max_drawdown: Fraction
    drawdown_peak: date | None
    drawdown_trough: date | None
    drawdown_recovery: date | None  # None: not recovered by the window's end
    calmar_ratio: Ratio
    beta: OptionalRatio
    correlation: OptionalRatio


class PerformanceResult(BaseModel):
    window: str
    start: date
    end: date
    benchmark: str | None
    results: list[IndexPerformance]
    source: str
    as_of: date | None
    warnings: list[str]


def _rounded(value: float) -> float:
    return value if value != value else round(float(value), _DIGITS)  # NaN stays NaN for the registry


_day = calendar.day_or_none  # a Timestamp label (or none) as a date

def _history_warnings(name: str, levels, start, end) -> list[str]:
    observed = np.flatnonzero(~np.isnan(levels.to_numpy()))
    if observed.size == 0:
        return [f"{name}: no data in the window"]
    first, last = levels.index[observed[0]], levels.index[observed[-1]]
    notes = []
    if first > start:
        notes.append(f"{name}: data starts {first.date()}, after the window start; metrics cover the shorter span")
    if last < end:
        notes.append(f"{name}: data ends {last.date()}, before the window end")
    return notes


def compute_performance(ctx: ToolContext, indices: list[str], window: str = "90d",
                        benchmark: str = "BTC") -> PerformanceResult:
    """The tool's work without the registry (the CLI and benchmarks call it directly)."""
    import pandas as pd

    names = series.resolve_names(ctx, indices)
    if len(names) > MAX_NAMES:
        raise ToolError(f"{len(names)} names asked; at most {MAX_NAMES} per call",
                        hint="split the request into several calls", field="indices")
    use_benchmark = benchmark is not None and benchmark.strip().lower() not in ("", "none", "null")
    benchmark_name = series.resolve_names(ctx, [benchmark])[0] if use_benchmark else None
    wanted = names + ([benchmark_name] if benchmark_name and benchmark_name not in names else [])
    market = ctx.market()
    if market.close.empty:
        raise ToolError(f"source {market.label!r} returned no prices", hint="try another source")
    start, end = series.parse_window(window, market.close.index[0].date(), market.close.index[-1].date())
    levels, _ = series.level_panel(ctx, wanted, start, end)
    returns, _ = series.return_panel(ctx, wanted, start, end)
    year = ctx.settings.annualization
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    book = series.load(ctx)
    warnings: list[str] = list(market.notes)
    results = []
    for name in names:
        column = returns[name]
        warnings += _history_warnings(name, levels[name], start_ts, end_ts)
        if book.lookup(name) is not None:
            warnings += [f"{name}: {note}" for note in series.index_levels(ctx, name).notes_for(start_ts, end_ts)]
        drawdown = metrics.max_drawdown_period(column)
        short = short_history_note(name, int(column.notna().sum()))
        if short:  # 3 rows must not give a CAGR of 1e87: annualised figures need a minimum history
            warnings.append(short)
        if benchmark_name:
            against = returns[benchmark_name]
            beta, correlation = _rounded(metrics.beta(column, against)), _rounded(metrics.correlation(column, against))
        else:
            beta = correlation = None
        results.append(IndexPerformance(
            name=name, rank=None,
            total_return=_rounded(metrics.total_return(column)),
            annual_return=NAN if short else _rounded(metrics.annual_return(column, year)),
            annual_volatility=NAN if short else _rounded(metrics.annual_volatility(column, year)),
            sharpe_ratio=NAN if short else _rounded(metrics.sharpe_ratio(column, periods_per_year=year)),
            sortino_ratio=NAN if short else _rounded(metrics.sortino_ratio(column, periods_per_year=year)),
            max_drawdown=_rounded(drawdown.max_drawdown),
            drawdown_peak=_day(drawdown.peak), drawdown_trough=_day(drawdown.trough),
            drawdown_recovery=_day(drawdown.recovery),
            calmar_ratio=NAN if short else _rounded(metrics.calmar_ratio(column, year)),
            beta=beta, correlation=correlation))
    ranked = sorted((r for r in results if r.total_return == r.total_return), key=lambda r: -r.total_return)
    for position, result in enumerate(ranked, start=1):
        result.rank = position
    return PerformanceResult(window=window, start=start, end=end, benchmark=benchmark_name, results=results,
                             source=market.label, as_of=market.as_of, warnings=list(dict.fromkeys(warnings)))


@tool(category="market", examples=(
    'how has the index done lately',
    'returns and volatility of BTC this year',
    'which performed better',
    'sharpe and drawdown over 6 months',
    'perf layer1 ytd',
))
def get_index_performance(ctx: ToolContext,
                          indices: NameList, window: Window = "90d", benchmark: Name = "BTC") -> PerformanceResult:
    """Return, volatility, Sharpe, Sortino, drawdown, beta and rank of indices or assets over a window.

    Args:
        indices: catalogue index names or asset symbols, e.g. ["defi", "layer1", "BTC"].
        window: 30d, 90d, 180d, 1y, 3y, ytd, all, or YYYY-MM-DD:YYYY-MM-DD.
        benchmark: index or asset for beta and correlation; "none" to skip.
    """
    return compute_performance(ctx, indices, window, benchmark)
