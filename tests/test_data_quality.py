"""Data problems travel with the numbers: non-finite prices refused, holes and suspect prices flagged,
annualised figures need a minimum history, an index's coverage reaches every result built on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.registry import is_error
from indexdesk.tools.settings import Settings
from indexdesk.tools.toolbox import default_registry

REGISTRY = default_registry()
DAYS = pd.date_range("2024-01-01", periods=400, freq="D")


def _walk(seed: int, start: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return start * np.exp(np.cumsum(rng.normal(0.0005, 0.03, len(DAYS))))


def _context(tmp_path, columns: dict[str, np.ndarray]) -> ToolContext:
    frame = pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d"), **columns})
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index=False, na_rep="")
    return ToolContext(settings=Settings(home=tmp_path / "home", source=f"csv:{path}", embedding="hash:64"))


@pytest.fixture
def dirty(tmp_path):
    """BTC clean; ETH with one close ×10⁶ for a day; SOL with a 60-day hole; AAVE the only DeFi member."""
    eth = _walk(2, 2000.0)
    eth[250] *= 1e6
    sol = _walk(3, 100.0)
    sol[200:260] = np.nan
    return _context(tmp_path, {"BTC": _walk(1, 40000.0), "ETH": eth, "SOL": sol, "AAVE": _walk(4, 90.0)})


def test_an_infinite_close_is_refused_naming_the_row(tmp_path):
    ctx = _context(tmp_path, {"BTC": np.r_[_walk(1, 100.0)[:10], np.inf, _walk(1, 100.0)[11:]]})
    result = REGISTRY.call("get_index_performance", {"indices": ["BTC"]}, ctx)
    assert is_error(result) and "row 12" in result["error"] and "not a finite number" in result["error"]


@pytest.mark.parametrize("tool,args", [
    ("get_index_performance", {"indices": ["ETH"], "window": "all"}),
    ("compute_var", {"weights": {"ETH": 1.0}, "window": "all"}),
    ("analyze_correlation", {"indices": ["ETH", "BTC"], "window": "all"}),
    ("size_positions", {"indices": ["ETH", "BTC"], "target_volatility": 0.5, "lookback": "all"}),
])
def test_a_spike_and_revert_price_is_flagged_everywhere(dirty, tool, args):
    result = REGISTRY.call(tool, args, dirty)
    assert not is_error(result), result
    assert any("ETH: suspect close on 2024-09-07" in w for w in result["warnings"]), result["warnings"]


def test_a_spike_outside_the_window_is_not_mentioned(dirty):
    result = REGISTRY.call("get_index_performance", {"indices": ["ETH"], "window": "30d"}, dirty)
    assert not any("suspect" in w for w in result["warnings"])


@pytest.mark.parametrize("tool,args", [
    ("get_index_performance", {"indices": ["SOL"], "window": "all"}),
    ("compute_var", {"weights": {"SOL": 0.5}, "window": "all"}),
])
def test_a_hole_in_a_series_is_flagged(dirty, tool, args):
    result = REGISTRY.call(tool, args, dirty)
    assert any("SOL: no prices 2024-07-19..2024-09-16 (60 days)" in w for w in result["warnings"]), result["warnings"]


def test_annualised_figures_need_a_minimum_history(tmp_path):
    btc = _walk(1, 100.0)
    short = np.full(len(DAYS), np.nan)
    short[-3:] = [1.0, 5.0, 40.0]  # three rows: a "CAGR" of 1e87 if annualised
    ctx = _context(tmp_path, {"BTC": btc, "NEW": short})
    result = REGISTRY.call("get_index_performance", {"indices": ["NEW"], "window": "all"}, ctx)
    row = result["results"][0]
    assert row["total_return"] == pytest.approx(39.0)
    assert row["annual_return"] is None and row["annual_volatility"] is None and row["sharpe_ratio"] is None
    assert any("NEW: only 2 daily returns" in w and "reported as null" in w for w in result["warnings"])


@pytest.mark.parametrize("tool,args", [
    ("get_index_performance", {"indices": ["defi"], "window": "180d"}),
    ("compute_var", {"weights": {"defi": 0.5, "BTC": 0.5}}),
    ("stress_test", {"weights": {"defi": 0.5, "BTC": 0.5}, "scenarios": ["exchange_failure"]}),
    ("analyze_correlation", {"indices": ["defi", "BTC"]}),
    ("size_positions", {"indices": ["defi", "BTC"], "target_volatility": 0.4}),
])
def test_an_index_coverage_gap_reaches_every_result_built_on_it(dirty, tool, args):
    result = REGISTRY.call(tool, args, dirty)
    assert not is_error(result), result
    assert any(w.startswith("defi: only 1 of the 8 constituents it should hold are in this price source")
               for w in result["warnings"]), result["warnings"]


def test_weights_below_one_say_the_rest_is_cash(ctx):
    result = REGISTRY.call("compute_var", {"weights": {"BTC": 0.3, "ETH": 0.2}}, ctx)
    assert any("< 1: the remaining 0.5 is held as cash" in w for w in result["warnings"])
    result = REGISTRY.call("stress_test", {"weights": {"BTC": 0.3}, "scenarios": ["exchange_failure"]}, ctx)
    assert any("held as cash" in w for w in result["warnings"])


def test_the_review_says_an_unpriced_index_was_held_as_cash(shared_data, tmp_path):
    ctx = ToolContext(settings=Settings(home=tmp_path / "home", source=f"csv:{shared_data / 'prices_daily.csv'}",
                                        embedding="hash:64"))
    result = REGISTRY.call("quarterly_review", {"quarter": "2025Q4"}, ctx)
    assert not is_error(result), result
    said = [line for line in result["lessons"] if line.startswith("ai_data")]
    assert said and all("held as cash" in line and "not its own performance" in line for line in said), result["lessons"]
    assert any("ai_data: no constituent priced" in w for w in result["warnings"])


def test_an_index_whose_members_the_csv_lacks_is_a_warning_not_a_bug(tmp_path):
    ctx = _context(tmp_path, {"BTC": _walk(1, 100.0), "ETH": _walk(2, 10.0)})
    result = REGISTRY.call("get_index_performance", {"indices": ["defi"]}, ctx)
    assert not is_error(result), result
    assert any("defi: no constituent in this price source" in w for w in result["warnings"])


def test_a_non_utf8_byte_from_the_command_line_is_a_clear_error(tmp_path, monkeypatch, capsys):
    from indexdesk.agent.cli import main

    monkeypatch.setenv("INDEXDESK_HOME", str(tmp_path))
    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:64")
    arg = b"bought BTC \xff".decode("utf-8", "surrogateescape")  # what Python hands over for $'...\xff'
    code = main(["journal", "add", arg])
    err = capsys.readouterr().err
    assert code != 0 and "not valid Unicode" in err and "Traceback" not in err
    store = ToolContext(settings=Settings(home=tmp_path, embedding="hash:64")).journal_store()
    assert store.count() == 0
