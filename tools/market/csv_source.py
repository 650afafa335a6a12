"""`csv:PATH`: daily prices from a long (`date,symbol,close[,volume,market_cap]`) or wide (`date,BTC,ETH,…`) CSV.

The layout is detected from the header. A bad file gets one `ToolError` naming the row (counted like
line numbers: the header is row 1) and the problem. A parsed copy is kept as a `.npz` under the data
home, keyed by the file's path, modification time and size, so the next load skips parsing.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.market.base import MarketData
from indexdesk.tools.market.panel import DAY, market_data_from_long

log = logging.getLogger("indexdesk.market.csv")

DATE_COLUMNS = ("date", "day", "timestamp", "time")
SYMBOL_COLUMNS = ("symbol", "ticker", "asset")
CLOSE_COLUMNS = ("close", "price")
CACHE_FORMAT = 1


class CsvSource:
    """Prices from one CSV file (long or wide), validated, with a parsed copy cached by path+mtime+size."""

    name = "csv"

    def __init__(self, path: str | Path, cache_dir: Path | None = None) -> None:
        self.path = Path(path).expanduser()
        self.cache_dir = cache_dir
        self.label = f"csv:{self.path.name}"
        self._data: MarketData | None = None

    # ------------------------------------------------------------ PriceSource

    def load(self, symbols: Sequence[str] | None = None, start: date | None = None,
             end: date | None = None) -> MarketData:
        data = self._full()
        if symbols is not None:
            wanted = [s.strip().upper() for s in symbols]
            known = set(data.symbols)
            for symbol in wanted:
                if symbol not in known:
                    raise unknown_name(f"symbol in {self.path.name}", symbol, data.symbols)
            symbols = wanted
        if symbols is None and start is None and end is None:
            return data
        return data.select(symbols, start, end)

    def available_symbols(self) -> list[str]:
        return self._full().symbols

    # ------------------------------------------------------------ loading

    def _full(self) -> MarketData:
        if self._data is None:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                raise ToolError(f"price file not found: {self.path}",
                                hint="give an existing CSV, e.g. --source csv:/path/to/prices_daily.csv") from None
            key = f"{self.path.resolve()}|{stat.st_mtime_ns}|{stat.st_size}"
            self._data = self._read_cached(key)
            if self._data is None:
                self._data = parse_price_csv(self.path, self.label)
                self._write_cached(key, self._data)
        return self._data

    def _cache_file(self) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha1(str(self.path.resolve()).encode()).hexdigest()[:16]
        return self.cache_dir / f"{digest}.npz"

    def _read_cached(self, key: str) -> MarketData | None:
        cache_file = self._cache_file()
        if cache_file is None or not cache_file.exists():
            return None
        try:
            with np.load(cache_file, allow_pickle=False) as saved:
                if str(saved["key"]) != key or int(saved["format"]) != CACHE_FORMAT:
                    return None
                first = np.datetime64(str(saved["first_day"]), "D")
                index = pd.DatetimeIndex(pd.date_range(pd.Timestamp(first), periods=saved["close"].shape[0],
                                                       freq="D").as_unit("ns"), name="date")
                columns = pd.Index([str(s) for s in saved["symbols"]], name="symbol")
                frames = {name: pd.DataFrame(saved[name], index=index, columns=columns)
                          for name in ("close", "volume", "market_cap") if name in saved.files}
        except (OSError, ValueError, KeyError) as exc:  # a damaged cache file is re-parsed, never trusted
            log.debug("ignoring unreadable CSV cache %s: %s", cache_file, exc)
            return None
        return MarketData(close=frames["close"], source=self.label, volume=frames.get("volume"),
                          market_cap=frames.get("market_cap"))

    def _write_cached(self, key: str, data: MarketData) -> None:
        cache_file = self._cache_file()
        if cache_file is None or data.close.empty:
            return
        arrays = {"key": np.array(key), "format": np.array(CACHE_FORMAT),
                  "first_day": np.array(str(data.close.index[0].date())),
                  "symbols": np.array(data.symbols), "close": data.close.to_numpy()}
        for name in ("volume", "market_cap"):
            frame = getattr(data, name)
            if frame is not None:
                arrays[name] = frame.to_numpy()
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            partial = cache_file.with_name(cache_file.name + f".{os.getpid()}.tmp.npz")
            np.savez(partial, **arrays)
            os.replace(partial, cache_file)  # readers never see a half-written cache
        except OSError as exc:  # a read-only home only costs speed
            log.debug("could not write CSV cache %s: %s", cache_file, exc)


# ---------------------------------------------------------------- parsing and validation

def _bad(path: Path, row: int, problem: str, hint: str | None = None) -> ToolError:
    return ToolError(f"{path.name} row {row}: {problem}",
                     hint=hint or "fix that row (rows are counted like line numbers; the header is row 1) and retry")


def _pick(columns: dict[str, str], names: Sequence[str]) -> str | None:
    return next((columns[n] for n in names if n in columns), None)


def parse_price_csv(path: Path, label: str | None = None) -> MarketData:
    """Read, detect the layout, validate and turn a price CSV into MarketData (ToolError on a bad file)."""
    try:
        raw = pd.read_csv(path, skip_blank_lines=False, skipinitialspace=True, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ToolError(f"{path.name} is not a readable CSV: {exc}",
                        hint="expected a header row: date,symbol,close[,volume,market_cap] or date,BTC,ETH,…") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    rows = np.arange(2, len(raw) + 2)  # file row numbers: the header is row 1
    filled = raw.notna().any(axis=1).to_numpy()
    if not filled.all():  # blank lines are allowed and ignored
        raw, rows = raw.loc[filled].reset_index(drop=True), rows[filled]
    lowered = {c.lower(): c for c in raw.columns}
    date_col = _pick(lowered, DATE_COLUMNS)
    symbol_col = _pick(lowered, SYMBOL_COLUMNS)
    close_col = _pick(lowered, CLOSE_COLUMNS)
    found = ", ".join(raw.columns) or "nothing"
    if date_col is None:
        raise ToolError(f"{path.name}: missing a date column (found: {found})",
                        hint="long layout: date,symbol,close[,volume,market_cap]; wide layout: date,BTC,ETH,…")
    days = _parse_days(path, raw[date_col], rows)
    if symbol_col is not None or close_col is not None:
        if symbol_col is None or close_col is None:
            missing = "symbol" if symbol_col is None else "close"
            raise ToolError(f"{path.name}: missing the {missing!r} column of the long layout (found: {found})",
                            hint="long layout: date,symbol,close[,volume,market_cap]")
        frame = _long_frame(path, raw, rows, days, symbol_col, close_col, lowered)
    else:
        frame = _wide_frame(path, raw, rows, days, date_col)
    return market_data_from_long(frame, label or f"csv:{path.name}")


def _parse_days(path: Path, column: pd.Series, rows: np.ndarray) -> np.ndarray:
    text = column.astype("string").str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise _bad(path, int(rows[i]), f"cannot read the date {text.iloc[i]!r}", hint="write dates as YYYY-MM-DD")
    return parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[D]")


def _numbers(path: Path, column: pd.Series, rows: np.ndarray, what: str, *, required: bool,
             positive: bool) -> np.ndarray:
    """The column as floats; the first non-numeric / missing / out-of-range cell is a ToolError."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    missing = np.isnan(values)
    non_numeric = missing & column.notna().to_numpy()
    if non_numeric.any():
        i = int(np.argmax(non_numeric))
        raise _bad(path, int(rows[i]), f"{what} {str(column.iloc[i])!r} is not a number")
    infinite = np.isinf(values)
    if infinite.any():  # "inf" parses as a number; a price that is not finite is a broken row
        i = int(np.argmax(infinite))
        raise _bad(path, int(rows[i]), f"{what} {str(column.iloc[i])!r} is not a finite number")
    if required and missing.any():
        i = int(np.argmax(missing))
        raise _bad(path, int(rows[i]), f"{what} is empty")
    with np.errstate(invalid="ignore"):
        out_of_range = (values <= 0) if positive else (values < 0)
    if out_of_range.any():
        i = int(np.argmax(out_of_range))
        need = "positive" if positive else "zero or more"
        raise _bad(path, int(rows[i]), f"{what} {values[i]:g} must be {need}")
    return values


