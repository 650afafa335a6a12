"""The index engine: daily levels of a rule-based index from a close panel (pure numpy/pandas).

Method, in the order it happens:
* Rebalance dates are the first day of each new week / month / quarter present in the panel,
  like bt's `RunWeekly/RunMonthly/RunQuarterly`; the panel's first day is one too. The index
  incepts (level 100) at the first rebalance date with at least one priced constituent.
* At a rebalance, an asset is eligible if it has a close on that day: so assets enter at
  listing (at the next rebalance), and an asset whose prices stop falls out at the next one.
* Top-N rules rank the eligible assets by market cap (assets without a cap estimate rank after
  those with one, in universe order).
* Weights: market cap, equal, or inverse volatility of daily returns over a lookback. A
  `max_weight` cap is applied by capping and redistributing the excess pro rata to the
  uncapped assets until none exceeds it (equal weight when the cap cannot be met).
* Between rebalances the index holds units, so weights drift with prices. A held asset whose
  price stops (delisting, gap) is carried at its last close until the next rebalance: the
  level never breaks. A rebalance with no priced constituent holds cash (flat level).
* An annual fee in basis points accrues daily: the level is multiplied by
  (1 - fee_bps / 10_000 / 365) per calendar day held.

Missing market caps (a CSV without caps, exchange data, the real data after 2022-09-25): the
cap of an asset is estimated as its last known cap scaled by its price change since (i.e. its
last known supply held constant). When a selected asset has no cap at all, that rebalance uses
equal weight. Both are reported in the result's `notes`.

Everything is computed over the whole panel once (`prepare_market`); `build_index` loops only
over rebalance dates, with small vector operations in each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the engine needs only the attributes; no project import at runtime
    from indexdesk.tools.indices.definitions import IndexDefinition

START_LEVEL = 100.0
DAYS_PER_YEAR = 365
_VOLATILITY_FLOOR = 1e-8  # keeps a flat series from taking an infinite inverse-volatility weight


@dataclass
class PreparedMarket:
    """A close panel as arrays, with the derived panels every index shares."""

    dates: pd.DatetimeIndex
    symbols: list[str]
    close: np.ndarray  # T × N, NaN where not observed
    observed: np.ndarray  # T × N bool
    close_carried: np.ndarray  # T × N, last observed close carried forward
    cap_estimate: np.ndarray | None  # T × N: observed cap, else last cap × price change since; NaN if never known
    cap_observed: np.ndarray | None  # T × N bool: the cap of that day is in the data
    categories: list[str | None]
    universe_order: np.ndarray  # rank of each symbol in the universe listing (ties broken by it)
    day_number: np.ndarray  # calendar-day ordinal of each date, for fee accrual
    _volatility: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def column(self, symbol: str) -> int:
        return self._positions[symbol]

    def __post_init__(self) -> None:
        self._positions = {s: i for i, s in enumerate(self.symbols)}

    def volatility(self, lookback_days: int) -> np.ndarray:
        """Rolling standard deviation of observation-to-observation returns (T × N)."""
        if lookback_days not in self._volatility:
            returns = pd.DataFrame(self.close / _shift_down(self.close_carried) - 1.0)
            minimum = max(5, lookback_days // 3)
            self._volatility[lookback_days] = returns.rolling(lookback_days, min_periods=minimum).std().to_numpy()
        return self._volatility[lookback_days]


@dataclass(frozen=True)
class EngineNote:
    """Something a reader of the levels must know, with the rebalance dates it concerns (none = always)."""

    text: str
    dates: tuple = ()
    coverage: bool = False  # about which constituents are priced: travels to every result built on the index

    def __str__(self) -> str:
        return self.text

    def concerns(self, start, end) -> bool:
        """Whether a rebalance it concerns falls in [start, end] (timestamps); undated notes always do."""
        return not self.dates or any(start <= d <= end for d in self.dates)


@dataclass
class IndexLevels:
    """The engine's result for one index."""

    name: str
    levels: pd.Series  # daily, START_LEVEL at inception, NaN before
    weights: pd.DataFrame  # target weights at each rebalance date (rows) by symbol (columns)
    notes: list[EngineNote]

    def notes_for(self, start, end, coverage_only: bool = False) -> list[str]:
        """Notes that matter for levels between `start` and `end`, including the rebalance that set the
        weights held on `start` (only the coverage ones if asked)."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        rebalanced = self.weights.index[self.weights.index <= start]
        governing = rebalanced[-1] if len(rebalanced) else start
        return [n.text for n in self.notes if n.concerns(governing, end) and (n.coverage or not coverage_only)]

    @property
    def inception(self):
        valid = self.levels.first_valid_index()
        return None if valid is None else valid.date()

    def last_weights(self) -> dict[str, float]:
        if self.weights.empty:
            return {}
        row = self.weights.iloc[-1]
        return {s: float(w) for s, w in row[row > 0].sort_values(ascending=False).items()}


def _shift_down(values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[0] = np.nan
    out[1:] = values[:-1]
    return out


def _carry_forward(values: np.ndarray) -> np.ndarray:
    """Forward-fill NaN down each column (numpy, no copy of pandas overhead per column)."""
    mask = np.isnan(values)
    last_seen = np.where(~mask, np.arange(values.shape[0])[:, None], 0)
    np.maximum.accumulate(last_seen, axis=0, out=last_seen)
    out = values[last_seen, np.arange(values.shape[1])]
    # Before the first observation there is nothing to carry.
    never = np.logical_and.accumulate(mask, axis=0)
    out[never] = np.nan
    return out


def prepare_market(close: pd.DataFrame, market_cap: pd.DataFrame | None = None,
                   categories: Mapping[str, str] | None = None,
                   universe_order: Sequence[str] | None = None) -> PreparedMarket:
    """Arrays and shared derived panels for `build_index` (computed once per market)."""
    close = close.sort_index()
    symbols = [str(s) for s in close.columns]
    values = close.to_numpy(dtype=float, copy=True)
    values[values <= 0] = np.nan  # a non-positive close is not a price
    observed = ~np.isnan(values)
    carried = _carry_forward(values)
    cap_estimate = cap_observed = None
    if market_cap is not None:
        caps = market_cap.reindex(index=close.index, columns=close.columns).to_numpy(dtype=float, copy=True)
        caps[caps <= 0] = np.nan
        caps[~observed] = np.nan  # a cap without a price on that day cannot be scaled
        cap_observed = ~np.isnan(caps)
        if cap_observed.any():
            supply = _carry_forward(caps / values)
            cap_estimate = np.where(cap_observed, caps, supply * carried)
        else:
            cap_observed = None
    categories = categories or {}
    order = {s: i for i, s in enumerate(universe_order or ())}
    rank = np.array([order.get(s, len(order) + i) for i, s in enumerate(symbols)], dtype=float)
    day_number = (close.index.normalize() - pd.Timestamp("1970-01-01")).days.to_numpy()
    return PreparedMarket(dates=pd.DatetimeIndex(close.index), symbols=symbols, close=values, observed=observed,
                          close_carried=carried, cap_estimate=cap_estimate, cap_observed=cap_observed,
                          categories=[categories.get(s) for s in symbols], universe_order=rank,
                          day_number=day_number)


def rebalance_positions(dates: pd.DatetimeIndex, cadence: str) -> np.ndarray:
    """Row positions of the first day of each new period (and of the first day)."""
    if len(dates) == 0:
        return np.array([], dtype=int)
    if cadence == "weekly":
        key = ((dates.normalize() - pd.Timestamp("1970-01-05")).days.to_numpy()) // 7  # weeks start on Monday
    elif cadence == "monthly":
        key = dates.year.to_numpy() * 12 + dates.month.to_numpy()
    elif cadence == "quarterly":
        key = dates.year.to_numpy() * 4 + (dates.month.to_numpy() - 1) // 3
    else:
        raise ValueError(f"unknown rebalance cadence {cadence!r}")
    return np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))


def candidate_columns(definition: "IndexDefinition", market: PreparedMarket) -> tuple[np.ndarray, list[str]]:
    """Columns eligible under the rule, and explicit symbols the market lacks."""
    rule = definition.rule
    wanted = set(rule.categories)
    excluded = set(rule.exclude_categories)
    columns = []
    for i, (symbol, category) in enumerate(zip(market.symbols, market.categories)):
        in_category = ("all" in wanted or category in wanted) and category not in excluded
        if symbol in rule.symbols or in_category:
            columns.append(i)
    missing = [s for s in rule.symbols if s not in market._positions]
    return np.array(columns, dtype=int), missing


def cap_weights(weights: np.ndarray, max_weight: float | None) -> tuple[np.ndarray, bool]:
    """Normalise, then cap at `max_weight` redistributing the excess pro rata; (weights, cap_feasible)."""
    weights = np.asarray(weights, dtype=float)
    weights = weights / weights.sum()
    if max_weight is None or weights.size == 0 or np.all(weights <= max_weight + 1e-12):
        return weights, True
    if max_weight * weights.size < 1.0 - 1e-12:
        return np.full(weights.size, 1.0 / weights.size), False
    capped = np.zeros(weights.size, dtype=bool)
    out = weights.copy()
    while True:
        free = ~capped
        room = 1.0 - max_weight * capped.sum()
        out[capped] = max_weight
        out[free] = weights[free] / weights[free].sum() * room
        newly = free & (out > max_weight + 1e-12)
        if not newly.any():
            return out, True
        capped |= newly


def _dates_text(dates: list) -> str:
    if not dates:
        return ""
    first, last = dates[0].date(), dates[-1].date()
    return f"{first}" if first == last else f"{first}..{last}"


@dataclass
class _Diagnostics:
    estimated_caps: list = field(default_factory=list)
    equal_fallback: list = field(default_factory=list)
    capless: set = field(default_factory=set)
    cash: list = field(default_factory=list)
    infeasible_cap: list = field(default_factory=list)


def _target_weights(definition: "IndexDefinition", market: PreparedMarket, row: int, columns: np.ndarray,
                    diagnostics: _Diagnostics) -> tuple[np.ndarray, np.ndarray]:
    """(selected columns, their weights) at rebalance row `row`."""
    eligible = columns[market.observed[row, columns]]
    if eligible.size == 0:
        return eligible, np.array([])
    when = market.dates[row]
    caps = market.cap_estimate[row, eligible] if market.cap_estimate is not None else np.full(eligible.size, np.nan)
    top_n = definition.rule.top_n
    needs_caps = definition.weighting == "market_cap" or (top_n is not None and top_n < eligible.size)
    if needs_caps:
        # Largest cap first; assets without a cap after those with one, in universe order.
        order = np.lexsort((market.universe_order[eligible], np.where(np.isnan(caps), np.inf, -caps)))
        eligible, caps = eligible[order], caps[order]
        if top_n is not None:
            eligible, caps = eligible[:top_n], caps[:top_n]
        if market.cap_observed is not None and not market.cap_observed[row, eligible].all() and not np.isnan(caps).all():
            diagnostics.estimated_caps.append(when)
    if definition.weighting == "market_cap":
        if np.isnan(caps).any():
            diagnostics.equal_fallback.append(when)
            diagnostics.capless.update(market.symbols[c] for c in eligible[np.isnan(caps)])
            raw = np.ones(eligible.size)
        else:
            raw = caps
    elif definition.weighting == "inverse_volatility":
        vols = market.volatility(definition.lookback_days)[row, eligible]
        if np.isnan(vols).all():
            raw = np.ones(eligible.size)
        else:
            # A new listing without enough history is treated as typically volatile.
            vols = np.where(np.isnan(vols), np.nanmedian(vols), vols)
            raw = 1.0 / np.maximum(vols, _VOLATILITY_FLOOR)
    else:
        raw = np.ones(eligible.size)
    weights, feasible = cap_weights(raw, definition.max_weight)
    if not feasible:
        diagnostics.infeasible_cap.append(when)
    return eligible, weights


def _notes(definition: "IndexDefinition", diagnostics: _Diagnostics, missing: list[str], rebalances: int,
           last_count: int, intended: int, last_date) -> list[EngineNote]:
    notes = []
    if missing:
        notes.append(EngineNote(f"not in this price source, left out: {', '.join(missing)}", coverage=True))
    if diagnostics.estimated_caps:
        notes.append(EngineNote(
            f"market caps estimated as last known cap x price change since at {len(diagnostics.estimated_caps)} "
            f"of {rebalances} rebalances ({_dates_text(diagnostics.estimated_caps)})",
            tuple(diagnostics.estimated_caps)))
    if diagnostics.equal_fallback:
        shown = ", ".join(sorted(diagnostics.capless)[:6]) + (" …" if len(diagnostics.capless) > 6 else "")
        notes.append(EngineNote(
            f"no market cap for {shown}: equal weight at {len(diagnostics.equal_fallback)} of {rebalances} "
            f"rebalances ({_dates_text(diagnostics.equal_fallback)})", tuple(diagnostics.equal_fallback)))
    if diagnostics.infeasible_cap:
        notes.append(EngineNote(
            f"max_weight {definition.max_weight:.0%} cannot be met with so few constituents: equal weight at "
            f"{len(diagnostics.infeasible_cap)} rebalances ({_dates_text(diagnostics.infeasible_cap)})",
            tuple(diagnostics.infeasible_cap)))
    if diagnostics.cash:
        notes.append(EngineNote(
            f"no constituent priced at {len(diagnostics.cash)} rebalances ({_dates_text(diagnostics.cash)}): "
            "held as cash, level flat", tuple(diagnostics.cash), coverage=True))
    if 0 < last_count < intended / 2:
        notes.append(EngineNote(f"only {last_count} of {intended} constituents priced at the last rebalance "
                                f"({last_date.date()})", (last_date,), coverage=True))
    return notes


def build_index(definition: "IndexDefinition", market: PreparedMarket) -> IndexLevels:
    """Daily levels of `definition` over the whole prepared market."""
    columns, missing = candidate_columns(definition, market)
    total_days = len(market.dates)
    levels = np.full(total_days, np.nan)
    empty = IndexLevels(definition.name, pd.Series(levels, index=market.dates, name=definition.name),
                        pd.DataFrame(index=pd.DatetimeIndex([]), columns=[market.symbols[c] for c in columns],
                                     dtype=float), [])
    if columns.size == 0 or total_days == 0:
        empty.notes.extend(_notes(definition, _Diagnostics(), missing, 0, 0, 0, None)
                           + [EngineNote("no constituent in this price source: the index has no levels", coverage=True)])
        return empty
    rebalances = rebalance_positions(market.dates, definition.rebalance)
    priced = market.observed[np.ix_(rebalances, columns)].any(axis=1)
    if not priced.any():
        empty.notes.extend(_notes(definition, _Diagnostics(), missing, 0, 0, 0, None)
                           + [EngineNote("no constituent was ever priced on a rebalance date: the index has no levels",
                                        coverage=True)])
        return empty
    rebalances = rebalances[int(np.argmax(priced)):]
    bounds = np.append(rebalances, total_days)
    daily_fee = 1.0 - definition.fee_bps / 10_000.0 / DAYS_PER_YEAR
    diagnostics = _Diagnostics()
    weight_rows = np.zeros((rebalances.size, columns.size))
    column_slot = {c: j for j, c in enumerate(columns)}
    level = START_LEVEL
    last_count = 0
    for k, start in enumerate(rebalances):
        stop = bounds[k + 1]
        levels[start] = level
        selected, weights = _target_weights(definition, market, start, columns, diagnostics)
        last_count = selected.size
        if selected.size == 0:
            diagnostics.cash.append(market.dates[start])
            levels[start:stop] = level
            continue
        weight_rows[k, [column_slot[c] for c in selected]] = weights
        units = level * weights / market.close[start, selected]
        # Through the next rebalance day: it trades at the drifted level of its own close.
        through = min(stop + 1, total_days)
        held = market.close_carried[start + 1:through][:, selected] @ units
        if daily_fee != 1.0:
            held = held * daily_fee ** (market.day_number[start + 1:through] - market.day_number[start])
        levels[start + 1:stop] = held[: stop - start - 1]
        if stop < total_days:
            level = float(held[-1])
    intended = definition.rule.top_n or columns.size
    notes = _notes(definition, diagnostics, missing, rebalances.size, last_count,
                   min(intended, columns.size), market.dates[rebalances[-1]])
    weights_frame = pd.DataFrame(weight_rows, index=market.dates[rebalances],
                                 columns=[market.symbols[c] for c in columns])
    return IndexLevels(definition.name, pd.Series(levels, index=market.dates, name=definition.name),
                       weights_frame, notes)
