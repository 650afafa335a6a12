"""Ledger benchmarks on SQLite and PostgreSQL in the same run, beside a plain bulk load as the floor.

    python bench/bench_ledger.py            # both tables; paste into docs/performance.md
    python bench/bench_ledger.py dca        # only the dollar-cost-averaging table (issue 16)

* Import of 100,000 transactions (native CSV → parse, check every row, replay the lots, insert rows,
  lots and closings in one transaction). Peer: pandas.read_csv + DataFrame.to_sql of the same file
  (no checks, no lots) into the same database — the floor a bulk load costs.
* get_portfolio over 5 years of daily history for 20 positions (36,520 buys, 1,826 sells): median
  of warm calls through the registry (prices and the materialised book cached, the version row read
  each call). Peer: one GROUP BY over the lots table with SQLAlchemy Core.
* The dollar-cost-averaging shape (buy, buy, sell a little, hourly, one symbol: the open lots grow
  with the history): import of 20k and 100k rows (wall and CPU seconds, and their ratio — linear is
  5x, the issue's bound 4.4x of wall), the same 100k rows through pandas `to_sql` in the same run,
  a cold `get_portfolio` on the 100k ledger (a new context and store; the market loaded first and
  timed apart), and warm `realized_gains` at 25k/50k/100k rows (should grow linearly).
The PostgreSQL server is a throwaway one (tests/postgres_server.py: initdb + pg_ctl in a temp dir).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from indexdesk.tools.context import ToolContext  # noqa: E402
from indexdesk.tools.portfolio.importer import import_text  # noqa: E402
from indexdesk.tools.settings import Settings  # noqa: E402
from indexdesk.tools.toolbox import default_registry  # noqa: E402

SYMBOLS = ["BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "AVAX", "DOT", "TRX", "ATOM",
           "NEAR", "ALGO", "LINK", "UNI", "AAVE", "DOGE", "LTC", "XLM", "HBAR", "ICP"]


def history_csv(rows: int, start: date, symbols: list[str]) -> str:
    """`rows` transactions over consecutive days: each symbol bought every day, a fifth sold every 20th."""
    lines = ["date,kind,symbol,quantity,price,fee,venue"]
    day, i = 0, 0
    while i < rows:
        when = start + timedelta(days=day)
        for n, symbol in enumerate(symbols):
            if i >= rows:
                break
            if day % 20 == 19 and n == day % len(symbols):
                lines.append(f"{when},sell,{symbol},0.5,{100 + n},0.1,binance")
            else:
                lines.append(f"{when},buy,{symbol},0.1,{100 + n + day % 7},0.01,{'binance' if n % 2 else 'kraken'}")
            i += 1
        day += 1
    return "\n".join(lines) + "\n"


def five_year_csv() -> str:
    start = date(2021, 10, 31)
    lines = ["date,kind,symbol,quantity,price,fee,venue"]
    for d in range(1826):
        when = start + timedelta(days=d)
        for n, symbol in enumerate(SYMBOLS):
            lines.append(f"{when},buy,{symbol},0.1,{100 + n},0.01,binance")
        lines.append(f"{when},sell,{SYMBOLS[d % 20]},0.05,{120 + d % 20},0.01,binance")
    return "\n".join(lines) + "\n"


def bench_import(url: str, text: str, home: Path) -> float:
    ctx = ToolContext(Settings(home=home, database_url=url))
    ctx.ledger_store()
    start = time.perf_counter()
    report = import_text(ctx, text)
    elapsed = time.perf_counter() - start
    assert report.ok, report.rejected[:3]
    return elapsed


def bench_peer_import(url: str, csv_path: Path) -> float:
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url)
    start = time.perf_counter()
    frame = pd.read_csv(csv_path)
    frame.to_sql("peer_transactions", engine, if_exists="replace", index=False, chunksize=10_000)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def bench_portfolio(url: str, home: Path, text: str, repeat: int = 30) -> tuple[float, float, float]:
    from sqlalchemy import func, select

    from indexdesk.memory.ledger.models import LotRow

    ctx = ToolContext(Settings(home=home, database_url=url))
    assert import_text(ctx, text).ok
    registry = default_registry()
    start = time.perf_counter()
    first = registry.call("get_portfolio", {}, ctx)
    cold = time.perf_counter() - start
    assert "error" not in first and len(first["positions"]) == 20, first
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        registry.call("get_portfolio", {}, ctx)
        times.append(time.perf_counter() - start)
    engine = ctx.ledger_store().engine
    peer = []
    for _ in range(repeat):
        start = time.perf_counter()
        with engine.connect() as connection:
            connection.execute(select(LotRow.symbol, LotRow.venue, func.count()).group_by(LotRow.symbol,
                                                                                          LotRow.venue)).all()
        peer.append(time.perf_counter() - start)
    return cold * 1000, statistics.median(times) * 1000, statistics.median(peer) * 1000


def dca_csv(rows: int) -> str:
    """buy, buy, sell a little — hourly, one symbol, prices cycling over 100..599."""
    from datetime import datetime

    lines = ["date,kind,symbol,quantity,price,fee,venue"]
    start = datetime(2014, 1, 1)
    for i in range(rows):
        when = (start + timedelta(hours=i)).isoformat()
        price = 100 + (i * 7919) % 500
        kind, quantity = ("sell", "0.005") if i % 3 == 2 else ("buy", "0.01")
        lines.append(f"{when},{kind},BTC,{quantity},{price},0.01,binance")
    return "\n".join(lines) + "\n"


def timed_import(url: str, text: str, home: Path) -> tuple[float, float]:
    ctx = ToolContext(Settings(home=home, database_url=url))
    ctx.ledger_store()
    wall, cpu = time.perf_counter(), time.process_time()
    report = import_text(ctx, text)
    assert report.ok, report.rejected[:3]
    return time.perf_counter() - wall, time.process_time() - cpu


def cold_portfolio(url: str, home: Path) -> tuple[float, float, float]:
    """(market load ms, get_portfolio wall ms, CPU ms) in a fresh context: the store opened and the
    book read cold."""
    ctx = ToolContext(Settings(home=home, database_url=url))
    start = time.perf_counter()
    ctx.market().close  # noqa: B018 - prices first, timed apart: they are not the ledger's cost
    market = time.perf_counter() - start
    registry = default_registry()
    start, cpu = time.perf_counter(), time.process_time()
    result = registry.call("get_portfolio", {}, ctx)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert "error" not in result, result
    return market * 1000, elapsed * 1000, cpu * 1000


def warm_gains(url: str, home: Path, repeat: int = 7) -> float:
    """Median CPU ms of warm realized_gains calls (CPU: wall time on a shared machine is mostly waiting)."""
    ctx = ToolContext(Settings(home=home, database_url=url))
    registry = default_registry()
    registry.call("realized_gains", {"year": 2016}, ctx)
    times = []
    for _ in range(repeat):
        start = time.process_time()
        result = registry.call("realized_gains", {"year": 2016}, ctx)
        times.append(time.process_time() - start)
    assert "error" not in result, result
    return statistics.median(times) * 1000


def dca_table(backends, root: Path) -> None:
    import os

    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores shared)")
    print("| backend | DCA import 20k wall/CPU (s) | 100k wall/CPU (s) | ratio wall/CPU | peer to_sql 100k (s) | "
          "cold get_portfolio 100k wall/CPU (ms) | realized_gains warm CPU 25k/50k/100k (ms) |")
    print("|---|---|---|---|---|---|---|")
    big = dca_csv(100_000)
    csv_path = root / "dca100k.csv"
    csv_path.write_text(big)
    for label, url_for in backends:
        small = timed_import(url_for("dca20"), dca_csv(20_000), root / f"d20-{label[:2]}")
        url = url_for("dca100")
        large = timed_import(url, big, root / f"d100-{label[:2]}")
        peer = bench_peer_import(url_for("dcapeer"), csv_path)
        market, cold, cold_cpu = cold_portfolio(url, root / f"d100-{label[:2]}")
        gains = []
        for rows in (25_000, 50_000):
            gains_url = url_for(f"gains{rows}")
            timed_import(gains_url, dca_csv(rows), root / f"g{rows}-{label[:2]}")
            gains.append(warm_gains(gains_url, root / f"g{rows}-{label[:2]}"))
        gains.append(warm_gains(url, root / f"d100-{label[:2]}"))
        print(f"| {label} | {small[0]:.2f} / {small[1]:.2f} | {large[0]:.2f} / {large[1]:.2f} | "
              f"{large[0] / small[0]:.2f} / {large[1] / small[1]:.2f} | {peer:.2f} | {cold:.0f} / {cold_cpu:.0f} (market {market:.0f}) | "
              f"{' / '.join(f'{g:.1f}' for g in gains)} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    from postgres_server import PostgresServer, pg_bin

    root = Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    big = history_csv(100_000, date(2010, 1, 1), SYMBOLS)
    csv_path = root / "100k.csv"
    csv_path.write_text(big)
    daily = five_year_csv()
    backends = [("SQLite", lambda name: f"sqlite:///{root / name}.sqlite")]
    server = None
    if pg_bin() is not None:
        server = PostgresServer(pg_bin()).start()
        backends.append(("PostgreSQL 15", lambda name: server.new_database()))
    try:
        dca_table(backends, root)
        if sys.argv[1:] == ["dca"]:
            return
        print("| backend | import 100k (s) | peer to_sql (s) | get_portfolio cold (ms) | warm median (ms) | "
              "peer GROUP BY (ms) |")
        print("|---|---|---|---|---|---|")
        for label, url_for in backends:
            seconds = bench_import(url_for("import"), big, root / f"home-{label[:2]}")
            peer = bench_peer_import(url_for("peer"), csv_path)
            cold, warm, group_by = bench_portfolio(url_for("portfolio"), root / f"home-p-{label[:2]}", daily)
            print(f"| {label} | {seconds:.2f} | {peer:.2f} | {cold:.0f} | {warm:.1f} | {group_by:.1f} |", flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
