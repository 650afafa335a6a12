"""The user's own rules in `targets.toml`: risk limits, the rebalancing policy, the rotation rule, the tax threshold.

    [limits]                     # each optional; a limit left out is not checked
    max_var = 0.08               # largest tolerated VaR, fraction of the portfolio
    var_confidence = 0.95        # ... at this confidence (0.5-0.9999)
    var_horizon_days = 1         # ... over this many days (1-365)
    max_weight = 0.40            # largest single holding, fraction of the portfolio
    max_drawdown = 0.35          # largest tolerated peak-to-trough loss of the holdings over drawdown_window
    drawdown_window = "90d"      # 30d, 90d, 180d, 1y, 3y
    max_correlation = 0.90       # largest tolerated correlation between two holdings over correlation_window
    correlation_window = "90d"

    [rebalance]                  # the policy `check_rebalance` applies in the checkup
    policy = "threshold"         # calendar | threshold | asymmetric_bands | volatility_trigger
    band = 0.2                   # threshold: relative deviation allowed
    lower = 0.3                  # asymmetric_bands: room below target
    upper = 0.5                  # asymmetric_bands: room above target
    vol_threshold = 0.8          # volatility_trigger: BTC 30-day volatility
    cadence = "monthly"          # calendar: weekly | monthly | quarterly
    tax_rate = 0.3               # rate on realised gains

    [rotation]                   # the rule `propose_rotation` applies in the checkup
    strategy = "momentum"        # momentum | mean_reversion | blended | pair
    lookback = 90                # days ranked, 5-730
    tilt = 0.05                  # weight moved per index, up to 0.10

    [tax]
    min_loss = 100               # smallest loss per lot worth harvesting, currency
    tax_rate = 0.3

Every value is checked when the file is read (`tools/targets.py` calls `parse_rules`): an error names
the file, the key, the value given and the valid range. This module only reads and checks numbers
against limits; the numbers themselves come from the risk tools (`compute_var`, `analyze_correlation`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from indexdesk.tools.errors import ToolError, unknown_name

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

SECTIONS = ("limits", "rebalance", "rotation", "tax")
WINDOWS = ("30d", "90d", "180d", "1y", "3y")

# key -> (kind, low, high, what): numbers are checked low <= value <= high; choices are listed.
_NUMBERS: dict[str, dict[str, tuple[str, float, float, str]]] = {
    "limits": {
        "max_var": ("fraction", 0.0005, 1.0, "VaR ceiling, fraction of the portfolio (0.08 = 8 %)"),
        "var_confidence": ("fraction", 0.5001, 0.9999, "VaR confidence"),
        "var_horizon_days": ("int", 1, 365, "VaR horizon in days"),
        "max_weight": ("fraction", 0.01, 1.0, "largest single holding, fraction of the portfolio"),
        "max_drawdown": ("fraction", 0.01, 1.0, "largest tolerated peak-to-trough loss (0.35 = 35 %)"),
        "max_correlation": ("fraction", -1.0, 1.0, "largest tolerated correlation between two holdings"),
    },
    "rebalance": {
        "band": ("fraction", 0.0, 1.0, "threshold: relative deviation allowed"),
        "lower": ("fraction", 0.0, 1.0, "asymmetric_bands: room below target"),
        "upper": ("fraction", 0.0, 5.0, "asymmetric_bands: room above target"),
        "vol_threshold": ("fraction", 0.01, 5.0, "volatility trigger, annualised"),
        "tax_rate": ("fraction", 0.0, 1.0, "tax rate on realised gains"),
    },
    "rotation": {
        "lookback": ("int", 5, 730, "days ranked"),
        "tilt": ("fraction", 0.001, 0.10, "weight moved per index"),
    },
    "tax": {
        "min_loss": ("float", 0.0, 1e12, "smallest loss per lot worth harvesting, currency"),
        "tax_rate": ("fraction", 0.0, 1.0, "tax rate the realised loss offsets"),
    },
}
_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "limits": {"drawdown_window": WINDOWS, "correlation_window": WINDOWS},
    "rebalance": {"policy": ("calendar", "threshold", "asymmetric_bands", "volatility_trigger"),
                  "cadence": ("weekly", "monthly", "quarterly")},
    "rotation": {"strategy": ("momentum", "mean_reversion", "blended", "pair")},
    "tax": {},
}


class RiskLimits(BaseModel):
    """Limits the user set; None = not set (not checked)."""

    model_config = ConfigDict(frozen=True)

    max_var: float | None = None
    var_confidence: float = 0.95
    var_horizon_days: int = 1
    max_weight: float | None = None
    max_drawdown: float | None = None
    drawdown_window: str = "90d"
    max_correlation: float | None = None
    correlation_window: str = "90d"

    @property
    def any_set(self) -> bool:
        return any(v is not None for v in (self.max_var, self.max_weight, self.max_drawdown, self.max_correlation))


class UserRules(BaseModel):
    """`[limits]`, `[rebalance]`, `[rotation]`, `[tax]` of targets.toml: each a table of the keys given."""

    model_config = ConfigDict(frozen=True)

    limits: RiskLimits = RiskLimits()
    rebalance: dict[str, Any] = {}  # check_rebalance arguments the user set
    rotation: dict[str, Any] = {}  # propose_rotation arguments the user set
    tax: dict[str, Any] = {}  # harvest_losses arguments the user set
    origin: str = "built-in defaults"


def _number(origin: str, section: str, key: str, value: object, spec: tuple[str, float, float, str]) -> float | int:
    kind, low, high, what = spec
    where = f"{section}.{key}"
    number_ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
        raise ToolError(f"{origin}: {where} = {value!r}: must be a whole number from {low:g} to {high:g} ({what})",
                        hint=f"e.g. {key} = {int(low) if low > 1 else 1}", field=where)
    if not number_ok or not low <= value <= high:
        raise ToolError(f"{origin}: {where} = {value!r}: must be a number from {low:g} to {high:g} ({what})",
                        hint="fractions are written 0.35 for 35 %" if kind == "fraction" else "",
                        field=where)
    return int(value) if kind == "int" else float(value)


def _section(origin: str, section: str, table: object) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ToolError(f"{origin}: [{section}] must be a table of key = value lines", field=section)
    numbers, choices = _NUMBERS[section], _CHOICES[section]
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in numbers:
            out[key] = _number(origin, section, key, value, numbers[key])
        elif key in choices:
            text = value.strip().lower() if isinstance(value, str) else value
            if text not in choices[key]:
                raise ToolError(f"{origin}: {section}.{key} = {value!r}: must be one of {', '.join(choices[key])}",
                                field=f"{section}.{key}")
            out[key] = text
        else:
            raise ToolError(f"{origin}: [{section}]: " + unknown_name("key", key, list(numbers) + list(choices)).message,
                            field=f"{section}.{key}")
    return out


def parse_rules(origin: str, document: dict) -> UserRules:
    """The four sections of a targets TOML document (absent sections: nothing set); ToolError on a bad value."""
    parsed = {name: _section(origin, name, document[name]) for name in SECTIONS if name in document}
    return UserRules(limits=RiskLimits(**parsed.get("limits", {})), rebalance=parsed.get("rebalance", {}),
                     rotation=parsed.get("rotation", {}), tax=parsed.get("tax", {}), origin=origin)


def user_rules(ctx: "ToolContext") -> UserRules:
    """The rules of the user's targets.toml (read and checked with the targets)."""
    from indexdesk.tools.targets import targets

    return getattr(targets(ctx), "rules", None) or UserRules()


