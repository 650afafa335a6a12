"""Strategy tools for today: `propose_rotation`, `tier_allocation`, `check_rebalance`.

Each proposal is also backtested over the holdings' history, so the answer says what the same
rule would have done against holding the static targets.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import numpy as np
from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.limit_checks import proposal_flags
from indexdesk.tools.params import NameList
from indexdesk.tools.price_provenance import honest_warnings
from indexdesk.tools.registry import tool
from indexdesk.tools.risk.inputs import WeightList, read_fraction
from indexdesk.tools.strategy import backtest_math as bm
from indexdesk.tools.strategy import holdings_panel as uv
from indexdesk.tools.strategy import rules_math as rm
from indexdesk.tools.targets import holding_targets
from indexdesk.tools.strategy import runs
from indexdesk.tools.strategy.models import (
    LotSaleLine,
    RebalanceResult,
    RotationResult,
    TierLine,
    TierResult,
    WeightLine,
)
from indexdesk.tools.strategy.words import CADENCE_WORDS, POLICY_WORDS, STRATEGY_WORDS
from indexdesk.tools.units import percent
from pydantic import Field

RULES = rm.RULES
POLICIES = bm.POLICIES
Name = Annotated[str, Field(max_length=40)]
PairNames = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=2)]
DIGITS = 4


def _r(value: float, digits: int = DIGITS) -> float:
    value = float(value)
    return round(value, digits) if np.isfinite(value) else value


def _cost(cost_bps: float) -> float:
    if not (np.isfinite(cost_bps) and 0 <= cost_bps <= 500):
        raise ToolError(f"cost_bps must be 0 to 500 basis points, got {cost_bps}", field="cost_bps")
    return float(cost_bps)


def _signals(universe: uv.Universe, rule: str, lookback: int, pair: tuple[int, int]) -> list[tuple[float | None, str]]:
    """(signal, note) per holding on the last day: the numbers the rule decided on (the rule says them)."""
    return rm.explain(rule, universe.prices.to_numpy(dtype=float), rm.RuleParams(lookback, 0.0, pair),
                      list(universe.names), list(universe.tiers))


def _lines(universe: uv.Universe, target: np.ndarray, signals=None) -> list[WeightLine]:
    lines = []
    for i, name in enumerate(universe.names):
        signal, note = signals[i] if signals else (None, "")
        lines.append(WeightLine(name=name, tier=universe.tiers[i], current=_r(universe.base[i]),
                                target=_r(target[i]), trade=_r(target[i] - universe.base[i]),
                                signal=None if signal is None else _r(signal), note=note))
    return lines


def _with_candidates(ctx: ToolContext, held: uv.Holdings, candidates, warnings: list[str]) -> uv.Holdings:
    """The holdings plus the candidates the user allows the rule to rotate into (at weight 0)."""
    from dataclasses import replace

    from indexdesk.tools.indices.series import resolve_names

    if not candidates:
        return held
    extra = [n for n in resolve_names(ctx, list(candidates)) if n not in held.names]
    if extra:
        warnings.append(f"candidates (not held, weight 0): {', '.join(extra)}")
    return replace(held, names=held.names + tuple(extra), weights=held.weights + (0.0,) * len(extra))


@tool(category="strategy", examples=(
    'rotate momentum',
    'rotate by mean reversion',
    'which index should I rotate into',
    'rotation proposal for my satellites',
    'switch to the strongest indices',
), synonyms={"strategy": STRATEGY_WORDS})
def propose_rotation(ctx: ToolContext, strategy: Name = "momentum", lookback: int = 90, tilt: float = 0.05,
                     weights: WeightList | None = None, pair: PairNames | None = None,
                     cost_bps: float = 15.0, candidates: NameList | None = None) -> RotationResult:
    """Rotation proposal for today with trades, costs and a backtest of the same rule.

    Args:
        strategy: momentum, mean_reversion, blended or pair.
        lookback: days ranked, 5-730.
        tilt: weight moved per index, 0-0.10.
        weights: holdings; omitted: ledger, else tier template.
        pair: the pair rule's two holdings (default defi, layer1).
        cost_bps: fees + slippage, bps.
        candidates: coins or indices not held that may be rotated into.
    """
    warnings: list[str] = []
    rule = uv.read_choice("strategy", strategy, RULES, "strategy")
    lookback = uv.read_lookback(lookback)
    from indexdesk.tools.targets import describe_ranges, tier_ranges

    tilt = uv.read_tilt(tilt, warnings, tier_ranges(ctx))
    cost = _cost(cost_bps)
    held = _with_candidates(ctx, uv.holdings(ctx, weights, warnings), candidates, warnings)
    universe = uv.load(ctx, held, warnings, lookback=lookback)
    if len(universe.names) < 2:
        raise ToolError("a rotation needs at least two holdings", hint="add indices to the weights", field="weights")
    pair_pos = uv.pair_positions(ctx, universe, pair) if rule == "pair" else (0, 1)
    dates = universe.prices.index
    days = np.union1d(bm.decision_days(dates, "monthly"), [len(dates) - 1])
    rows, limited = runs.rule_targets(universe, rule, days, lookback, tilt, pair_pos)
    target = rows[-1]
    if limited[-1]:
        warnings.append(f"tier ranges ({describe_ranges(universe.ranges)}) limited the tilt")
    turnover = float(np.abs(target - universe.base).sum())
    lines = _lines(universe, target, _signals(universe, rule, lookback, pair_pos))
    run = runs.backtest(universe, rule, lookback, tilt, bm.Policy("calendar", "monthly"), cost, lookback, pair_pos)
    return RotationResult(
        strategy=rule, lookback=lookback, tilt=tilt, origin=universe.origin,
        lines=lines, residual=round(sum(line.trade for line in lines), DIGITS + 2), turnover=_r(turnover), estimated_cost=_r(turnover * cost / 1e4, 6),
        estimated_cost_amount=round(turnover * cost / 1e4 * universe.portfolio_value, 2),
        backtest=runs.summary_line(run, rule), source=universe.source, as_of=universe.as_of,
        limit_breaches=proposal_flags(ctx, universe.names, target, universe.portfolio_value),
        warnings=honest_warnings(ctx, universe.warnings, ledger_valued=universe.origin.startswith("ledger")))


# ------------------------------------------------------------------ tier_allocation

REGIME_RULE = ("bull: BTC above its 200-day average and 30-day volatility below 80 %; bear: BTC below its "
               "200-day average; otherwise neutral (the targets' own tiers)")
REGIME_TIERS = {"bull": {"core": 0.50, "satellite": 0.35, "speculative": 0.15},
                "bear": {"core": 0.75, "satellite": 0.20, "speculative": 0.05}}
# Ranges per regime: bear holds 70-80 % in core; bull and neutral keep the targets' own ranges
# (targets.toml [tier_ranges], the playbook's by default, where satellite + speculative reach 50 %).
REGIME_RANGES = {"bear": {"core": (0.70, 0.80), "satellite": (0.15, 0.25), "speculative": (0.00, 0.10)}}


def regime_of(price: float, average: float, volatility: float, threshold: float = 0.80) -> str:
    """The regime rule on one day's numbers (the same rule as `rules_math.regimes` over history)."""
    return str(rm.regime_labels(price, average, volatility, threshold)[0])


