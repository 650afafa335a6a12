"""The investor's static target portfolio and risk targets: built-in defaults, overridable by `HOME/targets.toml`.

The default tiers follow the seed article's core-satellite-speculative framework (core 50-60 %,
satellite 30-40 %, speculative 10-20 %), at the middle of each core/satellite range:

    [tiers.core]            # 55 %
    large_cap = 35
    balanced = 20
    [tiers.satellite]       # 35 %
    layer1 = 15
    defi = 10
    ai_data = 10
    [tiers.speculative]     # 10 %
    memecoins = 10

    [risk]
    target_volatility = 0.80   # annualised; the article's 80 % volatility trigger as the ceiling
    max_drawdown = 0.35        # largest tolerated peak-to-trough loss in a quarter (our convention)
    min_sharpe = 1.0           # annualised, zero risk-free rate (our convention)
    var_confidence = 0.95      # the article's VaR confidence
    var_budget = 0.07          # 1-day historical VaR, fraction: the normal VaR at the target volatility

Weights are percentages of the whole portfolio and must add up to 100 (a cash tier holding
`stablecoin_cash` is how to keep cash). A tier's weight is the sum of its indices' weights.
A file may set only `[risk]` (the default tiers stay) or only `[tiers.*]` (the default risk
targets stay); a `[tiers]` section replaces every default tier.

Targets may name any holding: a catalogue index (lower case, `defi`), a user index from
`indices.toml`, or an asset symbol (upper case, `BTC`), side by side:

    [tiers.core]
    BTC = 35
    ETH = 20
    [tiers.satellite]
    SOL = 10
    defi = 15
    layer1 = 10
    [tiers.speculative]
    memecoins = 10

Every holding has ONE tier, the same in every tool (`holding_tier`): the tier it is listed under in
`[tiers.*]`; else the tier given in `[holding_tiers]`; else, for an index, its catalogue tier; else the
default map of single assets (`DEFAULT_ASSET_TIERS`): BTC and ETH (and their wrapped forms) core,
large caps satellite, stablecoins cash, every other coin speculative. `[holding_tiers]` edits that map:

    [holding_tiers]
    DOGE = "satellite"
    PAXG = "cash"

Tier ranges (the playbook's core 50-60 %, satellite 30-40 %, speculative 10-20 % by default) are
percentages `[low, high]`, settable too:

    [tier_ranges]
    core = [50, 60]
    satellite = [30, 40]
    speculative = [10, 20]
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from indexdesk.tools.errors import ToolError, close_matches, shorten, unknown_name
from indexdesk.tools.limits import SECTIONS as RULE_SECTIONS, UserRules, parse_rules

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

TIER_NAMES = ("core", "satellite", "speculative", "cash")
SECTIONS = ("tiers", "risk", "holding_tiers", "tier_ranges")
WEIGHT_TOLERANCE = 0.01  # percentage points: 33.33 + 33.33 + 33.34 must pass, 99 must not
_DEFAULT_TIERS: dict[str, dict[str, float]] = {
    "core": {"large_cap": 35.0, "balanced": 20.0},
    "satellite": {"layer1": 15.0, "defi": 10.0, "ai_data": 10.0},
    "speculative": {"memecoins": 10.0},
}
# The playbook's tier ranges, fractions of the whole portfolio (cash has none).
DEFAULT_RANGES: dict[str, tuple[float, float]] = {"core": (0.50, 0.60), "satellite": (0.30, 0.40),
                                                  "speculative": (0.10, 0.20)}
# The default tier of a single asset: BTC and ETH (and their wrapped/staked forms) are core; the large
# caps (top ~25 by market cap in 2025, memecoins excepted) satellite; stablecoins cash (by category);
# every other coin speculative. `[holding_tiers]` in targets.toml overrides any of them.
CORE_ASSETS = ("BTC", "ETH", "WBTC", "STETH")
LARGE_CAPS = ("BNB", "SOL", "XRP", "ADA", "AVAX", "DOT", "TRX", "LINK", "LTC", "BCH", "XLM", "ATOM", "NEAR",
              "UNI", "MATIC", "HBAR", "SUI", "APT", "ICP", "ETC", "XMR", "AAVE", "ARB", "OP", "PAXG")


def default_asset_tier(symbol: str) -> str:
    """The default map of single assets (see the module docstring)."""
    from indexdesk.tools.market.universe import ASSETS

    if symbol in CORE_ASSETS:
        return "core"
    if symbol in ASSETS and ASSETS[symbol].category == "stablecoin":
        return "cash"
    return "satellite" if symbol in LARGE_CAPS else "speculative"


def describe_ranges(ranges: dict[str, tuple[float, float]]) -> str:
    """`core 50-60 %, satellite 30-40 %, speculative 10-20 %`: how error texts name the ranges."""
    return ", ".join(f"{tier} {low * 100:g}-{high * 100:g} %" for tier, (low, high) in ranges.items())


class RiskTargets(BaseModel):
    """Limits the quarterly review checks the portfolio against (fractions, annualised where stated)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_volatility: float = Field(0.80, gt=0, le=5, description="annualised volatility ceiling")
    max_drawdown: float = Field(0.35, gt=0, le=1, description="largest tolerated peak-to-trough loss (positive)")
    min_sharpe: float = Field(1.0, ge=-10, le=10, description="annualised Sharpe ratio floor (risk-free 0)")
    var_confidence: float = Field(0.95, gt=0.5, lt=1, description="confidence of the VaR budget")
    # The normal 1-day 95 % VaR of a portfolio running exactly at the target volatility:
    # 1.645 × 0.80 / sqrt(365) ≈ 0.069.
    var_budget: float = Field(0.07, gt=0, le=1, description="1-day historical VaR ceiling, fraction of the portfolio")


