"""Tools `quarterly_review` and `journal_outcomes`, and the report writer the CLI shares with them.

    indexdesk review 2026Q3               -> HOME/reports/2026Q3/review.md + equity/drawdown/allocation.png
    quarterly_review(quarter="last")      -> a compact summary and the report's path
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.params import Window
from indexdesk.tools.registry import tool
from indexdesk.tools.review.journal_context import (
    ExplainedBrief,
    NotAssessed,
    explained_brief,
    not_assessed_brief,
)
from indexdesk.tools.review.outcomes import (
    HORIZONS,
    DecisionOutcome,
    HitRate,
    compute_outcomes,
    decision_entries,
    hit_rate,
)
from indexdesk.tools.review.report import (
    LEDGER_LINE,
    QuarterReview,
    RiskCheck,
    build_review,
)
from indexdesk.tools.units import Count, Fraction, OptionalDays, OptionalFraction
from pydantic import BaseModel, Field

REPORT_FILE = "review.md"
SUMMARY_FILE = "review.json"
PROMPT = Path(__file__).resolve().parents[2] / "prompts" / "quarterly_review.md"
MAX_OUTCOMES_SHOWN = 20


def _round(value: float | None) -> float | None:
    """The figure as computed: rounding it here and again for display (4 digits, then 0.1 %) would print
    -41.6% beside a lesson's -41.7%. Renderers round once, through `units.format_value`."""
    return value if value is None or math.isnan(value) else float(value)


class BenchmarkReturn(BaseModel):
    name: str
    total_return: Fraction
    excess: Fraction = Field(description="portfolio return minus this one")


class ContributionLine(BaseModel):
    name: str
    weight: Fraction
    total_return: Fraction
    contribution: Fraction


class ReviewSummary(BaseModel):
    quarter: str
    first_day: date = Field(description="the quarter's first day, as the report's heading says it")
    start: date = Field(description="base day: the close the first return starts from")
    end: date
    in_progress: bool
    portfolio_return: Fraction = Field(description="static targets rebalanced daily (fraction)")
    benchmarks: list[BenchmarkReturn]
    contributions: list[ContributionLine]
    risk: list[RiskCheck]
    decisions: Count
    hit_rates: list[HitRate]
    not_assessed: NotAssessed = Field(description="journaled decisions without a verdict; each is named in the report")
    explained: list[ExplainedBrief] = Field(default_factory=list, description="best/worst decision, quoted in the report")
    lessons: list[str]
    report_path: str = Field(description="folder with review.md and the PNG charts")
    files: list[str]
    narrated: bool = False
    ledger_return: OptionalFraction = Field(None, description="time-weighted return of the ledger's real holdings "
                                                          "(deposits are not returns); null without a ledger")
    source: str
    as_of: date | None
    price_age_days: OptionalDays = Field(None, description="days from as_of (the prices' last day) to today")
    warnings: list[str]


def report_folder(ctx: ToolContext, quarter_label: str, out_dir: str | Path | None) -> Path:
    folder = Path(out_dir).expanduser() if out_dir else ctx.settings.home / "reports" / quarter_label
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolError(f"cannot create the report folder {folder}: {exc.strerror or exc}",
                        hint="choose another --out folder", field="out") from None
    return folder


def summarize(review: QuarterReview, folder: Path, files: list[Path], narrated: bool = False) -> ReviewSummary:
    return ReviewSummary(
        quarter=review.quarter.label, first_day=review.quarter.first_day, start=review.start, end=review.end, in_progress=review.in_progress,
        portfolio_return=_round(review.portfolio_return),
        benchmarks=[BenchmarkReturn(name=b.name, total_return=_round(b.total_return), excess=_round(b.excess))
                    for b in review.benchmarks],
        contributions=[ContributionLine(name=c.name, weight=_round(c.weight), total_return=_round(c.total_return),
                                        contribution=_round(c.contribution)) for c in review.contributions],
        risk=[r.model_copy(update={"value": _round(r.value), "btc": _round(r.btc)}) for r in review.risk],
        decisions=len(review.decisions), hit_rates=review.hit_rates, lessons=review.lessons,
        not_assessed=not_assessed_brief(review), explained=explained_brief(review),
        report_path=str(folder), files=[p.name for p in files], narrated=narrated,
        ledger_return=next((_round(b.total_return) for b in review.benchmarks if b.name == LEDGER_LINE), None),
        source=review.source, as_of=review.as_of,
        price_age_days=None if review.as_of is None else max(0, (date.today() - review.as_of).days),
        warnings=list(dict.fromkeys(review.warnings)))


