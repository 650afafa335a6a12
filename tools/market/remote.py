"""What every remote source shares: incremental sync into the price cache, and loads that fall back to it.

A provider subclass says how to name symbols and how to download complete days for one symbol
(`fetch_rows`); this base class decides what to fetch (only days after the last cached day), writes
each symbol's rows in one transaction once its download is complete, and serves `load` from the
cache — marked stale when offline or when the provider could not be reached.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, ClassVar

from indexdesk.memory.price_cache import DailyRow, PriceCache
from indexdesk.tools.errors import ToolError
from indexdesk.tools.market.base import MarketData
from indexdesk.tools.market.http import HttpClient, ProviderError, ProviderUnavailable

if TYPE_CHECKING:
    from indexdesk.tools.settings import Settings

log = logging.getLogger("indexdesk.market.remote")

CACHE_FILE = "price_cache.sqlite"
REMOTE_SOURCES = ("coingecko", "binance", "tokenmetrics")


def open_cache(settings: "Settings") -> PriceCache:
    """The price cache under the data home (a damaged one is set aside and restarted; the call says so once)."""
    cache = PriceCache(settings.ensure_home() / CACHE_FILE)
    if cache.recovered:
        from indexdesk.tools.call_notes import note

        log.warning("%s", cache.recovered)
        note(cache.recovered)
    return cache


DAY_MS = 86_400_000
EPOCH = date(1970, 1, 1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def finite_float(value: object) -> float | None:
    """A finite float from a number or a numeric string (providers send both); None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def positive_float(value: object) -> float | None:
    """`finite_float`, but only above zero: a zero price, volume or cap from a provider means "not known"."""
    out = finite_float(value)
    return out if out is not None and out > 0 else None


def http_client(settings: "Settings", base_url: str, provider: str, headers: dict[str, str] | None = None,
                **overrides) -> HttpClient:
    """The retrying client configured from settings (timeout, retries, backoff); tests override sleep/transport."""
    options = dict(timeout=settings.http_timeout, retries=settings.http_retries, backoff=settings.http_backoff)
    options.update(overrides)
    return HttpClient(base_url, provider=provider, headers=headers, **options)


@dataclass
class SymbolSync:
    """The outcome of syncing one symbol."""

    symbol: str
    new_rows: int = 0
    first_day: date | None = None
    last_day: date | None = None
    up_to_date: bool = False
    error: str | None = None


@dataclass
class SyncReport:
    source: str
    results: list[SymbolSync] = field(default_factory=list)
    unreachable: str | None = None  # set when the provider could not be reached; later symbols were not tried

    @property
    def failed(self) -> list[SymbolSync]:
        return [r for r in self.results if r.error]

    @property
    def new_rows(self) -> int:
        return sum(r.new_rows for r in self.results)


ProgressCallback = Callable[[str, "SymbolSync | None"], None]  # (symbol, None) at start, (symbol, result) at end


