"""`get_index_performance`, the series API it stands on, and the `indices` / `perf` commands."""

from __future__ import annotations

import json
import os
from datetime import date

import numpy as np
import pandas as pd
import pytest

from indexdesk.tools import metrics
from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.indices import series
from indexdesk.tools.market.base import MarketData
from indexdesk.tools.registry import dumps, is_error
from indexdesk.tools.toolbox import default_registry

SYMBOLS = ["BTC", "ETH", "SOL", "BNB", "XRP", "UNI", "AAVE", "USDC"]


class FakeSource:
    """Two years of seeded random walks with market caps; SOL lists late, AAVE stops early. Counts loads."""

    name = "fake"

    def __init__(self) -> None:
        self.loads = 0
        rng = np.random.default_rng(11)
        dates = pd.date_range("2023-01-01", "2024-12-31")
        drift = {"BTC": 0.002, "ETH": 0.001, "SOL": 0.003, "USDC": 0.0}
        columns = {}
        for symbol in SYMBOLS:
            scale = 0.0005 if symbol == "USDC" else 0.03
            columns[symbol] = 50 * np.cumprod(1 + drift.get(symbol, 0.0) + rng.normal(0, scale, len(dates)))
        close = pd.DataFrame(columns, index=dates)
        close.loc[:"2023-03-14", "SOL"] = np.nan
        close.loc["2024-06-11":, "AAVE"] = np.nan
        supply = pd.Series({"BTC": 100, "ETH": 60, "SOL": 10, "BNB": 15, "XRP": 12, "UNI": 3, "AAVE": 2, "USDC": 20})
        self.data = MarketData(close=close, source="fake", market_cap=close * supply)

    def load(self, symbols=None, start=None, end=None) -> MarketData:
        self.loads += 1
        return self.data

    def available_symbols(self) -> list[str]:
        return list(SYMBOLS)


@pytest.fixture
def fake_ctx(settings):
    return ToolContext(settings=settings, source=FakeSource())


def call(ctx, **arguments) -> dict:
    return default_registry().call("get_index_performance", arguments, ctx)


# ---------------------------------------------------------------- windows

@pytest.mark.parametrize("window, expected", [
    ("30d", (date(2024, 12, 1), date(2024, 12, 31))),
    ("90d", (date(2024, 10, 2), date(2024, 12, 31))),
    ("1y", (date(2023, 12, 31), date(2024, 12, 31))),
    ("3y", (date(2023, 1, 1), date(2024, 12, 31))),  # clamped to the data
    ("ytd", (date(2023, 12, 31), date(2024, 12, 31))),
    ("all", (date(2023, 1, 1), date(2024, 12, 31))),
    ("6m", (date(2024, 6, 30), date(2024, 12, 31))),
    ("2024-02-01:2024-03-01", (date(2024, 2, 1), date(2024, 3, 1))),
    ("2024-02-01:", (date(2024, 2, 1), date(2024, 12, 31))),
    (":2023-06-30", (date(2023, 1, 1), date(2023, 6, 30))),
    (" 90D ", (date(2024, 10, 2), date(2024, 12, 31))),
])
def test_parse_window(window, expected):
    assert series.parse_window(window, date(2023, 1, 1), date(2024, 12, 31)) == expected


@pytest.mark.parametrize("window", ["90x", "lastyear", "0d", "2024-13-01:", "2025-01-01:2025-02-01",
                                    "2024-03-01:2024-02-01", ""])
def test_bad_windows_raise_a_tool_error(window):
    with pytest.raises(ToolError) as caught:
        series.parse_window(window, date(2023, 1, 1), date(2024, 12, 31))
    assert caught.value.field == "window"


# ---------------------------------------------------------------- names and panels

def test_resolve_names_canonicalises_aliases_case_and_repeats(fake_ctx):
    assert series.resolve_names(fake_ctx, ["Core", "btc", "large_cap", "DEFI", "eth"]) == [
        "large_cap", "BTC", "defi", "ETH"]


def test_unknown_names_suggest_close_matches(fake_ctx):
    with pytest.raises(ToolError) as caught:
        series.resolve_names(fake_ctx, ["defii"])
    assert "did you mean 'defi'" in caught.value.message and "large_cap" in caught.value.message
    result = call(fake_ctx, indices=["BTCC"])
    assert is_error(result) and "'BTC'" in result["error"]
    result = call(fake_ctx, indices=["BTC"], benchmark="ETHH")
    assert is_error(result) and "'ETH'" in result["error"]