def regime_targets(universe: uv.Universe, labels: np.ndarray) -> np.ndarray:
    """Target rows: each tier of the holdings scaled to the regime's tier total (neutral: as held)."""
    names = list(dict.fromkeys(universe.tiers))
    ids = np.array([names.index(t) for t in universe.tiers])
    held = np.array([universe.base[ids == j].sum() for j in range(len(names))])
    risky = [j for j, t in enumerate(names) if t in REGIME_TIERS["bull"]]
    room = held[risky].sum()
    rows = np.tile(held, (len(labels), 1))
    for k, label in enumerate(labels):
        if label in REGIME_TIERS:
            wanted = np.array([REGIME_TIERS[label][names[j]] for j in risky])
            rows[k, risky] = wanted / wanted.sum() * room
    return rm.scale_tiers(universe.base, ids, rows)


def regime_backtest(ctx: ToolContext, warnings: list[str]) -> str:
    """One line: the regime-switching tiers (decided monthly) against the static targets, on the tier template."""
    from indexdesk.tools.targets import targets

    template = targets(ctx).weights()
    held = uv.Holdings(tuple(template), tuple(template.values()), 100000.0, uv.TEMPLATE_ORIGIN)
    universe = uv.load(ctx, held, warnings)
    dates = universe.prices.index
    btc = ctx.market().close["BTC"].reindex(dates).ffill().to_numpy(dtype=float)
    volatility = uv.btc_volatility(ctx, dates).to_numpy(dtype=float)
    days = bm.decision_days(dates, "monthly")
    rows = regime_targets(universe, rm.regimes(btc, volatility, days))
    window = universe.prices.to_numpy(dtype=float)
    switching = bm.simulate(window, days, rows, 15.0)
    static = bm.simulate(window, days, universe.base, 15.0)
    mine, theirs = runs.ev.equity_stats(switching.returns), runs.ev.equity_stats(static.returns)
    from indexdesk.tools.indices.series import quality_notes

    # Flagged early history (a thin market, a free walk) inside the backtest moves its figures: said with them.
    warnings += [f"backtest: {n}" for n in quality_notes(ctx, list(template), dates[0].date(), dates[-1].date())]
    return (f"regime tiers {dates[0].date()}..{dates[-1].date()}: {percent(mine.annual_return, 1, signed=True)}/yr (max DD "
            f"{percent(mine.max_drawdown, 0)}) vs static targets {percent(theirs.annual_return, 1, signed=True)}/yr (max DD {percent(theirs.max_drawdown, 0)})")


