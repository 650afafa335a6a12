"""`checkup` on a 5-year, 20-holding ledger on real prices (../shared/data): target ≤ 2 s warm (#19).

    python bench/bench_checkup.py            # prints the numbers recorded in docs/performance.md

The ledger: 14 coins and 6 catalogue indices at one venue, a buy of each every quarter for five
years and a partial sell twice a year (~500 transactions, imported as a native CSV through the
ledger importer), targets.toml with [limits], [rebalance], [rotation] and [tax], and 40 journal
entries. Timed through the registry, as a client calls it:

* cold: the first checkup in the process (CSV read, index levels built, modules imported);
* warm, same context: the next checkup in the same session (the chat's case; the context memoises
  the price panel and index levels);
* warm, new context: a new ToolContext in the same process (a new CLI-like call once the
  process is warm: the panel and indices are built again, imports are not).

The median of 5 runs is reported for each warm case, with the load average next to it (the
machine is shared by other agents' jobs).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexdesk.tools.context import ToolContext  # noqa: E402
from indexdesk.tools.registry import is_error  # noqa: E402
from indexdesk.tools.settings import Settings  # noqa: E402
from indexdesk.tools.toolbox import default_registry  # noqa: E402

DATA = Path(os.environ.get("INDEXDESK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
COINS = ["BTC", "ETH", "BNB", "XRP", "ADA", "SOL", "DOGE", "TRX", "LINK", "AVAX", "DOT", "LTC", "ATOM", "UNI"]
INDICES = ["large_cap", "balanced", "layer1", "defi", "ai_data", "memecoins"]
TARGETS = """[tiers.core]
large_cap = 35
balanced = 20
[tiers.satellite]
layer1 = 15
defi = 10
ai_data = 10
[tiers.speculative]
memecoins = 10

[limits]
max_var = 0.06
var_confidence = 0.95
max_weight = 0.25
max_drawdown = 0.30
max_correlation = 0.95

[rebalance]
policy = "asymmetric_bands"

[rotation]
strategy = "momentum"
lookback = 90

[tax]
min_loss = 200
"""


def build(home: Path) -> ToolContext:
    from indexdesk.memory.journal.models import JournalEntry, Position
    from indexdesk.tools.portfolio.holdings import price_on
    from indexdesk.tools.portfolio.importer import import_text

    settings = Settings(home=home, source=f"csv:{DATA / 'prices_daily.csv'}", embedding="hash:64")
    ctx = ToolContext(settings=settings)
    (home / "targets.toml").write_text(TARGETS, encoding="utf-8")
    last = ctx.market().as_of
    start = last - timedelta(days=5 * 365)
    rows = ["date,kind,symbol,quantity,price,fee,currency,venue", f"{start},deposit,USD,5000000,,0,USD,kraken"]
    for quarter in range(20):
        day = start + timedelta(days=1 + quarter * 91)
        for name in COINS + INDICES:
            price, _ = price_on(ctx, name, day)
            if price:
                rows.append(f"{day},buy,{name},{2000 / price:.8f},{price:.8g},1,USD,kraken")
                if quarter % 2 == 1:
                    sell_day = day + timedelta(days=30)
                    sold, _ = price_on(ctx, name, sell_day)
                    if sold:
                        rows.append(f"{sell_day},sell,{name},{500 / price:.8f},{sold:.8g},1,USD,kraken")
    report = import_text(ctx, "\n".join(rows) + "\n")
    assert report.ok, report
    journal = ctx.journal_store()
    for k in range(40):
        when = datetime.combine(last - timedelta(days=9 * k), datetime.min.time(), tzinfo=timezone.utc)
        name = (COINS + INDICES)[k % 20]
        journal.add(JournalEntry(kind="decision", action="buy", timestamp=when, text=f"Bought {name}", extraction="manual",
                                 positions=[Position(name=name, direction="into", action="buy")]))
    return ctx, len(rows) - 1


CPU: list[float] = []


def timed(ctx: ToolContext, registry) -> float:
    began, cpu = time.perf_counter(), time.process_time()
    result = registry.call("checkup", {}, ctx)
    elapsed = time.perf_counter() - began
    CPU.append(time.process_time() - cpu)
    assert not is_error(result), result
    return elapsed


SEPARATE = (("tier_allocation", {}), ("check_rebalance", {"policy": "asymmetric_bands"}),
            ("propose_rotation", {"strategy": "momentum", "lookback": 90}),
            ("backtest", {"strategy": "momentum", "lookback": 90, "sweep": "lookback=30:180:30 tilt=0.05,0.1 cadence=monthly"}),
            ("harvest_losses", {"min_loss": 200}), ("compute_var", {}), ("analyze_correlation", {}), ("get_portfolio", {}))


def one_by_one(ctx: ToolContext, registry) -> float:
    began = time.perf_counter()
    for name, args in SEPARATE:
        result = registry.call(name, args, ToolContext(settings=ctx.settings))
        assert not is_error(result), (name, result)
    return time.perf_counter() - began


def main() -> None:
    if not (DATA / "prices_daily.csv").exists():
        sys.exit(f"real prices not found at {DATA}")
    home = Path(tempfile.mkdtemp(prefix="bench_checkup_"))
    ctx, transactions = build(home)
    registry = default_registry()
    fresh = ToolContext(settings=ctx.settings)
    cold = timed(fresh, registry)
    same = [timed(fresh, registry) for _ in range(5)]
    same_cpu = statistics.median(CPU[-5:])
    new = [timed(ToolContext(settings=ctx.settings), registry) for _ in range(5)]
    new_cpu = statistics.median(CPU[-5:])
    separate = [one_by_one(ctx, registry) for _ in range(3)]
    result = registry.call("checkup", {}, fresh)
    print(f"ledger: {transactions} transactions, {result['holdings']} holdings, as of {result['as_of']}; "
          f"sections with an action: {result['actions']}")
    print(f"cold (first call in the process, new context): {cold:.2f} s")
    print(f"warm, same context: median {statistics.median(same):.3f} s (min {min(same):.3f}, max {max(same):.3f}); CPU {same_cpu:.3f} s")
    print(f"warm, new context:  median {statistics.median(new):.3f} s (min {min(new):.3f}, max {max(new):.3f}); CPU {new_cpu:.3f} s")
    print(f"reference, the same tools called one by one, each on a new context (as separate commands): "
          f"median {statistics.median(separate):.3f} s")
    print(f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
