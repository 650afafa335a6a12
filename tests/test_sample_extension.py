"""The sample market runs to today for users: extended day by day, every earlier value unchanged."""

from __future__ import annotations

from datetime import date, datetime, timezone

from indexdesk.tools.market.sample import SampleSource


def test_extending_keeps_the_calibrated_range_byte_identical():
    base = SampleSource(seed=7).load()
    longer = SampleSource(seed=7, through=date(2027, 2, 1)).load()
    old = base.close.index
    assert base.as_of == date(2026, 10, 31) and longer.as_of == date(2027, 2, 1)
    for name in ("close", "volume", "market_cap"):
        before, after = getattr(base, name), getattr(longer, name).loc[old]
        assert after.to_numpy().tobytes() == before.to_numpy().tobytes(), name


def test_a_later_extension_keeps_the_days_an_earlier_one_had():
    short = SampleSource(seed=3, through=date(2026, 12, 15)).load()
    long = SampleSource(seed=3, through=date(2028, 1, 10)).load()
    assert long.close.loc[short.close.index].to_numpy().tobytes() == short.close.to_numpy().tobytes()
    assert not long.close.iloc[-400:].isna().all().all()


def test_extended_days_look_like_the_market():
    market = SampleSource(seed=7, through=date(2027, 10, 31)).load()
    new = market.close.loc["2026-11-01":]
    assert (new["BTC"] > 0).all() and abs(new["USDT"] - 1).max() < 0.02  # a peg stays a peg
    assert ((new["WBTC"] / new["BTC"]) - 1).abs().max() < 0.05  # a wrapped token follows its underlying
    assert any("extend the sample" in n for n in market.notes)


def test_the_settings_path_runs_to_today_unless_pinned(monkeypatch, tmp_path):
    from indexdesk.tools.market.sources import open_source
    from indexdesk.tools.settings import Settings

    monkeypatch.delenv("INDEXDESK_SAMPLE_THROUGH", raising=False)
    today = datetime.now(timezone.utc).date()
    assert open_source("sample", Settings(home=tmp_path)).load().as_of == max(today, date(2026, 10, 31))
    pinned = Settings(home=tmp_path, sample_through=date(2026, 11, 5))
    assert open_source("sample", pinned).load().as_of == date(2026, 11, 5)