def rules_toml(rules: UserRules) -> str:
    """The sections back as TOML text (so rewriting the targets file keeps them)."""
    lines: list[str] = []
    for section in SECTIONS:
        table = rules.limits.model_dump(exclude_unset=True) if section == "limits" else getattr(rules, section)
        if not table:
            continue
        lines.append(f"[{section}]")
        lines += [f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value:g}" for key, value in table.items()]
        lines.append("")
    return "\n".join(lines).replace("'", '"')


# ------------------------------------------------------------------ checks (numbers from the risk tools)

class LimitReading:
    """One limit against one measured number."""

    def __init__(self, name: str, limit: float, value: float | None, unit: str, detail: str, source: str):
        self.name, self.limit, self.value, self.unit = name, limit, value, unit
        self.detail, self.source = detail, source

    @property
    def breached(self) -> bool:
        return self.value is not None and math.isfinite(self.value) and self.value > self.limit + 1e-12


def read_limits(ctx: "ToolContext", names: list[str], weights: list[float], portfolio_value: float,
                limits: RiskLimits, *, shared: dict | None = None) -> list[LimitReading]:
    """Each set limit measured on these weights: VaR (compute_var), largest weight, drawdown of the
    daily-rebalanced holdings (metrics.max_drawdown on window returns), largest pairwise correlation
    (analyze_correlation). `shared` memoises what does not depend on the weights (the correlation)."""
    shared = {} if shared is None else shared
    out: list[LimitReading] = []
    src = "targets.toml [limits]"
    held = [(n, w) for n, w in zip(names, weights) if w > 1e-9]
    if limits.max_weight is not None and held:
        name, weight = max(held, key=lambda item: item[1])
        out.append(LimitReading("max_weight", limits.max_weight, weight, "fraction", f"largest holding: {name}", src))
    if limits.max_var is not None and held:
        from indexdesk.tools.risk.inputs import WeightItem
        from indexdesk.tools.risk.tools import compute_var

        try:
            var = compute_var(ctx, weights=[WeightItem(name=n, weight=w) for n, w in held],
                              confidence=limits.var_confidence, horizon_days=limits.var_horizon_days,
                              portfolio_value=portfolio_value)
            out.append(LimitReading("max_var", limits.max_var, var.var, "fraction",
                                    f"historical VaR {limits.var_confidence:g}, {limits.var_horizon_days}d, "
                                    f"window {var.start}..{var.end} (compute_var)", src))
        except ToolError as exc:
            out.append(LimitReading("max_var", limits.max_var, None, "fraction", f"not measured: {exc.message}", src))
    if limits.max_drawdown is not None and held:
        out.append(_drawdown(ctx, held, limits, src))
    if limits.max_correlation is not None and len(held) >= 2:
        out.append(_correlation(ctx, [n for n, _ in held], limits, src, shared))
    return out


