"""The PriceSource interface every source implements, and the MarketData it returns.

Conventions (all sources): index is a tz-naive, daily, sorted `DatetimeIndex` of UTC calendar
days; columns are upper-case symbols; `close` is the end-of-day price; a missing value is NaN
(before listing, after delisting, gaps) and is never invented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # pandas stays out of CLI start-up
    import pandas as pd


@dataclass(frozen=True)
class MarketData:
    """Daily panel of one source. `volume` / `market_cap` are None when the source has none."""

    close: "pd.DataFrame"
    source: str
    volume: "pd.DataFrame | None" = None
    market_cap: "pd.DataFrame | None" = None
    synthetic: bool = False
    stale: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def symbols(self) -> list[str]:
        return list(self.close.columns)

    @property
    def as_of(self) -> date | None:
        if self.close.empty:
            return None
        return self.close.index[-1].date()

    @property
    def label(self) -> str:
        """What every result says about where its numbers came from."""
        tag = self.source + (" (synthetic)" if self.synthetic else "")
        return tag + (" [stale: served from cache]" if self.stale else "")

    def select(self, symbols: Sequence[str] | None = None, start: date | None = None,
               end: date | None = None) -> "MarketData":
        """A sub-panel; unknown symbols are the caller's to check against `symbols`."""
        def cut(frame):
            if frame is None:
                return None
            out = frame if symbols is None else frame.reindex(columns=list(symbols))
            if start is not None or end is not None:
                out = out.loc[start and str(start): end and str(end)]
            return out

        return MarketData(close=cut(self.close), source=self.source, volume=cut(self.volume),
                          market_cap=cut(self.market_cap), synthetic=self.synthetic, stale=self.stale,
                          notes=self.notes)


@runtime_checkable
class PriceSource(Protocol):
    """A source of daily prices. Implementations: sample, csv, coingecko, binance, tokenmetrics."""

    name: str

    def load(self, symbols: Sequence[str] | None = None, start: date | None = None,
             end: date | None = None) -> MarketData:
        """Daily panel for `symbols` (None = every symbol the source knows) between start and end."""
        ...

    def available_symbols(self) -> list[str]:
        """Symbols this source can serve (may be a cached or configured list for remote sources)."""
        ...
