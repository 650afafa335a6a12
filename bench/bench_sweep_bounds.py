"""How fast and how small a hostile `backtest` sweep is refused (issue 16 item 6).

    python bench/bench_sweep_bounds.py

Before: `lookback=5:730:0.00001` built 72,500,001 configurations (23-76 s, 10.5 GB) before refusing.
Now the count comes from the grammar by arithmetic, before the market data is even loaded.
"""

from __future__ import annotations

import time
import tracemalloc

from indexdesk import toolkit

GRIDS = ["lookback=5:730:0.00001", "lookback=5:730:1 tilt=0.0001:0.1:0.0001", "tilt=0:1e300:0.0001",
         "lookback=inf", "tilt=1e-7:0.1:1e-7"]


def main() -> None:
    ctx = toolkit.default_context()
    toolkit.call("backtest", {"sweep": "lookback=nan"}, ctx)  # the registry and the tool modules imported
    for grid in GRIDS:
        best = float("inf")
        for _ in range(20):
            started = time.perf_counter()
            result = toolkit.call("backtest", {"sweep": grid}, ctx)
            best = min(best, time.perf_counter() - started)
        tracemalloc.start()
        toolkit.call("backtest", {"sweep": grid}, ctx)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{grid:<42} {best * 1000:6.2f} ms  peak {peak / 1000:5.0f} kB  {result['error'][:60]}")


if __name__ == "__main__":
    main()
