"""The checkup's market and portfolio sections, each from one existing tool's own result.

Every function takes the shared `Inputs` (one context on one market panel, one holdings view,
the user's rules) and returns its section model; the numbers are the tools' numbers, copied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from indexdesk.memory.ledger.holding import HoldingRule
from indexdesk.tools import calendar
from indexdesk.tools.review.checkup_models import (
    LimitCheck,
    LongTermSoon,
    RebalanceSection,
    RegimeSection,
    RiskSection,
    RotationSection,
    SuggestedAction,
    TaxSection,
    TierGap,
    TradeLine,
)
from indexdesk.tools.units import format_value, percent

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.limits import UserRules
    from indexdesk.tools.risk.inputs import Holdings

MIN_TRADE = 0.0005  # trades smaller than 0.05 % of the portfolio are not listed
LONG_TERM_SOON_DAYS = 30
OUT_OF_SAMPLE_GRID = "lookback=30:180:30 tilt=0.05,0.1 cadence=monthly"  # 12 configurations around the playbook's


def _money(value, currency: str, digits: int = 2) -> str:
    """Money in a summary line, with its currency (the ledger's), as every renderer writes it (tools/units.py)."""
    return format_value(value, "currency", currency, digits=digits)


@dataclass
class Inputs:
    ctx: ToolContext
    day: date
    held: Holdings
    holdings_from: str
    rules: UserRules
    warnings: list[str] = field(default_factory=list)
    currency: str = "USD"  # of the ledger's amounts (tax, losses): its own currency when it has one


def action(command: str, tool: str, arguments: dict[str, Any] | None = None, *, writes: bool = False,
           why: str = "") -> SuggestedAction:
    return SuggestedAction(command=command, tool=tool, arguments=json.dumps(arguments or {}, default=str),
                           writes=writes, why=why)


def _flags(arguments: dict[str, Any], positional: str | None = None) -> str:
    parts = [str(arguments[positional])] if positional and positional in arguments else []
    parts += [f"--{k.replace('_', '-')} {v}" for k, v in arguments.items() if k != positional]
    return " ".join(parts)


def _trades(lines, value: float) -> list[TradeLine]:
    return [TradeLine(name=line.name, current=line.current, target=line.target, trade=line.trade,
                      amount=round(line.trade * value, 2)) for line in lines if abs(line.trade) >= MIN_TRADE]


# ------------------------------------------------------------------ regime and tiers

def tiers_now(inputs: Inputs) -> dict[str, float]:
    """The holdings' weight per tier (the targets' tier, else the catalogue's or the asset's); cash the rest."""
    from indexdesk.tools.risk.scenarios import holding_tier
    from indexdesk.tools.targets import targets

    portfolio = targets(inputs.ctx)
    out: dict[str, float] = {}
    for name, weight in zip(inputs.held.names, inputs.held.weights):
        tier = portfolio.tier_of(name) or holding_tier(inputs.ctx, name)
        out[tier] = out.get(tier, 0.0) + float(weight)
    if inputs.held.cash > 1e-9:
        out["cash"] = out.get("cash", 0.0) + float(inputs.held.cash)
    return out


def regime_section(inputs: Inputs) -> RegimeSection:
    from indexdesk.tools.strategy.tools import tier_allocation

    result = tier_allocation(inputs.ctx)
    now = tiers_now(inputs)
    gaps, outside = [], []
    for line in result.tiers:
        current = round(now.get(line.tier, 0.0), 4)
        gaps.append(TierGap(tier=line.tier, current=current, target=line.target, low=line.low, high=line.high,
                            gap=round(current - line.target, 4)))
        if current < line.low - 1e-9 or current > line.high + 1e-9:
            outside.append(line.tier)
    inputs.warnings += result.warnings
    listing = ", ".join(f"{g.tier} {percent(g.current, 0)} (target {percent(g.target, 0)})" for g in gaps)
    summary = f"regime {result.regime}: {listing}"
    if not outside:
        return RegimeSection(title="Regime and tiers", tools=["tier_allocation"], status="ok",
                             summary=summary + "; every tier inside its range", regime=result.regime,
                             btc_volatility_30d=result.btc_volatility_30d, tiers=gaps)
    return RegimeSection(
        title="Regime and tiers", tools=["tier_allocation"], status="act",
        summary=summary + f"; outside the {result.regime} range: {', '.join(outside)}", regime=result.regime,
        btc_volatility_30d=result.btc_volatility_30d, tiers=gaps, outside_range=outside,
        action=action("indexdesk tiers", "tier_allocation",
                      why=f"{', '.join(outside)} outside the {result.regime} regime's range: see the targets and "
                          "move them with `indexdesk portfolio targets` (asks first)"))


# ------------------------------------------------------------------ rebalance

def rebalance_section(inputs: Inputs) -> RebalanceSection:
    from indexdesk.tools.strategy.tools import check_rebalance

    arguments = dict(inputs.rules.rebalance)
    result = check_rebalance(inputs.ctx, weights=inputs.held, **arguments)
    settings = inputs.ctx.settings
    rate = arguments.get("tax_rate", 0.3)
    common = dict(title="Rebalance", tools=["check_rebalance"], policy=result.policy,
                  policy_from=f"{inputs.rules.origin} [rebalance]" if arguments else "check_rebalance defaults "
                  "(set [rebalance] in targets.toml)", fires=result.act, reason=result.reason,
                  turnover=result.turnover, realised_gain=result.realised_gain, estimated_tax=result.estimated_tax,
                  tax_rate=rate, lot_method="tax-aware: losses first, then long-term, lots near long-term last "
                  f"(ledger default {settings.lot_method})",
                  holding_rule=f"long term: {HoldingRule.of(settings.holding_period_days).label}",
                  limit_breaches=result.limit_breaches)
    inputs.warnings += [w for w in result.warnings if w not in inputs.warnings]
    if not result.act:
        return RebalanceSection(status="ok", summary=f"{result.policy}: does not fire ({result.reason})", **common)
    trades = _trades(result.lines, inputs.held.portfolio_value)
    tax = (f"; estimated tax {_money(result.estimated_tax, inputs.currency)} on {_money(result.realised_gain, inputs.currency)} realised"
           if result.estimated_tax is not None else "; no ledger lots sold (no tax estimate)")
    breach = f"; {len(result.limit_breaches)} limit breach(es)" if result.limit_breaches else ""
    return RebalanceSection(
        status="act", summary=f"{result.policy} fires ({result.reason}): {len(trades)} trade(s), turnover "
        f"{percent(result.turnover, 1)}{tax}{breach}", trades=trades,
        action=action(f"indexdesk rebalance {_flags(arguments, 'policy')}".strip(), "check_rebalance", arguments,
                      why="the trades with lot choice and tax; record the fills afterwards (asks first)"), **common)


# ------------------------------------------------------------------ rotation

def rotation_section(inputs: Inputs) -> RotationSection:
    from indexdesk.tools.strategy.backtest_tools import backtest
    from indexdesk.tools.strategy.tools import propose_rotation

    arguments = dict(inputs.rules.rotation)
    proposal = propose_rotation(inputs.ctx, weights=inputs.held, **arguments)
    tested = backtest(inputs.ctx, strategy=proposal.strategy, lookback=proposal.lookback, tilt=proposal.tilt,
                      weights=inputs.held, sweep=OUT_OF_SAMPLE_GRID)
    sweep = tested.sweep
    trades = _trades(proposal.lines, inputs.held.portfolio_value)
    inputs.warnings += [w for w in proposal.warnings if w not in inputs.warnings]
    common = dict(title="Rotation", tools=["propose_rotation", "backtest"], strategy=proposal.strategy,
                  rule_from=f"{inputs.rules.origin} [rotation]" if arguments else "propose_rotation defaults "
                  "(set [rotation] in targets.toml)", trades=trades, turnover=proposal.turnover,
                  estimated_cost_amount=proposal.estimated_cost_amount, backtest=proposal.backtest,
                  in_sample_edge=sweep.in_sample_edge if sweep else None,
                  out_of_sample_edge=sweep.out_of_sample_edge if sweep else None,
                  verdict=sweep.verdict if sweep else "", limit_breaches=proposal.limit_breaches)
    survived = sweep is not None and sweep.out_of_sample_edge is not None and sweep.out_of_sample_edge > 0
    line = f"{proposal.strategy} {proposal.lookback}d: {len(trades)} trade(s), turnover {percent(proposal.turnover, 1)}"
    if not trades:
        return RotationSection(status="ok", summary=line + " (nothing to rotate)", **common)
    if not survived:
        # The verdict itself is its own field (shown under the summary): the summary only says why no action.
        why = "its edge did not hold on the held-back data" if sweep else "it could not be tested out of sample"
        return RotationSection(status="info", summary=f"{line}; no action suggested: {why}", **common)
    breach = f"; would breach {len(proposal.limit_breaches)} limit(s)" if proposal.limit_breaches else ""
    flags = {"strategy": proposal.strategy, "lookback": proposal.lookback, "tilt": proposal.tilt}
    return RotationSection(
        status="act", summary=line + f"; out-of-sample edge {percent(sweep.out_of_sample_edge, 1, signed=True)}/yr{breach}",
        action=action(f"indexdesk rotate {_flags(flags, 'strategy')}", "propose_rotation", flags,
                      why="the proposal with its signals and costs; record the fills afterwards (asks first)"),
        **common)


# ------------------------------------------------------------------ tax

def long_term_soon(inputs: Inputs) -> list[LongTermSoon]:
    """Open lots at a gain that turn long-term within 30 days: selling them now would make the gain short-term."""
    from decimal import Decimal

    from indexdesk.tools.portfolio.holdings import price_on
    from indexdesk.tools.strategy import lots_source

    rule = HoldingRule.of(inputs.ctx.settings.holding_period_days)  # the ledger's one holding rule
    out = []
    for lot in lots_source.open_lots(inputs.ctx, inputs.warnings, as_of=inputs.day):
        turns = rule.first_long_day(lot.acquired)
        left = (turns - inputs.day).days
        if not 0 < left <= LONG_TERM_SOON_DAYS:
            continue
        price, _ = price_on(inputs.ctx, lot.symbol, inputs.day)
        gain = None if price is None else round(float(Decimal(str(price)) * lot.quantity - lot.cost_basis), 2)
        if gain is not None and gain <= 0:
            continue  # a loss is worth the same short or long
        out.append(LongTermSoon(lot_id=str(lot.lot_id), symbol=lot.symbol, quantity=float(lot.quantity),
                                acquired=calendar.day_or_none(lot.acquired), long_term_on=turns, days_left=left, unrealised_gain=gain))
    return sorted(out, key=lambda s: (s.days_left, s.lot_id))


def tax_section(inputs: Inputs) -> TaxSection:
    from indexdesk.tools.strategy.harvest import harvest_losses

    arguments = dict(inputs.rules.tax)
    result = harvest_losses(inputs.ctx, **arguments)
    soon = long_term_soon(inputs)
    inputs.warnings += [w for w in result.warnings if w not in inputs.warnings]
    wait = (f"; wait: {len(soon)} lot(s) at a gain turn long-term within {LONG_TERM_SOON_DAYS} days "
            f"(first {soon[0].symbol} on {soon[0].long_term_on})" if soon else "")
    common = dict(title="Tax", tools=["harvest_losses", "open_lots"], min_loss=result.min_loss,
                  tax_rate=result.tax_rate, harvestable=result.lots, total_loss=result.total_loss,
                  total_tax_saved=result.total_tax_saved, turning_long_term=soon)
    if not result.lots:
        return TaxSection(status="info" if soon else "ok",
                          summary=f"no lot with a loss above {_money(result.min_loss, inputs.currency, 0)}{wait}", **common)
    symbols = ", ".join(dict.fromkeys(line.symbol for line in result.lots))
    flags = {k: v for k, v in arguments.items()}
    return TaxSection(
        status="act", summary=f"{len(result.lots)} lot(s) to harvest ({symbols}): loss {_money(result.total_loss, inputs.currency)}, "
        f"tax saved {_money(result.total_tax_saved, inputs.currency)}{wait}",
        action=action(f"indexdesk harvest {_flags(flags)}".strip(), "harvest_losses", flags,
                      why="the lots, losses and correlated replacements; record the sells afterwards (asks first)"),
        **common)


# ------------------------------------------------------------------ risk limits

LIMIT_ACTIONS = {
    "max_weight": ("indexdesk rebalance threshold", "check_rebalance", "trim the largest holding back to target"),
    "max_var": ("indexdesk var", "compute_var", "see which holdings carry the VaR"),
    "max_drawdown": ("indexdesk stress", "stress_test", "see the holdings' losses in past crises"),
    "max_correlation": ("indexdesk corr", "analyze_correlation", "the pairs that are the same bet twice"),
}


def risk_section(inputs: Inputs) -> RiskSection:
    from indexdesk.tools.limit_checks import read_limits

    limits = inputs.rules.limits
    unset = [n for n in ("max_var", "max_weight", "max_drawdown", "max_correlation") if getattr(limits, n) is None]
    if not limits.any_set:
        return RiskSection(title="Risk limits", tools=[], status="info", not_set=unset,
                           summary="no limits set: add [limits] to targets.toml (max_var, max_weight, max_drawdown, "
                                   "max_correlation; docs/checkup.md)")
    readings = read_limits(inputs.ctx, list(inputs.held.names), list(inputs.held.weights),
                           inputs.held.portfolio_value, limits,
                           shared=inputs.ctx.memo.setdefault(("limit_correlation",), {}))
    checks = [LimitCheck(name=r.name, unit=r.unit, limit=r.limit, value=None if r.value is None else round(r.value, 4),
                         breached=r.breached, detail=r.detail, source=f"{inputs.rules.origin} [limits]")
              for r in readings]
    checks.sort(key=lambda c: (not c.breached, c.name))
    breached = [c for c in checks if c.breached]
    tools = sorted({"compute_var" if c.name == "max_var" else "analyze_correlation" if c.name == "max_correlation"
                    else "metrics.max_drawdown" if c.name == "max_drawdown" else "holdings" for c in checks})

    def shown(c: LimitCheck) -> str:
        fmt = (lambda v: f"{v:.2f}") if c.unit == "ratio" else (lambda v: f"{percent(v, 1)}")
        return f"{c.name} {fmt(c.value) if c.value is not None else 'n/a'} vs {fmt(c.limit)}"

    common = dict(title="Risk limits", tools=tools, limits_from=f"{inputs.rules.origin} [limits]", checks=checks,
                  breaches=len(breached), not_set=unset)
    if not breached:
        return RiskSection(status="ok", summary="within every limit: " + "; ".join(shown(c) for c in checks), **common)
    command, tool, why = LIMIT_ACTIONS[breached[0].name]
    return RiskSection(status="act", summary=f"{len(breached)} breach(es): " + "; ".join(shown(c) for c in breached),
                       action=action(command, tool, why=why), **common)