class TierTarget(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    indices: dict[str, float]  # holding (index lower case, asset upper case) -> percent of the whole portfolio

    @property
    def weight(self) -> float:
        return sum(self.indices.values())


class TargetPortfolio(BaseModel):
    model_config = ConfigDict(frozen=True)

    tiers: tuple[TierTarget, ...]
    risk: RiskTargets
    origin: str = "built-in defaults"
    rules: UserRules = UserRules()  # [limits], [rebalance], [rotation], [tax]: tools/limits.py
    holding_tiers: dict[str, str] = Field(default_factory=dict)  # [holding_tiers]: the default map's overrides
    ranges: dict[str, tuple[float, float]] = Field(default_factory=lambda: dict(DEFAULT_RANGES))  # fractions
    ranges_set: bool = False  # whether the file set [tier_ranges] (else the playbook's defaults)

    def weights(self) -> dict[str, float]:
        """Holding name -> target weight as a fraction (sums to 1)."""
        return {name: pct / 100.0 for tier in self.tiers for name, pct in tier.indices.items()}

    def tier_of(self, name: str) -> str | None:
        """The tier a holding is listed under in the targets or in [holding_tiers] (None: neither)."""
        return next((t.name for t in self.tiers if name in t.indices), None) or self.holding_tiers.get(name)

    def describe(self) -> str:
        return "; ".join(f"{t.name} {t.weight:g}% (" + ", ".join(f"{n} {w:g}" for n, w in t.indices.items()) + ")"
                         for t in self.tiers)


def default_targets() -> TargetPortfolio:
    return TargetPortfolio(tiers=tuple(TierTarget(name=n, indices=dict(i)) for n, i in _DEFAULT_TIERS.items()),
                           risk=RiskTargets())


def _percent(origin: str, where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ToolError(f"{origin}: {where} must be a number (percent of the portfolio), got {value!r}",
                        hint="write weights as percentages, e.g. defi = 10", field=where)
    if not 0 < value <= 100:
        raise ToolError(f"{origin}: {where} must be above 0 and at most 100 (percent), got {value:g}",
                        hint="leave an index out instead of giving it 0", field=where)
    return float(value)


def _canonical(origin: str, where: str, raw: str, known_indices: set[str] | None,
               symbols: set[str] | None) -> str:
    """A holding's canonical name: an index lower case, an asset symbol upper case."""
    from indexdesk.tools.market.universe import ASSETS

    name = raw.strip()
    symbols = set(ASSETS) if symbols is None else symbols
    if known_indices is None:  # nothing to check against: the built-in asset list decides the case
        return name.upper() if name.upper() in symbols else name.lower()
    if name.lower() in known_indices:
        return name.lower()
    if name.upper() in symbols:
        return name.upper()
    matches = close_matches(name, sorted(known_indices) + sorted(symbols))
    message = f"unknown index or asset {shorten(name)!r}"
    if matches:
        message += "; did you mean " + " or ".join(repr(m) for m in matches) + "?"
    message += (f" valid: indices {', '.join(sorted(known_indices))}; or one of {len(symbols)} asset symbols such as "
                + ", ".join(s for s in ("BTC", "ETH", "SOL") if s in symbols))
    raise ToolError(f"{origin}: {where}: {message}",
                    hint="use catalogue or user index names (`indexdesk indices list`) or asset symbols like BTC",
                    valid=sorted(known_indices) + sorted(symbols), field=where)


def _parse_tiers(origin: str, table: object, known_indices: set[str] | None,
                 symbols: set[str] | None = None) -> tuple[TierTarget, ...]:
    if not isinstance(table, dict) or not table:
        raise ToolError(f"{origin}: [tiers] must hold tables like [tiers.core]", field="tiers")
    tiers: list[TierTarget] = []
    seen: dict[str, str] = {}
    for tier_name, indices in table.items():
        if tier_name not in TIER_NAMES:
            raise ToolError(f"{origin}: " + unknown_name("tier", tier_name, TIER_NAMES).message, field="tiers")
        if not isinstance(indices, dict) or not indices:
            raise ToolError(f"{origin}: [tiers.{tier_name}] must list indices or assets with weights, e.g. defi = 10",
                            field=f"tiers.{tier_name}")
        weights: dict[str, float] = {}
        for raw_name, value in indices.items():
            where = f"tiers.{tier_name}.{raw_name}"
            name = _canonical(origin, where, raw_name, known_indices, symbols)
            if name in seen:
                raise ToolError(f"{origin}: {name!r} is in both [tiers.{seen[name]}] and [tiers.{tier_name}]",
                                hint="give each holding one tier", field=where)
            seen[name] = tier_name
            weights[name] = _percent(origin, where, value)
        tiers.append(TierTarget(name=tier_name, indices=weights))
    total = sum(t.weight for t in tiers)
    if abs(total - 100.0) > WEIGHT_TOLERANCE:
        listing = ", ".join(f"{t.name} {t.weight:g}" for t in tiers)
        raise ToolError(f"{origin}: target weights add up to {total:g}%, not 100% ({listing})",
                        hint="make the weights add up to 100; hold cash as a cash tier with stablecoin_cash",
                        field="tiers")
    return tuple(tiers)


def _parse_holding_tiers(origin: str, table: object, known_indices: set[str] | None,
                         symbols: set[str] | None) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ToolError(f"{origin}: [holding_tiers] must map holdings to tiers, e.g. DOGE = \"satellite\"",
                        field="holding_tiers")
    out: dict[str, str] = {}
    for raw_name, tier in table.items():
        where = f"holding_tiers.{raw_name}"
        if not isinstance(tier, str) or tier.strip().lower() not in TIER_NAMES:
            raise ToolError(f"{origin}: " + unknown_name("tier", str(tier), TIER_NAMES).message, field=where)
        out[_canonical(origin, where, raw_name, known_indices, symbols)] = tier.strip().lower()
    return out


def _parse_ranges(origin: str, table: object) -> dict[str, tuple[float, float]]:
    if not isinstance(table, dict):
        raise ToolError(f"{origin}: [tier_ranges] must map tiers to [low, high] percentages, e.g. core = [50, 60]",
                        field="tier_ranges")
    ranges = dict(DEFAULT_RANGES)
    for tier, span in table.items():
        where = f"tier_ranges.{tier}"
        if tier not in TIER_NAMES:
            raise ToolError(f"{origin}: " + unknown_name("tier", tier, TIER_NAMES).message, field=where)
        numbers = span if isinstance(span, list) else []
        if (len(numbers) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
                                     for v in numbers) or not 0 <= numbers[0] <= numbers[1] <= 100):
            raise ToolError(f"{origin}: {where} must be [low, high] percentages with 0 <= low <= high <= 100, "
                            f"got {span!r}", hint="e.g. core = [50, 60]", field=where)
        ranges[tier] = (numbers[0] / 100.0, numbers[1] / 100.0)
    return ranges


def _parse_risk(origin: str, table: object) -> RiskTargets:
    if not isinstance(table, dict):
        raise ToolError(f"{origin}: [risk] must be a table of numbers", field="risk")
    try:
        return RiskTargets(**table)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in first.get("loc", ())) or "risk"
        if first.get("type") == "extra_forbidden":
            raise ToolError(f"{origin}: [risk]: " + unknown_name("risk target", key, RiskTargets.model_fields).message,
                            field=f"risk.{key}") from None
        raise ToolError(f"{origin}: risk.{key}: {first.get('msg', 'invalid')} (got {first.get('input')!r})",
                        hint="fractions are written 0.35 for 35 %", field=f"risk.{key}") from None


