"""The quarterly review as Markdown: tables of numbers, the charts, quoted journal entries, lessons.

Journal text is the user's data, never part of the report's own structure: it is always rendered
as a block quote with HTML and image syntax neutralised, so an entry cannot add headings, images
or instructions to the report.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from indexdesk.tools.review.journal_context import render_decision_context
from indexdesk.tools.review.lessons import (
    judged_horizon,
    metric_name,
    metric_text,
    pct,
    pp,
)
from indexdesk.tools.review.lessons import money as amount
from indexdesk.tools.text import md_escape

if TYPE_CHECKING:
    from indexdesk.tools.review.outcomes import DecisionOutcome
    from indexdesk.tools.review.report import JournalQuote, QuarterReview

NARRATIVE_HEADING = "## Narrative"


def quote_block(text: str) -> str:
    """User text as an inert Markdown block quote."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Brackets escaped: no inline link, image or reference definition ([x]: javascript:…) can form, so a
    # link target written in the journal is never live in the report.
    safe = re.sub(r"([\\\[\]])", r"\\\1", safe)  # backslashes too, or "\[" would undo the escape
    return "\n".join("> " + line if line.strip() else ">" for line in safe.splitlines() or [""])


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _performance(review: QuarterReview) -> str:
    rows = [[f"**{review.portfolio_name}**", pct(review.portfolio_return), "—",
             metric_text("annual_volatility", review.risk[0].value), metric_text("max_drawdown", review.risk[1].value),
             metric_text("sharpe_ratio", review.risk[2].value)]]
    rows += [[md_escape(b.name), pct(b.total_return), pp(b.excess), metric_text("annual_volatility", b.annual_volatility),
              metric_text("max_drawdown", b.max_drawdown), metric_text("sharpe_ratio", b.sharpe_ratio)]
             for b in review.benchmarks]
    return _table(["", "return", "portfolio minus it", "volatility", "max drawdown", "Sharpe"], rows)


def _contributions(review: QuarterReview) -> str:
    rows = [[md_escape(c.name), md_escape(c.tier or "—"), pct(c.weight, False, 0), pct(c.total_return), pp(c.contribution),
             pct(c.var_share, False, 0), pct(c.end_weight_unrebalanced, False, 1)]
            for c in sorted(review.contributions, key=lambda c: -c.contribution)]
    total = sum(c.contribution for c in review.contributions)
    rows.append(["**total**", "", "100%", "", f"**{pp(total)}**", "100%", "100%"])
    tiers: dict[str, float] = {}
    for c in review.contributions:
        tiers[c.tier or "other"] = tiers.get(c.tier or "other", 0.0) + c.contribution
    by_tier = ", ".join(f"{name} {pp(value)}" for name, value in tiers.items())
    return (_table(["index", "tier", "target weight", "index return", "contribution", "share of VaR",
                    "weight at end if not rebalanced"], rows)
            + f"\n\nBy tier: {by_tier}. Contributions are linked across days, so they add up to the portfolio return; "
               "with daily rebalancing an index that swung and ended flat can still add (it was bought low, sold high).")


def _decision_rows(outcome: DecisionOutcome) -> list[str]:
    cells = [str(outcome.date), outcome.describe()]
    for days in (30, 90):
        horizon = outcome.at(days)
        if horizon is None or horizon.hit is None:
            cells.append(horizon.status.replace("_", " ") if horizon else "—")
        else:
            cells.append(f"{'✔' if horizon.hit else '✘'} {pp(horizon.relative_return)}")
    judged = judged_horizon(outcome)
    money = []
    if judged and judged.pnl_fraction is not None:
        money.append(pct(judged.pnl_fraction, digits=2))
    if judged and judged.pnl_amount is not None:
        money.append(amount(judged.pnl_amount, outcome.currency))
    cells.append(" / ".join(money) or "—")
    return cells