def _long_frame(path: Path, raw: pd.DataFrame, rows: np.ndarray, days: np.ndarray, symbol_col: str,
                close_col: str, lowered: dict[str, str]) -> pd.DataFrame:
    symbols = raw[symbol_col].astype("string").str.strip().str.upper()
    empty = (symbols.isna() | (symbols == "")).to_numpy()
    if empty.any():
        raise _bad(path, int(rows[int(np.argmax(empty))]), "the symbol is empty")
    frame = pd.DataFrame({"date": days, "symbol": symbols.astype(object),
                          "close": _numbers(path, raw[close_col], rows, "close", required=True, positive=True)})
    for name in ("volume", "market_cap"):
        if name in lowered:
            values = _numbers(path, raw[lowered[name]], rows, name, required=False, positive=False)
            values[values == 0] = np.nan  # providers write 0 for "not known"
            frame[name] = values
    codes = pd.factorize(frame["symbol"])[0]
    _check_order(path, rows, days, codes, key="symbol", labels=frame["symbol"].to_numpy())
    return frame


def _wide_frame(path: Path, raw: pd.DataFrame, rows: np.ndarray, days: np.ndarray, date_col: str) -> pd.DataFrame:
    symbol_cols = [c for c in raw.columns if c != date_col and not c.lower().startswith("unnamed:")]
    if not symbol_cols:
        raise ToolError(f"{path.name}: no symbol columns next to {date_col!r}",
                        hint="wide layout: date,BTC,ETH,… with one close per cell")
    upper = [c.strip().upper() for c in symbol_cols]
    if len(set(upper)) != len(upper):
        twice = next(s for s in upper if upper.count(s) > 1)
        raise ToolError(f"{path.name}: the column {twice!r} appears twice in the header",
                        hint="keep one column per symbol")
    _check_order(path, rows, days, np.zeros(len(days), dtype=np.int64), key="date")
    closes = np.column_stack([_numbers(path, raw[c], rows, f"{s} close", required=False, positive=True)
                              for c, s in zip(symbol_cols, upper)])
    present = ~np.isnan(closes)
    day_idx, sym_idx = np.nonzero(present)
    return pd.DataFrame({"date": days[day_idx], "symbol": np.array(upper, dtype=object)[sym_idx],
                         "close": closes[day_idx, sym_idx]})