@tool(category="strategy", examples=(
    'core satellite speculative split',
    'allocation by tier',
    'how are my tiers weighted',
    'tier allocation for a cautious profile',
))
def tier_allocation(ctx: ToolContext, stablecoin_sleeve: float = 0.0) -> TierResult:
    """Market regime from BTC's trend and volatility, and the core/satellite/speculative targets for it.

    Args:
        stablecoin_sleeve: share of core held as stablecoin yield in a bear regime, 0-0.5.
    """
    from indexdesk.tools.targets import targets

    warnings: list[str] = []
    sleeve = read_fraction(stablecoin_sleeve, "stablecoin_sleeve", "stablecoin_sleeve", warnings, high=1.0)
    if sleeve > 0.5:
        raise ToolError(f"stablecoin_sleeve must be at most 0.5 (half of core), got {stablecoin_sleeve}",
                        hint="e.g. 0.2 keeps a fifth of core in stablecoin yield", field="stablecoin_sleeve")
    close = ctx.market().close
    if "BTC" not in close.columns or close["BTC"].dropna().size < 200:
        raise ToolError("the regime rule needs 200 days of BTC prices", hint="choose a source with BTC history")
    btc = close["BTC"].dropna()
    average = float(btc.iloc[-200:].mean())
    volatility = float(uv.btc_volatility(ctx, btc.index).iloc[-1])
    price = float(btc.iloc[-1])
    regime = regime_of(price, average, volatility)
    if btc.index[-1] < close.index[-1]:
        warnings.append(f"BTC's last price is from {btc.index[-1].date()}")
    current = {t.name: t.weight / 100 for t in targets(ctx).tiers}
    chosen = dict(REGIME_TIERS.get(regime, current))
    if "cash" in current and regime in REGIME_TIERS:
        chosen = {k: v * (1 - current["cash"]) for k, v in chosen.items()} | {"cash": current["cash"]}
    if sleeve and regime != "bear":
        warnings.append(f"stablecoin sleeve applies in a bear regime only; the regime is {regime}")
    applied = sleeve if regime == "bear" else 0.0
    from indexdesk.tools.targets import tier_ranges

    ranges = REGIME_RANGES.get(regime) or tier_ranges(ctx)
    lines = [TierLine(tier=name, target=_r(weight * (1 - applied) if name == "core" else weight),
                      low=ranges.get(name, (weight, weight))[0], high=ranges.get(name, (weight, weight))[1])
             for name, weight in chosen.items()]
    if applied:
        lines.append(TierLine(tier="stablecoin_yield", target=_r(chosen["core"] * applied), low=0.0, high=_r(0.5 * chosen["core"])))
    if regime == "bull":
        warnings.append("bull: satellite + speculative up to 50 % (the playbook's ceiling)")
    backtest_warnings: list[str] = []
    backtest = regime_backtest(ctx, backtest_warnings)
    warnings += [w for w in backtest_warnings if "only 1 of" in w or "no constituent" in w or w.startswith("backtest: ")]
    return TierResult(regime=regime, rule=REGIME_RULE, backtest=backtest, btc_price=_r(price, 2), btc_200d_average=_r(average, 2),
                      btc_volatility_30d=_r(volatility), tiers=lines, stablecoin_sleeve=_r(applied),
                      source=ctx.market().label, as_of=ctx.market().as_of, warnings=warnings)


