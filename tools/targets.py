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
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.limits import SECTIONS as RULE_SECTIONS, UserRules, parse_rules

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

TIER_NAMES = ("core", "satellite", "speculative", "cash")
WEIGHT_TOLERANCE = 0.01  # percentage points: 33.33 + 33.33 + 33.34 must pass, 99 must not
_DEFAULT_TIERS: dict[str, dict[str, float]] = {
    "core": {"large_cap": 35.0, "balanced": 20.0},
    "satellite": {"layer1": 15.0, "defi": 10.0, "ai_data": 10.0},
    "speculative": {"memecoins": 10.0},
}


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
    indices: dict[str, float]  # index name -> percent of the whole portfolio

    @property
    def weight(self) -> float:
        return sum(self.indices.values())


class TargetPortfolio(BaseModel):
    model_config = ConfigDict(frozen=True)

    tiers: tuple[TierTarget, ...]
    risk: RiskTargets
    origin: str = "built-in defaults"
    rules: UserRules = UserRules()  # [limits], [rebalance], [rotation], [tax]: tools/limits.py

    def weights(self) -> dict[str, float]:
        """Index name -> target weight as a fraction (sums to 1)."""
        return {name: pct / 100.0 for tier in self.tiers for name, pct in tier.indices.items()}

    def tier_of(self, index: str) -> str | None:
        return next((t.name for t in self.tiers if index in t.indices), None)

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


def _parse_tiers(origin: str, table: object, known_indices: set[str] | None) -> tuple[TierTarget, ...]:
    if not isinstance(table, dict) or not table:
        raise ToolError(f"{origin}: [tiers] must hold tables like [tiers.core]", field="tiers")
    tiers: list[TierTarget] = []
    seen: dict[str, str] = {}
    for tier_name, indices in table.items():
        if tier_name not in TIER_NAMES:
            raise ToolError(f"{origin}: " + unknown_name("tier", tier_name, TIER_NAMES).message, field="tiers")
        if not isinstance(indices, dict) or not indices:
            raise ToolError(f"{origin}: [tiers.{tier_name}] must list indices with weights, e.g. defi = 10",
                            field=f"tiers.{tier_name}")
        weights: dict[str, float] = {}
        for raw_name, value in indices.items():
            name = raw_name.strip().lower()
            where = f"tiers.{tier_name}.{raw_name}"
            if known_indices is not None and name not in known_indices:
                raise ToolError(f"{origin}: {where}: " + unknown_name("index", name, known_indices).message,
                                hint="use catalogue index names (`indexdesk indices list`)", field=where)
            if name in seen:
                raise ToolError(f"{origin}: index {name!r} is in both [tiers.{seen[name]}] and [tiers.{tier_name}]",
                                hint="give each index one tier", field=where)
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


def parse_targets_text(text: str, origin: str, known_indices: set[str] | None = None) -> TargetPortfolio:
    """A targets TOML document over the defaults; ToolError naming the file, section and key."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ToolError(f"{origin} is not valid TOML: {exc}", hint="fix the TOML syntax") from None
    for key in document:
        if key not in ("tiers", "risk") + RULE_SECTIONS:
            raise ToolError(f"{origin}: " + unknown_name("section", key, ("tiers", "risk") + RULE_SECTIONS).message,
                            field=key)
    defaults = default_targets()
    tiers = _parse_tiers(origin, document["tiers"], known_indices) if "tiers" in document else defaults.tiers
    risk = _parse_risk(origin, document["risk"]) if "risk" in document else defaults.risk
    return TargetPortfolio(tiers=tiers, risk=risk, origin=origin, rules=parse_rules(origin, document))


def load_targets(path: Path | None, known_indices: set[str] | None = None) -> TargetPortfolio:
    """The targets in `path` (the defaults when it does not exist)."""
    if path is None or not Path(path).is_file():
        return default_targets()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(f"cannot read {path}: {exc}", hint="fix or remove the targets file") from None
    return parse_targets_text(text, str(path), known_indices)


def targets_path(ctx: "ToolContext") -> Path:
    return ctx.settings.home / "targets.toml"


def targets(ctx: "ToolContext") -> TargetPortfolio:
    """The user's targets (HOME/targets.toml, checked against the catalogue), re-read when the file changes."""
    from indexdesk.tools.indices import series

    path = targets_path(ctx)
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    key = ("targets", str(path), stamp)
    if key not in ctx.memo:
        ctx.memo[key] = load_targets(path, set(series.catalogue(ctx)) if stamp is not None else None)
    return ctx.memo[key]