class RemoteSource:
    """Base of the cached remote sources (CoinGecko, Binance, Token Metrics)."""

    name: ClassVar[str] = "remote"

    def __init__(self, client: HttpClient | None, cache: PriceCache, *, offline: bool = False,
                 history_days: int = 365, now: Callable[[], datetime] = utc_now) -> None:
        self.client = client
        self.cache = cache
        self.offline = offline
        self.history_days = max(1, history_days)
        self.now = now

    # ------------------------------------------------------------ provider hooks

    def default_symbols(self) -> list[str]:
        """Symbols a load without a symbol list covers."""
        raise NotImplementedError

    def canonical_symbol(self, given: str) -> str:
        """The symbol as this source names it (upper-case); ToolError for one it cannot serve."""
        return given.strip().upper()

    def fetch_rows(self, symbol: str, first: date, last: date) -> list[DailyRow]:
        """Complete days `first..last` (inclusive) for one symbol, oldest first; raises ProviderError."""
        raise NotImplementedError

    # ------------------------------------------------------------ shared behaviour

    @property
    def label(self) -> str:
        return self.name

    def last_complete_day(self) -> date:
        """Yesterday in UTC: today's candle is still open."""
        return self.now().astimezone(timezone.utc).date() - timedelta(days=1)

    def require_client(self) -> HttpClient:
        if self.client is None:
            raise ToolError(f"{self.name} has no HTTP client configured", hint="build the source with from_settings()")
        return self.client

    def available_symbols(self) -> list[str]:
        return sorted(set(self.default_symbols()) | set(self.cache.symbols(self.name)))

    def _symbols(self, symbols: Sequence[str] | None) -> list[str]:
        if symbols is None:
            return self.default_symbols()
        return list(dict.fromkeys(self.canonical_symbol(s) for s in symbols))

    def sync(self, symbols: Sequence[str] | None = None, days: int | None = None,
             progress: ProgressCallback | None = None) -> SyncReport:
        """Download what the cache lacks: days after each symbol's last cached day (or the last `days` days).

        Each symbol is written in one transaction after its download completes. A provider that
        cannot be reached stops the sync (the remaining symbols are reported as not tried).
        """
        if self.offline:
            raise ToolError(f"offline: cannot sync {self.name}", hint="unset INDEXDESK_OFFLINE to download")
        wanted = self._symbols(symbols)
        last_cached = self.cache.last_days(self.name)
        end = self.last_complete_day()
        report = SyncReport(self.name)
        for symbol in wanted:
            if progress:
                progress(symbol, None)
            result = SymbolSync(symbol)
            if report.unreachable:
                result.error = f"not tried: {report.unreachable}"
            else:
                self._sync_one(symbol, last_cached.get(symbol), end, days, result, report)
            report.results.append(result)
            if progress:
                progress(symbol, result)
        return report

    def _sync_one(self, symbol: str, last: date | None, end: date, days: int | None, result: SymbolSync,
                  report: SyncReport) -> None:
        if days is not None:
            first = end - timedelta(days=max(1, days) - 1)
        elif last is not None:
            first = last + timedelta(days=1)
        else:
            first = end - timedelta(days=self.history_days - 1)
        try:
            rows = self.fetch_rows(symbol, first, end) if first <= end else []
        except ProviderUnavailable as exc:
            result.error = exc.message
            report.unreachable = exc.message
            return
        except ProviderError as exc:
            result.error = exc.message
            return
        rows = [r for r in rows if first.isoformat() <= r[0] <= end.isoformat()]
        self.cache.write(self.name, {symbol: rows}, synced_at=self.now().isoformat(timespec="seconds"))
        result.new_rows = len(rows) if last is None else sum(1 for r in rows if r[0] > last.isoformat())
        result.up_to_date = not rows
        if rows:
            result.first_day, result.last_day = date.fromisoformat(rows[0][0]), date.fromisoformat(rows[-1][0])

    def _due(self, symbols: list[str]) -> list[str]:
        """Symbols whose cache could hold more closed days: not synced since the last UTC midnight."""
        synced = self.cache.synced_at(self.name)
        today = self.now().astimezone(timezone.utc).date()
        return [s for s in symbols if s not in synced or synced[s].astimezone(timezone.utc).date() < today]

    def load(self, symbols: Sequence[str] | None = None, start: date | None = None,
             end: date | None = None) -> MarketData:
        """Refresh what is due (unless offline), then answer from the cache; stale when refreshing failed."""
        import pandas as pd

        from indexdesk.tools.market.panel import market_data_from_long

        explicit = symbols is not None
        wanted = self._symbols(symbols)
        notes: list[str] = []
        stale = self.offline
        errors: dict[str, str] = {}
        if getattr(self.cache, "recovered", None):  # said once: on the first load after the cache was set aside
            notes.append(self.cache.recovered)
            self.cache.recovered = None
        if self.offline:
            notes.append(f"offline: {self.name} served from the local cache")
        else:
            due = self._due(wanted)
            if due:
                report = self.sync(due)
                errors = {r.symbol: r.error for r in report.failed if r.error}
                if report.unreachable:
                    stale = True
                    notes.append(f"{self.name} unreachable ({report.unreachable}); served from the local cache")
                notes += [f"{symbol}: {error}" for symbol, error in errors.items()
                          if error != report.unreachable and not error.startswith("not tried")]
        rows = self.cache.read(self.name, wanted, start, end)
        if not rows:
            reason = "; ".join(f"{s}: {e}" for s, e in list(errors.items())[:3])
            raise ToolError(f"no {self.name} prices cached for {', '.join(wanted[:8])}"
                            + (f" ({reason})" if reason else ""),
                            hint=f"run `indexdesk data sync --source {self.name}` while online"
                                 if self.offline or errors else "check the symbols and the date range")
        frame = pd.DataFrame(rows, columns=["symbol", "day", "close", "volume", "market_cap"])
        frame["date"] = pd.to_datetime(frame.pop("day"), format="%Y-%m-%d")
        frame["volume"] = frame["volume"].astype(float)
        frame["market_cap"] = frame["market_cap"].astype(float)
        data = market_data_from_long(frame, self.label, stale=stale, notes=tuple(notes))
        if explicit and list(data.close.columns) != wanted:
            cached = set(self.cache.symbols(self.name))
            missing = [s for s in wanted if s not in cached]
            if missing:
                why = "; ".join(f"{s}: {errors[s]}" for s in missing if s in errors)
                raise ToolError(f"{self.name} has no prices for {', '.join(missing)}" + (f" ({why})" if why else ""),
                                hint="check the symbol names, or run `indexdesk data sync` for them")
            data = data.select(wanted)  # cached symbols with no row in the window stay as NaN columns
        return data
