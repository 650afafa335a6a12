"""Benchmark and calibration report for the offline sample market.

    python bench/bench_sample_market.py

Prints the median time to generate the full panel (a fresh `SampleSource().load()`, 7 runs) next
to the time pandas needs to read and pivot the real CSV, then, when ../shared/data is present,
the realised statistics of the sample (seed 7, and the spread over seeds 1-20) next to the same
statistics computed on the real prices. docs/sample_market.md quotes this table.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexdesk.tools.market.sample import EPISODES, SampleSource  # noqa: E402
from indexdesk.tools.market.universe import ASSETS  # noqa: E402

SHARED = Path(os.environ.get("INDEXDESK_SHARED_DATA", REPO.parent / "shared" / "data"))
COMMON_END = "2026-01-05"  # the real data's last day: both sides are measured on 2016-01-01..this
LARGE_ALTS = ["ETH", "BNB", "SOL", "XRP", "ADA", "AVAX", "DOT", "LINK", "LTC", "TRX"]
MEMES = ["DOGE", "SHIB", "PEPE"]
RISKY_EXCLUDED = ("stablecoin", "wrapped", "gold")


def time_generation(runs: int = 7) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        SampleSource(seed=7).load()
        times.append(time.perf_counter() - started)
    return times


def time_real_csv(runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        long = pd.read_csv(SHARED / "prices_daily.csv", parse_dates=["date"])
        long.pivot(index="date", columns="symbol", values="close")
        times.append(time.perf_counter() - started)
    return times


def annual_vol(close: pd.DataFrame, symbol: str) -> float:
    return float(np.log(close[symbol]).diff().std() * np.sqrt(365))


def change(close: pd.DataFrame, symbol: str, start, end) -> float:
    return float(close.loc[pd.Timestamp(end), symbol] / close.loc[pd.Timestamp(start), symbol] - 1)


def statistics_of(close: pd.DataFrame, caps: pd.DataFrame | None) -> dict[str, float]:
    close = close.loc["2016-01-01":COMMON_END]
    returns = np.log(close).diff()
    btc = returns["BTC"].dropna()
    bear_start, bear_end = EPISODES["bear_2018"]
    bear = close.loc[pd.Timestamp(bear_start):pd.Timestamp(bear_end)]
    risky = [s for s in bear if s in ASSETS and ASSETS[s].category not in RISKY_EXCLUDED
             and s != "BTC" and bear[s].notna().all()]
    out = {
        "BTC annualised vol": annual_vol(close, "BTC"),
        "ETH annualised vol": annual_vol(close, "ETH"),
        "large alts, median vol": float(np.median([annual_vol(close, s) for s in LARGE_ALTS])),
        "memecoins, median vol": float(np.median([annual_vol(close, s) for s in MEMES])),
        "USDC annualised vol": annual_vol(close, "USDC"),
        "BTC excess kurtosis": float(btc.kurt()),
        "BTC excess kurtosis without March 2020": float(btc.drop(btc.loc["2020-03"].index).kurt()),
        "BTC squared-return ACF(1)": float((btc ** 2).autocorr(1)),
        "BTC |return| ACF(1)": float(btc.abs().autocorr(1)),
        "BTC-ETH correlation 2016-2026": float(returns["BTC"].corr(returns["ETH"])),
        "BTC-ETH correlation 2020-2026": float(returns.loc["2020":, "BTC"].corr(returns.loc["2020":, "ETH"])),
        "BTC 2017-12-17 -> 2018-12-15": change(close, "BTC", bear_start, bear_end),
        "BTC max drawdown in bear window": float((bear["BTC"] / bear["BTC"].cummax() - 1).min()),
        "alts median max drawdown, bear": float((bear[risky] / bear[risky].cummax() - 1).min().median()),
        "BTC 2020-03-11 -> 03-13": change(close, "BTC", *EPISODES["covid_crash_2020"]),
        "BTC 2020-03-11 -> 03-12": change(close, "BTC", "2020-03-11", "2020-03-12"),
        "LUNA 2022-05-05 -> 05-13": change(close, "LUNA", *EPISODES["luna_collapse_2022"]),
        "FTT 2022-11-06 -> 11-10": change(close, "FTT", *EPISODES["ftx_collapse_2022"]),
        "BTC 2022-11-06 -> 11-10": change(close, "BTC", *EPISODES["ftx_collapse_2022"]),
        "BNB 2022-11-06 -> 11-10": change(close, "BNB", *EPISODES["ftx_collapse_2022"]),
    }
    return out


def rank_agreement(sample_caps: pd.DataFrame, real_caps: pd.DataFrame, day: str) -> float:
    """Spearman correlation of market caps on `day` over the symbols both sides have."""
    both = pd.concat([sample_caps.loc[day], real_caps.loc[day]], axis=1, keys=["s", "r"]).dropna()
    return float(both["s"].rank().corr(both["r"].rank()))


def main() -> None:
    times = time_generation()
    print(f"sample market generation (65 symbols x {len(SampleSource().load().close)} days, close+volume+mcap): "
          f"median {statistics.median(times) * 1000:.0f} ms over {len(times)} runs "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")
    if not (SHARED / "prices_daily.csv").exists():
        print(f"real data not found at {SHARED}: calibration table skipped")
        return
    csv_times = time_real_csv()
    print(f"for scale: pandas read_csv + pivot of the real CSV: median {statistics.median(csv_times) * 1000:.0f} ms")

    long = pd.read_csv(SHARED / "prices_daily.csv", parse_dates=["date"])
    real_close = long.pivot(index="date", columns="symbol", values="close").sort_index().asfreq("D")
    real_caps = long.pivot(index="date", columns="symbol", values="market_cap").sort_index().asfreq("D")
    real = statistics_of(real_close, real_caps)
    seven = SampleSource(seed=7).load()
    sample = statistics_of(seven.close, seven.market_cap)
    spread = [statistics_of(SampleSource(seed=s).load().close, None) for s in range(1, 21)]

    print()
    print("| statistic | real (../shared/data) | sample seed 7 | sample seeds 1-20: median [min, max] |")
    print("|---|---:|---:|---:|")
    for key, value in real.items():
        values = [row[key] for row in spread]
        digits = 7 if 0.999 < abs(value) < 1 else 3  # LUNA: show how close to -100 % it gets
        print(f"| {key} | {value:.{digits}f} | {sample[key]:.{digits}f} | {np.median(values):.{digits}f} "
              f"[{min(values):.{digits}f}, {max(values):.{digits}f}] |")
    for day in ("2019-01-01", "2021-01-01", "2022-09-25"):
        print(f"| mcap rank agreement (Spearman) on {day} | 1 | {rank_agreement(seven.market_cap, real_caps, day):.3f} | |")
    turnover = (seven.volume / seven.market_cap).median()
    real_volume = long.pivot(index="date", columns="symbol", values="volume").sort_index().asfreq("D")
    real_turnover = (real_volume / real_caps).median()
    print(f"| BTC median volume / mcap | {real_turnover['BTC']:.3f} | {turnover['BTC']:.3f} | |")


if __name__ == "__main__":
    main()
