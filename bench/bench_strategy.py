"""Strategy engine benchmark on real prices (../shared/data), beside `bt` timed in the same run.

    python bench/bench_strategy.py          # prints the numbers recorded in docs/performance.md

* A sweep of 279 momentum configurations (lookback 30-180 step 5 × tilt 5/7.5/10 % × weekly,
  monthly, quarterly decisions) over 8 catalogue indices and their full common history,
  including the out-of-sample/walk-forward judgement: median wall time of 3 runs.
* The same single configuration (lookback 90, tilt 5 %, monthly) in bt 1.x (RunMonthly +
  WeighTarget with the same targets + Rebalance, integer_positions=False): bt only simulates,
  the targets are handed to it, so the ratio is a lower bound of our speed-up.
* Equal results: the largest relative difference of the two equity curves (zero costs, as bt).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexdesk.tools.context import ToolContext  # noqa: E402
from indexdesk.tools.risk.inputs import Holdings  # noqa: E402
from indexdesk.tools.settings import Settings  # noqa: E402
from indexdesk.tools.strategy import backtest_math as bm  # noqa: E402
from indexdesk.tools.strategy import evaluation_math as ev  # noqa: E402
from indexdesk.tools.strategy import runs  # noqa: E402
from indexdesk.tools.strategy import holdings_panel as uv  # noqa: E402

DATA = Path(os.environ.get("INDEXDESK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
INDICES = ["large_cap", "balanced", "btc_eth", "layer1", "ai_data", "payments", "memecoins", "exchange_tokens"]
LOOKBACKS = list(range(30, 181, 5))
TILTS = [0.05, 0.075, 0.10]
CADENCES = ["weekly", "monthly", "quarterly"]
COST_BPS = 15.0


def main() -> None:
    import tempfile

    home = Path(tempfile.mkdtemp())
    ctx = ToolContext(settings=Settings(home=home, source=f"csv:{DATA / 'prices_daily.csv'}"))
    started = time.perf_counter()
    held = Holdings(tuple(INDICES), tuple([1 / len(INDICES)] * len(INDICES)), 100000.0)
    universe = uv.load(ctx, held, [])
    load_s = time.perf_counter() - started
    start_pos = max(LOOKBACKS)
    configs = [(lb, tilt, cad) for lb in LOOKBACKS for tilt in TILTS for cad in CADENCES]
    days = len(universe.prices) - start_pos

    def sweep():
        matrix = runs.sweep_returns(universe, "momentum", configs, COST_BPS, start_pos)
        window = universe.prices.to_numpy(dtype=float)[start_pos:]
        dates = universe.prices.index[start_pos:]
        static = bm.run_policy(window, dates, bm.decision_days(dates, "monthly"), universe.base,
                               bm.Policy("calendar", "monthly"), COST_BPS).returns
        return ev.judge_sweep(matrix, static)

    sweep()  # warm-up
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        verdict = sweep()
        times.append(time.perf_counter() - t0)
    sweep_s = statistics.median(times)
    per_config_ms = sweep_s / len(configs) * 1e3

    # One configuration, ours and bt's, zero costs.
    window = universe.prices.iloc[start_pos:]
    relative = bm.decision_days(window.index, "monthly")
    targets, _ = runs.rule_targets(universe, "momentum", start_pos + relative, 90, 0.05)
    single = []
    for _ in range(20):
        t0 = time.perf_counter()
        rows, _ = runs.rule_targets(universe, "momentum", start_pos + relative, 90, 0.05)
        ours = bm.simulate(window.to_numpy(), relative, rows, 0.0)
        single.append(time.perf_counter() - t0)
    ours_ms = statistics.median(single) * 1e3

    import bt

    frame = pd.DataFrame(targets, index=window.index[relative], columns=window.columns)
    bt_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        strategy = bt.Strategy("momentum", [bt.algos.RunMonthly(), bt.algos.WeighTarget(frame), bt.algos.Rebalance()])
        result = bt.run(bt.Backtest(strategy, window, integer_positions=False, progress_bar=False))
        bt_times.append(time.perf_counter() - t0)
    bt_ms = statistics.median(bt_times) * 1e3
    curve = result.prices.iloc[:, 0]
    theirs = (curve.iloc[1:] / curve.iloc[1]).to_numpy()
    difference = float(np.max(np.abs(ours.equity / theirs - 1.0)))

    print(f"indices: {len(INDICES)}; history {universe.prices.index[0].date()}..{universe.prices.index[-1].date()}, "
          f"{days} simulated days after the {start_pos}-day longest lookback; load + index build {load_s:.2f} s")
    print(f"sweep: {len(configs)} configurations + out-of-sample/walk-forward: median {sweep_s:.3f} s "
          f"({per_config_ms:.2f} ms per configuration); best {configs[verdict.best]}, in-sample edge "
          f"{verdict.in_sample_edge:+.3f}/yr, held-back {verdict.out_of_sample_edge:+.3f}/yr, "
          f"walk-forward {verdict.walk_forward_edge:+.3f}/yr")
    print(f"single configuration (lookback 90, tilt 0.05, monthly): ours {ours_ms:.2f} ms (targets + simulation), "
          f"bt {bt_ms:.0f} ms (simulation only): {bt_ms / ours_ms:.0f}x; vs our sweep's per-configuration time "
          f"{bt_ms / per_config_ms:.0f}x")
    print(f"equal results: max relative difference of the equity curves {difference:.2e}")


if __name__ == "__main__":
    main()
