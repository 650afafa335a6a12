"""What the hardening costs: data notes on every windowed read, the bounded VaR, the extended sample.

    python bench/bench_hardening.py [--csv ../shared/data/prices_daily.csv] [--runs 30]

Medians of warm registry calls with and without the data notes (series.data_notes stubbed out), the
linear vs bounded (log-space) parametric VaR, and the sample market with and without its extension.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

CALLS = [("get_index_performance", {"indices": ["defi", "layer1", "BTC", "ETH"], "window": "1y"}),
         ("compute_var", {"weights": {"defi": 0.3, "BTC": 0.5, "layer1": 0.2}}),
         ("analyze_correlation", {"indices": ["defi", "BTC", "layer1", "ETH"]})]


def median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "prices_daily.csv"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import numpy as np

    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.indices import series
    from indexdesk.tools.market.sample import SampleSource
    from indexdesk.tools.risk import var_math
    from indexdesk.tools.settings import Settings
    from indexdesk.tools.toolbox import default_registry

    registry = default_registry()
    ctx = ToolContext(settings=Settings(home=Path(tempfile.mkdtemp()), embedding="hash:64", source=f"csv:{args.csv}"))
    real = series.data_notes
    for name, call_args in CALLS:
        series.data_notes = real
        with_notes = median_ms(lambda: registry.call(name, call_args, ctx), args.runs)
        series.data_notes = lambda *a, **k: []
        without = median_ms(lambda: registry.call(name, call_args, ctx), args.runs)
        print(f"{name:24s} with data notes {with_notes:6.1f} ms   without {without:6.1f} ms")
    series.data_notes = real

    rng = np.random.default_rng(0)
    returns, weights = rng.normal(0.0005, 0.04, (1000, 5)), np.full(5, 0.2)
    linear = median_ms(lambda: var_math.parametric_risk(returns, weights, 0.99, 30), args.runs)
    bounded = median_ms(lambda: var_math.reported_moment_risk(returns, weights, 0.99, 30, cornish_fisher=True), args.runs)
    print(f"30-day VaR (1000 days x 5): linear parametric {linear:.2f} ms, bounded Cornish-Fisher {bounded:.2f} ms")

    base = median_ms(lambda: SampleSource(7).load(), 5)
    extended = median_ms(lambda: SampleSource(7, through=date(2027, 12, 31)).load(), 5)
    print(f"sample market: calibrated range {base:.0f} ms, extended by 14 months {extended:.0f} ms")


if __name__ == "__main__":
    main()