def _drawdown(ctx: "ToolContext", held: list[tuple[str, float]], limits: RiskLimits, src: str) -> LimitReading:
    import numpy as np

    from indexdesk.tools import metrics
    from indexdesk.tools.risk.inputs import window_returns

    try:
        data = window_returns(ctx, [n for n, _ in held], limits.drawdown_window, min_days=3)
    except ToolError as exc:
        return LimitReading("max_drawdown", limits.max_drawdown, None, "fraction", f"not measured: {exc.message}", src)
    returns = data.returns[[n for n, _ in held]].to_numpy(dtype=float) @ np.array([w for _, w in held])
    drawdown = abs(float(metrics.max_drawdown(returns)))
    return LimitReading("max_drawdown", limits.max_drawdown, drawdown, "fraction",
                        f"worst peak-to-trough of the holdings {data.start}..{data.end} ({limits.drawdown_window})", src)


def _correlation(ctx: "ToolContext", names: list[str], limits: RiskLimits, src: str, shared: dict) -> LimitReading:
    from indexdesk.tools.risk.tools import MAX_SERIES, analyze_correlation

    key = (tuple(sorted(names)), limits.correlation_window)
    if key not in shared:
        try:
            result = analyze_correlation(ctx, indices=sorted(names)[:MAX_SERIES], window=limits.correlation_window)
            best = None
            for i, first in enumerate(result.names):
                for j in range(i + 1, len(result.names)):
                    value = result.matrix[i][j]
                    if value is not None and math.isfinite(value) and (best is None or value > best[0]):
                        best = (value, first, result.names[j])
            shared[key] = best, f"{result.start}..{result.end}"
        except ToolError as exc:
            shared[key] = None, f"not measured: {exc.message}"
    best, span = shared[key]
    if best is None:
        return LimitReading("max_correlation", limits.max_correlation, None, "ratio", span, src)
    return LimitReading("max_correlation", limits.max_correlation, best[0], "ratio",
                        f"most correlated pair: {best[1]} / {best[2]}, {limits.correlation_window} {span} "
                        "(analyze_correlation)", src)


def breach_notes(readings: list[LimitReading]) -> list[str]:
    """One line per breached limit, for a proposal's flags."""
    def shown(value: float, unit: str) -> str:
        return f"{value:.2f}" if unit == "ratio" else f"{value:.1%}"

    return [f"would breach {r.name} {shown(r.limit, r.unit)}: {shown(r.value, r.unit)} ({r.detail})"
            for r in readings if r.breached]


def proposal_flags(ctx: "ToolContext", names: list[str], weights, portfolio_value: float) -> list[str]:
    """Breaches of the user's limits by proposed weights ([] when no limit is set or none is breached)."""
    try:
        limits = user_rules(ctx).limits
    except ToolError:
        return []
    if not limits.any_set:
        return []
    return breach_notes(read_limits(ctx, list(names), [float(w) for w in weights], portfolio_value, limits,
                                    shared=ctx.memo.setdefault(("limit_correlation",), {})))
