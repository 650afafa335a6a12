"""`checkup`: the playbook's weekly routine on the user's own holdings, as one page of sections.

Regime and tiers (`tier_allocation`), rebalance (`check_rebalance` under the user's [rebalance]
policy), rotation (`propose_rotation` + an out-of-sample `backtest` sweep), tax (`harvest_losses`
and lots turning long-term soon), risk limits ([limits] through `compute_var`,
`analyze_correlation`, the drawdown) and journal discipline. Each section is the existing tool's
result, computed once on one shared context (one price panel, one holdings view); each carries at
most one suggested action, which is only text: nothing is executed and nothing is written.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Callable

from indexdesk.tools import calendar
from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.params import Day
from indexdesk.tools.registry import tool
from indexdesk.tools.review import checkup_sections as cs
from indexdesk.tools.review.checkup_journal import journal_section
from indexdesk.tools.review.checkup_models import (CheckupResult, JournalSection, RebalanceSection, RegimeSection,
                                                   RiskSection, RotationSection, TaxSection)


def _day(as_of: str | None, first: date | None, last: date | None) -> date | None:
    day = calendar.parse_day(as_of, "as_of")  # the one calendar: a clear error naming the field
    if day is None:
        return None
    if first is not None and day < first:
        raise ToolError(f"as_of {day} is before the first day with prices ({first})", field="as_of",
                        hint="choose a day inside the price history")
    if last is not None and day > last:
        raise ToolError(f"as_of {day} is after the last day with prices ({last})",
                        hint="omit as_of for the latest day", field="as_of")
    return day


def dated_context(ctx: ToolContext, day: date | None) -> ToolContext:
    """The context on the market as it was at the end of `day` (the same source, cut; its own memo)."""
    if day is None:
        return ctx
    market = ctx.market().select(end=day)
    if market.close.dropna(how="all").empty:
        raise ToolError(f"no prices on or before {day}", hint="choose a later as_of", field="as_of")
    return replace(ctx, memo={("market", ctx.settings.source): market})


def shared_inputs(ctx: ToolContext, day: date | None, warnings: list[str]) -> cs.Inputs:
    """One holdings view for every section: the ledger (on the day), else the targets, else the tier template."""
    from indexdesk.tools.limit_checks import user_rules
    from indexdesk.tools.portfolio.holdings import current_holdings
    from indexdesk.tools.strategy import holdings_panel as uv
    from indexdesk.tools.targets import targets

    rules = user_rules(ctx)
    held = current_holdings(ctx, as_of=day) if day is not None else current_holdings(ctx)
    currency = "USD"  # the market's prices; a ledger's own currency when there is one
    if held is not None:
        from indexdesk.tools.portfolio.holdings import ledger_or_none

        warnings.extend(held.notes)
        source = f"ledger ({held.origin})"
        store = ledger_or_none(ctx)
        currency = (store.currency() if store is not None else None) or currency
    else:
        held = uv.holdings(ctx, None, warnings)
        origin = targets(ctx).origin
        source = (f"targets ({origin})" if origin != "built-in defaults"
                  else "tier template (built-in defaults; no ledger, no targets.toml)")
    market_day = ctx.market().as_of
    return cs.Inputs(ctx=ctx, day=market_day or date.today(), held=held, holdings_from=source, rules=rules,
                     warnings=warnings, currency=currency)


def _section(build: Callable, inputs: cs.Inputs, model, title: str):
    """The section, or the tool's own error in its place (one failing tool never hides the others)."""
    try:
        return build(inputs)
    except ToolError as exc:
        return model(title=title, tools=[], status="unavailable", summary=f"not available: {exc.message}",
                     error=exc.message + (f" ({exc.hint})" if exc.hint else ""))


@tool(category="review", examples=(
    "what should I do this week?",
    "anything I need to act on?",
    "weekly checkup of my portfolio",
    "run my routine: regime, rebalance, rotation, tax, limits, journal",
    "am I inside my risk limits and is anything due?",
    "give me my to-do list for the portfolio",
))
def checkup(ctx: ToolContext, as_of: Day | None = None) -> CheckupResult:
    """The weekly routine: regime, rebalance, rotation, tax, risk limits, journal; one action each, nothing run.

    Args:
        as_of: YYYY-MM-DD to run the checkup as of a past day; omitted: the last day with prices.
    """
    warnings: list[str] = []
    market = ctx.market()
    day = _day(as_of, market.close.index[0].date() if len(market.close) else None, market.as_of)
    dated = dated_context(ctx, day)
    inputs = shared_inputs(dated, day, warnings)
    regime = _section(cs.regime_section, inputs, RegimeSection, "Regime and tiers")
    rebalance = _section(cs.rebalance_section, inputs, RebalanceSection, "Rebalance")
    rotation = _section(cs.rotation_section, inputs, RotationSection, "Rotation")
    tax = _section(cs.tax_section, inputs, TaxSection, "Tax")
    risk = _section(cs.risk_section, inputs, RiskSection, "Risk limits")
    journal = _section(journal_section, inputs, JournalSection, "Journal discipline")
    sections = (regime, rebalance, rotation, tax, risk, journal)
    market = dated.market()
    return CheckupResult(as_of=market.as_of, holdings_from=inputs.holdings_from, holdings=len(inputs.held.names),
                         portfolio_value=round(inputs.held.portfolio_value, 2),
                         actions=sum(1 for s in sections if s.action is not None), regime=regime,
                         rebalance=rebalance, rotation=rotation, tax=tax, risk=risk, journal=journal,
                         source=market.label, warnings=list(dict.fromkeys(inputs.warnings)))
