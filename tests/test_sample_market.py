"""The offline sample market: determinism, coverage, stylised facts, stress episodes, interface."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from indexdesk.tools.errors import ToolError
from indexdesk.tools.market import sample_calibration as cal
from indexdesk.tools.market.base import MarketData, PriceSource
from indexdesk.tools.market.sample import EPISODES, SampleSource, _ar1, _bridge
from indexdesk.tools.market.universe import ASSETS

NOT_RISKY = ("stablecoin", "wrapped", "gold")


@pytest.fixture(scope="module")
def market() -> MarketData:
    return SampleSource().load()


@pytest.fixture(scope="module")
def log_returns(market) -> pd.DataFrame:
    return np.log(market.close).diff()


def _change(close: pd.DataFrame, episode: str) -> pd.Series:
    start, end = EPISODES[episode]
    return close.loc[pd.Timestamp(end)] / close.loc[pd.Timestamp(start)] - 1


def _annual_vol(returns: pd.Series) -> float:
    return float(returns.dropna().std() * np.sqrt(365))


# --- determinism and caching ---------------------------------------------------------------

def test_same_seed_gives_identical_panels(market):
    again = SampleSource(seed=7).load()
    pd.testing.assert_frame_equal(again.close, market.close)
    pd.testing.assert_frame_equal(again.volume, market.volume)
    pd.testing.assert_frame_equal(again.market_cap, market.market_cap)


def test_different_seed_gives_different_panels(market):
    other = SampleSource(seed=8).load()
    differs = ~np.isclose(other.close.values, market.close.values, equal_nan=True)
    assert differs.mean() > 0.5  # anchors coincide; the days between them do not
    assert not np.allclose(other.volume["BTC"], market.volume["BTC"])


def test_callers_cannot_corrupt_the_cached_panel():
    source = SampleSource()
    first = source.load()
    first.close.iloc[:, :] = -1.0
    assert (source.load().close["BTC"] > 0).all()


def test_each_instance_generates_its_own_seed():
    a, b = SampleSource(seed=1), SampleSource(seed=2)
    assert not a.load().close["ETH"].equals(b.load().close["ETH"])
    assert a.load().close["ETH"].equals(SampleSource(seed=1).load().close["ETH"])


# --- shape, coverage, MarketData fields ----------------------------------------------------

def test_marketdata_fields(market):
    assert isinstance(SampleSource(), PriceSource)
    assert SampleSource.name == "sample"
    assert market.source == "sample" and market.synthetic and not market.stale
    assert market.label == "sample (synthetic)"
    assert market.as_of == date(2026, 10, 31)
    for frame in (market.volume, market.market_cap):
        assert frame.index.equals(market.close.index) and list(frame.columns) == list(market.close.columns)
    assert any("seed 7" in note for note in market.notes)


def test_every_universe_symbol_daily_from_2016_to_october_2026(market):
    assert market.symbols == list(ASSETS) == SampleSource().available_symbols()
    index = market.close.index
    assert index[0] == pd.Timestamp("2016-01-01") and index[-1] == pd.Timestamp("2026-10-31")
    assert index.tz is None and index.is_monotonic_increasing
    assert (np.diff(index.values).astype("timedelta64[D]").astype(int) == 1).all()
    assert (index[-1] - index[0]).days / 365.25 >= 8


def test_listing_and_delisting_dates(market):
    first = market.close.apply(lambda s: s.first_valid_index())
    last = market.close.apply(lambda s: s.last_valid_index())
    assert first["BTC"] == pd.Timestamp("2016-01-01")
    assert first["SOL"] == pd.Timestamp("2020-04-10")
    assert first["PEPE"] == pd.Timestamp("2023-05-05")
    assert last["BUSD"] == pd.Timestamp("2023-12-15") and last["MATIC"] == pd.Timestamp("2024-09-10")
    for symbol in market.symbols:  # no gap between listing and delisting
        assert market.close.loc[first[symbol]:last[symbol], symbol].notna().all(), symbol


def test_prices_volumes_and_caps_are_positive_where_present(market):
    for frame in (market.close, market.volume, market.market_cap):
        values = frame.values[~np.isnan(frame.values)]
        assert (values > 0).all()
    assert market.close.notna().equals(market.market_cap.notna())


def test_paths_pass_through_every_calibration_anchor(market):
    for symbol, calibration in cal.ASSET_CALIBRATION.items():
        if ASSETS[symbol].category in ("stablecoin", "wrapped"):
            continue
        for day, price in calibration.price_anchors:
            assert market.close.loc[pd.Timestamp(day), symbol] == pytest.approx(price, rel=1e-9), (symbol, day)


# --- stylised facts ------------------------------------------------------------------------

def test_btc_returns_have_fat_tails(log_returns):
    btc = log_returns["BTC"].dropna()
    assert stats.kurtosis(btc, fisher=True) > 3
    assert btc.kurt() > 3


def test_btc_volatility_clusters(log_returns):
    squared = log_returns["BTC"].dropna() ** 2
    assert squared.autocorr(lag=1) > 0.1


def test_btc_eth_correlation(log_returns):
    assert 0.6 <= log_returns["BTC"].corr(log_returns["ETH"]) <= 0.9


def test_annualised_volatility_by_kind(log_returns, market):
    assert 0.60 <= _annual_vol(log_returns["BTC"]) <= 0.80
    large_alts = ["ETH", "BNB", "SOL", "XRP", "ADA", "AVAX", "DOT", "LINK", "LTC", "TRX"]
    assert 0.80 <= np.median([_annual_vol(log_returns[s]) for s in large_alts]) <= 1.20
    memes = ["DOGE", "SHIB", "PEPE"]
    assert 1.20 <= np.median([_annual_vol(log_returns[s]) for s in memes]) <= 2.00
    for stable in ("USDT", "USDC", "DAI", "BUSD", "FRAX"):
        assert _annual_vol(log_returns[stable]) < 0.02
        assert (market.close[stable].dropna() - 1).abs().max() < 0.01


def test_market_caps_rank_like_the_real_market(market):
    # CoinGecko ranking on 2022-09-25 (../shared/data): BTC, ETH, USDT, USDC, BNB, XRP, BUSD, ADA
    ranked = market.market_cap.loc["2022-09-25"].sort_values(ascending=False).index[:8]
    assert list(ranked) == ["BTC", "ETH", "USDT", "USDC", "BNB", "XRP", "BUSD", "ADA"]
    caps = market.market_cap.loc["2018-01-01":]
    assert (caps.idxmax(axis=1) == "BTC").all()


def test_volumes_are_plausible(market):
    turnover = (market.volume / market.market_cap).median()
    assert turnover["BTC"] == pytest.approx(0.05, rel=0.1)
    assert turnover["USDT"] > 10 * turnover["BTC"]  # stablecoins are the trading currency
    btc = market.volume["BTC"]  # real CG: 1.19x and 1.78x the month's median on 2020-03-12 / 13
    assert btc.loc["2020-03-12":"2020-03-13"].max() > 1.5 * btc.loc["2020-02-10":"2020-03-10"].median()


# --- stress episodes -----------------------------------------------------------------------

def test_episode_windows_are_the_contract_dates():
    assert EPISODES == {
        "bear_2018": (date(2017, 12, 17), date(2018, 12, 15)),
        "covid_crash_2020": (date(2020, 3, 11), date(2020, 3, 13)),
        "luna_collapse_2022": (date(2022, 5, 5), date(2022, 5, 13)),
        "ftx_collapse_2022": (date(2022, 11, 6), date(2022, 11, 10)),
    }


def test_bear_2018_btc_minus_80_and_alts_worse(market):
    assert -0.85 <= _change(market.close, "bear_2018")["BTC"] <= -0.75
    start, end = EPISODES["bear_2018"]
    window = market.close.loc[pd.Timestamp(start):pd.Timestamp(end)]
    risky = [s for s in window if ASSETS[s].category not in NOT_RISKY and window[s].notna().all()]
    drawdown = (window[risky] / window[risky].cummax() - 1).min()
    assert -0.90 <= drawdown["BTC"] <= -0.75
    assert drawdown.drop("BTC").median() < drawdown["BTC"] - 0.05


def test_covid_two_day_crash_about_minus_50(market):
    change = _change(market.close, "covid_crash_2020")
    assert -0.55 <= change["BTC"] <= -0.45
    risky = [s for s in change.dropna().index if ASSETS[s].category not in NOT_RISKY]
    assert (change[risky] < -0.25).all()


def test_luna_collapses_to_zero_and_stays_there(market):
    luna = market.close["LUNA"]
    assert _change(market.close, "luna_collapse_2022")["LUNA"] <= -0.999
    assert luna.loc["2022-05-14":].max() < 0.001 * luna.loc["2022-05-05"]


def test_ftt_collapses_90_percent_and_trades_near_zero(market):
    change = _change(market.close, "ftx_collapse_2022")
    assert -0.92 <= change["FTT"] <= -0.88
    ftt = market.close["FTT"]
    assert ftt.loc["2023":].median() < 0.05 * ftt.loc["2021"].max()
    other_exchanges = change[["BNB", "OKB", "LEO", "CRO"]]
    assert other_exchanges.mean() < change["BTC"] - 0.03


# --- the interface -------------------------------------------------------------------------

def test_load_selects_symbols_and_dates_case_insensitively():
    source = SampleSource()
    part = source.load(["btc", "ETH"], start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert part.symbols == ["BTC", "ETH"] and len(part.close) == 366
    assert part.close.index[0] == pd.Timestamp("2020-01-01") and part.as_of == date(2020, 12, 31)
    assert part.volume.shape == part.market_cap.shape == (366, 2) and part.synthetic


def test_select_on_the_loaded_panel(market):
    part = market.select(["SOL"], start=date(2020, 4, 1), end=date(2020, 4, 30))
    assert part.close["SOL"].isna().sum() == 9  # listed on 2020-04-10
    assert part.source == "sample" and part.synthetic and part.notes == market.notes


def test_unknown_symbol_is_a_tool_error_with_a_suggestion():
    with pytest.raises(ToolError, match="did you mean 'BTC'"):
        SampleSource().load(["BTCC"])


def test_open_source_builds_a_seeded_sample(settings):
    from indexdesk.tools.market.sources import open_source

    source = open_source("sample:3", settings)
    assert isinstance(source, SampleSource) and source.seed == 3


# --- building blocks, on hand-worked values ------------------------------------------------

def test_bridge_spreads_the_gap_over_free_days_only():
    dates = pd.date_range("2020-01-01", periods=5, freq="D")
    returns = np.array([0.0, 0.1, 0.2, 0.0, 0.0])
    fixed = np.array([False, False, True, False, False])
    adjusted, path = _bridge(returns, dates, [("2020-01-01", 100.0), ("2020-01-05", 200.0)], fixed)
    gap = (np.log(2) - 0.3) / 3  # 0.3 already realised; three free days share the rest
    np.testing.assert_allclose(adjusted, [0.0, 0.1 + gap, 0.2, gap, gap])
    np.testing.assert_allclose(np.exp(path[[0, 4]]), [100.0, 200.0])


def test_ar1_matches_the_recursion():
    noise = np.random.default_rng(0).standard_normal((300, 2))
    expected = np.zeros_like(noise)
    for t in range(300):
        expected[t] = noise[t] + (0.8 * expected[t - 1] if t else 0.0)
    np.testing.assert_allclose(_ar1(noise, 0.8), expected, atol=1e-3)


@pytest.mark.realdata
def test_calibration_against_the_real_data(real_prices, market):
    real = np.log(real_prices.loc["2016":]).diff()
    sample = np.log(market.close).diff()
    assert abs(_annual_vol(sample["BTC"]) - _annual_vol(real["BTC"])) < 0.08
    assert abs(_annual_vol(sample["ETH"]) - _annual_vol(real["ETH"])) < 0.12
    real_bear = real_prices.loc["2018-12-15", "BTC"] / real_prices.loc["2017-12-17", "BTC"] - 1
    assert abs(_change(market.close, "bear_2018")["BTC"] - real_bear) < 0.02
