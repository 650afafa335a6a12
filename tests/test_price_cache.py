"""The SQLite price cache: upserts, status, and all-or-nothing writes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from indexdesk.memory.price_cache import PriceCache


@pytest.fixture
def cache(tmp_path):
    return PriceCache(tmp_path / "home" / "price_cache.sqlite")


def test_rows_round_trip_and_upsert_replaces_a_day(cache):
    cache.write("binance", {"BTC": [("2024-01-01", 100.0, 5.0, None), ("2024-01-02", 110.0, None, None)]},
                synced_at="2024-01-03T01:00:00+00:00")
    cache.write("binance", {"BTC": [("2024-01-02", 111.0, 7.0, None), ("2024-01-03", 120.0, None, None)]},
                synced_at="2024-01-04T01:00:00+00:00")
    assert cache.read("binance") == [("BTC", "2024-01-01", 100.0, 5.0, None), ("BTC", "2024-01-02", 111.0, 7.0, None),
                                     ("BTC", "2024-01-03", 120.0, None, None)]
    assert cache.read("binance", ["BTC"], start=date(2024, 1, 2), end=date(2024, 1, 2)) == [
        ("BTC", "2024-01-02", 111.0, 7.0, None)]
    assert cache.read("binance", []) == []
    assert cache.last_days("binance") == {"BTC": date(2024, 1, 3)}
    assert cache.synced_at("binance") == {"BTC": datetime(2024, 1, 4, 1, tzinfo=timezone.utc)}
    assert cache.read("coingecko") == []  # sources never mix


def test_status_per_source(cache):
    cache.write("coingecko", {"BTC": [("2023-05-01", 1.0, None, None), ("2023-05-02", 2.0, None, None)],
                              "ETH": [("2023-04-30", 3.0, None, None)]}, synced_at="2023-05-03T00:40:00+00:00")
    cache.write("binance", {"SOL": [("2024-02-01", 9.0, None, None)]}, synced_at="2024-02-02T08:00:00+00:00")
    by_source = {s.source: s for s in cache.status()}
    cg = by_source["coingecko"]
    assert (cg.symbols, cg.first_day, cg.last_day, cg.rows) == (2, date(2023, 4, 30), date(2023, 5, 2), 3)
    assert cg.last_sync == datetime(2023, 5, 3, 0, 40, tzinfo=timezone.utc)
    assert by_source["binance"].rows == 1
    assert [s.symbol for s in cache.symbol_status("coingecko")] == ["BTC", "ETH"]


def test_a_failure_half_way_through_a_write_keeps_nothing_of_it(cache):
    cache.write("binance", {"BTC": [("2024-01-01", 100.0, None, None)]}, synced_at="2024-01-02T00:00:00+00:00")

    def half_then_fail():
        yield ("2024-01-02", 101.0, None, None)
        yield ("2024-01-03", 102.0, None, None)
        raise ConnectionError("download broke off")

    with pytest.raises(ConnectionError):
        cache.write("binance", {"ETH": [("2024-01-02", 5.0, None, None)], "BTC": half_then_fail()})
    assert cache.read("binance") == [("BTC", "2024-01-01", 100.0, None, None)]
    assert cache.synced_at("binance") == {"BTC": datetime(2024, 1, 2, tzinfo=timezone.utc)}


def test_a_non_positive_close_is_refused_and_rolls_back_the_batch(cache):
    with pytest.raises(sqlite3.IntegrityError):
        cache.write("binance", {"BTC": [("2024-01-01", 1.0, None, None), ("2024-01-02", 0.0, None, None)]})
    assert cache.read("binance") == []


def test_meta_values_round_trip(cache):
    assert cache.get_meta("tokenmetrics", "indices", {}) == {}
    cache.set_meta("tokenmetrics", "indices", {"TM:MEME": 3})
    cache.set_meta("tokenmetrics", "indices", {"TM:MEME": 4})
    assert cache.get_meta("tokenmetrics", "indices") == {"TM:MEME": 4}


def test_memory_does_not_import_tools_or_agent():
    code = ("import sys, memory.price_cache; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tools', 'agent')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"
