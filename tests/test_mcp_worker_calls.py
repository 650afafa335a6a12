"""MCP tool calls resolve the tool on a worker: the first import of a tool's module (or, for an
unknown or plugin name, the building of the whole registry) never runs on the event loop, where it
would hold back every other request and escape `--timeout`. A listing that missed a read-only tool
(a stale snapshot) still answers it; only a tool the registry says writes is refused."""

from __future__ import annotations

import json
import threading

import pytest
from mcp import Client

from indexdesk.tools.adapters.mcp_server import build_server, listing
from indexdesk.tools.adapters.runner import ModuleRegistry, ToolRunner
from indexdesk.tools.registry import Registry
from indexdesk.tools.toolbox import default_registry

pytestmark = pytest.mark.anyio
PERFORMANCE = ("get_index_performance", {"indices": ["defi"], "window": "30d"})


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def listed() -> list[dict]:
    return json.loads(json.dumps(listing(default_registry())))


def _lazy(listed: list[dict], monkeypatch) -> tuple[ModuleRegistry, list[str]]:
    """A ModuleRegistry as `serve mcp` builds it, recording the thread of every import it does."""
    threads: list[str] = []
    real = Registry.from_modules.__func__

    def from_modules(cls, modules):
        threads.append(threading.current_thread().name)
        return real(cls, modules)

    monkeypatch.setattr(Registry, "from_modules", classmethod(from_modules))
    modules = {item["tool"]["name"]: item["module"] for item in listed if item["module"]}
    return ModuleRegistry(modules, lambda: threads.append(threading.current_thread().name) or default_registry()), threads


async def test_a_tools_first_import_runs_on_a_worker_not_the_event_loop(ctx, listed, monkeypatch):
    lazy, threads = _lazy(listed, monkeypatch)
    runner = ToolRunner(lazy, ctx, cache_seconds=60)  # the cache key needs the spec: resolved on a worker too
    try:
        async with Client(build_server(runner, listed=listed)) as client:
            first = await client.call_tool(*PERFORMANCE)
            again = await client.call_tool(*PERFORMANCE)  # kept: answered without a worker
            unknown = await client.call_tool("get_index_perf", {})  # builds the whole registry
    finally:
        runner.close()
    assert first.is_error is False and again.structured_content == first.structured_content
    assert unknown.is_error is True and "did you mean" in unknown.content[0].text
    assert threads and all(name.startswith("indexdesk-tool") for name in threads), threads
    assert threading.current_thread().name not in threads


async def test_a_read_only_tool_missing_from_a_stale_listing_is_answered_and_then_listed(ctx, listed):
    stale = [item for item in listed if item["tool"]["name"] != "get_index_performance"]
    writer = next(item["tool"]["name"] for item in listed if not item["read_only"])
    runner = ToolRunner(default_registry(), ctx)
    try:
        async with Client(build_server(runner, listed=stale)) as client:
            before = {t.name for t in (await client.list_tools()).tools}
            answered = await client.call_tool(*PERFORMANCE)
            after = {t.name for t in (await client.list_tools()).tools}
            refused = await client.call_tool(writer, {})
    finally:
        runner.close()
    assert "get_index_performance" not in before
    assert answered.is_error is False, answered.content[0].text
    assert answered.structured_content["results"][0]["name"] == "defi"
    assert after == before | {"get_index_performance"}
    assert refused.is_error is True and "does not expose tools that write" in refused.content[0].text
