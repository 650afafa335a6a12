"""`tokenmetrics`: Token Metrics data API v2 — its crypto indices next to ours, and daily asset OHLCV.

Every answer is an envelope `{success, message, length, data}`; lists page with `limit`/`page`
(page 1 first). Endpoints used (field names as published in Token Metrics' own MCP server and SDK
schemas; see docs/data_sources.md for what is confirmed):
  /indices                         → ID, NAME, TICKER, …          (index list)
  /indices-performance?id=…        → DATE, INDEX_CUMULATIVE_ROI, MARKET_CAP, VOLUME, FDV
  /indices-holdings?id=…           → TOKEN_SYMBOL, WEIGHT, PRICE, … (current constituents)
  /daily-ohlcv?symbol=…            → TOKEN_ID, TOKEN_NAME, TOKEN_SYMBOL, DATE (or TIMESTAMP), OPEN … CLOSE, VOLUME
An index becomes the symbol `TM:<NAME>` (upper-case, non-alphanumerics → `_`) whose close is the
level `100 × (1 + INDEX_CUMULATIVE_ROI)`, so a subscriber compares Token Metrics indices with ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from indexdesk.memory.price_cache import DailyRow, PriceCache
from indexdesk.tools import calendar
from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.market.http import HttpClient, ProviderError
from indexdesk.tools.market.remote import RemoteSource, finite_float, http_client, open_cache, positive_float, utc_now
from indexdesk.tools.market.universe import ASSETS

if TYPE_CHECKING:
    from indexdesk.tools.settings import Settings

INDEX_PREFIX = "TM:"
PAGE_LIMIT = 100  # the documented maximum
MAX_PAGES = 500
KEY_HINT = ("set TOKEN_METRICS_API_KEY (or INDEXDESK_TOKENMETRICS_API_KEY) to your key from "
            "https://app.tokenmetrics.com/en/api, or use --source coingecko / binance")


def index_symbol(name: str) -> str:
    """`TM:<NAME>`: the index name upper-cased, runs of anything but letters and digits made one `_`."""
    return INDEX_PREFIX + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def _day(record: Mapping[str, Any]) -> str | None:
    stamp = record.get("DATE") or record.get("TIMESTAMP") or record.get("date")
    day = calendar.day_or_none(stamp) if isinstance(stamp, str) else None
    return day.isoformat() if day else None


def envelope_data(payload: Any, endpoint: str) -> list[Mapping[str, Any]]:
    """The `data` list of a Token Metrics envelope; a clear ProviderError for `success: false` or another shape."""
    if not isinstance(payload, Mapping) or "data" not in payload:
        raise ProviderError(f"tokenmetrics {endpoint}: expected an envelope {{success, message, length, data}}",
                            hint="check tokenmetrics_base_url (default https://api.tokenmetrics.com/v2)")
    if payload.get("success") is False:
        raise ProviderError(f"tokenmetrics {endpoint}: {payload.get('message') or 'request failed'}",
                            hint="the plan may not include this endpoint or date range")
    data = payload["data"]
    if not isinstance(data, list):
        raise ProviderError(f"tokenmetrics {endpoint}: 'data' is not a list")
    return [row for row in data if isinstance(row, Mapping)]


class TokenMetricsSource(RemoteSource):
    """Token Metrics indices (`TM:<NAME>`) and asset daily closes, cached."""

    name: ClassVar[str] = "tokenmetrics"

    def __init__(self, client: HttpClient | None, cache: PriceCache, *, offline: bool = False,
                 history_days: int = 365, now: Callable[[], datetime] = utc_now) -> None:
        super().__init__(client, cache, offline=offline, history_days=history_days, now=now)
        self._indices: dict[str, int] | None = None

    @classmethod
    def from_settings(cls, settings: "Settings", **client_overrides: Any) -> "TokenMetricsSource":
        client = None
        if settings.tokenmetrics_api_key:
            client = http_client(settings, settings.tokenmetrics_base_url, "tokenmetrics",
                                 {"x-api-key": settings.secret("tokenmetrics_api_key")}, **client_overrides)
        return cls(client, open_cache(settings), offline=settings.offline, history_days=settings.history_days)

    def require_client(self) -> HttpClient:
        if self.client is None:
            raise ToolError("Token Metrics needs an API key and none is set", hint=KEY_HINT)
        return self.client

    # ------------------------------------------------------------ paging

    def _pages(self, endpoint: str, params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        client = self.require_client()
        out: list[Mapping[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            rows = envelope_data(client.get_json(endpoint, {**params, "limit": PAGE_LIMIT, "page": page}), endpoint)
            out += rows
            if len(rows) < PAGE_LIMIT:
                break
        return out

    # ------------------------------------------------------------ indices

    def indices(self) -> dict[str, int]:
        """`TM:<NAME>` → Token Metrics index id; from `/indices` when online, else the last list seen."""
        if self._indices is None:
            known = self.cache.get_meta(self.name, "indices", {})
            if not self.offline and self.client is not None:
                fetched = {}
                for row in self._pages("/indices", {}):
                    if row.get("ID") is not None and row.get("NAME"):
                        fetched[index_symbol(str(row["NAME"]))] = int(row["ID"])
                if fetched:
                    self.cache.set_meta(self.name, "indices", fetched)
                    known = fetched
            self._indices = known
        return self._indices

    def holdings(self, symbol: str) -> list[dict[str, Any]]:
        """Current constituents of a Token Metrics index: symbol, weight and price (from `/indices-holdings`)."""
        index_id = self._index_id(self.canonical_symbol(symbol))
        rows = envelope_data(self.require_client().get_json("/indices-holdings", {"id": index_id}), "/indices-holdings")
        return [{"symbol": str(r.get("TOKEN_SYMBOL") or "").upper(), "name": r.get("TOKEN_NAME"),
                 "weight": finite_float(r.get("WEIGHT")), "price": finite_float(r.get("PRICE"))} for r in rows]

    def _index_id(self, symbol: str) -> int:
        indices = self.indices()
        if symbol not in indices:
            raise unknown_name("Token Metrics index", symbol, indices)
        return indices[symbol]

    # ------------------------------------------------------------ RemoteSource hooks

    def default_symbols(self) -> list[str]:
        indices = self.indices() if (self.client is not None or self.offline) else {}
        return sorted(indices) + sorted(ASSETS)

    def canonical_symbol(self, given: str) -> str:
        symbol = given.strip().upper()
        if symbol.startswith(INDEX_PREFIX):
            symbol = index_symbol(symbol[len(INDEX_PREFIX):])
        return symbol

    def fetch_rows(self, symbol: str, first: date, last: date) -> list[DailyRow]:
        window = {"startDate": first.isoformat(), "endDate": last.isoformat()}
        if symbol.startswith(INDEX_PREFIX):
            return self._index_rows(self._index_id(symbol), window)
        return self._asset_rows(symbol, window)

    def _index_rows(self, index_id: int, window: Mapping[str, str]) -> list[DailyRow]:
        by_day: dict[str, DailyRow] = {}
        for record in self._pages("/indices-performance", {"id": index_id, **window}):
            day, roi = _day(record), finite_float(record.get("INDEX_CUMULATIVE_ROI"))
            if day is None or roi is None or roi <= -1:
                continue
            by_day[day] = (day, 100.0 * (1.0 + roi), positive_float(record.get("VOLUME")),
                           positive_float(record.get("MARKET_CAP")))
        return [by_day[d] for d in sorted(by_day)]

    def _asset_rows(self, symbol: str, window: Mapping[str, str]) -> list[DailyRow]:
        records = self._pages("/daily-ohlcv", {"symbol": symbol, **window})
        # Several tokens can share a ticker: keep the one named like our universe, else the longest history.
        by_token: dict[Any, list[Mapping[str, Any]]] = {}
        for record in records:
            if str(record.get("TOKEN_SYMBOL") or symbol).upper() == symbol:
                by_token.setdefault(record.get("TOKEN_ID"), []).append(record)
        if not by_token:
            return []
        asset = ASSETS.get(symbol)
        named = [t for t, rs in by_token.items()
                 if asset is not None and str(rs[0].get("TOKEN_NAME") or "").lower() == asset.name.lower()]
        chosen = named[0] if named else max(by_token, key=lambda t: len(by_token[t]))
        by_day: dict[str, DailyRow] = {}
        for record in by_token[chosen]:
            day, close = _day(record), positive_float(record.get("CLOSE"))
            if day is None or close is None:
                continue
            by_day[day] = (day, close, positive_float(record.get("VOLUME")), None)
        return [by_day[d] for d in sorted(by_day)]
