"""Server edges (issue 16 item 8, and JSON depth of item 6): repeated headers, the Origin's port and
scheme, the token on every route (OpenAPI and /docs included) for both servers and `toolkit`, blank
tokens, deep JSON, and error bodies that never show SQL or its parameters."""

from __future__ import annotations

import json

import pytest
from adapter_tools import adapter_registry
from fastapi.testclient import TestClient
from pydantic import BaseModel

from indexdesk import toolkit
from indexdesk.tools.adapters.guard import UnsafeBind, check_bind
from indexdesk.tools.adapters.http_api import create_app
from indexdesk.tools.adapters.mcp_server import streamable_http_app
from indexdesk.tools.adapters.runner import ToolRunner
from indexdesk.tools.context import ToolContext
from indexdesk.tools.registry import Registry, spec_of, tool
from indexdesk.tools.settings import Settings

LOCAL = "http://127.0.0.1:8765"
BODY = b'{"indices": ["defi"]}'
JSON = ("content-type", "application/json")
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "p", "version": "0"}}}
MCP_ACCEPT = ("accept", "application/json, text/event-stream")


@pytest.fixture
def api(ctx):
    with TestClient(create_app(adapter_registry(), ctx, token="", allow_writes=True), base_url=LOCAL) as client:
        yield client


@pytest.fixture
def secured(ctx):
    with TestClient(create_app(adapter_registry(), ctx, token="s3cret"), base_url=LOCAL) as client:
        yield client


@pytest.mark.parametrize("repeated", [
    [("host", "127.0.0.1:8765"), ("host", "evil.example")],
    [("origin", "http://127.0.0.1:8765"), ("origin", "http://evil.example")],
    [JSON, ("content-type", "text/plain")],
])
def test_a_repeated_host_origin_or_content_type_header_is_400(api, repeated):
    headers = [h for h in [JSON, ("host", "127.0.0.1:8765")] if h[0] not in {n for n, _ in repeated}] + repeated
    response = api.post("/tools/index_returns", content=BODY, headers=headers)
    assert response.status_code == 400, response.text
    assert "more than once" in response.json()["error"] and response.json()["hint"]


@pytest.mark.parametrize("origin, status", [
    ("http://127.0.0.1:8765", 200), ("http://localhost:8765", 200), ("http://[::1]:8765", 200),
    ("http://127.0.0.1:9999", 403),  # another local server (another port) is another origin
    ("http://127.0.0.1", 403),  # port 80 is not 8765
    ("https://127.0.0.1:8765", 403),  # scheme differs
    ("http://evil.example:8765", 403), ("http://127.0.0.1:8765@evil.example", 403),
    ("http://127.0.0.1:notaport", 403), ("null", 403),
])
def test_the_origin_must_match_scheme_host_and_port(api, origin, status):
    response = api.post("/tools/index_returns", content=BODY, headers={"content-type": "application/json",
                                                                        "origin": origin})
    assert response.status_code == status, (origin, response.text)


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc", "/tools", "/tools/openai"])
def test_with_a_token_every_route_needs_it(secured, path):
    refused = secured.get(path)
    assert refused.status_code == 401 and refused.json()["hint"]
    assert refused.headers["www-authenticate"] == "Bearer"
    assert secured.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert secured.get(path, headers={"authorization": "Bearer s3cret"}).status_code == 200


def test_health_stays_open_and_tool_calls_need_the_token(secured):
    assert secured.get("/health").status_code == 200
    assert secured.post("/tools/index_returns", content=BODY, headers=[JSON]).status_code == 401
    ok = secured.post("/tools/index_returns", content=BODY, headers=[JSON, ("authorization", "Bearer s3cret")])
    assert ok.status_code == 200


def test_toolkit_mcp_http_app_honours_the_token_setting_like_http_app(tmp_path):
    ctx = ToolContext(settings=Settings(home=tmp_path / "home", api_token="s3cret"))
    for app, path, body in ((toolkit.mcp_http_app(ctx=ctx), "/mcp", json.dumps(INITIALIZE).encode()),
                            (toolkit.http_app(ctx=ctx), "/tools", None)):
        with TestClient(app, base_url=LOCAL) as client:
            send = (lambda **h: client.post(path, content=body, headers={"content-type": "application/json",
                                                                        "accept": MCP_ACCEPT[1], **h})) \
                if body else (lambda **h: client.get(path, headers=h))
            assert send().status_code == 401, path
            assert send(authorization="Bearer s3cret").status_code == 200, path
    # the setting counts as a token for the bind check too: a public bind is allowed with it
    toolkit.http_app(ctx=ctx, host="0.0.0.0")
    toolkit.mcp_http_app(ctx=ctx, host="0.0.0.0")


