"""`binance`: daily closes from Binance spot klines (`/api/v3/klines`, public, USDT pairs).

A kline is `[open time, open, high, low, close, volume, close time, quote volume, trades,
taker-buy base volume, taker-buy quote volume, ignore]` with prices as strings and times in ms.
The day of a daily kline is the UTC date of its open time; the still-open candle (close time in
the future) is dropped. Volume is the quote-asset (USDT) volume; Binance has no market caps.
Paged by `startTime` with `limit=1000`. The base URL is configurable (e.g. https://api.binance.us).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from indexdesk.memory.price_cache import DailyRow, PriceCache
from indexdesk.tools.market.http import HttpClient, ProviderError
from indexdesk.tools.market.remote import DAY_MS, EPOCH, RemoteSource, http_client, open_cache, positive_float, utc_now
from indexdesk.tools.market.universe import ASSETS

if TYPE_CHECKING:
    from indexdesk.tools.settings import Settings

PAGE_LIMIT = 1000


def _day_ms(day: date) -> int:
    return (day - EPOCH).days * DAY_MS


def rows_from_klines(klines: Any, now_ms: int) -> tuple[list[DailyRow], int | None, bool]:
    """(closed daily rows, open time of the last kline, whether an open candle was seen) from one page."""
    if not isinstance(klines, list):
        message = klines.get("msg") if isinstance(klines, Mapping) else None
        raise ProviderError(f"binance klines: expected a JSON list of klines{f' ({message})' if message else ''}")
    rows: list[DailyRow] = []
    last_open = None
    still_open = False
    for kline in klines:
        if not isinstance(kline, list) or len(kline) < 7:
            raise ProviderError("binance klines: a kline is not [open time, o, h, l, c, v, close time, …]: "
                                f"{kline!r:.80}")
        try:
            open_ms, close_ms = int(kline[0]), int(kline[6])
        except (TypeError, ValueError):
            raise ProviderError(f"binance klines: bad time stamps in {kline!r:.80}") from None
        last_open = open_ms
        if close_ms >= now_ms:
            still_open = True
            continue
        close = positive_float(kline[4])
        if close is None:  # a non-positive or unreadable close is skipped, never repaired
            continue
        quote_volume = positive_float(kline[7]) if len(kline) > 7 else None
        rows.append(((EPOCH + timedelta(days=open_ms // DAY_MS)).isoformat(), close, quote_volume, None))
    return rows, last_open, still_open


class BinanceSource(RemoteSource):
    """Binance spot daily klines for `<SYMBOL>USDT` pairs, cached."""

    name: ClassVar[str] = "binance"

    def __init__(self, client: HttpClient | None, cache: PriceCache, *, pairs: Mapping[str, str] | None = None,
                 offline: bool = False, history_days: int = 365, now: Callable[[], datetime] = utc_now) -> None:
        super().__init__(client, cache, offline=offline, history_days=history_days, now=now)
        self.pairs = dict(pairs) if pairs is not None else {
            a.symbol: a.binance_pair for a in ASSETS.values() if a.binance_pair}

    @classmethod
    def from_settings(cls, settings: "Settings", **client_overrides: Any) -> "BinanceSource":
        client = http_client(settings, settings.binance_base_url, "binance", None, **client_overrides)
        return cls(client, open_cache(settings), offline=settings.offline, history_days=settings.history_days)

    def default_symbols(self) -> list[str]:
        return sorted(self.pairs)

    def pair(self, symbol: str) -> str:
        if symbol in self.pairs:
            return self.pairs[symbol]
        asset = ASSETS.get(symbol)
        if asset is not None and asset.binance_pair is None:
            raise ProviderError(f"{symbol} is not traded on Binance spot", hint="use --source coingecko for it")
        return f"{symbol}USDT"

    def fetch_rows(self, symbol: str, first: date, last: date) -> list[DailyRow]:
        client = self.require_client()
        pair = self.pair(symbol)
        now_ms = int(self.now().timestamp() * 1000)
        end_ms = _day_ms(last + timedelta(days=1))
        start_ms = _day_ms(first)
        rows: list[DailyRow] = []
        while start_ms < end_ms:
            page = client.get_json("/api/v3/klines", {"symbol": pair, "interval": "1d", "startTime": start_ms,
                                                      "limit": PAGE_LIMIT})
            page_rows, last_open, still_open = rows_from_klines(page, now_ms)
            rows += page_rows
            if last_open is None or still_open or len(page) < PAGE_LIMIT or last_open < start_ms:
                break  # last_open < start_ms: the server ignored startTime; paging would never end
            start_ms = last_open + DAY_MS
        last_day = last.isoformat()
        return [row for row in rows if row[0] <= last_day]