def test_level_panel_and_return_panel_agree(fake_ctx):
    levels, market = series.level_panel(fake_ctx, ["large_cap", "SOL"])
    assert market.source == "fake"
    assert levels["large_cap"].iloc[0] == 100.0
    assert levels["SOL"].first_valid_index() == pd.Timestamp("2023-03-15")
    start, end = date(2024, 2, 1), date(2024, 5, 1)
    returns, _ = series.return_panel(fake_ctx, ["large_cap", "SOL"], start, end)
    assert returns.index[0] == pd.Timestamp("2024-02-02") and returns.index[-1] == pd.Timestamp("2024-05-01")
    for name in ("large_cap", "SOL"):
        ratio = levels.loc[str(end), name] / levels.loc[str(start), name] - 1
        assert metrics.total_return(returns[name]) == pytest.approx(ratio, rel=1e-12)


def test_a_warm_context_reuses_the_loaded_market_and_levels(fake_ctx):
    call(fake_ctx, indices=["large_cap", "defi"])
    memo_size = len(fake_ctx.memo)
    second = call(fake_ctx, indices=["large_cap", "defi"])
    assert fake_ctx.source.loads == 1 and len(fake_ctx.memo) == memo_size
    assert not is_error(second)


# ---------------------------------------------------------------- the tool

def test_metrics_are_those_of_the_window_returns(fake_ctx):
    result = call(fake_ctx, indices=["ETH", "large_cap"], window="180d", benchmark="BTC")
    assert (result["start"], result["end"]) == (date(2024, 7, 4), date(2024, 12, 31))
    assert result["source"] == "fake" and result["as_of"] == date(2024, 12, 31) and result["benchmark"] == "BTC"
    close = fake_ctx.source.data.close.loc["2024-07-04":"2024-12-31"]
    eth, btc = close["ETH"].pct_change().iloc[1:], close["BTC"].pct_change().iloc[1:]
    row = {r["name"]: r for r in result["results"]}["ETH"]
    expected = {
        "total_return": close["ETH"].iloc[-1] / close["ETH"].iloc[0] - 1,
        "annual_return": metrics.annual_return(eth, 365),
        "annual_volatility": eth.std() * np.sqrt(365),
        "sharpe_ratio": eth.mean() / eth.std() * np.sqrt(365),
        "sortino_ratio": metrics.sortino_ratio(eth),
        "max_drawdown": metrics.max_drawdown(eth),
        "calmar_ratio": metrics.calmar_ratio(eth),
        "beta": eth.cov(btc) / btc.var(),
        "correlation": eth.corr(btc),
    }
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, abs=6e-5), key
    levels, _ = series.level_panel(fake_ctx, ["large_cap"], date(2024, 7, 4), date(2024, 12, 31))
    index_row = {r["name"]: r for r in result["results"]}["large_cap"]
    assert index_row["total_return"] == pytest.approx(levels.iloc[-1, 0] / levels.iloc[0, 0] - 1, abs=6e-5)


def test_rank_orders_by_total_return_and_the_benchmark_has_beta_one(fake_ctx):
    result = call(fake_ctx, indices=["BTC", "ETH", "XRP", "balanced", "stablecoin_cash"], window="1y")
    by_rank = sorted(result["results"], key=lambda r: r["rank"])
    assert [r["rank"] for r in by_rank] == [1, 2, 3, 4, 5]
    totals = [r["total_return"] for r in by_rank]
    assert totals == sorted(totals, reverse=True)
    btc = {r["name"]: r for r in result["results"]}["BTC"]
    assert btc["beta"] == pytest.approx(1.0) and btc["correlation"] == pytest.approx(1.0)


def test_drawdown_dates_bracket_the_drawdown(fake_ctx):
    row = call(fake_ctx, indices=["ETH"], window="all")["results"][0]
    close = fake_ctx.source.data.close["ETH"]
    peak, trough = close[str(row["drawdown_peak"])], close[str(row["drawdown_trough"])]
    assert trough / peak - 1 == pytest.approx(row["max_drawdown"], abs=6e-5)
    assert row["drawdown_peak"] < row["drawdown_trough"]


def test_benchmark_none_leaves_beta_out(fake_ctx):
    result = call(fake_ctx, indices="defi, BTC", benchmark="none")
    assert result["benchmark"] is None
    assert all(r["beta"] is None and r["correlation"] is None for r in result["results"])
    assert [r["name"] for r in result["results"]] == ["defi", "BTC"]


def test_short_histories_and_ended_series_are_flagged(fake_ctx):
    result = call(fake_ctx, indices=["SOL", "AAVE"], window="2023-01-01:2024-12-31")
    text = " ".join(result["warnings"])
    assert "SOL: data starts 2023-03-15" in text and "AAVE: data ends 2024-06-10" in text
    short = call(fake_ctx, indices=["BTC"], window="10d")
    assert any("annualised figures are not meaningful" in w for w in short["warnings"])


