"""The user's limits checked against numbers from the risk tools (VaR, weights, drawdown, correlation).

Apart from tools/limits.py (reading and validating the rules), which the targets module imports: the
checks call the risk tools and the targets, so keeping them here keeps the imports free of circles.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from indexdesk.tools.errors import ToolError
from indexdesk.tools.limits import RiskLimits, UserRules
from indexdesk.tools.units import percent

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext


def user_rules(ctx: ToolContext) -> UserRules:
    """The rules of the user's targets.toml (read and checked with the targets)."""
    from indexdesk.tools.targets import targets

    return getattr(targets(ctx), "rules", None) or UserRules()



# ------------------------------------------------------------------ checks (numbers from the risk tools)

class LimitReading:
    """One limit against one measured number."""

    def __init__(self, name: str, limit: float, value: float | None, unit: str, detail: str, source: str):
        self.name, self.limit, self.value, self.unit = name, limit, value, unit
        self.detail, self.source = detail, source

    @property
    def breached(self) -> bool:
        return self.value is not None and math.isfinite(self.value) and self.value > self.limit + 1e-12


def read_limits(ctx: ToolContext, names: list[str], weights: list[float], portfolio_value: float,
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


def _drawdown(ctx: ToolContext, held: list[tuple[str, float]], limits: RiskLimits, src: str) -> LimitReading:
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


def _correlation(ctx: ToolContext, names: list[str], limits: RiskLimits, src: str, shared: dict) -> LimitReading:
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
        return f"{value:.2f}" if unit == "ratio" else f"{percent(value, 1)}"

    return [f"would breach {r.name} {shown(r.limit, r.unit)}: {shown(r.value, r.unit)} ({r.detail})"
            for r in readings if r.breached]


def proposal_flags(ctx: ToolContext, names: list[str], weights, portfolio_value: float) -> list[str]:
    """Breaches of the user's limits by proposed weights ([] when no limit is set or none is breached)."""
    try:
        limits = user_rules(ctx).limits
    except ToolError:
        return []
    if not limits.any_set:
        return []
    return breach_notes(read_limits(ctx, list(names), [float(w) for w in weights], portfolio_value, limits,
                                    shared=ctx.memo.setdefault(("limit_correlation",), {})))
