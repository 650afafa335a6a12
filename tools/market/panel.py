"""Long rows → the wide daily panels of `MarketData` (shared by the CSV source and the cached remote sources)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indexdesk.tools.market.base import MarketData

DAY = np.timedelta64(1, "D")


def wide_panel(days: np.ndarray, symbol_codes: np.ndarray, n_symbols: int, values: np.ndarray,
               first: np.datetime64, n_days: int) -> np.ndarray:
    """A (days × symbols) float array with NaN where no row exists; (day, symbol) pairs must be unique."""
    out = np.full((n_days, n_symbols), np.nan)
    out[((days - first) // DAY).astype(np.int64), symbol_codes] = values
    return out


def market_data_from_long(frame: pd.DataFrame, source: str, *, stale: bool = False,
                          notes: tuple[str, ...] = ()) -> MarketData:
    """MarketData from a long frame with `date` (datetime64), `symbol`, `close` and optional `volume`, `market_cap`.

    The index is every calendar day from the first to the last row (gaps stay NaN; nothing is filled).
    A volume or market-cap panel with no value at all is left out (None).
    """
    if frame.empty:
        empty = pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype=float)
        return MarketData(close=empty, source=source, stale=stale, notes=notes)
    days = frame["date"].to_numpy(dtype="datetime64[D]")
    codes, symbols = pd.factorize(frame["symbol"], sort=True)
    first, last = days.min(), days.max()
    n_days = int((last - first) // DAY) + 1
    index = pd.DatetimeIndex(pd.date_range(pd.Timestamp(first), periods=n_days, freq="D").as_unit("ns"), name="date")
    columns = pd.Index([str(s) for s in symbols], name="symbol")

    def panel(column: str) -> pd.DataFrame | None:
        if column not in frame:
            return None
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        if column != "close" and np.isnan(values).all():
            return None
        return pd.DataFrame(wide_panel(days, codes, len(columns), values, first, n_days), index=index,
                            columns=columns)

    return MarketData(close=panel("close"), source=source, volume=panel("volume"),
                      market_cap=panel("market_cap"), stale=stale, notes=notes)
