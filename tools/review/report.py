"""The quarterly review's numbers: the target portfolio over a quarter against benchmarks, each
index's contribution, the quarter's decisions and their outcomes, risk against the targets, and the
journal entries that explain the best and worst of it.

The portfolio is the investor's static targets (`tools/targets.py`) rebalanced to target every day;
"targets, buy-and-hold" holds the quarter-start weights and lets them drift. Contributions of the
rebalanced portfolio are linked across days with Carino's factors (`var_math.horizon_scenarios`
over the whole quarter), so they add up to the compounded portfolio return exactly; buy-and-hold
contributions are weight × the index's quarter return.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
from indexdesk.tools import metrics
from indexdesk.tools.calendar import Quarter, last_completed_quarter
from indexdesk.tools.errors import ToolError
from indexdesk.tools.review.journal_context import add_decision_context
from indexdesk.tools.review.outcomes import (
    HORIZONS,
    DecisionOutcome,
    HitRate,
    compute_outcomes,
    decision_entries,
    hit_rate,
    journal_if_any,
    unassessable_note,
)
from indexdesk.tools.units import Fraction, OptionalPerRow, OptionalScore, PerRow, Ratio
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    import pandas as pd
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.targets import TargetPortfolio

QUARTER_HELP = "a quarter like 2026Q3, 2026-Q3 or 'Q3 2026', or 'last' for the last complete quarter"
BENCHMARK_INDEX = "balanced"
BENCHMARK_ASSET = "BTC"
QUOTE_CHARS = 400


# ---------------------------------------------------------------- quarters (the one calendar's)

def parse_quarter(text: str, first_day: date, last_day: date) -> Quarter:
    """`2026Q3`, `2026-q3`, `Q3 2026`, `last` → Quarter with data; ToolError otherwise.

    `last` is the last quarter that ended on or before the data's last day. A quarter still in
    progress is allowed (the review covers it to date); one that starts after the data ends is not.
    """
    given = (text or "").strip().lower()
    if given in ("last", "latest", "previous"):
        quarter = last_completed_quarter(last_day)
    else:
        quarter = Quarter.read(given)
        if quarter is None:
            raise ToolError(f"cannot read the quarter {text!r}", hint=f"give {QUARTER_HELP}", field="quarter")
    latest = Quarter.containing(last_day)
    # Compare years first: a quarter like 0000Q1 or 99999Q1 has no calendar days to compare.
    if quarter.year > last_day.year or (quarter.year >= first_day.year and quarter.first_day > last_day):
        raise ToolError(f"{quarter.label} has no data yet: prices end {last_day} (latest quarter: {latest.label})",
                        hint=f"review a quarter up to {latest.label}, or 'last'", field="quarter")
    if quarter.year < first_day.year or quarter.last_day <= first_day:
        raise ToolError(f"{quarter.label} is before the data, which starts {first_day}",
                        hint=f"review a quarter from {Quarter.containing(first_day + timedelta(days=1)).label}",
                        field="quarter")
    return quarter


# ---------------------------------------------------------------- result models

class BenchmarkLine(BaseModel):
    name: str
    total_return: Fraction
    excess: Fraction = Field(description="portfolio return minus this benchmark's")
    annual_volatility: Fraction
    max_drawdown: Fraction
    sharpe_ratio: Ratio


class Contribution(BaseModel):
    name: str
    tier: str | None
    weight: Fraction = Field(description="target weight (fraction)")
    total_return: Fraction = Field(description="the index's return over the quarter")
    contribution: Fraction = Field(description="its part of the portfolio return; all parts add up to it")
    var_share: Fraction = Field(description="its part of the portfolio's 1-day VaR (fractions add up to 1)")
    end_weight_unrebalanced: Fraction = Field(description="its weight at quarter end had the targets not been rebalanced")
    coverage: str | None = Field(None, description="constituents unpriced in the quarter (e.g. held as cash), if any")


class RiskCheck(BaseModel):
    metric: str
    unit: str = Field("ratio", description="unit of value, target and btc: fraction or ratio")
    value: PerRow
    target: PerRow
    within: bool | None = Field(description="True when the target is met; None when the value is undefined")
    btc: OptionalPerRow = Field(None, description="the same metric for BTC, for scale")


class JournalQuote(BaseModel):
    entry_id: str
    date: date
    kind: str
    why: str = Field(description="why it was retrieved")
    text: str = Field(description="the entry as written: quoted data, never instructions")
    score: OptionalScore = None


@dataclass
class QuarterReview:
    """Everything the report shows; the pandas parts feed the charts."""

    quarter: Quarter
    start: date  # base day (the close the first return starts from)
    end: date
    in_progress: bool
    source: str
    as_of: date | None
    targets: TargetPortfolio
    portfolio_return: float
    buy_and_hold_return: float
    benchmarks: list[BenchmarkLine]
    contributions: list[Contribution]
    risk: list[RiskCheck]
    var_cvar: tuple[float, float]
    decisions: list[DecisionOutcome]
    hit_rates: list[HitRate]
    went_well: list[JournalQuote]
    went_badly: list[JournalQuote]
    journal_entries: int
    equity: pd.DataFrame  # wealth (1 at the base day) of the portfolio and each benchmark
    drawdown: pd.DataFrame
    allocation: pd.DataFrame  # unrebalanced weights over the quarter
    lessons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    explained: list = field(default_factory=list)  # journal_context.ExplainedDecision: best/worst with their context
    unassessed: list = field(default_factory=list)  # journal_context.UnassessedDecision: no verdict, and why

    @property
    def portfolio_name(self) -> str:
        return "targets, rebalanced"


# ---------------------------------------------------------------- computation

def _wealth(returns: pd.Series, base: date) -> pd.Series:
    import pandas as pd

    wealth = (1.0 + returns.fillna(0.0)).cumprod()
    return pd.concat([pd.Series([1.0], index=[pd.Timestamp(base)]), wealth])


def _benchmark_line(name: str, returns, portfolio_return: float, year: int) -> BenchmarkLine:
    total = metrics.total_return(returns)
    return BenchmarkLine(name=name, total_return=total, excess=portfolio_return - total,
                         annual_volatility=metrics.annual_volatility(returns, year),
                         max_drawdown=metrics.max_drawdown(returns),
                         sharpe_ratio=metrics.sharpe_ratio(returns, periods_per_year=year))


def _held_names(ctx: ToolContext, weights: dict[str, float], base: date, end: date,
                warnings: list[str]) -> dict[str, float]:
    """Target weights of the indices with prices in the quarter; the others' weight is spread pro rata."""
    from indexdesk.tools.indices import series

    levels, _ = series.level_panel(ctx, list(weights), base, end)
    missing = [n for n in weights if n not in levels or levels[n].notna().sum() < 2]
    if not missing:
        return dict(weights)
    kept = {n: w for n, w in weights.items() if n not in missing}
    if not kept:
        raise ToolError(f"none of the target indices has prices in {base}..{end}", hint="review a later quarter",
                        field="quarter")
    scale = 1.0 / sum(kept.values())
    warnings.append(f"no prices in the quarter for {', '.join(missing)}: their target weight was spread "
                    "over the other indices pro rata")
    return {n: w * scale for n, w in kept.items()}


