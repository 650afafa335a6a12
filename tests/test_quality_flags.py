"""Data-quality warnings reach users: the curator's flags file beside a CSV, and an alias that
shadows a tier name."""

from __future__ import annotations

import json

import pytest
from indexdesk.agent.cli import main
from indexdesk.tools.market.quality import flags_findings

FLAGS = """symbol,start_date,end_date,kind,note
SHIB,2020-07-31,2021-01-29,warning,"Thin early market; price jumps x35 on 2021-01-30."
BNB,2017-09-16,2017-10-29,removed,"early-history artifact"
*CoinGecko symbols*,2015-01-01,2018-01-29,info,re-dated snapshots
BTC,2020-03-12,2020-03-12,info,"snapshot differs from Binance"
"""


def test_flags_file_rows_become_findings_on_their_days():
    found = flags_findings(FLAGS)
    assert sorted(found) == ["BNB", "SHIB"]  # info rows and multi-symbol rows explain, they do not doubt
    shib = found["SHIB"][0]
    assert shib.touches("2020-12-01", "2021-06-30") and not shib.touches("2021-02-01", "2021-06-30")
    assert "flagged warning in data_quality_flags.csv" in shib.text


def test_perf_over_flagged_history_says_so(shared_data, capsys):
    source = f"csv:{shared_data / 'prices_daily.csv'}"
    assert main(["perf", "SHIB", "memecoins", "--window", "2020-09-01:2021-06-30", "--json", "--source", source]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any("SHIB prices 2020-07-31..2021-01-29 flagged warning" in w for w in warnings), warnings
    assert main(["perf", "SHIB", "--window", "2022-01-01:2022-12-31", "--json", "--source", source]) == 0
    assert not any("flagged" in w for w in json.loads(capsys.readouterr().out)["warnings"])


def test_an_alias_named_like_a_tier_is_pointed_out(capsys):
    assert main(["perf", "BTC", "ETH", "core", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert any("'core' is read as the index large_cap" in w for w in result["warnings"])
    assert main(["perf", "BTC", "large_cap", "--json"]) == 0
    assert not any("is read as the index" in w for w in json.loads(capsys.readouterr().out)["warnings"])


# ---------------------------------------------------------------- flags reach perf, tiers and the review

FLAG = 'symbol,start_date,end_date,kind,note\nSHIB,2024-01-01,2024-05-15,warning,"thin early market (test flag)"\n'
FLAGGED = "SHIB prices 2024-01-01..2024-05-15 flagged warning in data_quality_flags.csv: thin early market (test flag)"


@pytest.fixture
def flagged_csv(tmp_path):
    """A small CSV (400 days of BTC, ETH, SOL, SHIB walks) with a flags file beside it, and targets with SHIB."""
    import numpy as np
    import pandas as pd
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    days = pd.date_range("2024-01-01", periods=400, freq="D")

    def walk(seed: int, start: float):
        return start * np.exp(np.cumsum(np.random.default_rng(seed).normal(0.0005, 0.03, len(days))))

    columns = {"BTC": walk(1, 40000.0), "ETH": walk(2, 2000.0), "SOL": walk(3, 100.0), "SHIB": walk(4, 1e-5)}
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), **columns}).to_csv(tmp_path / "prices.csv", index=False)
    (tmp_path / "data_quality_flags.csv").write_text(FLAG, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    (home / "targets.toml").write_text("[tiers.core]\nBTC = 60\n[tiers.satellite]\nETH = 30\n"
                                       "[tiers.speculative]\nSHIB = 10\n")
    return ToolContext(settings=Settings(home=home, source=f"csv:{tmp_path / 'prices.csv'}", embedding="hash:64"))


def _call(ctx, tool: str, args: dict) -> dict:
    from indexdesk.tools.registry import is_error
    from indexdesk.tools.toolbox import default_registry

    result = default_registry().call(tool, args, ctx)
    assert not is_error(result), result
    return result


def test_flags_beside_a_csv_reach_perf(flagged_csv):
    early = _call(flagged_csv, "get_index_performance", {"indices": ["SHIB", "BTC"], "window": "2024-02-01:2024-09-30"})
    assert any(FLAGGED in w for w in early["warnings"]), early["warnings"]
    later = _call(flagged_csv, "get_index_performance", {"indices": ["SHIB"], "window": "2024-06-01:2024-12-31"})
    assert not any("flagged" in w for w in later["warnings"])


def test_flags_beside_a_csv_reach_the_tiers_backtest(flagged_csv):
    result = _call(flagged_csv, "tier_allocation", {})
    assert result["backtest"].startswith("regime tiers 2024-01-01..")  # the backtest runs over the flagged stretch
    assert f"backtest: {FLAGGED}" in result["warnings"], result["warnings"]


def test_flags_beside_a_csv_reach_the_reviews_notes_on_the_data(flagged_csv):
    result = _call(flagged_csv, "quarterly_review", {"quarter": "2024Q2"})
    assert FLAGGED in result["warnings"]
    report = (flagged_csv.settings.home / "reports" / "2024Q2" / "review.md").read_text(encoding="utf-8")
    notes = report.split("## Notes on the data", 1)[1]
    assert "SHIB prices 2024-01-01..2024-05-15 flagged warning in data_quality_flags.csv" in notes
    # A quarter after the flagged stretch says nothing about it.
    clean = _call(flagged_csv, "quarterly_review", {"quarter": "2024Q4"})
    assert not any("flagged" in w for w in clean["warnings"]), clean["warnings"]


def test_flags_on_the_real_data_reach_tiers_and_the_review(shared_data, tmp_path):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    ctx = ToolContext(settings=Settings(home=tmp_path / "home", source=f"csv:{shared_data / 'prices_daily.csv'}",
                                        embedding="hash:64"))
    tiers = _call(ctx, "tier_allocation", {})  # the default targets hold memecoins: SHIB before February 2021
    assert any("SHIB prices 2020-07-31..2021-01-29 flagged warning" in w for w in tiers["warnings"]), tiers["warnings"]
    review = _call(ctx, "quarterly_review", {"quarter": "2020Q4"})
    assert any("SHIB prices 2020-07-31..2021-01-29 flagged warning" in w for w in review["warnings"])


# ---------------------------------------------------------------- the sample ships its own flags

def test_the_sample_flags_are_the_stretches_its_generator_draws_without_a_real_close():
    """One row per asset whose first price anchor comes after its listing (a free walk from the seed until
    then); SHIB and BNB, whose real early history is flagged or removed in ../shared/data, as warnings."""
    import csv
    from datetime import date, timedelta

    from indexdesk.tools.market import sample_calibration as cal
    from indexdesk.tools.market.quality import SAMPLE_FLAGS, sample_flags
    from indexdesk.tools.market.sample import PEGGED_CATEGORIES
    from indexdesk.tools.market.universe import ASSETS

    expected = {}
    for symbol, calibration in cal.ASSET_CALIBRATION.items():
        first_anchor = calibration.price_anchors[0][0]
        if ASSETS[symbol].category not in PEGGED_CATEGORIES and first_anchor > calibration.listed:
            expected[symbol] = (calibration.listed, str(date.fromisoformat(first_anchor) - timedelta(days=1)))
    rows = [r for r in csv.DictReader(SAMPLE_FLAGS.open(encoding="utf-8")) if not r["symbol"].startswith("*")]
    assert {r["symbol"]: (r["start_date"], r["end_date"]) for r in rows} == expected
    assert sorted(sample_flags()) == ["BNB", "SHIB"]  # the others are info rows: documented, not warned


def test_sample_flags_reach_perf_and_the_review(capsys):
    main(["perf", "SHIB", "memecoins", "--window", "2020-09-01:2021-06-30", "--json"])
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any("SHIB prices 2020-08-01..2021-02-28 flagged warning in sample_quality_flags.csv" in w
               for w in warnings), warnings
    assert any(w.startswith("memecoins holds SHIB prices 2020-08-01..2021-02-28") for w in warnings)
    main(["perf", "SHIB", "--window", "2022-01-01:2022-12-31", "--json"])
    assert not any("flagged" in w for w in json.loads(capsys.readouterr().out)["warnings"])


def test_an_index_is_warned_only_about_a_stretch_it_held():
    """A flagged stretch counts when a weight row holding the coin overlaps it (a row applies until the
    next rebalance), not merely because the index held the coin at some time in the window."""
    import pandas as pd

    from indexdesk.tools.indices.series import _held_findings
    from indexdesk.tools.market.quality import Finding

    flagged = Finding("SHIB", pd.Timestamp("2020-08-01"), pd.Timestamp("2021-02-28"), "SHIB prices flagged")
    days = pd.to_datetime(["2020-07-01", "2020-10-01", "2021-03-01", "2021-06-01"])
    later = pd.DataFrame({"BTC": [1.0, 1.0, 0.5, 0.5], "SHIB": [0.0, 0.0, 0.5, 0.5]}, index=days)
    window = (pd.Timestamp("2020-07-01"), pd.Timestamp("2021-12-31"))
    assert _held_findings(later, {"SHIB": [flagged]}, *window) == []  # bought after its flagged stretch
    during = later.copy()
    during.loc["2020-10-01", "SHIB"] = 0.2
    assert _held_findings(during, {"SHIB": [flagged]}, *window) == [flagged]
    assert _held_findings(during, {"SHIB": [flagged]}, pd.Timestamp("2021-03-01"), pd.Timestamp("2021-12-31")) == []
