"""The four risk tools through the registry call path, on the real CSV and on small hand-made CSVs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indexdesk.tools.registry import Registry, is_error

TOOLS = ["indexdesk.tools.risk.tools"]


@pytest.fixture(scope="module")
def registry():
    return Registry.from_modules(TOOLS)


@pytest.fixture(scope="module")
def real_ctx(shared_data, tmp_path_factory):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    home = tmp_path_factory.mktemp("risk_home")
    return ToolContext(settings=Settings(home=home, source=f"csv:{shared_data / 'prices_daily.csv'}"))


def csv_ctx(tmp_path, frame: pd.DataFrame):
    """A context on a small wide CSV (date,SYM,SYM…) written for the test."""
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    path = tmp_path / "prices.csv"
    frame.to_csv(path, index_label="date", date_format="%Y-%m-%d")
    return ToolContext(settings=Settings(home=tmp_path / "home", source=f"csv:{path}"))


def synthetic_prices(days: int = 200, seed: int = 0, **overrides) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=days, freq="D")
    btc = 40000 * np.cumprod(1 + rng.normal(0.0005, 0.03, days))
    eth = 2000 * np.cumprod(1 + rng.normal(0.0005, 0.04, days))
    frame = pd.DataFrame({"BTC": btc, "ETH": eth}, index=index)
    for name, values in overrides.items():
        frame[name] = values
    return frame


# ------------------------------------------------------------------ compute_var

def test_var_accepts_a_mapping_and_agrees_with_the_math(registry, real_ctx, real_prices):
    import empyrical

    result = registry.call("compute_var", {"weights": {"BTC": 0.6, "ETH": 0.3}, "confidence": 0.99,
                                           "window": "2022-01-01:2023-12-31", "portfolio_value": 250000}, real_ctx)
    assert not is_error(result), result
    prices = real_prices[["BTC", "ETH"]].loc["2022-01-01":"2023-12-31"]
    series = prices.pct_change().dropna().to_numpy() @ np.array([0.6, 0.3])
    expected = -empyrical.value_at_risk(series, 0.01)
    assert result["var"] == pytest.approx(expected, abs=1e-5)
    assert result["var_amount"] == pytest.approx(expected * 250000, abs=0.01)
    assert result["cash_weight"] == pytest.approx(0.1)
    assert sum(c["var"] for c in result["components"]) == pytest.approx(result["var"], abs=1e-4)
    assert (str(result["start"]), str(result["end"])) == ("2022-01-01", "2023-12-31")
    assert result["source"] == "csv:prices_daily.csv" and str(result["as_of"]) == "2026-01-05"
    assert result["tail_ratio"] == pytest.approx(result["cvar"] / result["var"], abs=1e-3)


@pytest.mark.parametrize("method", ["historical", "parametric", "cornish_fisher", "monte_carlo"])
def test_every_method_reports_how_it_scaled(registry, real_ctx, method):
    result = registry.call("compute_var", {"weights": [{"name": "BTC", "weight": 0.5}, {"name": "defi", "weight": 0.5}],
                                           "horizon_days": 10, "method": method}, real_ctx)
    assert not is_error(result), result
    assert result["cvar"] >= result["var"] > 0
    notes = result["method_notes"]
    assert {"historical": "overlapping 10-day windows", "parametric": "σ×√h", "cornish_fisher": "skew/√h",
            "monte_carlo": "simulated 10-day paths"}[method] in notes
    assert "normal distribution gives" in result["tail_note"]


def test_monte_carlo_same_seed_same_number(registry, real_ctx):
    args = {"weights": {"BTC": 0.7, "ETH": 0.3}, "method": "monte_carlo", "horizon_days": 5, "seed": 11}
    first, again = registry.call("compute_var", args, real_ctx), registry.call("compute_var", args, real_ctx)
    other = registry.call("compute_var", {**args, "seed": 12}, real_ctx)
    assert first["var"] == again["var"] and first["var"] != other["var"]


def test_scaling_weights_scales_currency_var(registry, real_ctx):
    small = registry.call("compute_var", {"weights": {"BTC": 0.2, "ETH": 0.1}, "method": "parametric"}, real_ctx)
    large = registry.call("compute_var", {"weights": {"BTC": 0.6, "ETH": 0.3}, "method": "parametric"}, real_ctx)
    assert large["var_amount"] == pytest.approx(3 * small["var_amount"], rel=1e-4)


def test_confidence_given_as_percent_is_read_and_said(registry, real_ctx):
    result = registry.call("compute_var", {"weights": {"BTC": 1.0}, "confidence": 95}, real_ctx)
    assert result["confidence"] == 0.95
    assert any("confidence 95 read as 0.95" in w for w in result["warnings"])


@pytest.mark.parametrize("args,needle", [
    ({"confidence": 1.5}, "confidence must be between 0.5 and 0.9999"),
    ({"confidence": 0.3}, "confidence must be between 0.5 and 0.9999"),
    ({"horizon_days": 0}, "horizon_days must be 1 to 365"),
    ({"horizon_days": 400}, "horizon_days must be 1 to 365"),
    ({"window": "2030-01-01:2030-02-01"}, "outside the data"),
    ({"weights": {"BTC": 0.0}}, "every weight is zero"),
    ({"weights": {"BTCC": 0.5}}, "did you mean"),
    ({"weights": {"MATIC": 0.5}}, "MATIC has no prices"),  # delisted 2024-09-10; default window is the last year
    ({"weights": {"BTC": 50, "ETH": 20}}, "weights are fractions"),
    ({"method": "garch"}, "method"),
])
def test_bad_var_input_is_a_clear_error(registry, real_ctx, args, needle):
    result = registry.call("compute_var", {"weights": {"BTC": 0.5}, **args}, real_ctx)
    assert is_error(result), result
    assert needle in result["error"]


def test_delisted_asset_in_an_older_window_works_with_a_warning(registry, real_ctx):
    result = registry.call("compute_var", {"weights": {"MATIC": 0.5, "BTC": 0.5}, "window": "2024-01-01:2024-12-31"},
                           real_ctx)
    assert not is_error(result), result
    assert str(result["end"]) == "2024-09-10"
    assert any("MATIC's prices end on 2024-09-10" in w for w in result["warnings"])


def test_percent_weights_are_read_as_fractions(registry, real_ctx):
    result = registry.call("compute_var", {"weights": {"BTC": 60, "ETH": 40}, "method": "parametric"}, real_ctx)
    assert [c["weight"] for c in result["components"]] == [0.6, 0.4]
    assert any("percentages" in w for w in result["warnings"])


def test_one_day_of_data_is_an_error(registry, tmp_path):
    ctx = csv_ctx(tmp_path, synthetic_prices(days=2))
    result = registry.call("compute_var", {"weights": {"BTC": 1.0}, "window": "all"}, ctx)
    assert is_error(result) and "need at least 2" in result["error"]


def test_constant_prices_give_zero_var_with_a_warning(registry, tmp_path):
    frame = synthetic_prices(days=120)
    frame["USDT"] = 1.0
    ctx = csv_ctx(tmp_path, frame)
    for method in ("historical", "parametric", "cornish_fisher", "monte_carlo"):
        result = registry.call("compute_var", {"weights": {"USDT": 1.0}, "window": "all", "method": method}, ctx)
        assert not is_error(result), result
        assert result["var"] == 0 and result["cvar"] == 0
        assert result["tail_ratio"] is None
        assert any("constant" in w for w in result["warnings"])


def test_nan_gaps_are_skipped_and_reported(registry, tmp_path):
    frame = synthetic_prices(days=150)
    frame.loc[frame.index[50:55], "ETH"] = np.nan
    ctx = csv_ctx(tmp_path, frame)
    result = registry.call("compute_var", {"weights": {"BTC": 0.5, "ETH": 0.5}, "window": "all"}, ctx)
    assert not is_error(result), result
    assert result["observations"] == 149 - 5
    assert any("5 day(s) with a missing price were skipped" in w for w in result["warnings"])


def test_too_few_windows_for_the_horizon(registry, tmp_path):
    ctx = csv_ctx(tmp_path, synthetic_prices(days=40))
    result = registry.call("compute_var", {"weights": {"BTC": 1.0}, "window": "all", "horizon_days": 60}, ctx)
    assert is_error(result) and "need at least 60" in result["error"]
    result = registry.call("compute_var", {"weights": {"BTC": 1.0}, "window": "all", "horizon_days": 30}, ctx)
    assert any("fewer than one beyond" in w for w in result["warnings"])


# ------------------------------------------------------------------ stress_test

def test_luna_replay_takes_the_basket_down_by_the_real_amount(registry, real_ctx, real_prices):
    # Straight from the CSV: LUNA 82.62 on 2022-05-05 → 0.0001155 on 2022-05-13.
    luna = real_prices.at[pd.Timestamp("2022-05-13"), "LUNA"] / real_prices.at[pd.Timestamp("2022-05-05"), "LUNA"]
    btc = real_prices.at[pd.Timestamp("2022-05-13"), "BTC"] / real_prices.at[pd.Timestamp("2022-05-05"), "BTC"]
    assert luna == pytest.approx(0.0001155 / 82.62, rel=1e-3)  # the README rounds the prices
    expected = 0.5 * (luna - 1) + 0.3 * (btc - 1)  # 20 % cash
    result = registry.call("stress_test", {"weights": {"LUNA": 0.5, "BTC": 0.3}, "scenarios": ["luna_collapse_2022"],
                                           "portfolio_value": 10000}, real_ctx)
    assert not is_error(result), result
    luna_run = result["scenarios"][0]
    assert luna_run["pnl"] == pytest.approx(expected, abs=1e-5)
    assert luna_run["pnl_amount"] == pytest.approx(expected * 10000, abs=0.01)
    assert luna_run["worst_contributor"] == "LUNA"
    assert str(luna_run["start"]) == "2022-05-05" and str(luna_run["end"]) == "2022-05-13"
    assert luna_run["path_days"][0] == 0 and luna_run["path_days"][-1] == 8
    assert luna_run["path_values"][-1] == pytest.approx(1 + expected, abs=1e-4)


def test_bear_2018_proxies_unlisted_holdings_and_keeps_the_path_short(registry, real_ctx, real_prices):
    result = registry.call("stress_test", {"weights": {"BTC": 0.5, "SOL": 0.5}, "scenarios": ["bear_2018"]}, real_ctx)
    run = result["scenarios"][0]
    btc = real_prices.at[pd.Timestamp("2018-12-15"), "BTC"] / real_prices.at[pd.Timestamp("2017-12-17"), "BTC"] - 1
    assert run["pnl"] == pytest.approx(btc, abs=1e-5)  # SOL (listed 2020) follows BTC
    assert any("not listed on 2017-12-17" in n and "BTC" in n and n.endswith("SOL") for n in run["notes"])
    assert len(run["path_values"]) <= 8 and min(run["path_values"]) == pytest.approx(1 - run["max_drawdown"], abs=1e-4)


def test_hypothetical_scenarios(registry, real_ctx):
    result = registry.call("stress_test", {
        "weights": {"BTC": 0.4, "defi": 0.3, "DOGE": 0.1}, "scenarios": ["exchange_failure", "tier_shock", "custom"],
        "exchange_loss": 0.5, "exchange_share": 0.4, "shocks": {"defi": -0.6, "speculative": -0.9}}, real_ctx)
    by_name = {s["scenario"]: s for s in result["scenarios"]}
    assert by_name["exchange_failure"]["pnl"] == pytest.approx(-0.5 * 0.4 * 0.8)
    # tiers: BTC core -30 %, defi satellite -50 %, DOGE (meme) speculative overridden to -90 %
    assert by_name["tier_shock"]["pnl"] == pytest.approx(0.4 * -0.3 + 0.3 * -0.5 + 0.1 * -0.9)
    assert by_name["custom"]["pnl"] == pytest.approx(0.3 * -0.6)
    assert by_name["custom"]["worst_contributor"] == "defi"
    assert result["worst_scenario"] == "tier_shock"


def test_stress_errors(registry, real_ctx):
    bad = registry.call("stress_test", {"weights": {"BTC": 1}, "scenarios": ["luna_colapse_2022"]}, real_ctx)
    assert is_error(bad) and "luna_collapse_2022" in bad["error"]
    bad = registry.call("stress_test", {"weights": {"BTC": 1}, "scenarios": ["custom"]}, real_ctx)
    assert is_error(bad) and "needs shocks" in bad["error"]
    bad = registry.call("stress_test", {"weights": {"BTC": 1}, "shocks": {"BTC": -3}}, real_ctx)
    assert is_error(bad) and "shock for BTC" in bad["error"]


def test_replays_missing_from_the_source_are_skipped(registry, tmp_path):
    ctx = csv_ctx(tmp_path, synthetic_prices(days=100))  # 2024 only
    result = registry.call("stress_test", {"weights": {"BTC": 1.0}}, ctx)
    assert [s["scenario"] for s in result["scenarios"]] == ["exchange_failure", "tier_shock"]
    assert any("bear_2018" in w and "skipped" in w for w in result["warnings"])
    only_replays = registry.call("stress_test", {"weights": {"BTC": 1.0}, "scenarios": ["ftx_collapse_2022"]}, ctx)
    assert is_error(only_replays)


def test_replay_windows_match_the_sample_markets_episodes():
    from indexdesk.tools.risk.scenarios import REPLAYS

    sample = pytest.importorskip("indexdesk.tools.market.sample")
    assert {k: v[:2] for k, v in REPLAYS.items()} == dict(sample.EPISODES)


# ------------------------------------------------------------------ analyze_correlation

def test_correlation_matches_pandas_and_flags_pairs(registry, real_ctx, real_prices):
    result = registry.call("analyze_correlation", {"indices": ["BTC", "WBTC", "ETH", "PAXG"],
                                                   "window": "2024-01-01:2024-12-31",
                                                   "rolling_pair": ["BTC", "ETH"]}, real_ctx)
    assert not is_error(result), result
    expected = real_prices[["BTC", "WBTC", "ETH", "PAXG"]].loc["2024-01-01":"2024-12-31"].pct_change().dropna().corr()
    np.testing.assert_allclose(np.array(result["matrix"]), expected.to_numpy(), atol=1e-3)
    assert {"first": "BTC", "second": "WBTC"} == {k: result["same_bet"][0][k] for k in ("first", "second")}
    assert all(0.3 <= p["correlation"] <= 0.7 for p in result["diversifiers"])
    assert any("same bet twice" in s for s in result["suggestions"])
    rolling = result["rolling"]
    assert len(rolling["values"]) <= 20 and rolling["low"] <= rolling["latest"] <= rolling["high"]
    off_diagonal = expected.to_numpy()[np.triu_indices(4, 1)]
    assert result["average_correlation"] == pytest.approx(off_diagonal.mean(), abs=1e-3)


def test_correlation_bad_input(registry, real_ctx, tmp_path):
    assert is_error(registry.call("analyze_correlation", {"indices": ["BTC"]}, real_ctx))
    assert is_error(registry.call("analyze_correlation", {"indices": ["BTC", "ETH"], "rolling_pair": ["BTC"]},
                                  real_ctx))
    frame = synthetic_prices(days=60)
    frame["USDT"] = 1.0
    result = registry.call("analyze_correlation", {"indices": ["BTC", "USDT"], "window": "all"}, csv_ctx(tmp_path, frame))
    assert result["matrix"][1][1] is None and any("constant" in w for w in result["warnings"])


# ------------------------------------------------------------------ size_positions

def test_sizing_halves_a_position_whose_volatility_doubles(registry, tmp_path):
    frame = synthetic_prices(days=120)
    calm = frame["BTC"].pct_change().fillna(0)
    frame["ETH"] = 100 * np.cumprod(1 + 2 * calm)  # same moves, twice as large
    ctx = csv_ctx(tmp_path, frame)
    result = registry.call("size_positions", {"target_volatility": 0.2, "indices": ["BTC", "ETH"],
                                              "lookback": "all"}, ctx)
    assert not is_error(result), result
    btc, eth = result["positions"]
    assert eth["volatility"] == pytest.approx(2 * btc["volatility"], rel=1e-3)
    assert eth["weight"] == pytest.approx(btc["weight"] / 2, rel=1e-3)
    assert btc["weight"] == pytest.approx(0.5 * 0.2 / btc["volatility"], rel=1e-3)
    assert result["cash"] == pytest.approx(1 - btc["weight"] - eth["weight"], abs=1e-4)


def test_sizing_scales_down_without_leverage(registry, real_ctx, real_prices):
    args = {"target_volatility": 3.0, "weights": {"BTC": 0.5, "PAXG": 0.5}, "lookback": "2024-01-01:2024-12-31"}
    capped = registry.call("size_positions", args, real_ctx)
    levered = registry.call("size_positions", {**args, "allow_leverage": True}, real_ctx)
    assert capped["invested"] == pytest.approx(1.0) and capped["scale"] < 1
    assert levered["invested"] > 1 and levered["cash"] < 0
    vol = real_prices["PAXG"].loc["2024-01-01":"2024-12-31"].pct_change().dropna().std() * np.sqrt(365)
    assert levered["positions"][1]["volatility"] == pytest.approx(vol, rel=1e-3)
    ratio = capped["positions"][0]["weight"] / capped["positions"][1]["weight"]
    assert ratio == pytest.approx(levered["positions"][0]["weight"] / levered["positions"][1]["weight"], rel=1e-3)


def test_sizing_takes_indices_or_weights_and_neither_means_the_ledger_or_template(registry, real_ctx):
    neither = registry.call("size_positions", {"target_volatility": 0.3}, real_ctx)
    assert not is_error(neither) and neither["origin"] == "tier template (ledger empty)"
    both = registry.call("size_positions", {"target_volatility": 0.3, "indices": ["BTC"], "weights": {"BTC": 1}},
                         real_ctx)
    assert is_error(both) and "either indices or weights" in both["error"]


# ------------------------------------------------------------------ schemas

def test_strict_openai_schemas_and_size(registry):
    import json

    from indexdesk.tools.adapters.openai_schema import openai_tools

    schemas = openai_tools(registry)
    weights = next(s for s in schemas if s["function"]["name"] == "compute_var")["function"]["parameters"][
        "properties"]["weights"]
    weights = next(option for option in weights.get("anyOf", [weights]) if option.get("type") == "array")
    assert weights["items"]["additionalProperties"] is False  # optional now: null means the ledger's holdings
    assert len(json.dumps(schemas)) / 4 < 2500  # a rough token bound for the four tools together