@pytest.mark.parametrize("blank", [" ", "\t\n", "   "])
def test_a_blank_token_is_refused_everywhere(tmp_path, ctx, blank):
    with pytest.raises(UnsafeBind, match="blank"):
        check_bind("0.0.0.0", blank)
    with pytest.raises(UnsafeBind, match="blank"):
        check_bind("127.0.0.1", blank)
    with pytest.raises(UnsafeBind, match="blank"):
        create_app(adapter_registry(), ctx, token=blank)
    with pytest.raises(UnsafeBind, match="blank"):
        streamable_http_app(ToolRunner(adapter_registry(), ctx), token=blank)
    blank_ctx = ToolContext(settings=Settings(home=tmp_path / "home", api_token=blank))
    for factory in (toolkit.http_app, toolkit.mcp_http_app):
        with pytest.raises(UnsafeBind, match="blank"):
            factory(ctx=blank_ctx, host="0.0.0.0")


def test_serve_with_a_blank_token_exits_2_with_the_reason(monkeypatch, tmp_path):
    import subprocess
    import sys

    env = {**__import__("os").environ, "INDEXDESK_API_TOKEN": "   ", "INDEXDESK_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-m", "indexdesk.agent.cli", "serve", "http", "--host", "0.0.0.0",
                          "--port", "0"], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2 and "blank" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------ deep JSON (item 6/7)

DEEP = "[" * 200_000 + "]" * 200_000


def test_deep_json_is_400_over_http(api):
    body = '{"indices": ' + DEEP + "}"
    response = api.post("/tools/index_returns", content=body, headers=[JSON])
    assert response.status_code == 400 and "deeper" in response.json()["error"]


def test_deep_json_is_a_tool_error_through_toolkit_call_and_the_registry(ctx):
    registry = adapter_registry()
    for args in ('{"indices": ' + DEEP + "}", {"indices": json.loads("[" * 500 + "]" * 500)}):
        result = registry.call("index_returns", args, ctx)
        assert "deeper than" in result["error"] and not result.get("internal"), result
    result = toolkit.call("analyze_correlation", '{"a": ' + DEEP + "}", ctx)
    assert "deeper than" in result["error"]
    # a string holding brackets is not nesting
    assert registry.call("index_returns", {"indices": ["defi"], "window": "[[[[" * 20}, ctx)["field"] == "window"


def test_deep_json_is_a_tool_error_over_mcp(ctx):
    import anyio
    from mcp import Client

    server = toolkit.mcp_server(ctx=ctx)

    async def run():
        async with Client(server) as client:
            return await client.call_tool("analyze_correlation", {"indices": json.loads("[" * 100 + "]" * 100)})

    result = anyio.run(run)
    assert result.is_error is True and "deeper than" in result.content[0].text


# ------------------------------------------------------------ error bodies never show SQL

class _Out(BaseModel):
    ok: bool = True


@tool(category="portfolio")
def leaky_query(ctx: ToolContext, secret: str = "hunter2") -> _Out:
    """Runs a broken SQL statement (a stand-in for any database failure inside a tool).

    Args:
        secret: a value bound as an SQL parameter.
    """
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM transactions_missing WHERE note = :secret"), {"secret": secret})
    return _Out()


def test_internal_errors_name_the_class_never_the_sql_or_its_parameters(ctx):
    registry = Registry([spec_of(leaky_query)])
    result = registry.call("leaky_query", {"secret": "hunter2"}, ctx)
    assert result["internal"] is True and "OperationalError" in result["error"] and result["hint"]
    text = json.dumps(result)
    assert "SELECT" not in text and "hunter2" not in text and "transactions_missing" not in text
    with TestClient(create_app(registry, ctx, token=""), base_url=LOCAL) as client:
        response = client.post("/tools/leaky_query", content=b'{"secret": "hunter2"}', headers=[JSON])
    assert response.status_code == 500 and "OperationalError" in response.json()["error"]
    assert "SELECT" not in response.text and "hunter2" not in response.text
