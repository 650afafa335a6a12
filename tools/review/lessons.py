"""Lessons of a quarter, derived from its numbers only (no model): the same review gives the same lessons.

Also the number formatting the report shares, so the lessons and the tables read alike.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from indexdesk.tools.units import PERCENT_DIGITS, format_value

if TYPE_CHECKING:
    from indexdesk.tools.review.outcomes import DecisionOutcome, HorizonOutcome
    from indexdesk.tools.review.report import QuarterReview

# The seed article's asymmetric rebalancing band: a 10 % target is rebalanced below 7 % or above 15 %.
BAND_LOW, BAND_HIGH = 0.7, 1.5
RISK_HEAVY = 1.5  # an index whose share of the VaR is this many times its weight is flagged
MIN_DRIFT = 0.02  # weight drift worth mentioning (2 percentage points)
_ACTION_NOUNS = {"rotate": "rotation", "buy": "purchase", "sell": "sale", "rebalance": "rebalance"}
_METRIC_WORDS = {"annual_volatility": "volatility", "max_drawdown": "maximum drawdown", "sharpe_ratio": "Sharpe ratio"}


def pct(value: float | None, signed: bool = True, digits: int | None = None) -> str:
    """A fraction as a percentage through the one formatter (`units.format_value`): the review's text,
    its tables and the CLI's header read the same figure."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return format_value(value, "fraction", digits=digits, signed=signed)


def pp(value: float | None, signed: bool = True) -> str:
    """A difference of returns or weights (a fraction) in percentage points, to 0.1 pp."""
    if value is None or math.isnan(value):
        return "n/a"
    return format_value(value, "fraction_pp", digits=PERCENT_DIGITS, signed=signed)


def money(value: float | None, currency: str | None = "USD") -> str:
    """An amount with its currency, whole units, signed: `+$1,234`, `-€56`; `+1,234` when the currency is
    unknown (an amount a journal entry stated without one)."""
    if value is None or math.isnan(value):
        return "n/a"
    if currency is None:
        return f"{value:+,.0f}" if round(value) != 0 else "0"
    return format_value(value, "currency", currency, digits=0, signed=True)