def _check_order(path: Path, rows: np.ndarray, days: np.ndarray, codes: np.ndarray, *, key: str,
                 labels: np.ndarray | None = None) -> None:
    """Within each group (symbol, or the whole file for wide), dates must strictly increase in file order."""
    if len(days) < 2:
        return
    order = np.argsort(codes, kind="stable")
    same_group = codes[order][1:] == codes[order][:-1]
    step = (days[order][1:] - days[order][:-1]) // DAY
    problem = same_group & (step <= 0)
    if not problem.any():
        return
    later = order[1:][problem]
    earlier = order[:-1][problem]
    first = int(np.argmin(rows[later]))  # the problem nearest the top of the file
    i, j = int(later[first]), int(earlier[first])
    what = f"{labels[i]} on {days[i]}" if key == "symbol" else f"{days[i]}"
    if days[i] == days[j]:
        raise _bad(path, int(rows[i]), f"duplicate row for {what} (first seen at row {rows[j]})",
                   hint="keep one row per date" + (" and symbol" if key == "symbol" else ""))
    within = f" for {labels[i]}" if key == "symbol" else ""
    raise _bad(path, int(rows[i]), f"dates are not sorted{within}: {days[i]} comes after {days[j]} (row {rows[j]})",
               hint="sort the file by " + ("symbol then date" if key == "symbol" else "date"))
