"""`coingecko`: daily USD closes, volumes and market caps from the CoinGecko API v3.

Endpoints: `/coins/{id}/market_chart?vs_currency=usd&days=N&interval=daily` for history and
`/coins/markets` for symbols the universe does not map to an id (and current market caps).
Time stamps are re-dated to UTC days: a point at (or within an hour after) 00:00 UTC on day D is
the close of day D-1; any other point belongs to its own day; a day counts only once a point at or
after the following midnight exists (the live last point never becomes a close).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from indexdesk.memory.price_cache import DailyRow, PriceCache
from indexdesk.tools.errors import unknown_name
from indexdesk.tools.market.http import HttpClient, ProviderError
from indexdesk.tools.market.remote import DAY_MS, EPOCH, RemoteSource, http_client, open_cache, positive_float, utc_now
from indexdesk.tools.market.universe import ASSETS

if TYPE_CHECKING:
    from indexdesk.tools.settings import Settings

PUBLIC_URL = "https://api.coingecko.com/api/v3"
PRO_URL = "https://pro-api.coingecko.com/api/v3"
SNAPSHOT_GRACE_MS = 3_600_000  # a point up to an hour after midnight is that midnight's snapshot


def _series(payload: Mapping[str, Any], key: str, required: bool) -> list[tuple[int, float | None]]:
    points = payload.get(key)
    if points is None and not required:
        return []
    if not isinstance(points, list):
        raise ProviderError(f"coingecko market_chart: {key!r} is missing or not a list",
                            hint="the response does not look like /coins/{id}/market_chart")
    out = []
    for point in points:
        if not (isinstance(point, (list, tuple)) and len(point) >= 2):
            raise ProviderError(f"coingecko market_chart: a {key!r} point is not [time, value]: {point!r:.80}")
        try:
            stamp = int(float(point[0]))
        except (TypeError, ValueError):
            raise ProviderError(f"coingecko market_chart: bad time stamp {point[0]!r}") from None
        out.append((stamp, positive_float(point[1])))
    return out


def daily_rows_from_market_chart(payload: Any) -> list[DailyRow]:
    """Complete UTC days from a market_chart response: `(day, close, volume, market_cap)`, oldest first."""
    if not isinstance(payload, Mapping):
        raise ProviderError("coingecko market_chart: expected a JSON object with 'prices'",
                            hint="the response does not look like /coins/{id}/market_chart")
    prices = _series(payload, "prices", required=True)
    if not prices:
        return []
    latest = max(stamp for stamp, _ in prices)

    def by_day(points: list[tuple[int, float | None]]) -> dict[int, float]:
        out: dict[int, tuple[int, float]] = {}
        for stamp, value in points:
            if value is None:
                continue
            day = (stamp - SNAPSHOT_GRACE_MS) // DAY_MS
            if (day + 1) * DAY_MS > latest:  # the day has not closed yet in this response
                continue
            if day not in out or stamp >= out[day][0]:
                out[day] = (stamp, value)  # the latest point of the day is its close
        return {day: value for day, (_, value) in out.items()}

    closes = by_day(prices)
    volumes = by_day(_series(payload, "total_volumes", required=False))
    caps = by_day(_series(payload, "market_caps", required=False))
    return [((EPOCH + timedelta(days=day)).isoformat(), close, volumes.get(day), caps.get(day))
            for day, close in sorted(closes.items())]


class CoinGeckoSource(RemoteSource):
    """CoinGecko daily history, cached; ids come from the universe, else from `/coins/markets`."""

    name: ClassVar[str] = "coingecko"

    def __init__(self, client: HttpClient | None, cache: PriceCache, *, ids: Mapping[str, str] | None = None,
                 offline: bool = False, history_days: int = 365, now: Callable[[], datetime] = utc_now) -> None:
        super().__init__(client, cache, offline=offline, history_days=history_days, now=now)
        self.ids = dict(ids) if ids is not None else {a.symbol: a.coingecko_id for a in ASSETS.values()}

    @classmethod
    def from_settings(cls, settings: "Settings", **client_overrides: Any) -> "CoinGeckoSource":
        base = settings.coingecko_base_url or (PRO_URL if settings.coingecko_pro else PUBLIC_URL)
        headers = {}
        if settings.coingecko_api_key:
            header = "x-cg-pro-api-key" if settings.coingecko_pro else "x-cg-demo-api-key"
            headers[header] = settings.secret("coingecko_api_key")
        client = http_client(settings, base, "coingecko", headers, **client_overrides)
        return cls(client, open_cache(settings), offline=settings.offline, history_days=settings.history_days)

    def default_symbols(self) -> list[str]:
        return sorted(self.ids)

    def canonical_symbol(self, given: str) -> str:
        symbol = given.strip().upper()
        if symbol not in self.ids and symbol not in self._discovered() and not self.offline:
            self.market_snapshot()  # learn ids of coins the universe does not list
            if symbol not in self._discovered():
                raise unknown_name("coingecko symbol", symbol, sorted(set(self.ids) | set(self._discovered())))
        return symbol

    def coin_id(self, symbol: str) -> str:
        coin = self.ids.get(symbol) or self._discovered().get(symbol)
        if coin is None:
            raise ProviderError(f"no CoinGecko id known for {symbol}",
                                hint="CoinGecko ids come from the universe or /coins/markets (top 250)")
        return coin

    def _discovered(self) -> dict[str, str]:
        return self.cache.get_meta(self.name, "ids", {})

    def market_snapshot(self, per_page: int = 250) -> dict[str, dict[str, float | None]]:
        """Current price, market cap and rank by symbol from `/coins/markets` (largest coin wins a shared symbol)."""
        rows = self.require_client().get_json("/coins/markets", {
            "vs_currency": "usd", "order": "market_cap_desc", "per_page": per_page, "page": 1, "sparkline": "false"})
        if not isinstance(rows, list):
            raise ProviderError("coingecko /coins/markets: expected a JSON list of coins")
        snapshot: dict[str, dict[str, float | None]] = {}
        discovered: dict[str, str] = {}
        for row in rows:
            if not isinstance(row, Mapping) or not row.get("symbol") or not row.get("id"):
                continue
            symbol = str(row["symbol"]).upper()
            if symbol in snapshot:
                continue
            rank = positive_float(row.get("market_cap_rank"))
            snapshot[symbol] = {"price": positive_float(row.get("current_price")),
                                "market_cap": positive_float(row.get("market_cap")),
                                "rank": rank}
            discovered[symbol] = str(row["id"])
        self.cache.set_meta(self.name, "ids", {**self._discovered(), **discovered})
        return snapshot

    def fetch_rows(self, symbol: str, first: date, last: date) -> list[DailyRow]:
        today = self.now().astimezone(timezone.utc).date()
        # The close of `first` is the snapshot at 00:00 of the day after; ask for one spare day.
        days = max(1, (today - first).days + 1)
        payload = self.require_client().get_json(
            f"/coins/{self.coin_id(symbol)}/market_chart",
            {"vs_currency": "usd", "days": days, "interval": "daily"})
        return [row for row in daily_rows_from_market_chart(payload)
                if first.isoformat() <= row[0] <= last.isoformat()]