def metric_text(metric: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric == "sharpe_ratio":
        return f"{value:.2f}"
    return pct(value, signed=metric == "max_drawdown")


def metric_name(metric: str) -> str:
    if metric.startswith("var_1d_"):
        return f"1-day VaR ({metric.removeprefix('var_1d_')}%)"
    return _METRIC_WORDS.get(metric, metric)


def judged_horizon(outcome: DecisionOutcome) -> HorizonOutcome | None:
    """The longest horizon with a verdict."""
    done = [h for h in outcome.horizons if h.hit is not None]
    return max(done, key=lambda h: h.days) if done else None


def _benchmark_lessons(review: QuarterReview) -> list[str]:
    lines = []
    by_name = {b.name: b for b in review.benchmarks}
    market = [b for name, b in by_name.items() if name != "targets, buy-and-hold"]
    versus = "; ".join(f"{b.name} {pct(b.total_return)} ({'beat' if b.excess > 0 else 'lagged'} by {pp(abs(b.excess), signed=False)})"
                       for b in market)
    lines.append(f"The target portfolio returned {pct(review.portfolio_return)}; against {versus}.")
    held = by_name.get("targets, buy-and-hold")
    if held is not None and not math.isnan(held.excess):
        verb = "added" if held.excess > 0 else "cost"
        lines.append(f"Rebalancing to targets every day {verb} {pp(abs(held.excess), signed=False)} against holding the "
                     f"quarter-start weights ({pct(held.total_return)}).")
    return lines


def _coverage_said(line) -> str:
    """An index that was unpriced (held as cash) did not perform: its figure says nothing about the index."""
    coverage = getattr(line, "coverage", None)
    return f" — but the index was not fully priced ({coverage}), so this is not its own performance" if coverage else ""


def _contribution_lessons(review: QuarterReview) -> list[str]:
    ranked = sorted(review.contributions, key=lambda c: c.contribution)
    lines = []
    best, worst = ranked[-1], ranked[0]
    verb = "contributed most" if best.contribution >= 0 else "cost least"
    lines.append(f"{best.name} {verb}: {pp(best.contribution)} from a {pct(best.weight, False, 0)} weight "
                 f"(index {pct(best.total_return)}){_coverage_said(best)}.")
    if worst.name != best.name:
        verb = "cost most" if worst.contribution < 0 else "added least"
        lines.append(f"{worst.name} {verb}: {pp(worst.contribution)} from a {pct(worst.weight, False, 0)} weight "
                     f"(index {pct(worst.total_return)}){_coverage_said(worst)}.")
    for c in review.contributions:
        if not math.isnan(c.var_share) and c.weight > 0 and c.var_share >= RISK_HEAVY * c.weight:
            lines.append(f"{c.name} carried {pct(c.var_share, False, 0)} of the 1-day VaR with a "
                         f"{pct(c.weight, False, 0)} weight: its risk is out of proportion to its size.")
    drifted = max(review.contributions, key=lambda c: abs(c.end_weight_unrebalanced - c.weight))
    drift = drifted.end_weight_unrebalanced - drifted.weight
    if abs(drift) >= MIN_DRIFT:
        outside = not BAND_LOW * drifted.weight <= drifted.end_weight_unrebalanced <= BAND_HIGH * drifted.weight
        band = (f" — outside the {pct(BAND_LOW * drifted.weight, False, 0)}–{pct(BAND_HIGH * drifted.weight, False, 0)} "
                "rebalancing band" if outside else " — still inside its rebalancing band")
        lines.append(f"Left alone, {drifted.name} would have drifted from {pct(drifted.weight, False, 0)} to "
                     f"{pct(drifted.end_weight_unrebalanced, False, 1)}{band}.")
    return lines


def _risk_lessons(review: QuarterReview) -> list[str]:
    breached = [r for r in review.risk if r.within is False]
    met = [metric_name(r.metric) for r in review.risk if r.within]
    lines = []
    for r in breached:
        relation = "below the floor of" if r.metric == "sharpe_ratio" else "beyond the limit of"
        lines.append(f"The {metric_name(r.metric)} of {metric_text(r.metric, r.value)} was {relation} "
                     f"{metric_text(r.metric, r.target)}.")
    if met:
        lines.append("Within targets: " + ", ".join(met) + ".")
    return lines


def decision_sentence(outcome: DecisionOutcome, horizon: HorizonOutcome) -> str:
    noun = _ACTION_NOUNS.get(outcome.action, outcome.action)
    if outcome.out_of and outcome.into:
        move = f"The {noun} from {', '.join(outcome.out_of)} into {', '.join(outcome.into)}"
    else:
        move = f"The {noun} of {', '.join(outcome.into or outcome.out_of)}"
    against = "what was sold" if outcome.out_of and outcome.into else "cash" if outcome.into else "holding on"
    verb = "beat" if horizon.hit else "lagged"
    text = (f"{move} on {outcome.date} {verb} {against} by {pp(abs(horizon.relative_return), signed=False)} "
            f"after {horizon.days} days")
    costs = []
    if horizon.pnl_fraction is not None:
        costs.append(f"{pct(horizon.pnl_fraction, digits=2)} of the portfolio")
    if horizon.pnl_amount is not None:
        costs.append(money(horizon.pnl_amount, outcome.currency))
    return text + (f" ({', '.join(costs)})." if costs else ".")


def _decision_lessons(review: QuarterReview) -> list[str]:
    if not review.decisions:
        return [("No buy, sell, rotate or rebalance decision was journaled this quarter: journal the next ones "
                 "so the review can judge them.")]
    lines = []
    for outcome in review.decisions:
        horizon = judged_horizon(outcome)
        if horizon is not None:
            lines.append(decision_sentence(outcome, horizon))
    for rate in review.hit_rates:
        if rate.assessed:
            pending = f"; {rate.pending} still pending" if rate.pending else ""
            lines.append(f"{rate.hits} of {rate.assessed} decisions were right after {rate.days} days{pending}.")
        elif rate.pending:
            lines.append(f"No decision has a {rate.days}-day outcome yet ({rate.pending} pending).")
    felt = [(o, judged_horizon(o)) for o in review.decisions if o.emotional_state]
    felt = [(o, h) for o, h in felt if h is not None]
    if len(felt) >= 2:
        right = sum(1 for _, h in felt if h.hit)
        feelings = ", ".join(sorted({o.emotional_state for o, _ in felt}))
        lines.append(f"Decisions journaled with a feeling ({feelings}): {right} of {len(felt)} right.")
    return lines


def derive_lessons(review: QuarterReview) -> list[str]:
    return (_benchmark_lessons(review) + _contribution_lessons(review) + _risk_lessons(review)
            + _decision_lessons(review))