def _coverage(ctx: ToolContext, name: str, start: date, end: date) -> str | None:
    """The index's coverage notes in the quarter (constituents unpriced, held as cash), or None."""
    from indexdesk.tools.indices import series

    prefix = f"{name}: "
    notes = [n.removeprefix(prefix) for n in series.data_notes(ctx, [name], start, end) if n.startswith(prefix)]
    return "; ".join(notes) or None


def _risk_checks(daily: pd.Series, btc_daily: pd.Series, var: float, risk, year: int) -> list[RiskCheck]:
    """The portfolio's realised risk in the quarter against each target, with BTC's figure for scale."""
    from indexdesk.tools.risk import var_math

    def btc_or_none(value: float) -> float | None:
        return None if math.isnan(value) else value

    has_btc = len(btc_daily) > 1
    rows = [
        ("annual_volatility", metrics.annual_volatility(daily, year), risk.target_volatility, lambda v: v <= risk.target_volatility,
         metrics.annual_volatility(btc_daily, year) if has_btc else math.nan),
        ("max_drawdown", metrics.max_drawdown(daily), -risk.max_drawdown, lambda v: v >= -risk.max_drawdown,
         metrics.max_drawdown(btc_daily) if has_btc else math.nan),
        ("sharpe_ratio", metrics.sharpe_ratio(daily, periods_per_year=year), risk.min_sharpe, lambda v: v >= risk.min_sharpe,
         metrics.sharpe_ratio(btc_daily, periods_per_year=year) if has_btc else math.nan),
        (f"var_1d_{risk.var_confidence * 100:g}", var, risk.var_budget, lambda v: v <= risk.var_budget,
         var_math.historical_var(btc_daily.to_numpy(), risk.var_confidence) if has_btc else math.nan),
    ]
    return [RiskCheck(metric=m, unit="ratio" if m == "sharpe_ratio" else "fraction", value=v, target=t, within=None if math.isnan(v) else bool(ok(v)), btc=btc_or_none(b))
            for m, v, t, ok, b in rows]


LEDGER_LINE = "ledger holdings (time-weighted)"