def parse_targets_text(text: str, origin: str, known_indices: set[str] | None = None,
                       symbols: set[str] | None = None) -> TargetPortfolio:
    """A targets TOML document over the defaults; ToolError naming the file, section and key."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ToolError(f"{origin} is not valid TOML: {exc}", hint="fix the TOML syntax") from None
    for key in document:
        if key not in SECTIONS + RULE_SECTIONS:
            raise ToolError(f"{origin}: " + unknown_name("section", key, SECTIONS + RULE_SECTIONS).message, field=key)
    defaults = default_targets()
    tiers = (_parse_tiers(origin, document["tiers"], known_indices, symbols) if "tiers" in document
             else defaults.tiers)
    risk = _parse_risk(origin, document["risk"]) if "risk" in document else defaults.risk
    holding_tiers = _parse_holding_tiers(origin, document.get("holding_tiers", {}), known_indices, symbols)
    for name, tier in holding_tiers.items():
        listed = next((t.name for t in tiers if name in t.indices), None)
        if listed is not None and listed != tier:
            raise ToolError(f"{origin}: {name} is in [tiers.{listed}] but [holding_tiers] says {tier}",
                            hint="a holding has one tier: drop one of the two", field=f"holding_tiers.{name}")
    ranges = _parse_ranges(origin, document["tier_ranges"]) if "tier_ranges" in document else dict(DEFAULT_RANGES)
    return TargetPortfolio(tiers=tiers, risk=risk, origin=origin, holding_tiers=holding_tiers, ranges=ranges,
                           ranges_set="tier_ranges" in document, rules=parse_rules(origin, document))


def load_targets(path: Path | None, known_indices: set[str] | None = None,
                 symbols: set[str] | None = None) -> TargetPortfolio:
    """The targets in `path` (the defaults when it does not exist)."""
    if path is None or not Path(path).is_file():
        return default_targets()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(f"cannot read {path}: {exc}", hint="fix or remove the targets file") from None
    return parse_targets_text(text, str(path), known_indices, symbols)


def targets_path(ctx: "ToolContext") -> Path:
    return ctx.settings.home / "targets.toml"


def known_symbols(ctx: "ToolContext") -> set[str]:
    """Asset symbols a target may name: the built-in universe plus whatever the price source serves."""
    from indexdesk.tools.indices.series import _known_symbols

    return _known_symbols(ctx)


def targets(ctx: "ToolContext") -> TargetPortfolio:
    """The user's targets (HOME/targets.toml, checked against the catalogue), re-read when the file changes."""
    from indexdesk.tools.indices import series

    path = targets_path(ctx)
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    key = ("targets", str(path), stamp)
    if key not in ctx.memo:
        checked = stamp is not None
        ctx.memo[key] = load_targets(path, set(series.catalogue(ctx)) if checked else None,
                                     known_symbols(ctx) if checked else None)
    return ctx.memo[key]