# ------------------------------------------------------------------ check_rebalance

def _with_targets(ctx: ToolContext, held: uv.Holdings, wanted: dict[str, float], warnings: list[str]) -> uv.Universe:
    """The holdings plus the targets not held (at weight 0, to be bought), priced together.

    A target the source cannot price is left out, and said so (its weight stays in cash)."""
    from dataclasses import replace

    if not any(n in wanted for n in held.names):
        raise ToolError(f"none of the holdings ({', '.join(held.names[:8])}) is in the targets "
                        f"({', '.join(wanted)}): nothing to rebalance towards",
                        hint="set targets with what you hold, coins or indices alike, e.g. `indexdesk portfolio "
                             "targets set BTC=0.35,ETH=0.2,SOL=0.1,defi=0.15,...`, or pass weights of target holdings",
                        field="weights")
    missing = [n for n in wanted if n not in held.names]
    if missing:
        grown = replace(held, names=held.names + tuple(missing), weights=held.weights + (0.0,) * len(missing))
        try:
            universe = uv.load(ctx, grown, list(warnings))
        except ToolError as error:
            warnings.append(f"targets not held and not priced here ({', '.join(missing)}: {error.message}): left "
                            "out; their target weight stays in cash")
        else:
            warnings[:] = universe.warnings
            warnings.append(f"targets not held (bought at their target): {', '.join(missing)}")
            return universe
    return uv.load(ctx, held, warnings)


def _targets_for(universe: uv.Universe, wanted: dict[str, float], warnings: list[str]) -> np.ndarray:
    """The investor's target weight of each holding (0 for holdings outside the targets)."""
    outside = [n for n in universe.names if n not in wanted]
    if outside:
        warnings.append(f"not in the targets (target 0): {', '.join(outside)}")
    return np.array([wanted.get(n, 0.0) for n in universe.names])


def _cash_line(universe: uv.Universe, target: np.ndarray, trade: np.ndarray, outside: list[str]) -> WeightLine:
    """Where the money goes: the cash the trades leave (or need), so that every trade has its other side."""
    now = 1.0 - float(universe.base.sum())
    flow = -float(trade.sum())
    sold = [n for n, t, w in zip(universe.names, trade, target) if t < 0 and w == 0]
    if flow > 1e-9:
        note = "proceeds not reinvested stay in cash"
    elif flow < -1e-9:
        note = "buys paid from cash"
    else:
        note = "the sells pay for the buys"
    if sold:
        note = f"sells of {', '.join(sold)} (outside the targets) fund the targets; " + note
    elif outside:
        note = f"{', '.join(outside)} (outside the targets) held; " + note
    return WeightLine(name="cash", tier="cash", current=_r(now), target=_r(now + flow), trade=_r(flow), note=note)


