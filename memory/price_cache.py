"""The local price cache: daily rows from the remote sources in one SQLite file under the data home.

One row per (source, symbol, day); writes are upserts inside a single transaction, so a download
that fails half-way leaves the cache exactly as it was. Callers pass the path (memory imports
nothing from tools or agent).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

# (day "YYYY-MM-DD", close, volume or None, market_cap or None)
DailyRow = tuple[str, float, "float | None", "float | None"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS prices (
    source TEXT NOT NULL,
    symbol TEXT NOT NULL,
    day TEXT NOT NULL,
    close REAL NOT NULL CHECK (close > 0),
    volume REAL,
    market_cap REAL,
    PRIMARY KEY (source, symbol, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS syncs (
    source TEXT NOT NULL,
    symbol TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (source, symbol)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (source, key)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class SymbolStatus:
    source: str
    symbol: str
    first_day: date
    last_day: date
    rows: int
    synced_at: datetime | None


@dataclass(frozen=True)
class SourceStatus:
    source: str
    symbols: int
    first_day: date
    last_day: date
    rows: int
    last_sync: datetime | None


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class PriceCache:
    """SQLite store of daily closes (plus volume / market cap) keyed by (source, symbol, day)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Set when a damaged file was set aside on opening: what happened, for the caller to tell the user once.
        self.recovered: str | None = None
        try:
            self._open_checked()
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed": the cache is only a copy
            aside = self._quarantine()
            self._open_checked()
            self.recovered = (f"the price cache was damaged ({exc}); it was moved aside to {aside.name} and a new "
                              "one started: prices are downloaded again on the next sync")

    def _open_checked(self) -> None:
        with closing(self._connect()) as conn:
            conn.executescript(_SCHEMA)
            problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("integrity check failed: " + "; ".join(problems[:3]))

    def _quarantine(self) -> Path:
        """Rename the damaged file (and its WAL side files) aside, never delete it: it may be inspected."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        count = 1
        while aside.exists():  # never overwrite an earlier damaged copy
            count += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{count}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                part.replace(Path(str(aside) + suffix))
        return aside

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # transactions are explicit
        conn.execute("PRAGMA journal_mode=WAL")  # readers keep reading while a sync writes
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    # ------------------------------------------------------------ writes

    def write(self, source: str, rows_by_symbol: Mapping[str, Iterable[DailyRow]],
              synced_at: str | None = None) -> int:
        """Upsert every row and stamp each symbol's sync time, all in ONE transaction; returns rows written.

        If anything raises (a bad row, a failing iterator), nothing of this call is kept.
        """
        stamp = synced_at or _now_iso()
        written = 0
        with closing(self._connect()) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                for symbol, rows in rows_by_symbol.items():
                    batch = [(source, symbol, day, close, volume, market_cap)
                             for day, close, volume, market_cap in rows]
                    conn.executemany(
                        "INSERT INTO prices (source, symbol, day, close, volume, market_cap) VALUES (?,?,?,?,?,?) "
                        "ON CONFLICT (source, symbol, day) DO UPDATE SET close=excluded.close, "
                        "volume=excluded.volume, market_cap=excluded.market_cap", batch)
                    conn.execute("INSERT INTO syncs (source, symbol, synced_at) VALUES (?,?,?) "
                                 "ON CONFLICT (source, symbol) DO UPDATE SET synced_at=excluded.synced_at",
                                 (source, symbol, stamp))
                    written += len(batch)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return written

    def set_meta(self, source: str, key: str, value: Any) -> None:
        with closing(self._connect()) as conn:
            conn.execute("INSERT INTO meta (source, key, value) VALUES (?,?,?) "
                         "ON CONFLICT (source, key) DO UPDATE SET value=excluded.value",
                         (source, key, json.dumps(value)))

    # ------------------------------------------------------------ reads

    def get_meta(self, source: str, key: str, default: Any = None) -> Any:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT value FROM meta WHERE source=? AND key=?", (source, key)).fetchone()
        return json.loads(row[0]) if row else default

    def last_days(self, source: str) -> dict[str, date]:
        """Last cached day of every symbol of a source."""
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT symbol, MAX(day) FROM prices WHERE source=? GROUP BY symbol", (source,))
            return {symbol: date.fromisoformat(day) for symbol, day in rows}

    def synced_at(self, source: str) -> dict[str, datetime]:
        """When each symbol of a source was last synced (even if that sync brought no new rows)."""
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT symbol, synced_at FROM syncs WHERE source=?", (source,))
            return {symbol: datetime.fromisoformat(stamp) for symbol, stamp in rows}

    def symbols(self, source: str) -> list[str]:
        return sorted(self.last_days(source))

    def read(self, source: str, symbols: Sequence[str] | None = None, start: date | None = None,
             end: date | None = None) -> list[tuple[str, str, float, float | None, float | None]]:
        """Rows `(symbol, day, close, volume, market_cap)` ordered by symbol then day."""
        sql = "SELECT symbol, day, close, volume, market_cap FROM prices WHERE source=?"
        params: list[Any] = [source]
        if symbols is not None:
            if not symbols:
                return []
            sql += f" AND symbol IN ({','.join('?' * len(symbols))})"
            params += list(symbols)
        if start is not None:
            sql += " AND day >= ?"
            params.append(start.isoformat())
        if end is not None:
            sql += " AND day <= ?"
            params.append(end.isoformat())
        with closing(self._connect()) as conn:
            return conn.execute(sql + " ORDER BY symbol, day", params).fetchall()

    def symbol_status(self, source: str | None = None) -> list[SymbolStatus]:
        sql = ("SELECT p.source, p.symbol, MIN(p.day), MAX(p.day), COUNT(*), s.synced_at FROM prices p "
               "LEFT JOIN syncs s ON s.source = p.source AND s.symbol = p.symbol")
        params: tuple = ()
        if source is not None:
            sql += " WHERE p.source = ?"
            params = (source,)
        with closing(self._connect()) as conn:
            rows = conn.execute(sql + " GROUP BY p.source, p.symbol ORDER BY p.source, p.symbol", params).fetchall()
        return [SymbolStatus(src, sym, date.fromisoformat(first), date.fromisoformat(last), n, _parse_time(stamp))
                for src, sym, first, last, n, stamp in rows]

    def status(self) -> list[SourceStatus]:
        """Per source: symbols, first/last day, rows and the last sync time."""
        by_source: dict[str, list[SymbolStatus]] = {}
        for item in self.symbol_status():
            by_source.setdefault(item.source, []).append(item)
        out = []
        for source, items in by_source.items():
            stamps = [i.synced_at for i in items if i.synced_at is not None]
            out.append(SourceStatus(source=source, symbols=len(items), first_day=min(i.first_day for i in items),
                                    last_day=max(i.last_day for i in items), rows=sum(i.rows for i in items),
                                    last_sync=max(stamps) if stamps else None))
        return out