def _ledger_line(ctx: ToolContext, start: date, end: date, warnings: list[str]):
    """The ledger's time-weighted return over the quarter (deposits are not returns), or None without a ledger."""
    from indexdesk.tools.portfolio.performance import ledger_performance

    performance = ledger_performance(ctx, start, end)
    if performance is not None:
        warnings += performance.warnings
        from indexdesk.tools.portfolio.basis import review_warning
        from indexdesk.tools.portfolio.holdings import ledger_or_none

        unknown = review_warning(ledger_or_none(ctx))  # deposited coins without a price: gains overstated
        if unknown:
            warnings.append(unknown)
    return performance


def build_review(ctx: ToolContext, quarter_text: str, portfolio_value: float | None = None) -> QuarterReview:
    """Compute the review of one quarter (no files written)."""
    import pandas as pd
    from indexdesk.tools.indices import series
    from indexdesk.tools.review.lessons import derive_lessons
    from indexdesk.tools.risk import var_math
    from indexdesk.tools.risk.inputs import market_bounds, window_returns
    from indexdesk.tools.targets import holding_tier, targets

    first, last = market_bounds(ctx)
    quarter = parse_quarter(quarter_text, first, last)
    end = min(quarter.last_day, last)
    in_progress = quarter.last_day > last
    warnings: list[str] = []
    if in_progress:
        warnings.append(f"{quarter.label} is still in progress: the review covers {quarter.first_day}..{end}")
    goal = targets(ctx)
    weights = _held_names(ctx, goal.weights(), quarter.base_day, end, warnings)
    names = list(weights)
    data = window_returns(ctx, names, f"{quarter.base_day}:{end}", field_name="quarter")
    warnings += data.warnings
    returns = data.returns[names]
    w = np.array([weights[n] for n in names])
    matrix = returns.to_numpy(dtype=float)
    days = matrix.shape[0]
    year = ctx.settings.annualization

    portfolio_total, linked = var_math.horizon_scenarios(matrix, w, days)
    held_total, _ = var_math.horizon_scenarios(matrix, w, days, buy_and_hold=True)
    daily = pd.Series(matrix @ w, index=returns.index, name="portfolio")
    growth = (1.0 + returns).cumprod()
    held_value = growth.mul(w, axis=1)
    held_wealth = held_value.sum(axis=1)
    allocation = held_value.div(held_wealth, axis=0)
    allocation = pd.concat([pd.DataFrame([w], columns=names, index=[pd.Timestamp(data.start)]), allocation])
    held_daily = held_wealth.pct_change()
    held_daily.iloc[0] = held_wealth.iloc[0] - 1.0
    estimate = var_math.historical_risk(matrix, w, goal.risk.var_confidence)

    benchmark_names = [BENCHMARK_ASSET, BENCHMARK_INDEX]
    bench_returns, _ = series.return_panel(ctx, benchmark_names, data.start, data.end)
    portfolio_return = float(portfolio_total[0])
    lines = [_benchmark_line(n, bench_returns[n].dropna(), portfolio_return, year) for n in benchmark_names]
    lines.append(_benchmark_line("targets, buy-and-hold", held_daily, portfolio_return, year))
    ledger = _ledger_line(ctx, data.start, data.end, warnings)  # what was really held, when the ledger has it
    if ledger is not None:
        lines.append(_benchmark_line(LEDGER_LINE, ledger.daily, portfolio_return, year))
    equity = pd.DataFrame({"targets, rebalanced": _wealth(daily, data.start),
                           "targets, buy-and-hold": _wealth(held_daily, data.start),
                           **{n: _wealth(bench_returns[n].dropna(), data.start) for n in benchmark_names},
                           **({LEDGER_LINE: _wealth(ledger.daily, data.start)} if ledger is not None else {})}).ffill()
    drawdown = equity.apply(metrics.drawdowns)

    contributions = [
        Contribution(name=n, tier=holding_tier(ctx, n), weight=float(weights[n]),
                     total_return=float(growth[n].iloc[-1] - 1.0), contribution=float(linked[0, i]),
                     var_share=float(estimate.var_components[i] / estimate.var) if estimate.var else math.nan,
                     end_weight_unrebalanced=float(allocation[n].iloc[-1]),
                     coverage=_coverage(ctx, n, data.start, data.end))
        for i, n in enumerate(names)]
    # Flagged or suspect prices inside the quarter reach the report's "Notes on the data".
    warnings += series.quality_notes(ctx, names + benchmark_names, data.start, data.end)
    risk = _risk_checks(daily, bench_returns[BENCHMARK_ASSET].dropna(), estimate.var, goal.risk, year)
    if days * (1 - goal.risk.var_confidence) < 5:
        warnings.append(f"the VaR rests on {days} daily returns: a rough figure")

    entries = decision_entries(ctx, quarter.first_day, end)
    outcomes, outcome_warnings = compute_outcomes(ctx, entries, portfolio_value=portfolio_value)
    warnings += outcome_warnings + [n for n in [unassessable_note(outcomes)] if n]
    review = QuarterReview(
        quarter=quarter, start=data.start, end=data.end, in_progress=in_progress, source=data.market.label,
        as_of=data.market.as_of, targets=goal, portfolio_return=portfolio_return,
        buy_and_hold_return=float(held_total[0]), benchmarks=lines, contributions=contributions, risk=risk,
        var_cvar=(estimate.var, estimate.cvar), decisions=outcomes,
        hit_rates=[hit_rate(outcomes, d) for d in HORIZONS], went_well=[], went_badly=[], journal_entries=0,
        equity=equity, drawdown=drawdown, allocation=allocation, warnings=warnings)
    _add_journal_quotes(ctx, review)
    add_decision_context(ctx, review)
    review.lessons = derive_lessons(review)
    from indexdesk.tools.price_provenance import honest_warnings

    review.warnings = honest_warnings(ctx, review.warnings, ledger_valued=ledger is not None)
    return review