def holding_targets(ctx: "ToolContext", names, weights) -> tuple[dict[str, float], str | None]:
    """The target weight of each holding to rebalance towards, and a note when it was derived.

    The user's targets, when they name any holding or come from targets.toml. A portfolio that the
    built-in targets (indices) do not touch — coins bought at venues — is rebalanced to the tier
    targets instead: each tier's target shared by its holdings in proportion to their weights now
    (equally when all are zero), so the tiers come back to the playbook without choosing coins for
    the user. Holdings outside the three tiers (stablecoins: the cash tier) keep their weight, and the
    tiers share the rest. A tier with no holding has its target shared by the tiers held (nothing is
    sold into cash for want of a holding). The note says all of it."""
    from indexdesk.tools.units import percent

    goal = targets(ctx)
    wanted = goal.weights()
    if goal.origin != "built-in defaults" or any(n in wanted for n in names):
        return wanted, None
    tier_target = {t.name: t.weight / 100.0 for t in goal.tiers}
    members: dict[str, list[tuple[str, float]]] = {}
    kept: dict[str, float] = {}
    for name, weight in zip(names, weights):
        tier = holding_tier(ctx, name)
        if tier in tier_target:
            members.setdefault(tier, []).append((name, max(float(weight), 0.0)))
        else:  # a stablecoin sleeve (or any holding outside the tiers) is the user's cash: not sold
            kept[name] = max(float(weight), 0.0)
    held_share = sum(share for tier, share in tier_target.items() if members.get(tier))
    if held_share <= 0:
        return wanted, None  # no holding in any tier the targets know: the caller says there is nothing to aim at
    invested = max(0.0, 1.0 - sum(kept.values()))
    derived: dict[str, float] = dict(kept)
    for tier, share in tier_target.items():
        held = members.get(tier) or []
        total = sum(w for _, w in held)
        for name, weight in held:
            derived[name] = invested * share / held_share * (weight / total if total > 0 else 1 / len(held))
    listing = ", ".join(f"{tier} {percent(share, 0)}" for tier, share in tier_target.items())
    note = (f"no targets name these holdings: rebalancing to the tier targets ({listing}), each tier shared by "
            "its holdings in proportion to their weights now; set your own with `indexdesk portfolio targets set`")
    if kept:
        note += (f"; {', '.join(kept)} (outside the tiers: {percent(sum(kept.values()), 1)}) kept as they are, "
                 "the tiers share the rest")
    empty = [tier for tier in tier_target if not members.get(tier)]
    if empty:
        note += (f"; no holding in {', '.join(empty)}: its target is shared by the tiers you hold — add a holding "
                 "there (an index of that tier) to follow the playbook")
    return derived, note


