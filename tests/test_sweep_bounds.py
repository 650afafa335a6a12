"""A sweep is bounded before it is built (issue 16 item 6): the configuration count comes from the
grammar by arithmetic, non-finite and sub-resolution values are tool errors, never internal ones."""

from __future__ import annotations

import math
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexdesk.tools.errors import ToolError
from indexdesk.tools.strategy.backtest_tools import MAX_CONFIGS, parse_grid


@pytest.mark.parametrize("grid, words", [
    ("lookback=5:730:0.00001", "whole days"),  # 72.5 million configurations, and finer than a day
    ("lookback=5:730:1 tilt=0.01:0.1:0.0001", "configurations; at most"),  # 726 × 901
    ("tilt=0:1e300:0.0001", "configurations; at most"),
    ("lookback=inf", "not a finite number"), ("lookback=nan", "not a finite number"),
    ("tilt=-inf:0.1:0.01", "not a finite number"), ("lookback=1e400", "not a finite number"),
    ("tilt=1e-7:0.1:1e-7", "basis points"), ("tilt=1e-7", "basis points"), ("lookback=90.5", "whole days"),
])
def test_hostile_grids_are_refused_before_anything_is_built(grid, words):
    tracemalloc.start()
    try:
        with pytest.raises(ToolError, match=words) as info:
            parse_grid(grid)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.field == "sweep"
    assert peak < 200_000  # the 72-million grid used 10.5 GB before it was refused


@given(low=st.integers(5, 730), span=st.integers(0, 800), step=st.integers(1, 400),
       tilts=st.lists(st.integers(1, 1000), min_size=1, max_size=4))
def test_the_arithmetic_count_is_the_number_of_values_built(low, span, step, tilts):
    high = low + span
    text = f"lookback={low}:{high}:{step} tilt=" + ",".join(f"{t / 10000:g}" for t in tilts)
    expected = (span // step + 1) * len(tilts)
    if expected > MAX_CONFIGS:
        with pytest.raises(ToolError, match=f"{expected:,} configurations"):
            parse_grid(text)
        return
    grid = parse_grid(text)
    assert len(grid["lookback"]) * len(grid["tilt"]) == expected
    assert grid["lookback"][0] == low and max(grid["lookback"]) <= high  # STOP is a bound, never passed
    assert all(math.isfinite(v) for v in grid["tilt"])


def test_the_default_grid_and_percent_tilts_still_read():
    assert [len(v) for v in parse_grid("default").values()] == [6, 3, 3]
    assert parse_grid("tilt=5:10:2.5")["tilt"] == [5.0, 7.5, 10.0]


@pytest.mark.parametrize("sweep", ["lookback=inf", "lookback=nan", "tilt=1e-7:0.1:1e-7", "lookback=5:730:0.00001",
                                   "lookback=1e400"])
def test_backtest_answers_hostile_sweeps_with_tool_errors(sweep, ctx):
    from indexdesk.tools.strategy.backtest_tools import backtest
    from indexdesk.tools.registry import Registry, spec_of

    result = Registry([spec_of(backtest)]).call("backtest", {"sweep": sweep}, ctx)
    assert result.get("field") == "sweep" and not result.get("internal"), result