def _decide(policy: bm.Policy, current: np.ndarray, target: np.ndarray, today_is_period_start: bool,
            volatility: float | None, vol_threshold: float) -> tuple[bool, str]:
    if policy.kind == "calendar":
        return today_is_period_start, ("today starts a new period" if today_is_period_start
                                       else f"not the first day of a {policy.cadence[:-2] or 'day'} period")
    if policy.kind == "volatility_trigger":
        hot = volatility is not None and volatility > vol_threshold
        return hot, f"BTC 30-day volatility {percent(volatility, 0)} {'above' if hot else 'below'} {percent(vol_threshold, 0)}"
    breached = bm.breaches(current[None, :], target, policy)[0]
    if policy.kind == "threshold":
        return bool(breached), f"a weight {'is' if breached else 'is not'} more than {percent(policy.band, 0)} off its target"
    return bool(breached), (f"a weight {'is' if breached else 'is not'} below target×{1 - policy.lower:g} "
                            f"or above target×{1 + policy.upper:g}")


def _tax_aware_sells(ctx: ToolContext, universe: uv.Universe, trade: np.ndarray, tax_rate: float,
                     warnings: list[str]) -> tuple[list[LotSaleLine], float | None, float | None]:
    from indexdesk.tools.strategy import lots_source, tax_math

    last = universe.prices.iloc[-1]  # asset closes and index levels (NAV), as the ledger prices lots
    today = universe.prices.index[-1].date()
    lots = lots_source.open_lots(ctx, warnings, as_of=today)  # the lots held on the day they are priced
    if not lots:
        return [], None, None
    sales = []
    for i, name in enumerate(universe.names):
        if trade[i] >= 0:
            continue
        mine = [lot for lot in lots if lot.symbol == name]
        if not mine:
            continue
        price = Decimal(str(float(last[name])))
        units = Decimal(str(-trade[i] * universe.portfolio_value)) / price
        sales += tax_math.choose_lots(mine, units, price, today, holding_days=ctx.settings.holding_period_days)
    if not sales:
        return [], None, None
    gain = sum((s.gain for s in sales), Decimal(0))
    tax = tax_math.estimated_tax(sales, tax_rate, tax_rate)
    lines = [LotSaleLine(lot_id=s.lot_id, symbol=s.symbol, quantity=float(s.quantity), gain=round(float(s.gain), 2),
                         long_term=s.long_term, reason=s.reason) for s in sales[:12]]
    return lines, round(float(gain), 2), round(float(tax), 2)


