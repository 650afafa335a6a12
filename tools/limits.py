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
from typing import Any

from pydantic import BaseModel, ConfigDict

from indexdesk.tools.errors import ToolError, unknown_name

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