def test_too_little_data_is_null_with_a_warning_not_an_error(fake_ctx):
    result = call(fake_ctx, indices=["BTC", "ETH"], window="1d")
    row = result["results"][0]
    assert row["annual_volatility"] is None and row["total_return"] is not None
    assert any("not defined" in w for w in result["warnings"])
    json.loads(dumps(result))  # JSON-safe: no NaN


def test_user_indices_from_the_settings_file_are_usable(settings, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[indices.majors]\ntitle = "Majors"\ntier = "core"\ncategory = "broad"\n'
                    'symbols = ["BTC", "ETH"]\nweighting = "equal"\nfee_bps = 100\n')
    ctx = ToolContext(settings=settings.model_copy(update={"indices_file": path}), source=FakeSource())
    result = call(ctx, indices=["majors"], window="all", benchmark="none")
    assert result["results"][0]["name"] == "majors" and result["results"][0]["total_return"] is not None
    # The same context notices an edited file: no stale levels from the memo.
    rewrite(path, '[indices.majors]\ntitle = "Majors"\ntier = "core"\ncategory = "broad"\nsymbols = ["BTC"]\n')
    only_btc = call(ctx, indices=["majors", "BTC"], window="all", benchmark="none")["results"]
    assert only_btc[0]["total_return"] == pytest.approx(only_btc[1]["total_return"], abs=1e-12)
    rewrite(path, '[indices.majors]\ntitle = "Majors"\ntier = "core"\ncategory = "broad"\nsymbols = ["BTC"]\n'
                  'rebalance = "daily"\n')
    broken = call(ctx, indices=["majors"])
    assert is_error(broken) and "'majors', field 'rebalance'" in broken["error"]


def rewrite(path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_result_is_compact(fake_ctx):
    text = dumps(call(fake_ctx, indices=["large_cap", "defi", "layer1", "BTC"], window="90d"))
    assert len(text) < 3000, len(text)  # about 800 tokens of JSON


def test_every_catalogue_index_on_the_sample_market(settings):
    pytest.importorskip("indexdesk.tools.market.sample")
    ctx = ToolContext(settings=settings)
    names = list(series.catalogue(ctx))
    result = call(ctx, indices=names, window="all")
    assert not is_error(result), result
    assert result["source"] == "sample (synthetic)"
    assert len(result["results"]) == len(names) >= 10
    assert all(r["total_return"] is not None and r["annual_volatility"] is not None for r in result["results"])


def test_every_catalogue_index_on_the_real_csv(settings, shared_data):
    ctx = ToolContext(settings=settings.model_copy(update={"source": f"csv:{shared_data / 'prices_daily.csv'}"}))
    names = list(series.catalogue(ctx))
    for window in ("all", "2022-01-01:2022-12-31"):
        result = call(ctx, indices=names, window=window)
        assert not is_error(result), result
        assert all(r["total_return"] is not None for r in result["results"])
    assert any("market caps estimated" in w for w in result["warnings"])


# ---------------------------------------------------------------- CLI

def test_cli_indices_list_and_perf(tmp_path, shared_data, capsys):
    from indexdesk.agent.cli import main

    assert main(["--home", str(tmp_path), "indices", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"large_cap", "stablecoin_cash"} <= {d["name"] for d in listed}
    assert main(["--home", str(tmp_path), "indices", "list"]) == 0
    assert "layer1" in capsys.readouterr().out
    source = f"csv:{shared_data / 'prices_daily.csv'}"
    assert main(["perf", "core", "BTC", "--window", "2021-01-01:2021-12-31", "--source", source, "--home",
                 str(tmp_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in result["results"]] == ["large_cap", "BTC"]
    assert main(["perf", "defi", "BTC", "--source", source, "--home", str(tmp_path)]) == 0
    assert "defi" in capsys.readouterr().out
    assert main(["perf", "defii", "--source", source, "--home", str(tmp_path)]) == 1
    assert "did you mean 'defi'" in capsys.readouterr().err


def test_cli_module_imports_only_the_standard_library_at_top_level(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "INDEXDESK_CACHE_DIR": str(tmp_path)}  # the flag snapshot, generated once first
    subprocess.run([sys.executable, "-m", "indexdesk.agent.commands.tool_args"], check=True, capture_output=True, env=env)
    code = ("import sys, indexdesk.agent.commands.market as m; import argparse; "
            "p = argparse.ArgumentParser(); m.register(p.add_subparsers()); "
            "print(','.join(x for x in ('pandas', 'numpy', 'rich', 'pydantic') if x in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env=env).stdout.strip()
    assert loaded == ""
