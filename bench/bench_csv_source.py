"""Benchmarks: loading the real price CSV (cold parse + validation, warm from the parsed copy) and a
remote source answering from the SQLite price cache, next to a plain pandas read_csv + pivot.

    python bench/bench_csv_source.py [--data ../shared/data/prices_daily.csv] [--repeat 15]

Targets: the 133k-row CSV cold in well under 1 s; warm in tens of ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from indexdesk.memory.price_cache import PriceCache  # noqa: E402
from indexdesk.tools.market.binance import BinanceSource  # noqa: E402
from indexdesk.tools.market.csv_source import CsvSource, parse_price_csv  # noqa: E402


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "prices_daily.csv")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data} not found")
    rows = sum(1 for _ in args.data.open()) - 1
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = Path(tmp) / "csv"
        CsvSource(args.data, cache_dir=cache_dir).load()  # write the parsed copy once

        def plain_pandas():
            frame = pd.read_csv(args.data, parse_dates=["date"])
            return frame.pivot(index="date", columns="symbol", values="close")

        results = {
            "pandas read_csv + pivot (close only, no checks)": median_ms(plain_pandas, args.repeat),
            "CsvSource cold: parse + validate + 3 panels": median_ms(lambda: parse_price_csv(args.data), args.repeat),
            "CsvSource warm: parsed copy (.npz)": median_ms(lambda: CsvSource(args.data, cache_dir=cache_dir).load(),
                                                            args.repeat),
        }
        # A remote source answering from the SQLite cache: the same 133k rows stored as if synced.
        long = pd.read_csv(args.data)
        cache = PriceCache(Path(tmp) / "price_cache.sqlite")
        by_symbol = {
            symbol: list(zip(group["date"], group["close"], group["volume"].astype(object).where(group["volume"].notna()),
                             group["market_cap"].astype(object).where(group["market_cap"].notna())))
            for symbol, group in long.groupby("symbol")}
        started = time.perf_counter()
        cache.write("binance", by_symbol)
        write_ms = (time.perf_counter() - started) * 1000
        source = BinanceSource(None, cache, offline=True, pairs={s: f"{s}USDT" for s in by_symbol})
        results["price cache: write 133k rows in one transaction (once)"] = write_ms
        results["price cache: offline load of 65 symbols"] = median_ms(lambda: source.load(), max(3, args.repeat // 3))
    print(f"{args.data.name}: {rows:,} rows; median of {args.repeat} runs")
    for name, value in results.items():
        print(f"  {name:<58} {value:8.1f} ms")


if __name__ == "__main__":
    main()
