"""The public embedding API: `from indexdesk import toolkit` — selection by name and group, every adapter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from indexdesk import toolkit
from indexdesk.tools.adapters.openai_schema import check_strict
from indexdesk.tools.toolbox import default_registry


def test_importing_the_toolkit_is_light():
    code = ("import sys; from indexdesk import toolkit; import indexdesk.toolkit as again;"
            "assert again is toolkit;"
            "heavy = ('pandas', 'numpy', 'langchain_core', 'mcp', 'fastapi', 'chromadb', 'indexdesk.tools.performance');"
            "print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_groups_are_the_explicit_categories():
    assert set(toolkit.groups()) <= {"market", "risk", "journal", "review", "portfolio", "strategy"}
    registry = default_registry()
    for group in toolkit.groups():
        assert toolkit.tool_names(groups=group) == [s.name for s in registry if s.category == group]
    assert toolkit.tool_names() == registry.names


def test_selection_by_name_and_group_and_read_only():
    market_and_var = toolkit.tool_names(groups=["market"], include=["compute_var"])
    assert "get_index_performance" in market_and_var and "compute_var" in market_and_var
    assert "stress_test" not in market_and_var
    read_only = toolkit.tool_names(read_only=True)
    assert "log_journal_entry" not in read_only and "quarterly_review" not in read_only
    assert "search_journal" in read_only and "get_index_performance" in read_only
    with pytest.raises(ValueError, match="did you mean 'market'"):
        toolkit.tool_names(groups=["markt"])
    with pytest.raises(ValueError, match="did you mean 'compute_var'"):
        toolkit.tool_names(include=["compute_va"])


def test_openai_tools_are_strict_schemas_of_the_selection():
    schemas = toolkit.openai_tools(groups=["risk"])
    assert [s["function"]["name"] for s in schemas] == toolkit.tool_names(groups="risk")
    assert all(s["function"]["strict"] is True and check_strict(s["function"]["parameters"]) == [] for s in schemas)
    assert all(s["function"]["strict"] is False for s in toolkit.openai_tools(strict=False, include="compute_var"))


def test_call_runs_a_tool_and_returns_errors_as_data(ctx):
    result = toolkit.call("get_index_performance", {"indices": ["defi"], "window": "90d"}, ctx=ctx)
    assert "error" not in result and result["results"][0]["name"] == "defi"
    as_json = toolkit.call("get_index_performance", '{"indices": ["defi"], "window": null}', ctx=ctx)
    assert as_json["window"] == "90d"
    assert "did you mean" in toolkit.call("get_index_performanc", {}, ctx=ctx)["error"]
    assert "error" in toolkit.call("get_index_performance", {"indices": ["defii"]}, ctx=ctx)


def test_call_without_a_context_uses_one_default_context():
    first = toolkit.default_context()
    assert toolkit.default_context() is first
    assert "error" not in toolkit.call("analyze_correlation", {"indices": ["BTC", "ETH"], "window": "30d"})


def test_langchain_tools_carry_category_and_write_flags(ctx):
    tools = toolkit.langchain_tools(groups=["journal"], ctx=ctx)
    by_name = {t.name: t for t in tools}
    assert set(by_name) == set(toolkit.tool_names(groups="journal"))
    assert by_name["log_journal_entry"].metadata == {"state_changing": True, "read_only": False, "category": "journal"}
    assert [t.name for t in toolkit.langchain_tools(groups=["journal"], read_only=True, ctx=ctx)] == ["search_journal"]
    perf = toolkit.langchain_tools(include=["get_index_performance"], ctx=ctx)[0]
    payload = json.loads(perf.invoke({"indices": ["BTC"], "window": "30d"}))
    assert payload["results"][0]["name"] == "BTC"


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_mcp_server_object_serves_the_selection(ctx, anyio_backend):
    from mcp import Client

    server = toolkit.mcp_server(groups=["market", "review"], ctx=ctx)
    async with Client(server) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("get_index_performance", {"indices": ["defi"], "window": "30d"})
    # quarterly_review writes a report file: hidden unless allow_writes=True
    assert names == toolkit.tool_names(groups=["market", "review"], read_only=True)
    assert result.is_error is False and result.structured_content["results"][0]["name"] == "defi"
    writer = toolkit.mcp_server(include=["quarterly_review"], allow_writes=True, ctx=ctx)
    async with Client(writer) as client:
        assert [t.name for t in (await client.list_tools()).tools] == ["quarterly_review"]


def test_served_apps_refuse_an_open_bind_without_a_token_and_guard_hosts(ctx):
    """The toolkit's HTTP apps carry the same safety as `indexdesk serve`: a token off loopback, and
    the request guard (a foreign Host is refused before MCP sees the request)."""
    from starlette.testclient import TestClient

    from indexdesk.tools.adapters.guard import UnsafeBind

    for make in (toolkit.http_app, toolkit.mcp_http_app):
        with pytest.raises(UnsafeBind, match="INDEXDESK_API_TOKEN"):
            make(ctx=ctx, host="0.0.0.0")
    app = toolkit.mcp_http_app(ctx=ctx, groups="market")
    with TestClient(app, base_url="http://evil.example") as client:
        refused = client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert refused.status_code == 421
