"""A damaged price cache is set aside and restarted, the user is told once, and nothing crashes."""

from __future__ import annotations

import sqlite3

import pytest

from indexdesk.memory.price_cache import PriceCache


def _filled(path):
    cache = PriceCache(path)
    cache.write("coingecko", {f"S{i}": [(f"2024-01-{d:02d}", 1.0 + d, None, None) for d in range(1, 29)]
                              for i in range(40)})
    return cache


@pytest.mark.parametrize("damage", ["garbage", "truncated", "pages"])
def test_a_damaged_cache_is_moved_aside_and_restarted(tmp_path, damage):
    path = tmp_path / "price_cache.sqlite"
    _filled(path)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all " * 100)
    elif damage == "truncated":
        path.write_bytes(data[:300])
    else:  # a valid header, garbled pages behind it
        path.write_bytes(data[:100] + bytes(range(256)) * ((len(data) - 100) // 256 + 1))
    cache = PriceCache(path)
    assert cache.recovered and "moved aside" in cache.recovered
    aside = [p for p in tmp_path.glob("price_cache.sqlite.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].stat().st_size > 0  # kept for inspection, never deleted
    assert cache.status() == []  # a fresh, working cache
    cache.write("coingecko", {"BTC": [("2024-01-01", 40000.0, None, None)]})
    assert PriceCache(path).recovered is None  # healthy now: nothing more to say
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_the_tool_call_that_opened_it_says_so(tmp_path):
    from indexdesk.tools.call_notes import collecting
    from indexdesk.tools.market.remote import open_cache
    from indexdesk.tools.settings import Settings

    settings = Settings(home=tmp_path)
    (tmp_path / "price_cache.sqlite").write_bytes(b"\x00garbled\xff" * 500)
    with collecting() as notes:
        open_cache(settings)
    assert any("price cache was damaged" in n for n in notes)


def test_data_status_does_not_crash_on_a_garbled_cache(tmp_path, monkeypatch, capsys):
    from indexdesk.agent.cli import main

    monkeypatch.setenv("INDEXDESK_HOME", str(tmp_path))
    (tmp_path / "price_cache.sqlite").write_bytes(b"garbage" * 1000)
    code = main(["data", "status"])
    captured = capsys.readouterr()
    assert code == 0
    assert "price cache was damaged" in captured.err and "moved aside" in captured.err