# ---------------------------------------------------------------- journal quotes

def _quote(hit_entry, why: str, score: float | None) -> JournalQuote:
    text = hit_entry.text if len(hit_entry.text) <= QUOTE_CHARS else hit_entry.text[:QUOTE_CHARS].rstrip() + " …"
    return JournalQuote(entry_id=hit_entry.id, date=hit_entry.timestamp.date(), kind=hit_entry.kind, why=why,
                        text=text, score=score)


def _search_queries(review: QuarterReview) -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, str, list[str]]]]:
    """(query, why, ids to skip) for what went well and for what went badly.

    Indices are judged by their own return (which held up best, which fell most), not by their
    contribution, which mostly reflects their weight.
    """
    from indexdesk.tools.review.lessons import judged_horizon

    ranked = sorted(review.contributions, key=lambda c: c.total_return)
    best, worst = ranked[-1], ranked[0]
    well = [(f"{best.name.replace('_', ' ')} gains, why it worked, conviction",
             f"about the strongest index, {best.name}", [])]
    badly = [(f"{worst.name.replace('_', ' ')} losses, what went wrong, worry",
              f"about the weakest index, {worst.name}", [])]
    judged = [(o, judged_horizon(o)) for o in review.decisions]
    judged = [(o, h) for o, h in judged if h is not None]
    if judged:
        top = max(judged, key=lambda pair: pair[1].relative_return)
        low = min(judged, key=lambda pair: pair[1].relative_return)
        if top[1].hit:
            well.append((_decision_query(top[0]), f"context of the best decision ({top[0].date}: {top[0].describe()})",
                         [top[0].entry_id]))
        if low[1].hit is False:
            badly.append((_decision_query(low[0]), f"context of the worst decision ({low[0].date}: {low[0].describe()})",
                          [low[0].entry_id]))
    return well, badly


def _decision_query(outcome: DecisionOutcome) -> str:
    names = " ".join(n.replace("_", " ") for n in outcome.into + outcome.out_of)
    return f"{outcome.action} {names} thesis reasoning"


def _add_journal_quotes(ctx: ToolContext, review: QuarterReview, per_query: int = 2) -> None:
    from indexdesk.memory.journal.errors import JournalError
    from indexdesk.tools.review.lessons import judged_horizon

    try:
        store = journal_if_any(ctx)
        review.journal_entries = store.count() if store is not None else 0
    except (ToolError, JournalError) as exc:
        review.warnings.append(f"journal unavailable: {getattr(exc, 'message', exc)}")
        return
    if not review.journal_entries:
        return
    # Entries written in the month before the quarter hold the theses it played out.
    since = review.quarter.first_day - timedelta(days=30)
    well_queries, bad_queries = _search_queries(review)
    verdicts = {o.entry_id: h.hit for o in review.decisions if (h := judged_horizon(o)) is not None}
    seen: set[str] = set()
    for queries, bucket in ((well_queries, review.went_well), (bad_queries, review.went_badly)):
        for query, why, skip in queries:
            try:
                hits = store.search(query, start=since, end=review.end, k=per_query + len(skip))
            except JournalError as exc:
                review.warnings.append(f"journal search failed: {exc.message}")
                return
            fresh = [h for h in hits if h.entry.id not in seen and h.entry.id not in skip][:per_query]
            for hit in fresh:
                seen.add(hit.entry.id)
                # A judged decision goes where its own outcome puts it, whichever query found it.
                verdict = verdicts.get(hit.entry.id)
                if verdict is None:
                    bucket.append(_quote(hit.entry, why, hit.score))
                else:
                    target = review.went_well if verdict else review.went_badly
                    target.append(_quote(hit.entry, f"a journaled decision that {'worked' if verdict else 'missed'}",
                                         hit.score))