def holding_tier(ctx: "ToolContext", name: str) -> str:
    """THE tier of a holding, the same in every tool: its tier in the targets (or [holding_tiers]), else an
    index's catalogue tier, else the default map of single assets (`default_asset_tier`)."""
    from indexdesk.tools.indices.series import load

    tier = targets(ctx).tier_of(name)
    if tier:
        return tier
    definition = load(ctx).lookup(name)
    if definition is not None:
        return definition.tier
    return default_asset_tier(name.upper())


def tier_ranges(ctx: "ToolContext") -> dict[str, tuple[float, float]]:
    """The tier ranges in force, one answer for rotation, rebalancing, `tiers` and the portfolio view:
    targets.toml's [tier_ranges]; else the ranges an older ledger recorded (set_targets kept them there
    before they moved to the file); else the playbook's."""
    goal = targets(ctx)
    ranges = dict(goal.ranges)
    if goal.ranges_set:
        return ranges
    # The ledger, only when one exists (reading never creates one): see portfolio.holdings.ledger_or_none.
    if ctx.ledger is None and not ctx.settings.database_url and not (ctx.settings.home / "ledger.sqlite").exists():
        return ranges
    store = ctx.ledger_store()
    for entry in getattr(store, "targets", list)():
        if entry.kind == "tier" and entry.low is not None and entry.high is not None:
            ranges[entry.name] = (float(entry.low), float(entry.high))
    return ranges
