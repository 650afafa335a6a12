"""What the strategy tools work on: the holdings (with their origin), their price history, tiers and ranges.

The pure rules and backtester take numpy arrays; this module turns a context into them and
collects the warnings that must travel with every number (coverage gaps, filled days, stale data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.risk.inputs import Holdings, resolve_holdings
from indexdesk.tools.targets import DEFAULT_RANGES, describe_ranges

if TYPE_CHECKING:
    import pandas as pd

    from indexdesk.tools.context import ToolContext

TEMPLATE_ORIGIN = "tier template (ledger empty)"
MAX_TILT = 0.10  # the playbook's 5-10 %; more would push a tier past its 10-point range
MIN_HISTORY = 30  # days of backtest after the lookback, at the least
VOL_WINDOW = 30


def holdings(ctx: "ToolContext", weights, warnings: list[str], portfolio_value: float = 100000.0) -> Holdings:
    """Explicit weights → ledger → tier template, through `resolve_holdings` (the one place)."""
    if isinstance(weights, Holdings):  # already resolved (the ledger's holdings on a past day)
        return weights
    if weights:
        return resolve_holdings(ctx, weights, portfolio_value, warnings)
    try:  # once the ledger step lands, resolve_holdings itself falls back to ledger (its value) and template
        return resolve_holdings(ctx, [], None, warnings)
    except ToolError:
        pass
    from indexdesk.tools.targets import targets

    template = targets(ctx).weights()
    return Holdings(tuple(template), tuple(template.values()), float(portfolio_value), TEMPLATE_ORIGIN)


def tier_of(ctx: "ToolContext", name: str) -> str:
    """The holding's one tier (`targets.holding_tier`), as `portfolio`, `stress_test` and the review say."""
    from indexdesk.tools.targets import holding_tier

    return holding_tier(ctx, name)


