"""The MCP server, driven by the real MCP client: in process (both protocol eras), over stdio, over HTTP."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import httpx
import pytest
from adapter_tools import adapter_registry, running_uvicorn
from mcp import Client, StdioServerParameters

from indexdesk.tools.adapters.mcp_server import build_server, streamable_http_app, tool_names
from indexdesk.tools.adapters.runner import ToolRunner

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def runner(ctx):
    runner = ToolRunner(adapter_registry(), ctx)
    yield runner
    runner.close()


def _payload(result) -> dict:
    """The JSON text content; structuredContent must carry the very same object."""
    # first the JSON (the spec's serialized structured content), then at most one units-formatted line
    assert 1 <= len(result.content) <= 2 and all(c.type == "text" for c in result.content)
    payload = json.loads(result.content[0].text)
    assert result.structured_content == payload
    return payload


# "legacy" runs the initialize handshake over JSON-RPC streams; "auto" uses the SDK's modern direct path.
@pytest.fixture(params=["legacy", "auto"])
def mode(request):
    return request.param


async def test_list_tools_shows_every_registry_tool_with_schema_and_hints(runner, mode):
    registry = runner.registry
    async with Client(build_server(runner, allow_writes=True), mode=mode) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
    assert list(listed) == registry.names == tool_names(registry, allow_writes=True)
    for spec in registry:
        assert listed[spec.name].description == spec.description
        assert listed[spec.name].input_schema == spec.json_schema()
    schema = listed["index_returns"].input_schema
    assert schema["required"] == ["indices"] and schema["properties"]["window"]["default"] == "90d"
    assert listed["add_note"].annotations.destructive_hint is True
    assert listed["add_note"].annotations.read_only_hint is False
    assert listed["index_returns"].annotations.read_only_hint is True
    assert listed["index_returns"].annotations.destructive_hint is False


async def test_call_tool_returns_the_json_result_as_text_and_structured_content(runner, mode):
    async with Client(build_server(runner, allow_writes=True), mode=mode) as client:
        result = await client.call_tool("index_returns", {"indices": ["defi", "layer1"], "window": "30d"})
    assert result.is_error is False
    payload = _payload(result)
    assert payload["window"] == "30d"
    assert payload["as_of"] == "2024-06-30"  # a date in the model, a string on the wire
    assert [(r["name"], r["annual_return"]) for r in payload["results"]] == [("defi", 0.12), ("layer1", 0.08)]


async def test_tool_error_comes_back_as_is_error_with_the_hint(runner, mode):
    async with Client(build_server(runner, allow_writes=True), mode=mode) as client:
        unknown_index = await client.call_tool("index_returns", {"indices": ["defii"]})
        bad_window = await client.call_tool("index_returns", {"indices": ["defi"], "window": "2w"})
        missing = await client.call_tool("index_returns", {})
    assert unknown_index.is_error is True
    err = _payload(unknown_index)
    assert "unknown index 'defii'; did you mean 'defi'?" in err["error"]
    assert err["hint"] and err["field"] == "indices"
    assert _payload(bad_window) == {"error": "unknown window '2w'", "hint": "use 30d, 90d or 1y", "field": "window"}
    assert missing.is_error is True and "'indices'" in _payload(missing)["error"]


async def test_unknown_tool_bug_and_nan_go_through_the_registry(runner):
    async with Client(build_server(runner, allow_writes=True), mode="legacy") as client:
        unknown = await client.call_tool("index_return", {})
        bug = await client.call_tool("divide_by_zero", {})
        flat = await client.call_tool("sharpe_of_flat_series", {"days": 30})
    assert unknown.is_error and "did you mean 'index_returns'?" in _payload(unknown)["error"]
    bug_payload = _payload(bug)
    assert bug.is_error and "ZeroDivisionError" in bug_payload["error"] and "Traceback" not in bug_payload["error"]
    flat_payload = _payload(flat)
    assert flat.is_error is False
    assert flat_payload["sharpe_ratio"] is None and flat_payload["days"] == 30
    assert any("sharpe_ratio" in w for w in flat_payload["warnings"])


async def test_one_context_serves_every_call(runner):
    async with Client(build_server(runner, allow_writes=True), mode="legacy") as client:
        counts = [_payload(await client.call_tool("count_calls", {}))["calls"] for _ in range(3)]
    assert counts == [1, 2, 3]
    assert runner.ctx.memo["calls"] == 3


# ------------------------------------------------------------ real transports

def _stdio_params(*extra: str) -> StdioServerParameters:
    env = {"PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
           "INDEXDESK_HOME": os.environ["INDEXDESK_HOME"], "INDEXDESK_SOURCE": "sample"}
    return StdioServerParameters(command=sys.executable, args=["-m", "indexdesk.agent.cli", "serve", "mcp", *extra],
                                 env=env, cwd=str(REPO))


async def test_stdio_server_subprocess_lists_and_calls():
    async with Client(_stdio_params("--modules", "adapter_tools", "--allow-writes", "--cache-seconds", "0"), read_timeout_seconds=60) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        ok = await client.call_tool("index_returns", {"indices": ["large_cap"], "window": "1y"})
        failed = await client.call_tool("index_returns", {"indices": ["larg_cap"]})
        counts = [_payload(await client.call_tool("count_calls", {}))["calls"] for _ in range(2)]
    assert names == adapter_registry().names
    assert ok.is_error is False and _payload(ok)["results"] == [{"name": "large_cap", "annual_return": 0.05}]
    assert failed.is_error is True and "did you mean 'large_cap'?" in _payload(failed)["error"]
    assert counts == [1, 2]  # the server built its context once


async def test_stdio_server_serves_the_default_registry():
    pytest.importorskip("indexdesk.tools.performance", reason="no tool modules landed yet")
    from indexdesk.tools.toolbox import default_registry

    registry = default_registry()
    async with Client(_stdio_params("--allow-writes"), read_timeout_seconds=60) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        first = registry.names[0]
        wrong = await client.call_tool(first, {"no_such_argument": 1})
    assert names == registry.names
    assert wrong.is_error is True and "unknown argument 'no_such_argument'" in _payload(wrong)["error"]


async def test_streamable_http_transport_with_bearer_token(runner):
    app = streamable_http_app(runner, token="s3cret", allow_writes=True)
    with running_uvicorn(app) as base:
        async with httpx.AsyncClient() as raw:
            refused = await raw.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert refused.status_code == 401 and "bearer" in refused.json()["hint"].lower()
        import httpx2  # the MCP SDK's HTTP client package
        from mcp.client.streamable_http import streamable_http_client

        authorised = httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret"})

        async with authorised, Client(streamable_http_client(f"{base}/mcp", http_client=authorised)) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            result = await client.call_tool("index_returns", {"indices": ["defi"]})
    assert names == runner.registry.names
    assert _payload(result)["results"] == [{"name": "defi", "annual_return": 0.12}]
