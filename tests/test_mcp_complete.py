"""The real MCP server with the built-in tools, driven by the official `mcp` client over stdio and
streamable HTTP: output schemas, write annotations, resources, the prompt, every read-only tool
called (the client validates each result against its outputSchema), an invalid call that the
server survives, and tools that write hidden unless `--allow-writes`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from adapter_tools import running_uvicorn
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

from indexdesk.tools.adapters.mcp_server import streamable_http_app
from indexdesk.tools.adapters.runner import ToolRunner
from indexdesk.tools.toolbox import default_registry

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.anyio

WEIGHTS = [{"name": "large_cap", "weight": 0.6}, {"name": "defi", "weight": 0.4}]
# Arguments for the built-in read-only tools with required parameters; every other tool is called
# with {}: a result (validated against its outputSchema by the client) or a structured error (the
# portfolio tools on an empty ledger), never a crash. The strategy tools must give a result.
EXAMPLE_ARGS = {
    "get_index_performance": {"indices": ["defi", "BTC"], "window": "90d"},
    "compute_var": {"weights": WEIGHTS},
    "stress_test": {"weights": WEIGHTS},
    "analyze_correlation": {"indices": ["large_cap", "defi"], "window": "90d"},
    "size_positions": {"target_volatility": 0.5, "indices": ["large_cap", "defi"]},
    "search_journal": {"query": "rotated into defi"},
    "journal_outcomes": {},
}


@pytest.fixture
def anyio_backend():
    return "asyncio"


def _payload(result) -> dict:
    return json.loads(result.content[0].text)


async def _exercise(client: Client, *, writes: bool) -> None:
    registry = default_registry()
    listed = {t.name: t for t in (await client.list_tools()).tools}
    expected = registry.names if writes else [s.name for s in registry if s.read_only]
    assert list(listed) == expected
    for spec in registry:
        if spec.name not in listed:
            continue
        tool = listed[spec.name]
        assert tool.output_schema and tool.output_schema["type"] == "object", spec.name
        if spec.result_model is not None:
            assert set(spec.result_model.model_fields) <= set(tool.output_schema["properties"]), spec.name
        assert tool.annotations.read_only_hint is spec.read_only, spec.name
        assert tool.annotations.destructive_hint is spec.state_changing, spec.name
    if writes:
        assert listed["quarterly_review"].annotations.read_only_hint is False
        assert listed["quarterly_review"].annotations.destructive_hint is False
        assert listed["log_journal_entry"].annotations.destructive_hint is True

    # every read-only tool: the client validates structuredContent against the outputSchema
    for spec in registry:
        if not spec.read_only:
            continue
        result = await client.call_tool(spec.name, EXAMPLE_ARGS.get(spec.name, {}))
        payload = _payload(result)
        assert not payload.get("internal"), (spec.name, payload)
        if spec.name in EXAMPLE_ARGS or (spec.category == "strategy" and not spec.json_schema().get("required")):
            assert result.is_error is False, (spec.name, payload)

    # an invalid call is a structured error, and the server lives on
    bad = await client.call_tool("get_index_performance", {"indices": ["defii"], "window": 7})
    assert bad.is_error is True and _payload(bad)["error"] and _payload(bad)["hint"]
    unknown = await client.call_tool("get_index_performanc", {})
    assert unknown.is_error is True and "did you mean" in _payload(unknown)["error"]
    again = await client.call_tool("get_index_performance", {"indices": ["defi"]})
    assert again.is_error is False

    # resources
    uris = [str(r.uri) for r in (await client.list_resources()).resources]
    assert uris == ["indexdesk://indices", "indexdesk://targets"]
    templates = (await client.list_resource_templates()).resource_templates
    assert [t.uri_template for t in templates] == ["indexdesk://journal/{entry_id}"]
    indices = json.loads((await client.read_resource("indexdesk://indices")).contents[0].text)
    assert {"defi", "large_cap"} <= {i["name"] for i in indices}
    targets = json.loads((await client.read_resource("indexdesk://targets")).contents[0].text)
    assert abs(sum(targets["weights"].values()) - 1) < 1e-9 and targets["tiers"]
    with pytest.raises(MCPError, match="no journal entry"):
        await client.read_resource("indexdesk://journal/no-such-id")
    with pytest.raises(MCPError, match="unknown resource"):
        await client.read_resource("indexdesk://nothing")

    # the prompt
    prompts = (await client.list_prompts()).prompts
    assert [p.name for p in prompts] == ["quarterly_review"]
    prompt = await client.get_prompt("quarterly_review", {"quarter": "2026Q2"})
    assert "quarterly_review" in prompt.messages[0].content.text and "2026Q2" in prompt.messages[0].content.text

    if writes:  # a journal entry written through MCP is readable as a resource
        logged = await client.call_tool("log_journal_entry", {"text": "rotated 5% from layer1 into defi"})
        assert logged.is_error is False, _payload(logged)
        entry_id = _payload(logged)["id"]
        entry = json.loads((await client.read_resource(f"indexdesk://journal/{entry_id}")).contents[0].text)
        assert entry["id"] == entry_id and "defi" in entry["text"]
    else:
        refused = await client.call_tool("log_journal_entry", {"text": "bought BTC"})
        assert refused.is_error is True and "--allow-writes" in _payload(refused)["hint"]


@pytest.mark.slow
async def test_stdio_server_with_writes_allowed():
    env = {"PATH": os.environ.get("PATH", ""),
           "INDEXDESK_HOME": os.environ["INDEXDESK_HOME"], "INDEXDESK_SOURCE": "sample"}
    params = StdioServerParameters(command=sys.executable, env=env, cwd=str(REPO),
                                   args=["-m", "indexdesk.agent.cli", "serve", "mcp", "--allow-writes"])
    async with Client(params, read_timeout_seconds=120) as client:
        await _exercise(client, writes=True)


async def test_streamable_http_server_read_only(ctx):
    runner = ToolRunner(default_registry(), ctx)
    try:
        with running_uvicorn(streamable_http_app(runner)) as base:
            from mcp.client.streamable_http import streamable_http_client

            async with Client(streamable_http_client(f"{base}/mcp"), read_timeout_seconds=120) as client:
                await _exercise(client, writes=False)
    finally:
        runner.close()


async def test_text_content_adds_a_line_formatted_from_the_declared_units(ctx):
    """The JSON text stays first (clients without structuredContent parse it); the second text block
    is what a person reads: fractions as %, ratios plain — never a raw 0.1234 for a return."""
    import re

    from indexdesk.tools.adapters.mcp_server import build_server, units_summary

    runner = ToolRunner(default_registry(), ctx)
    try:
        async with Client(build_server(runner)) as client:
            result = await client.call_tool("get_index_performance", {"indices": ["defi", "BTC"], "window": "90d"})
            bad = await client.call_tool("get_index_performance", {"indices": ["defii"]})
    finally:
        runner.close()
    payload = _payload(result)
    assert result.structured_content == payload and len(result.content) == 2
    line = result.content[1].text
    defi = next(r for r in payload["results"] if r["name"] == "defi")
    assert f"defi: rank {defi['rank']}, total return {defi['total_return'] * 100:.1f}%" in line  # 0.1 %: the one style
    assert re.search(r"sharpe ratio -?\d+(\.\d+)?(,|;|$)", line) and "%" not in line.split("sharpe ratio")[1].split(",")[0]
    assert len(line) <= 600
    assert bad.is_error is True and len(bad.content) == 1  # an error is its JSON alone
    money = units_summary({"var_amount": -1234.5, "currency": "EUR", "var": 0.1234},
                          {"var_amount": "currency", "var": "fraction"})
    assert money == "var amount -1,234.50 EUR; var 12.3%"
