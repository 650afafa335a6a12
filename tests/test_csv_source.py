"""csv:PATH — the real long CSV, wide files, the parsed-copy cache, and one clear error per bad file."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest

from indexdesk.tools.errors import ToolError
from indexdesk.tools.market import csv_source
from indexdesk.tools.market.csv_source import CsvSource, parse_price_csv


def write(tmp_path, text, name="prices.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


# ---------------------------------------------------------------- the real file

def test_real_long_csv_matches_a_pandas_pivot(shared_data, real_prices, tmp_path):
    data = CsvSource(shared_data / "prices_daily.csv", cache_dir=tmp_path).load()
    reference = real_prices.reindex(pd.date_range(real_prices.index[0], real_prices.index[-1], freq="D"))
    assert data.symbols == sorted(reference.columns)
    assert len(data.symbols) == 65
    np.testing.assert_array_equal(data.close.to_numpy(), reference[data.symbols].to_numpy())
    assert data.close.index[0] == pd.Timestamp("2015-01-01") and data.close.index[-1] == pd.Timestamp("2026-01-05")
    assert data.close.index.tz is None and data.close.index.freqstr == "D"
    assert data.label == "csv:prices_daily.csv" and not data.synthetic and not data.stale


def test_real_csv_spot_values_from_the_data_readme(shared_data, tmp_path):
    close = CsvSource(shared_data / "prices_daily.csv").load().close
    assert close.loc["2017-12-17", "BTC"] == pytest.approx(19423.6, abs=0.05)
    assert close.loc["2022-05-13", "LUNA"] == pytest.approx(0.0001155, rel=1e-3)
    assert close.loc["2022-11-08", "FTT"] == pytest.approx(5.52, abs=0.005)
    # Never invented: no row before a listing, none in a documented gap.
    assert math.isnan(close.loc["2020-12-31", "AAVE"])
    assert close.loc["2022-12-23":"2023-09-21", "FTT"].isna().all()


def test_real_csv_volume_and_market_cap_stop_at_the_coingecko_seam(shared_data):
    data = CsvSource(shared_data / "prices_daily.csv").load()
    assert data.market_cap.loc["2022-09-26":, "BTC"].isna().all()
    assert data.market_cap.loc["2022-09-25", "BTC"] > 1e11
    assert data.volume.loc["2022-09-26":, "ETH"].isna().all()


def test_warm_load_uses_the_parsed_copy_and_a_changed_file_invalidates_it(tmp_path, monkeypatch):
    path = write(tmp_path, "date,symbol,close\n2024-01-01,BTC,100\n2024-01-02,BTC,110\n")
    cache = tmp_path / "cache"
    first = CsvSource(path, cache_dir=cache).load()
    assert len(list(cache.glob("*.npz"))) == 1

    def must_not_parse(*args, **kwargs):
        raise AssertionError("a warm load must not parse the CSV again")

    monkeypatch.setattr(csv_source, "parse_price_csv", must_not_parse)
    warm = CsvSource(path, cache_dir=cache).load()
    pd.testing.assert_frame_equal(warm.close, first.close)
    assert warm.volume is None and warm.label == "csv:prices.csv"
    monkeypatch.undo()

    path.write_text("date,symbol,close\n2024-01-01,BTC,100\n2024-01-02,BTC,120\n2024-01-03,BTC,130\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    changed = CsvSource(path, cache_dir=cache).load()
    assert changed.close["BTC"].tolist() == [100.0, 120.0, 130.0]


def test_a_damaged_parsed_copy_is_ignored(tmp_path):
    path = write(tmp_path, "date,symbol,close\n2024-01-01,BTC,100\n")
    cache = tmp_path / "cache"
    CsvSource(path, cache_dir=cache).load()
    (damaged,) = cache.glob("*.npz")
    damaged.write_bytes(b"not a zip file")
    assert CsvSource(path, cache_dir=cache).load().close.loc["2024-01-01", "BTC"] == 100.0


def test_open_source_keeps_the_parsed_copy_under_the_data_home(settings, tmp_path):
    from indexdesk.tools.market.sources import open_source

    path = write(tmp_path, "date,symbol,close\n2024-01-01,eth,2000\n")
    source = open_source(f"csv:{path}", settings)
    assert source.load().symbols == ["ETH"]
    assert list((settings.home / "cache" / "csv").glob("*.npz"))


# ---------------------------------------------------------------- layouts

def test_wide_layout_is_detected_and_empty_cells_stay_nan(tmp_path):
    path = write(tmp_path, "date,btc,ETH\n2024-01-01,42000.5,\n2024-01-02,43000,2300\n2024-01-04,44000,2400\n")
    data = parse_price_csv(path)
    assert data.symbols == ["BTC", "ETH"]
    assert data.close.index.tolist() == list(pd.date_range("2024-01-01", "2024-01-04"))
    assert data.close.loc["2024-01-01", "BTC"] == 42000.5
    assert math.isnan(data.close.loc["2024-01-01", "ETH"])
    assert data.close.loc["2024-01-03"].isna().all()  # a missing day is a NaN row, not a copy of the day before
    assert data.volume is None and data.market_cap is None


def test_long_layout_with_volume_market_cap_and_iso_timestamps(tmp_path):
    path = write(tmp_path, "date,symbol,close,volume,market_cap\n"
                           "2024-01-01T00:00:00Z,BTC,100,5,1000\n"
                           "2024-01-02T00:00:00Z,BTC,110,0,\n"
                           "2024-01-01T00:00:00Z,ETH,10,,\n")
    data = parse_price_csv(path)
    assert data.close.loc["2024-01-02", "BTC"] == 110.0
    assert data.volume.loc["2024-01-01", "BTC"] == 5.0
    assert math.isnan(data.volume.loc["2024-01-02", "BTC"])  # 0 means "not known" at the providers
    assert data.market_cap.loc["2024-01-01", "BTC"] == 1000.0
    assert math.isnan(data.close.loc["2024-01-02", "ETH"])


def test_load_selects_symbols_case_insensitively_and_by_dates(tmp_path):
    path = write(tmp_path, "date,symbol,close\n2024-01-01,BTC,1\n2024-01-02,BTC,2\n2024-01-03,BTC,3\n2024-01-01,ETH,5\n")
    source = CsvSource(path)
    out = source.load(["btc"], start=pd.Timestamp("2024-01-02").date())
    assert out.symbols == ["BTC"] and out.close["BTC"].tolist() == [2.0, 3.0]
    with pytest.raises(ToolError, match="unknown symbol in prices.csv 'BTCC'; did you mean 'BTC'"):
        source.load(["BTCC"])
    assert source.available_symbols() == ["BTC", "ETH"]


# ---------------------------------------------------------------- bad files: one error, the row, the problem

BAD_FILES = [
    ("date,close\n2024-01-01,1\n", r"missing the 'symbol' column"),
    ("symbol,close\nBTC,1\n", r"missing a date column \(found: symbol, close\)"),
    ("date,symbol,close\n2024-01-01,BTC,1\n2024-01-02,BTC,-3\n", r"row 3: close -3 must be positive"),
    ("date,symbol,close\n2024-01-01,BTC,0\n", r"row 2: close 0 must be positive"),
    ("date,symbol,close\n2024-01-01,BTC,1\n2024-01-02,BTC,abc\n", r"row 3: close 'abc' is not a number"),
    ("date,symbol,close\n2024-01-01,BTC,1\n2024-01-02,BTC,\n", r"row 3: close is empty"),
    ("date,symbol,close\n2024-01-01,BTC,1\n2024-01-01,ETH,2\n2024-01-01,BTC,3\n",
     r"row 4: duplicate row for BTC on 2024-01-01 \(first seen at row 2\)"),
    ("date,symbol,close\n2024-01-01,BTC,1\n2024-01-03,BTC,1\n2024-01-02,BTC,3\n",
     r"row 4: dates are not sorted for BTC: 2024-01-02 comes after 2024-01-03 \(row 3\)"),
    ("date,symbol,close\n2024-01-01,BTC,1\n2024-13-45,BTC,2\n", r"row 3: cannot read the date '2024-13-45'"),
    ("date,symbol,close,volume\n2024-01-01,BTC,1,-5\n", r"row 2: volume -5 must be zero or more"),
    ("date,BTC,ETH\n2024-01-02,1,2\n2024-01-01,1,2\n", r"row 3: dates are not sorted: 2024-01-01 comes after"),
    ("date,BTC\n2024-01-01,1\n2024-01-01,2\n", r"row 3: duplicate row for 2024-01-01"),
    ("date,BTC\n2024-01-01,1\n2024-01-02,x\n", r"row 3: BTC close 'x' is not a number"),
    ("date\n2024-01-01\n", r"no symbol columns"),
    ("date,BTC,btc\n2024-01-01,1,2\n", r"the column 'BTC' appears twice"),
    ("date,symbol,close\n2024-01-01,BTC,1\n\n2024-01-02,BTC,-1\n", r"row 4: close -1 must be positive"),
]


@pytest.mark.parametrize("text, message", BAD_FILES)
def test_a_bad_file_gets_one_clear_error_naming_the_row(tmp_path, text, message):
    path = write(tmp_path, text, name="bad.csv")
    with pytest.raises(ToolError, match=message) as info:
        CsvSource(path).load()
    assert info.value.hint  # every error says how to fix it


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(ToolError, match="price file not found"):
        CsvSource(tmp_path / "nope.csv").load()