def write_report(ctx: ToolContext, quarter: str, out_dir: str | Path | None = None,
                 portfolio_value: float | None = None) -> tuple[ReviewSummary, QuarterReview]:
    """Compute the review and write review.md, review.json and the three charts into its folder."""
    from indexdesk.tools.review.charts import write_charts

    review = build_review(ctx, quarter, portfolio_value)
    folder = report_folder(ctx, review.quarter.label, out_dir)
    charts = write_charts(review, folder)
    files = [folder / REPORT_FILE, folder / SUMMARY_FILE, *charts]
    summary = summarize(review, folder, files)
    _write_texts(review, summary, folder)
    return summary, review


def add_narrative(review: QuarterReview, summary: ReviewSummary, narrative: str) -> ReviewSummary:
    """Put a model's narrative at the top of an already written report."""
    summary = summary.model_copy(update={"narrated": True})
    _write_texts(review, summary, Path(summary.report_path), narrative)
    return summary


def _write_texts(review: QuarterReview, summary: ReviewSummary, folder: Path, narrative: str | None = None) -> None:
    from indexdesk.tools.review.markdown import render_markdown

    (folder / REPORT_FILE).write_text(render_markdown(review, narrative), encoding="utf-8")
    detail = {"summary": summary.model_dump(mode="json"), "narrative": narrative,
              "decisions": [o.model_dump(mode="json") for o in review.decisions],
              "went_well": [q.model_dump(mode="json") for q in review.went_well],
              "went_badly": [q.model_dump(mode="json") for q in review.went_badly],
              "explained": [e.model_dump(mode="json") for e in review.explained],
              "unassessed": [u.model_dump(mode="json") for u in review.unassessed]}
    (folder / SUMMARY_FILE).write_text(json.dumps(_nan_to_null(detail), indent=2, default=str, allow_nan=False),
                                       encoding="utf-8")


def _nan_to_null(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _nan_to_null(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_null(v) for v in value]
    return value


def narrate(model, markdown: str) -> str:
    """The model's narrative of a finished report (prompts/quarterly_review.md); the report is data."""
    prompt = PROMPT.read_text(encoding="utf-8")
    reply = model.invoke([("system", prompt), ("user", "The report, between the markers:\n<<<REPORT\n"
                                               + markdown + "\nREPORT>>>")])
    content = getattr(reply, "content", reply)
    if isinstance(content, list):  # content blocks
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content).strip()


# ---------------------------------------------------------------- tools

@tool(category="review", writes_files=True, examples=(
    'review of last quarter',
    'quarterly report',
    'how did the quarter go',
    'Q2 review of decisions and risk',
))
def quarterly_review(ctx: ToolContext, quarter: Window = "last") -> ReviewSummary:
    """Quarterly review of the portfolio, decisions and risk; writes a report.

    Args:
        quarter: e.g. "2026Q3"; "last" = last complete quarter.
    """
    summary, _ = write_report(ctx, quarter)
    return summary


class OutcomesResult(BaseModel):
    outcomes: list[DecisionOutcome] = Field(description="newest first")
    hit_rates: list[HitRate]
    source: str
    as_of: date | None
    warnings: list[str]


@tool(category="review", examples=(
    'how did my decisions work out',
    'hit rate of my journal calls',
    'were my trades right 90 days later',
    'grade the calls I made',
))
def journal_outcomes(ctx: ToolContext) -> OutcomesResult:
    """How journaled decisions did 30 and 90 days later, with the hit rate."""
    entries = decision_entries(ctx, None, None)
    from indexdesk.tools.review.outcomes import unassessable_note

    outcomes, warnings = compute_outcomes(ctx, entries)
    warnings += [n for n in [unassessable_note(outcomes)] if n]
    if not entries:
        warnings.append("no buy, sell, rotate or rebalance decision is journaled")
    elif len(outcomes) > MAX_OUTCOMES_SHOWN:
        warnings.append(f"{len(outcomes)} decisions: the hit rates cover all, the list shows the latest "
                        f"{MAX_OUTCOMES_SHOWN}; quarterly_review shows a quarter's")
    market = ctx.market()
    return OutcomesResult(outcomes=outcomes[-MAX_OUTCOMES_SHOWN:][::-1],
                          hit_rates=[hit_rate(outcomes, d) for d in HORIZONS],
                          source=market.label, as_of=market.as_of, warnings=warnings)
