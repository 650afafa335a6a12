"""Index engine against bt and hand-worked panels; the catalogue and the user TOML file."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexdesk.tools.errors import ToolError
from indexdesk.tools.indices.catalogue import load_catalogue
from indexdesk.tools.indices.definitions import IndexDefinition
from indexdesk.tools.indices.engine import build_index, cap_weights, prepare_market, rebalance_positions
from indexdesk.tools.market.universe import ASSETS


def definition(**fields) -> IndexDefinition:
    base = {"name": "test_index", "title": "test", "tier": "satellite", "category": "test",
            "rule": {"symbols": ["AAA", "BBB"]}, "weighting": "equal", "rebalance": "monthly"}
    base.update(fields)
    return IndexDefinition(**base)


def panel(start: str, columns: dict[str, list[float]]) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    return pd.DataFrame(columns, index=pd.date_range(start, periods=length), dtype=float)


@pytest.fixture(scope="module")
def real_market(shared_data):
    long = pd.read_csv(shared_data / "prices_daily.csv", parse_dates=["date"])
    close = long.pivot(index="date", columns="symbol", values="close").sort_index().asfreq("D")
    caps = long.pivot(index="date", columns="symbol", values="market_cap").reindex(close.index)
    return close, caps


def bt_equity(prices: pd.DataFrame, *algos) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = pytest.importorskip("bt")
        strategy = bt.Strategy("s", [algo(bt) if callable(algo) and not isinstance(algo, type) else algo
                                     for algo in algos])
        backtest = bt.Backtest(strategy, prices, integer_positions=False, commissions=lambda quantity, price: 0.0,
                               progress_bar=False)
        return bt.run(backtest).prices["s"]


def assert_same_curve(ours: pd.Series, reference: pd.Series, rel: float = 1e-6) -> None:
    common = ours.dropna().index.intersection(reference.index)
    assert len(common) > 100
    deviation = (ours[common] / reference[common] - 1).abs()
    assert deviation.max() < rel, f"max relative deviation {deviation.max():.2e} on {deviation.idxmax().date()}"


# ---------------------------------------------------------------- against bt, on real data

BASKET = ["BTC", "ETH", "LTC", "XRP", "DOGE", "SOL", "AVAX"]  # SOL and AVAX list mid-way: they enter at a rebalance


@pytest.mark.parametrize("cadence, run_algo", [("monthly", "RunMonthly"), ("weekly", "RunWeekly"),
                                                ("quarterly", "RunQuarterly")])
def test_equal_weight_basket_equals_bt(real_market, cadence, run_algo):
    close, _ = real_market
    prices = close[BASKET].loc["2016-01-01":"2022-09-25"]
    levels = build_index(definition(rule={"symbols": BASKET}, rebalance=cadence), prepare_market(prices)).levels
    reference = bt_equity(prices, lambda bt: getattr(bt.algos, run_algo)(), lambda bt: bt.algos.SelectAll(),
                          lambda bt: bt.algos.WeighEqually(), lambda bt: bt.algos.Rebalance())
    assert levels.iloc[0] == 100.0
    assert_same_curve(levels, reference)


def test_capped_market_cap_index_equals_bt_holding_the_same_targets(real_market):
    close, caps = real_market
    window = slice("2018-01-01", "2022-09-25")
    prices, market_caps = close.loc[window], caps.loc[window]
    index = definition(rule={"categories": ["all"], "exclude_categories": ["stablecoin", "wrapped", "gold"],
                             "top_n": 5}, weighting="market_cap", max_weight=0.5)
    categories = {s: a.category for s, a in ASSETS.items()}
    result = build_index(index, prepare_market(prices, market_caps, categories, list(ASSETS)))
    targets = result.weights.replace(0.0, np.nan).dropna(axis=1, how="all")
    assert (targets.max(axis=1) <= 0.5 + 1e-12).all()
    assert np.allclose(targets.sum(axis=1), 1.0)
    assert targets.count(axis=1).eq(5).all()
    reference = bt_equity(prices[targets.columns], lambda bt: bt.algos.RunMonthly(),
                          lambda bt: bt.algos.WeighTarget(targets), lambda bt: bt.algos.Rebalance())
    assert_same_curve(result.levels, reference)


# ---------------------------------------------------------------- hand-worked panels

def test_rebalance_dates_are_first_days_of_new_periods():
    dates = pd.date_range("2024-01-15", "2024-04-02")
    monthly = dates[rebalance_positions(dates, "monthly")]
    assert list(monthly.strftime("%Y-%m-%d")) == ["2024-01-15", "2024-02-01", "2024-03-01", "2024-04-01"]
    weekly = dates[rebalance_positions(dates, "weekly")]
    assert weekly[0] == dates[0] and all(d.day_of_week == 0 for d in weekly[1:])
    quarterly = dates[rebalance_positions(dates, "quarterly")]
    assert list(quarterly.strftime("%Y-%m-%d")) == ["2024-01-15", "2024-04-01"]


def test_units_drift_between_rebalances_and_reset_at_one():
    # A doubles on day 2 (Jan 31); the Feb 1 rebalance resets the weights to 50/50.
    prices = panel("2024-01-30", {"AAA": [10, 20, 20, 40], "BBB": [5, 5, 5, 5]})
    levels = build_index(definition(), prepare_market(prices)).levels
    # Jan 30: 100 → 5 units A, 10 units B. Jan 31: 5*20 + 10*5 = 150. Feb 1 (rebalance at 150): 3.75 A, 15 B.
    # Feb 2: 3.75*40 + 15*5 = 225.
    assert levels.tolist() == pytest.approx([100.0, 150.0, 150.0, 225.0])


def test_listing_enters_only_at_the_next_rebalance():
    prices = panel("2024-01-30", {"AAA": [10, 11, 11, 11, 22], "BBB": [np.nan, 7, 7, 7, 7]})
    result = build_index(definition(), prepare_market(prices))
    # BBB lists Jan 31 but joins at the Feb 1 rebalance; until then the index is all AAA.
    assert result.levels.tolist() == pytest.approx([100.0, 110.0, 110.0, 110.0, 165.0])
    assert result.weights.loc["2024-02-01"].tolist() == [0.5, 0.5]


def test_a_delisted_asset_is_carried_at_its_last_price_then_falls_out():
    prices = panel("2024-01-30", {"AAA": [10, 10, 20, 20, 20, 40], "BBB": [10, 5, np.nan, np.nan, np.nan, np.nan]})
    prices.index = pd.date_range("2024-01-29", periods=6)  # Jan 29 .. Feb 3
    result = build_index(definition(), prepare_market(prices))
    # Jan 29: 5 A + 5 B. Jan 30: 50 + 25 = 75. Jan 31: BBB stops, carried at 5: 100 + 25 = 125.
    # Feb 1 rebalance at 5*20 + 5*5 = 125, all in A (BBB not priced): 6.25 A. Feb 3: 6.25 * 40 = 250.
    assert result.levels.tolist() == pytest.approx([100.0, 75.0, 125.0, 125.0, 125.0, 250.0])
    assert not result.levels.isna().any()
    assert result.last_weights() == {"AAA": 1.0}


def test_annual_fee_accrues_daily():
    prices = panel("2024-01-01", {"AAA": [10.0] * 11, "BBB": [20.0] * 11})
    levels = build_index(definition(fee_bps=365), prepare_market(prices)).levels
    daily = 1 - 0.0365 / 365
    assert levels.tolist() == pytest.approx([100 * daily ** day for day in range(11)], rel=1e-12)


def test_nothing_priced_holds_cash_flat_and_says_so():
    prices = panel("2024-01-30", {"AAA": [10, 12, np.nan, np.nan, np.nan], "BBB": [np.nan] * 5})
    result = build_index(definition(), prepare_market(prices))
    assert result.levels.tolist() == pytest.approx([100, 120, 120, 120, 120])
    assert any("held as cash" in str(n) for n in result.notes)


def test_market_cap_top_n_reselects_and_estimates_missing_caps():
    prices = panel("2024-01-30", {"AAA": [1, 1, 1, 1], "BBB": [1, 1, 1, 1], "CCC": [1, 1, 4, 4]})
    caps = panel("2024-01-30", {"AAA": [300, 300, np.nan, np.nan], "BBB": [200, 200, 200, 200],
                                "CCC": [100, 100, np.nan, np.nan]})
    index = definition(rule={"symbols": ["AAA", "BBB", "CCC"], "top_n": 2}, weighting="market_cap")
    result = build_index(index, prepare_market(prices, caps))
    # Jan 30: AAA 300, BBB 200 → 60/40. Feb 1: CCC's cap estimated 100 * 4 = 400, AAA 300 (price flat).
    assert result.weights.loc["2024-01-30"].tolist() == pytest.approx([0.6, 0.4, 0.0])
    assert result.weights.loc["2024-02-01"].tolist() == pytest.approx([3 / 7, 0.0, 4 / 7])
    assert any("estimated" in str(n) for n in result.notes)


def test_market_cap_without_any_cap_falls_back_to_equal_weight_with_a_note():
    prices = panel("2024-01-30", {"AAA": [1, 2, 2], "BBB": [1, 1, 1]})
    caps = panel("2024-01-30", {"AAA": [900, 1800, 1800], "BBB": [np.nan] * 3})
    result = build_index(definition(weighting="market_cap"), prepare_market(prices, caps))
    assert result.weights.iloc[0].tolist() == [0.5, 0.5]
    assert any("no market cap for BBB" in str(n) for n in result.notes)
    no_caps = build_index(definition(weighting="market_cap"), prepare_market(prices))
    assert no_caps.weights.iloc[0].tolist() == [0.5, 0.5]


def test_inverse_volatility_weights_by_the_lookback_standard_deviation():
    rng = np.random.default_rng(3)
    days = 40
    calm = 100 * np.cumprod(1 + rng.normal(0, 0.01, days))
    wild = 100 * np.cumprod(1 + rng.normal(0, 0.04, days))
    prices = pd.DataFrame({"AAA": calm, "BBB": wild}, index=pd.date_range("2024-01-03", periods=days))
    result = build_index(definition(weighting="inverse_volatility", lookback_days=20), prepare_market(prices))
    feb = prices.loc[:"2024-02-01"].pct_change().iloc[-20:].std()
    expected = (1 / feb) / (1 / feb).sum()
    assert result.weights.loc["2024-02-01"].tolist() == pytest.approx(expected.tolist(), rel=1e-9)
    # on the first day there is no history: equal weight
    assert result.weights.iloc[0].tolist() == [0.5, 0.5]


# ---------------------------------------------------------------- weight caps

def test_cap_weights_hand_worked():
    weights, feasible = cap_weights(np.array([0.6, 0.3, 0.1]), 0.5)
    assert feasible and weights.tolist() == pytest.approx([0.5, 0.375, 0.125])
    weights, _ = cap_weights(np.array([0.7, 0.2, 0.05, 0.05]), 0.3)  # the second round caps 0.2 too
    assert weights.tolist() == pytest.approx([0.3, 0.3, 0.2, 0.2])
    weights, feasible = cap_weights(np.array([5.0, 1.0, 1.0]), 0.3)
    assert not feasible and weights.tolist() == pytest.approx([1 / 3] * 3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=1e-3, max_value=1e6), min_size=1, max_size=30),
       st.floats(min_value=0.01, max_value=1.0))
def test_capped_weights_sum_to_one_respect_the_cap_and_keep_the_order(raw, cap):
    weights, feasible = cap_weights(np.array(raw), cap)
    assert weights.sum() == pytest.approx(1.0)
    if feasible:
        assert weights.max() <= cap + 1e-9
        order = np.argsort(raw, kind="stable")
        assert np.all(np.diff(weights[order]) >= -1e-12)


# ---------------------------------------------------------------- catalogue

def test_builtin_catalogue_covers_every_tier_and_the_contract_names():
    book = load_catalogue(None)
    required = {"large_cap", "balanced", "layer1", "defi", "ai_data", "gaming", "memecoins", "exchange_tokens",
                "layer2", "stablecoin_cash"}
    assert required <= set(book.indices) and len(book.indices) >= 10
    assert {d.tier for d in book.indices.values()} == {"core", "satellite", "speculative", "cash"}
    for alias, name in {"core": "large_cap", "l1": "layer1", "meme": "memecoins", "ai": "ai_data",
                        "cash": "stablecoin_cash"}.items():
        assert book.lookup(alias).name == name
    assert book.lookup("DeFi").name == "defi"


def test_every_catalogue_index_builds_on_real_data(real_market):
    close, caps = real_market
    market = prepare_market(close, caps, {s: a.category for s, a in ASSETS.items()}, list(ASSETS))
    for index in load_catalogue(None).indices.values():
        levels = build_index(index, market).levels
        live = levels.loc[levels.first_valid_index():]
        assert live.iloc[0] == 100.0, index.name
        assert live.notna().all() and (live > 0).all() and np.isfinite(live).all(), index.name


def test_every_catalogue_index_builds_on_the_sample_market():
    sample = pytest.importorskip("indexdesk.tools.market.sample", reason="the sample source has not landed yet")
    data = sample.SampleSource().load()
    market = prepare_market(data.close, data.market_cap, {s: a.category for s, a in ASSETS.items()}, list(ASSETS))
    for index in load_catalogue(None).indices.values():
        result = build_index(index, market)
        live = result.levels.loc[result.levels.first_valid_index():]
        assert live.notna().all() and (live > 0).all(), index.name
        assert result.last_weights(), index.name


USER_INDEX = """
[indices.my_l1]
title = "My layer-1s"
tier = "satellite"
category = "layer1"
symbols = ["sol", "AVAX", "NEAR"]
weighting = "equal"
max_weight = 0.4
rebalance = "weekly"
fee_bps = 50
aliases = ["mine"]
"""


def test_user_indices_join_the_catalogue(tmp_path):
    path = tmp_path / "indices.toml"
    path.write_text(USER_INDEX)
    book = load_catalogue(path)
    mine = book.lookup("mine")
    assert mine.name == "my_l1" and mine.rule.symbols == ("SOL", "AVAX", "NEAR") and mine.fee_bps == 50
    assert "large_cap" in book.indices


@pytest.mark.parametrize("text, expected", [
    ('[indices.bad]\ntier = "core"\ncategory = "x"\nsymbols = ["BTC"]\nweighting = "cap"', "'bad', field 'weighting'"),
    ('[indices.bad]\ntier = "core"\ncategory = "x"\nsymbols = ["BTCC"]', "did you mean 'BTC'"),
    ('[indices.bad]\ntier = "core"\ncategory = "x"\nsymbols = ["BTC"]\nrebalnce = "weekly"', "did you mean 'rebalance'"),
    ('[indices.bad]\ntier = "core"\ncategory = "x"\ncategories = ["defy"]', "field 'categories'"),
    ('[indices.bad]\ntier = "core"\ncategory = "x"', "'bad', field 'rule'"),
    ('[indices.bad]\ntier = "top"\ncategory = "x"\nsymbols = ["BTC"]', "'bad', field 'tier'"),
    ('[indices.bad]\ntier = "core"\ncategory = "x"\nsymbols = ["BTC"]\nmax_weight = 1.5', "'bad', field 'max_weight'"),
    ('[indices.defi]\ntier = "core"\ncategory = "x"\nsymbols = ["BTC"]', "already a catalogue index"),
    ('[indices.btc]\ntier = "core"\ncategory = "x"\nsymbols = ["BTC"]', "is an asset symbol"),
    ('[indices.bad\ntier = "core"', "not valid TOML"),
    ('[bad]\ntier = "core"', "[indices.NAME]"),
])
def test_a_bad_user_file_names_the_index_and_field(tmp_path, text, expected):
    path = tmp_path / "indices.toml"
    path.write_text(text)
    with pytest.raises(ToolError) as caught:
        load_catalogue(path)
    assert expected in caught.value.message
    assert str(path) in caught.value.message


def test_weights_frame_matches_the_levels_it_produced():
    prices = panel("2024-01-30", {"AAA": [10, 20, 20, 40], "BBB": [5, 5, 10, 10]})
    result = build_index(definition(weighting="equal"), prepare_market(prices))
    assert list(result.weights.index.strftime("%Y-%m-%d")) == ["2024-01-30", "2024-02-01"]
    assert result.inception.isoformat() == "2024-01-30"
    assert not math.isnan(result.levels.iloc[-1])