@tool(category="strategy", examples=(
    'do I need to rebalance',
    'drift from my targets',
    'rebalance trades to get back on target',
    'am I off target',
), synonyms={"policy": POLICY_WORDS, "cadence": CADENCE_WORDS})
def check_rebalance(ctx: ToolContext, policy: Name = "threshold", band: float = 0.2, lower: float = 0.3,
                    upper: float = 0.5, vol_threshold: float = 0.8, cadence: Name = "monthly",
                    weights: WeightList | None = None, tax_rate: float = 0.3) -> RebalanceResult:
    """Whether to rebalance today, the trades and, with ledger lots, tax-aware sells.

    Args:
        policy: calendar, threshold, asymmetric_bands or volatility_trigger.
        band: threshold: relative deviation allowed (0.2: 10 % may run 8-12 %).
        lower: asymmetric: room below target (0.3: 10 % acts below 7 %).
        upper: asymmetric: room above target (0.5: 10 % acts above 15 %).
        vol_threshold: BTC 30-day volatility trigger.
        cadence: calendar: weekly, monthly or quarterly.
        weights: holdings; omitted: ledger, else tier template.
        tax_rate: rate on realised gains.
    """
    warnings: list[str] = []
    kind = uv.read_choice("policy", policy, POLICIES, "policy")
    period = uv.read_choice("cadence", cadence, ("weekly", "monthly", "quarterly"), "cadence")
    band_ = read_fraction(band, "band", "band", warnings, high=1.0)
    lower_ = read_fraction(lower, "lower", "lower", warnings, high=1.0)
    upper_ = read_fraction(upper, "upper", "upper", warnings, high=5.0)
    vol = read_fraction(vol_threshold, "vol_threshold", "vol_threshold", warnings, low=0.01, high=5.0)
    rate = read_fraction(tax_rate, "tax_rate", "tax_rate", warnings)
    rule = bm.Policy(kind, period, band_, lower_, upper_)
    held = uv.holdings(ctx, weights, warnings)
    wanted, derived = holding_targets(ctx, held.names, held.weights)
    universe = _with_targets(ctx, held, wanted, warnings)
    target = _targets_for(universe, wanted, warnings)
    if derived:
        warnings.append(derived)
    dates = universe.prices.index
    starts_period = bool(len(dates) > 1 and bm.decision_days(dates[-2:], period).size > 1)
    volatility = float(uv.btc_volatility(ctx, dates).iloc[-1]) if kind == "volatility_trigger" else None
    act, reason = _decide(rule, universe.base, target, starts_period, volatility, vol)
    if universe.origin == uv.TEMPLATE_ORIGIN:
        warnings.append("holdings are the tier template itself, so nothing has drifted; pass weights or record "
                        "trades in the ledger")
    trade = (target - universe.base) if act else np.zeros(len(target))
    sells, gain, tax = _tax_aware_sells(ctx, universe, trade, rate, warnings) if act else ([], None, None)
    trigger = (uv.btc_volatility(ctx, dates).to_numpy() > vol) if kind == "volatility_trigger" else None
    static_universe = uv.Universe(universe.names, target, universe.tiers, universe.prices, universe.origin,
                                  universe.portfolio_value, universe.source, universe.as_of, ranges=universe.ranges)
    run = runs.backtest(static_universe, "static", 0, 0.0, rule, 15.0, 0, trigger=trigger)
    hold = runs.ev.equity_stats(run.hold.returns)
    mine = runs.ev.equity_stats(run.net.returns)
    backtest = (f"{kind} on the targets {run.dates[0].date()}..{run.dates[-1].date()}: {percent(mine.annual_return, 1, signed=True)}/yr, "
                f"{len(run.net.trade_days) - 1} rebalances, vs never rebalancing {percent(hold.annual_return, 1, signed=True)}/yr")
    lines = _lines(universe, target if act else universe.base)
    outside = [n for n, w in zip(universe.names, target) if w == 0]
    for line, wanted in zip(lines, target):
        line.note = f"target {percent(_r(wanted), 1)}" if wanted else "outside the targets: target 0"
    cash = _cash_line(universe, target, trade, outside)
    if abs(cash.current) > 1e-9 or abs(cash.trade) > 1e-9 or (act and outside):
        lines.append(cash)
    residual = round(sum(line.trade for line in lines), DIGITS + 2)  # 0 but for the rounding of each line
    return RebalanceResult(policy=kind, act=act, reason=reason, origin=universe.origin, lines=lines,
                           residual=residual, turnover=_r(np.abs(trade).sum()), sells=sells, realised_gain=gain, estimated_tax=tax,
                           backtest=backtest, source=universe.source, as_of=universe.as_of,
                           limit_breaches=proposal_flags(ctx, universe.names, target, universe.portfolio_value)
                           if act else [],
                           warnings=honest_warnings(ctx, warnings + universe.warnings,
                                                    ledger_valued=universe.origin.startswith("ledger")))
