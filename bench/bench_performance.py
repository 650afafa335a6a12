"""Benchmarks: building the whole index catalogue, and `get_index_performance` from a warm context.

    python bench/bench_performance.py [--data ../shared/data/prices_daily.csv] [--repeat 15]

Targets: the whole catalogue over the real 2015-2026 data in <= 1 s; every catalogue index over
the full history from a warm context in <= 50 ms (median). For scale, the same equal-weight
monthly basket is also run through bt (the peer library) and through our engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexdesk.tools.context import ToolContext  # noqa: E402
from indexdesk.tools.indices import series  # noqa: E402
from indexdesk.tools.indices.definitions import IndexDefinition  # noqa: E402
from indexdesk.tools.indices.engine import build_index, prepare_market  # noqa: E402
from indexdesk.tools.settings import Settings  # noqa: E402
from indexdesk.tools.toolbox import default_registry  # noqa: E402

BASKET = ["BTC", "ETH", "LTC", "XRP", "DOGE", "SOL", "AVAX"]


def timed(function, repeat: int) -> tuple[float, float]:
    """(median, min) seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def report(label: str, seconds: tuple[float, float], target: float | None = None) -> None:
    median, best = seconds
    verdict = "" if target is None else ("  OK" if median <= target else f"  OVER target {target * 1000:.0f} ms")
    print(f"{label:<66} median {median * 1000:8.1f} ms   min {best * 1000:8.1f} ms{verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "prices_daily.csv"))
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not Path(args.data).exists():
        print(f"real data not found at {args.data}", file=sys.stderr)
        return 1
    home = Path(tempfile.mkdtemp(prefix="indexdesk-bench-"))
    settings = Settings(home=home, source=f"csv:{args.data}")
    market = ToolContext(settings=settings).market()
    print(f"data: {args.data}  {market.close.shape[0]} days x {market.close.shape[1]} symbols "
          f"({market.close.index[0].date()}..{market.close.index[-1].date()})")

    def fresh_context() -> ToolContext:
        ctx = ToolContext(settings=settings)
        ctx.memo[("market", settings.source)] = market  # the CSV parse is the source's cost, not the engine's
        return ctx

    def build_catalogue() -> None:
        ctx = fresh_context()
        for name in series.catalogue(ctx):
            series.index_levels(ctx, name)

    count = len(series.catalogue(fresh_context()))
    report(f"build the whole catalogue ({count} indices, cold context)", timed(build_catalogue, args.repeat), 1.0)

    registry = default_registry()
    names = list(series.catalogue(fresh_context()))
    warm = fresh_context()
    arguments = {"indices": names, "window": "all", "benchmark": "BTC"}
    first = time.perf_counter()
    result = registry.call("get_index_performance", arguments, warm)
    assert "error" not in result, result
    print(f"{'get_index_performance, all indices, window=all, first call':<66} {1000 * (time.perf_counter() - first):8.1f} ms")
    report("get_index_performance, all indices, window=all, warm", timed(
        lambda: registry.call("get_index_performance", arguments, warm), args.repeat), 0.050)
    report("get_index_performance, 4 names, window=90d, warm", timed(
        lambda: registry.call("get_index_performance", {"indices": ["large_cap", "defi", "layer1", "BTC"]}, warm),
        args.repeat))

    prices = market.close[BASKET].loc["2016-01-01":"2022-09-25"]
    basket = IndexDefinition(name="basket", title="basket", tier="core", category="broad",
                             rule={"symbols": BASKET}, weighting="equal", rebalance="monthly")
    report("equal-weight monthly basket, 7 assets 2016-2022: indexdesk engine",
           timed(lambda: build_index(basket, prepare_market(prices)), args.repeat))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bt

        def run_bt() -> None:
            strategy = bt.Strategy("basket", [bt.algos.RunMonthly(), bt.algos.SelectAll(), bt.algos.WeighEqually(),
                                              bt.algos.Rebalance()])
            bt.run(bt.Backtest(strategy, prices, integer_positions=False, progress_bar=False,
                               commissions=lambda quantity, price: 0.0))

        report("equal-weight monthly basket, 7 assets 2016-2022: bt 1.x", timed(run_bt, max(3, args.repeat // 3)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