@dataclass
class Universe:
    names: list[str]
    base: np.ndarray  # current weights (fractions), the rules' starting point
    tiers: list[str]
    prices: "pd.DataFrame"  # common history, interior gaps filled
    origin: str
    portfolio_value: float
    source: str
    as_of: object
    warnings: list[str] = field(default_factory=list)
    ranges: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_RANGES))  # targets.toml's

    def tier_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tier id per name, low per tier, high per tier); a tier outside its range keeps its own total."""
        labels = list(dict.fromkeys(self.tiers))
        ids = np.array([labels.index(t) for t in self.tiers])
        low, high = [], []
        for label in labels:
            total = float(self.base[ids == labels.index(label)].sum())
            lo, hi = self.ranges.get(label, (total, total) if label == "cash" else (0.0, 1.0))
            low.append(min(lo, total))
            high.append(max(hi, total))
        return ids, np.array(low), np.array(high)

    def is_core(self) -> np.ndarray:
        return np.array([t == "core" for t in self.tiers])


def load(ctx: "ToolContext", held: Holdings, warnings: list[str], *, start=None, end=None,
         lookback: int = 0) -> Universe:
    """Price history of the holdings where all have prices (from `start - lookback` to `end`)."""
    import pandas as pd

    from indexdesk.tools.indices import series

    names = list(held.names)
    short = [n for n, w in zip(names, held.weights) if w < 0]
    if short:
        raise ToolError(f"negative weight for {', '.join(short)}: the strategy tools are long-only",
                        hint="give fractions ≥ 0; the remainder is cash", field="weights")
    levels, market = series.level_panel(ctx, names)
    if end is not None:
        levels = levels.loc[: str(end)]
    firsts = {n: levels[n].first_valid_index() for n in names}
    missing = [n for n, day in firsts.items() if day is None]
    if missing:
        raise ToolError(f"no prices for {', '.join(missing)} up to {end or market.as_of}",
                        hint="choose an end inside the data or other holdings", field="weights")
    common = max(firsts.values())
    late = [n for n, day in firsts.items() if day == common and day > levels.index[0]]
    if start is not None:
        wanted = pd.Timestamp(start) - pd.Timedelta(days=lookback)
        if wanted < common:
            warnings.append(f"history starts {common.date()} (first day with prices for {', '.join(late)}), "
                            f"not {pd.Timestamp(start).date()} minus the {lookback}-day lookback")
        common = max(common, wanted)
    elif late:
        warnings.append(f"history from {common.date()}, when {', '.join(late)} starts")
    frame = levels.loc[common:]
    gaps = int(frame.isna().sum().sum())
    if gaps:
        warnings.append(f"{gaps} missing index/asset day(s) carried forward from the last price")
        frame = frame.ffill()
    for name in names:
        last = levels[name].last_valid_index()
        if last is not None and last < levels.index[-1]:
            warnings.append(f"{name}'s prices end on {last.date()}: stale since")
        if series.load(ctx).lookup(name) is not None and len(frame):
            warnings += [f"{name}: {note}" for note in
                         series.index_levels(ctx, name).notes_for(frame.index[0], frame.index[-1])]
    if len(frame) < lookback + MIN_HISTORY:
        raise ToolError(f"only {len(frame)} day(s) of common history; the {lookback}-day lookback needs at least "
                        f"{lookback + MIN_HISTORY}", hint="use a shorter lookback or an earlier start",
                        field="lookback")
    from indexdesk.tools.targets import tier_ranges

    return Universe(names, np.array(held.weights, dtype=float), [tier_of(ctx, n) for n in names], frame,
                    held.origin, held.portfolio_value, market.label, market.as_of, warnings, tier_ranges(ctx))


def read_tilt(tilt: float, warnings: list[str], ranges: dict[str, tuple[float, float]] | None = None) -> float:
    value = float(tilt)
    if math.isfinite(value) and 1.0 <= value <= 100 * MAX_TILT:  # 5 or 7.5 mean percent; 0.3 is a fraction
        warnings.append(f"tilt {tilt:g} read as {value / 100:g} ({tilt:g}%)")
        value /= 100.0
    if not (math.isfinite(value) and 0 < value <= MAX_TILT):
        raise ToolError(f"tilt must be above 0 and at most {MAX_TILT:g} (10 % of the portfolio), got {tilt}: "
                        f"a larger tilt pushes the tiers outside their ranges ({describe_ranges(ranges or DEFAULT_RANGES)})",
                        hint="use 0.05 to 0.10, the playbook's 5-10 %", field="tilt")
    return value


def read_lookback(lookback: int) -> int:
    if not (isinstance(lookback, int) and 5 <= lookback <= 730):
        raise ToolError(f"lookback must be 5 to 730 days, got {lookback}", hint="90 is the playbook's default",
                        field="lookback")
    return lookback


def read_choice(kind: str, given: str, valid, field_name: str) -> str:
    name = (given or "").strip().lower()
    if name not in valid:
        raise unknown_name(kind, given, valid, field=field_name)
    return name


def pair_positions(ctx: "ToolContext", universe: Universe, pair) -> tuple[int, int]:
    """Column positions of the pair rule's two holdings (default: defi against layer1, else the first two)."""
    from indexdesk.tools.indices import series

    if pair:
        if len(pair) != 2:
            raise ToolError(f"pair needs two names, got {len(pair)}", hint='e.g. ["defi", "layer1"]', field="pair")
        resolved = series.resolve_names(ctx, list(pair))
        if len(resolved) != 2:
            raise ToolError("pair names the same holding twice", field="pair")
        absent = [n for n in resolved if n not in universe.names]
        if absent:
            raise ToolError(f"pair: {', '.join(absent)} not among the holdings ({', '.join(universe.names)})",
                            hint="pair two of the holdings", field="pair")
        return universe.names.index(resolved[0]), universe.names.index(resolved[1])
    if "defi" in universe.names and "layer1" in universe.names:
        return universe.names.index("defi"), universe.names.index("layer1")
    if len(universe.names) < 2:
        raise ToolError("the pair rule needs two holdings", field="pair")
    return 0, 1


def btc_volatility(ctx: "ToolContext", dates: "pd.DatetimeIndex") -> "pd.Series":
    """BTC's annualised volatility over the trailing 30 days on each date (metrics.annual_volatility)."""
    from indexdesk.tools import metrics

    key = ("btc_vol30", ctx.settings.source)
    if key not in ctx.memo:
        close = ctx.market().close
        if "BTC" not in close.columns:
            raise ToolError("the volatility trigger needs BTC prices, absent from this source",
                            hint="choose another policy or source", field="policy")
        returns = close["BTC"].dropna().pct_change()
        ctx.memo[key] = returns.rolling(VOL_WINDOW, min_periods=VOL_WINDOW).apply(
            lambda window: metrics.annual_volatility(window, ctx.settings.annualization), raw=True)
    return ctx.memo[key].reindex(dates, method="ffill")
