"""Risk engine benchmarks on real prices (../shared/data), side by side with the reference libraries.

    python bench/bench_risk.py            # prints medians; paste into docs/performance.md

* Monte Carlo VaR (filtered historical simulation), 100,000 paths × 30 days × 12 holdings:
  median time and peak memory (tracemalloc for numpy buffers, ru_maxrss for the process).
* Historical and parametric VaR+CVaR of 12 series × 10 years of daily returns (3,650 each),
  against empyrical-reloaded, riskfolio-lib and quantstats computing the same numbers.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexdesk.tools.risk import var_math as vm  # noqa: E402
from indexdesk.tools.risk.montecarlo_math import monte_carlo_risk  # noqa: E402

DATA = Path(os.environ.get("INDEXDESK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
MC_BASKET = ["BTC", "ETH", "XRP", "LTC", "DOGE", "XLM", "ADA", "LINK", "BNB", "SOL", "DOT", "AVAX"]
YEARS_DAYS = 3650


def median_ms(func, repeat: int = 30) -> float:
    func()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def load_prices() -> pd.DataFrame:
    long = pd.read_csv(DATA / "prices_daily.csv", parse_dates=["date"])
    return long.pivot(index="date", columns="symbol", values="close").sort_index()


def ten_year_series(prices: pd.DataFrame) -> np.ndarray:
    """The 12 longest series' last daily returns, up to 3,650 each, cut to a common length (the 12th
    longest has ~9.5 years); stacked by position: per-series measures need no date alignment."""
    returns = prices.pct_change(fill_method=None)
    longest = returns.count().sort_values(ascending=False).index[:12]
    series = [returns[s].dropna().to_numpy()[-YEARS_DAYS:] for s in longest]
    length = min(len(s) for s in series)
    return np.column_stack([s[-length:] for s in series])


def bench_monte_carlo(prices: pd.DataFrame) -> dict:
    returns = prices[MC_BASKET].loc["2021-01-01":"2025-06-12"].pct_change(fill_method=None).dropna().to_numpy()
    weights = np.full(12, 1 / 12)
    run = lambda: monte_carlo_risk(returns, weights, 0.99, 30, paths=100_000, seed=42)  # noqa: E731
    median = median_ms(run, repeat=7)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"median_ms": median, "peak_mib": peak, "max_rss_mib": rss, "days": returns.shape[0]}


def bench_single_series(matrix: np.ndarray) -> list[tuple[str, float]]:
    import empyrical
    import quantstats as qs
    from riskfolio import RiskFunctions as rf

    columns = [matrix[:, i] for i in range(matrix.shape[1])]
    frame = pd.DataFrame(matrix)
    series = [frame[c] for c in frame.columns]

    def ours_historical():
        for c in columns:
            vm.historical_var(c, 0.95), vm.historical_cvar(c, 0.95)

    def ours_parametric():
        for c in columns:
            mean, std = c.mean(), c.std(ddof=1)
            vm.parametric_var(mean, std, 0.95), vm.parametric_cvar(mean, std, 0.95)

    def empyrical_historical():
        for c in columns:
            empyrical.value_at_risk(c, 0.05), empyrical.conditional_value_at_risk(c, 0.05)

    def riskfolio_historical():
        for c in columns:
            rf.VaR_Hist(c, 0.05), rf.CVaR_Hist(c, 0.05)

    def quantstats_parametric():
        for s in series:
            qs.stats.value_at_risk(s, confidence=0.95, prepare_returns=False)
            qs.stats.conditional_value_at_risk(s, confidence=0.95, prepare_returns=False)

    portfolio_weights = np.full(matrix.shape[1], 1 / matrix.shape[1])
    return [
        ("ours historical VaR+CVaR, 12 series", median_ms(ours_historical)),
        ("empyrical value_at_risk + conditional_value_at_risk", median_ms(empyrical_historical)),
        ("riskfolio VaR_Hist + CVaR_Hist", median_ms(riskfolio_historical, repeat=5)),
        ("ours parametric VaR+CVaR, 12 series", median_ms(ours_parametric)),
        ("quantstats value_at_risk + conditional_value_at_risk", median_ms(quantstats_parametric)),
        ("ours historical, 12-holding portfolio with components",
         median_ms(lambda: vm.historical_risk(matrix, portfolio_weights, 0.95))),
        ("ours parametric, 12-holding portfolio with components",
         median_ms(lambda: vm.parametric_risk(matrix, portfolio_weights, 0.95))),
        ("ours Cornish-Fisher, 12-holding portfolio with components",
         median_ms(lambda: vm.cornish_fisher_risk(matrix, portfolio_weights, 0.95))),
    ]


def main() -> None:
    prices = load_prices()
    print(f"machine: {os.cpu_count()} cores, numpy {np.__version__}")
    mc = bench_monte_carlo(prices)
    print(f"Monte Carlo VaR (FHS) 100,000 paths × 30 days × 12 holdings ({mc['days']} days of history): "
          f"median {mc['median_ms']:.0f} ms, peak traced memory {mc['peak_mib']:.0f} MiB, "
          f"process max RSS {mc['max_rss_mib']:.0f} MiB")
    matrix = ten_year_series(prices)
    rows = bench_single_series(matrix)
    ours = {name: ms for name, ms in rows}
    print(f"\n12 series × {matrix.shape[0]} daily returns, 95 %:")
    for name, ms in rows:
        print(f"  {name:<58} {ms:8.3f} ms")
    print("ratios (reference / ours):")
    hist = ours["ours historical VaR+CVaR, 12 series"]
    para = ours["ours parametric VaR+CVaR, 12 series"]
    print(f"  empyrical / ours historical  {ours['empyrical value_at_risk + conditional_value_at_risk'] / hist:6.1f}×")
    print(f"  riskfolio / ours historical  {ours['riskfolio VaR_Hist + CVaR_Hist'] / hist:6.1f}×")
    print(f"  quantstats / ours parametric {ours['quantstats value_at_risk + conditional_value_at_risk'] / para:6.1f}×")


if __name__ == "__main__":
    main()
