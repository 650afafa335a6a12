"""`open_source(spec, settings)`: the one place a source name becomes a PriceSource."""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexdesk.tools.errors import ToolError, unknown_name

if TYPE_CHECKING:
    from indexdesk.tools.market.base import PriceSource
    from indexdesk.tools.settings import Settings

SOURCE_NAMES = ("sample", "csv:PATH", "coingecko", "binance", "tokenmetrics")


def open_source(spec: str, settings: "Settings") -> "PriceSource":
    """`sample`, `csv:PATH`, `coingecko`, `binance`, `tokenmetrics` → a PriceSource."""
    spec = (spec or "sample").strip()
    kind, _, arg = spec.partition(":")
    kind = kind.lower()
    if kind == "sample":
        from indexdesk.tools.market.sample import SampleSource

        if arg and not arg.strip().isdigit():
            raise ToolError(f"sample seed {arg[:20]!r} is not a whole number", hint="e.g. --source sample:3")
        from datetime import datetime, timezone

        # The user's sample runs to today; tests pin it (INDEXDESK_SAMPLE_THROUGH) so their numbers stay put.
        through = settings.sample_through or datetime.now(timezone.utc).date()
        return SampleSource(seed=int(arg) if arg else 7, through=through)
    if kind == "csv":
        if not arg:
            raise ToolError("source 'csv' needs a path: csv:PATH", hint="e.g. --source csv:prices.csv")
        from indexdesk.tools.market.csv_source import CsvSource

        return CsvSource(arg, cache_dir=settings.home / "cache" / "csv")
    if kind == "coingecko":
        from indexdesk.tools.market.coingecko import CoinGeckoSource

        return CoinGeckoSource.from_settings(settings)
    if kind == "binance":
        from indexdesk.tools.market.binance import BinanceSource

        return BinanceSource.from_settings(settings)
    if kind == "tokenmetrics":
        from indexdesk.tools.market.tokenmetrics import TokenMetricsSource

        return TokenMetricsSource.from_settings(settings)
    raise unknown_name("source", kind, ["sample", "csv", "coingecko", "binance", "tokenmetrics"])
