"""`indexdesk serve mcp` lists its tools from a snapshot in the cache directory (a tool's module is
imported on a worker by its first call, nothing in the background): the listing must be exactly what
the registry would list."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters

from indexdesk.tools.adapters.mcp_server import listing, mcp_tools
from indexdesk.tools.adapters.runner import ModuleRegistry, exposed
from indexdesk.tools.context import ToolContext
from indexdesk.tools.toolbox import default_registry

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def _dump(tools) -> list[dict]:
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]


def test_the_listing_round_trips_to_the_same_tools():
    registry = default_registry()
    listed = json.loads(json.dumps(listing(registry)))
    assert _dump(types.Tool.model_validate(item["tool"]) for item in listed) == _dump(mcp_tools(registry))
    assert [item["read_only"] for item in listed] == [spec.read_only for spec in registry]


def _params(cache: Path, *extra: str) -> StdioServerParameters:
    env = {"PYTHONPATH": str(REPO), "INDEXDESK_HOME": os.environ["INDEXDESK_HOME"], "INDEXDESK_SOURCE": "sample",
           "INDEXDESK_CACHE_DIR": str(cache)}
    return StdioServerParameters(command=sys.executable, args=["-m", "indexdesk.agent.cli", "serve", "mcp", *extra],
                                 env=env, cwd=str(REPO))


@pytest.mark.anyio
async def test_a_server_started_from_the_snapshot_lists_and_calls_as_the_registry_does(tmp_path):
    registry = default_registry()
    expected = _dump(mcp_tools(exposed(registry, False)))
    writer = next(spec.name for spec in registry if spec.state_changing)
    for start in ("builds the snapshot", "reads the snapshot"):
        async with Client(_params(tmp_path / "cache"), read_timeout_seconds=120) as client:
            listed = _dump((await client.list_tools()).tools)
            result = await client.call_tool("get_index_performance", {"indices": ["defi"], "window": "90d"})
            refused = await client.call_tool(writer, {})
        assert listed == expected, start
        assert result.is_error is False and result.structured_content["results"][0]["name"] == "defi", start
        assert refused.is_error is True and "does not expose tools that write" in refused.content[0].text, start
        assert len(list((tmp_path / "cache").glob("mcp_tools-*.json"))) == 1, start


def test_the_module_registry_answers_as_the_whole_registry(settings):
    registry = default_registry()
    modules = {item["tool"]["name"]: item["module"] for item in listing(registry)}
    built = []
    lazy = ModuleRegistry(modules, lambda: built.append(1) or default_registry())
    calls = [("get_index_performance", {"indices": ["defi"], "window": "30d"}),
             ("get_index_performance", {"indices": ["nosuch"]}),  # a tool error, did-you-mean included
             ("compute_var", {"confidence": 0.99}),
             ("get_index_performance", "not json")]
    for name, args in calls:
        assert lazy.call(name, args, ToolContext(settings=settings)) == \
            registry.call(name, args, ToolContext(settings=settings)), name
    assert "get_index_performance" in lazy and lazy.get("compute_var").name == "compute_var"
    assert built == []  # the tools' own modules were enough
    unknown = lazy.call("get_index_perf", {}, ToolContext(settings=settings))
    assert unknown == registry.call("get_index_perf", {}, ToolContext(settings=settings))
    assert "did you mean" in unknown["error"] and built == [1]  # an unknown name: the whole registry answers
