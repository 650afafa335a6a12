"""Tools `quarterly_review` and `journal_outcomes`, and the report writer the CLI shares with them.

    indexdesk review 2026Q3               -> HOME/reports/2026Q3/review.md + equity/drawdown/allocation.png
    quarterly_review(quarter="last")      -> a compact summary and the report's path
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field

from tools.context import ToolContext
from tools.errors import ToolError
from tools.registry import tool
from tools.review.outcomes import DecisionOutcome, HitRate, compute_outcomes, decision_entries, hit_rate
from tools.review.report import BenchmarkLine, QuarterReview, RiskCheck, build_review

REPORT_FILE = "review.md"
SUMMARY_FILE = "review.json"
PROMPT = Path(__file__).resolve().parents[2] / "prompts" / "quarterly_review.md"
_DIGITS = 4


def _round(value: float | None) -> float | None:
    return value if value is None or math.isnan(value) else round(float(value), _DIGITS)


class ContributionLine(BaseModel):
    name: str
    weight: float
    total_return: float
    contribution: float


class ReviewSummary(BaseModel):
    quarter: str
    start: date = Field(description="base day: the close the first return starts from")
    end: date
    in_progress: bool
    portfolio_return: float = Field(description="static targets rebalanced daily (fraction)")
    benchmarks: list[BenchmarkLine]
    contributions: list[ContributionLine]
    risk: list[RiskCheck]
    decisions: int
    hit_rates: list[HitRate]
    lessons: list[str]
    report_path: str = Field(description="folder with review.md and the PNG charts")
    files: list[str]
    narrated: bool = False
    source: str
    as_of: date | None
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
        quarter=review.quarter.label, start=review.start, end=review.end, in_progress=review.in_progress,
        portfolio_return=_round(review.portfolio_return),
        benchmarks=[b.model_copy(update={k: _round(v) for k, v in b.model_dump().items() if isinstance(v, float)})
                    for b in review.benchmarks],
        contributions=[ContributionLine(name=c.name, weight=_round(c.weight), total_return=_round(c.total_return),
                                        contribution=_round(c.contribution)) for c in review.contributions],
        risk=[r.model_copy(update={"value": _round(r.value), "btc": _round(r.btc)}) for r in review.risk],
        decisions=len(review.decisions), hit_rates=review.hit_rates, lessons=review.lessons,
        report_path=str(folder), files=[p.name for p in files], narrated=narrated, source=review.source,
        as_of=review.as_of, warnings=list(dict.fromkeys(review.warnings)))


def write_report(ctx: ToolContext, quarter: str, out_dir: str | Path | None = None,
                 portfolio_value: float | None = None,
                 narrator=None) -> tuple[ReviewSummary, QuarterReview]:
    """Compute the review and write review.md, review.json and the charts; `narrator(markdown) -> text` is optional."""
    from tools.review.charts import write_charts
    from tools.review.markdown import render_markdown

    review = build_review(ctx, quarter, portfolio_value)
    folder = report_folder(ctx, review.quarter.label, out_dir)
    charts = write_charts(review, folder)
    markdown = render_markdown(review)
    narrative = narrator(markdown) if narrator is not None else None
    if narrative:
        markdown = render_markdown(review, narrative)
    report = folder / REPORT_FILE
    report.write_text(markdown, encoding="utf-8")
    summary_path = folder / SUMMARY_FILE
    summary = summarize(review, folder, [report, summary_path, *charts], narrated=bool(narrative))
    detail = {"summary": summary.model_dump(mode="json"),
              "decisions": [o.model_dump(mode="json") for o in review.decisions],
              "went_well": [q.model_dump(mode="json") for q in review.went_well],
              "went_badly": [q.model_dump(mode="json") for q in review.went_badly]}
    summary_path.write_text(json.dumps(_nan_to_null(detail), indent=2, default=str, allow_nan=False),
                            encoding="utf-8")
    return summary, review


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

@tool
def quarterly_review(ctx: ToolContext, quarter: str = "last") -> ReviewSummary:
    """Quarterly review: target portfolio vs benchmarks, contributions, decision outcomes, risk vs targets, lessons.

    Args:
        quarter: e.g. "2026Q3" or "Q3 2026"; "last" = the last complete quarter.
    """
    summary, _ = write_report(ctx, quarter)
    return summary


class OutcomesResult(BaseModel):
    outcomes: list[DecisionOutcome]
    hit_rates: list[HitRate]
    source: str
    as_of: date | None
    warnings: list[str]


@tool
def journal_outcomes(ctx: ToolContext, start: str | None = None, end: str | None = None) -> OutcomesResult:
    """How journaled buy/sell/rotate/rebalance decisions turned out 30 and 90 days later, and the hit rate.

    Args:
        start: first day YYYY-MM-DD (default: all).
        end: last day YYYY-MM-DD.
    """
    from tools.journal_tools import parse_day

    first, last = parse_day(start, "start"), parse_day(end, "end")
    if first and last and first > last:
        raise ToolError(f"start {first} is after end {last}", field="start")
    entries = decision_entries(ctx, first, last)
    outcomes, warnings = compute_outcomes(ctx, entries)
    if not entries:
        warnings.append("no buy, sell, rotate or rebalance decision is journaled" + (" in these dates" if start or end else ""))
    market = ctx.market()
    return OutcomesResult(outcomes=outcomes, hit_rates=[hit_rate(outcomes, d) for d in (30, 90)],
                          source=market.label, as_of=market.as_of, warnings=warnings)