def _decisions(review: QuarterReview) -> str:
    if not review.decisions:
        return "No buy, sell, rotate or rebalance decision was journaled in the quarter." + _not_assessed(review)
    table = _table(["date", "move", "30 days", "90 days", "P&L (longest horizon)"],
                   [_decision_rows(o) for o in review.decisions])
    rates = "; ".join(
        (f"{r.days} days: {r.hits}/{r.assessed} right ({pct(r.rate, False, 0)})" if r.assessed
         else f"{r.days} days: none assessed yet")
        + (f", {r.unassessable} unassessable (no position understood)" if r.unassessable else "")
        + (f", {r.no_data} without prices" if r.no_data else "") for r in review.hit_rates)
    texts = "\n\n".join(f"**{o.date}** ({o.entry_id}):\n{quote_block(o.text)}" for o in review.decisions)
    return (f"{table}\n\nHit rate — {rates}. A move is right when what it bought beat what it sold "
            f"(cash for a plain buy or sale); P&L = size × that difference.{_not_assessed(review)}"
            f"\n\nAs journaled:\n\n{texts}")


def _not_assessed(review: QuarterReview) -> str:
    from indexdesk.tools.review.journal_context import not_assessed_brief

    brief = not_assessed_brief(review)
    if not brief.count:
        return ""
    return (f"\n\n**Not assessed: {brief.count}** decision{'s' if brief.count != 1 else ''} journaled in the quarter "
            f"({'; '.join(brief.reasons)}); each is named, with its reason, under Journal.")


def _risk(review: QuarterReview) -> str:
    rows = []
    for r in review.risk:
        status = "—" if r.within is None else ("✔ within" if r.within else "✘ breached")
        # A drawdown is negative: the limit is a floor, like the Sharpe ratio's.
        target = ("≥ " if r.metric in ("sharpe_ratio", "max_drawdown") else "≤ ") + metric_text(r.metric, r.target)
        rows.append([metric_name(r.metric), metric_text(r.metric, r.value), target, status, metric_text(r.metric, r.btc)])
    var, cvar = review.var_cvar
    return (_table(["metric", "portfolio", "target", "", "BTC"], rows)
            + f"\n\nRealised over the quarter's daily returns; the CVaR (average loss beyond the VaR) was {pct(cvar, False)} "
              f"against a VaR of {pct(var, False)}. Targets from {review.targets.origin}.")


def _quotes(quotes: list[JournalQuote]) -> str:
    return "\n\n".join(f"**{q.date}** · {q.kind} · {q.why} ({q.entry_id}):\n{quote_block(q.text)}" for q in quotes)


def _journal(review: QuarterReview) -> str:
    if not review.journal_entries:
        return "The journal is empty: nothing to quote."
    parts = ["Retrieved from the journal and quoted as written (the user's words are data, not part of the analysis)."]
    parts.append("### What went well\n\n" + (_quotes(review.went_well) or "No relevant entry found."))
    parts.append("### What went badly\n\n" + (_quotes(review.went_badly) or "No relevant entry found."))
    decisions = render_decision_context(review, quote_block)
    if decisions:
        parts.append(decisions)
    return "\n\n".join(parts)


def render_markdown(review: QuarterReview, narrative: str | None = None) -> str:
    q = review.quarter
    heading = (f"# Quarterly review {q.label}\n\n{q.first_day} – {review.end}"
               + (" (in progress)" if review.in_progress else "")
               + f" · prices: {review.source}, as of {review.as_of} · targets: {review.targets.describe()}")
    sections = [heading]
    from indexdesk.tools.price_provenance import SAMPLE_MARKER

    # The sample-market warning sits under the title, not among the notes at the end.
    sections += [f"> **{w}**" for w in review.warnings if w.startswith(SAMPLE_MARKER)]
    if narrative:
        sections.append(f"{NARRATIVE_HEADING}\n\n{narrative.strip()}")
    sections += [
        "## Lessons\n\n" + "\n".join(f"- {md_escape(line)}" for line in review.lessons),
        "## Performance against benchmarks\n\n" + _performance(review) + "\n\n![equity vs benchmarks](equity.png)",
        "## Contribution by index\n\n" + _contributions(review),
        "## Decisions and outcomes\n\n" + _decisions(review),
        "## Risk against targets\n\n" + _risk(review) + "\n\n![drawdown](drawdown.png)",
        ("## Allocation over the quarter\n\nThe portfolio is rebalanced to its targets; the chart shows how the "
         "weights would have drifted without rebalancing.\n\n![allocation](allocation.png)"),
        "## Journal\n\n" + _journal(review),
    ]
    if review.warnings:
        # Warnings quote the user's data (ledger symbols, venues, notes): escaped, never live Markdown.
        sections.append("## Notes on the data\n\n" + "\n".join(f"- {md_escape(w)}" for w in dict.fromkeys(review.warnings)))
    return "\n\n".join(sections) + "\n"
