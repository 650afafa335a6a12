"""Hostile requests to the local servers (`serve http`, `serve mcp --transport http`): a web page's
CSRF / DNS-rebinding request, foreign Host and Origin, non-JSON bodies, huge bodies, binding to a
public address without a token, tools that write, and a slow call next to a fast one."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading

import httpx
import pytest
from adapter_tools import adapter_registry, running_uvicorn
from fastapi.testclient import TestClient

from indexdesk.tools.adapters.guard import MAX_BODY_BYTES, UnsafeBind, check_bind
from indexdesk.tools.adapters.http_api import create_app
from indexdesk.tools.adapters.mcp_server import streamable_http_app
from indexdesk.tools.adapters.runner import ToolRunner
from indexdesk.tools.context import ToolContext
from indexdesk.tools.registry import Registry, spec_of, tool

LOCAL = "http://127.0.0.1"
ATTACK = {"content-type": "text/plain", "origin": "http://evil.example", "host": "evil.example"}


@pytest.fixture
def api(ctx):
    with TestClient(create_app(adapter_registry(), ctx, token="", allow_writes=True), base_url=LOCAL) as client:
        yield client


def test_the_csrf_request_of_a_web_page_is_refused_and_writes_nothing(api, ctx):
    response = api.post("/tools/add_note", content=b'{"text": "pwned"}', headers=ATTACK)
    assert response.status_code in (403, 415, 421)
    assert set(response.json()) == {"error", "hint"}
    assert api.post("/tools/count_calls", json={}).json() == {"calls": 1}  # nothing ran before


@pytest.mark.parametrize("headers, status, words", [
    ({"host": "evil.example"}, 421, "host"),
    ({"host": "evil.example:8765"}, 421, "host"),
    ({"origin": "http://evil.example"}, 403, "origin"),
    ({"origin": "null"}, 403, "origin"),
    ({"content-type": "text/plain"}, 415, "content type"),
    ({"content-type": "application/x-www-form-urlencoded"}, 415, "content type"),
    ({"content-type": "multipart/form-data; boundary=x"}, 415, "content type"),
])
def test_each_hostile_header_is_refused_with_a_structured_error(api, headers, status, words):
    sent = {"content-type": "application/json", **headers}
    response = api.post("/tools/index_returns", content=b'{"indices": ["defi"]}', headers=sent)
    assert response.status_code == status, response.text
    assert words in response.json()["error"] and response.json()["hint"]


def test_requests_naming_the_server_are_served(api):
    for headers in ({"host": "localhost:8765"}, {"host": "127.0.0.1"},
                    {"host": "127.0.0.1:8765", "origin": "http://localhost:8765"},
                    {"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:8765"}, {"origin": "http://127.0.0.1"},
                    {"content-type": "application/json; charset=utf-8"}):
        sent = {"content-type": "application/json", **headers}
        response = api.post("/tools/index_returns", content=b'{"indices": ["defi"]}', headers=sent)
        assert response.status_code == 200, (headers, response.text)
    assert api.get("/health", headers={"host": "evil.example"}).status_code == 421  # reads too: rebinding reads data


def test_a_body_above_one_megabyte_is_413(api):
    big = json.dumps({"indices": ["defi"], "window": "x" * (MAX_BODY_BYTES + 10)})
    response = api.post("/tools/index_returns", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "bytes" in response.json()["error"]


def test_a_chunked_body_without_length_is_cut_at_the_limit(ctx):
    def chunks():
        yield b'{"indices": ["defi"], "window": "'
        for _ in range(20):
            yield b"x" * 100_000
        yield b'"}'

    with running_uvicorn(create_app(adapter_registry(), ctx, token="")) as base:
        response = httpx.post(f"{base}/tools/index_returns", content=chunks(),
                              headers={"content-type": "application/json"}, timeout=30)
        ok = httpx.post(f"{base}/tools/index_returns", json={"indices": ["defi"]}, timeout=30)
    assert response.status_code == 413 and ok.status_code == 200


def test_tools_that_write_are_hidden_unless_allowed(ctx):
    with TestClient(create_app(adapter_registry(), ctx, token=""), base_url=LOCAL) as client:
        names = [t["name"] for t in client.get("/tools").json()]
        refused = client.post("/tools/add_note", json={"text": "hello"})
        paths = client.get("/openapi.json").json()["paths"]
    assert "add_note" not in names and "index_returns" in names
    assert refused.status_code == 404 and "--allow-writes" in refused.json()["hint"]
    assert "/tools/add_note" not in paths


# ------------------------------------------------------------ MCP over streamable HTTP

@pytest.fixture
def mcp_base(ctx):
    runner = ToolRunner(adapter_registry(), ctx)
    with running_uvicorn(streamable_http_app(runner)) as base:
        yield base
    runner.close()


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                         "clientInfo": {"name": "probe", "version": "0"}}}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@pytest.mark.parametrize("headers, status", [
    ({"host": "evil.example"}, 421),
    ({"origin": "http://evil.example"}, 403),
    ({"content-type": "text/plain"}, 415),
])
def test_mcp_http_refuses_hostile_requests(mcp_base, headers, status):
    response = httpx.post(f"{mcp_base}/mcp", content=json.dumps(INITIALIZE), headers={**MCP_HEADERS, **headers})
    assert response.status_code == status and response.json()["hint"]


def test_mcp_http_refuses_a_huge_body_and_serves_a_normal_one(mcp_base):
    huge = json.dumps({**INITIALIZE, "padding": "x" * (MAX_BODY_BYTES + 1)})
    assert httpx.post(f"{mcp_base}/mcp", content=huge, headers=MCP_HEADERS).status_code == 413
    ok = httpx.post(f"{mcp_base}/mcp", content=json.dumps(INITIALIZE), headers=MCP_HEADERS)
    assert ok.status_code == 200


# ------------------------------------------------------------ binding, the CLI

def test_a_public_address_needs_a_token():
    with pytest.raises(UnsafeBind, match="INDEXDESK_API_TOKEN"):
        check_bind("0.0.0.0", None)
    with pytest.raises(UnsafeBind, match="INDEXDESK_API_TOKEN"):
        check_bind("192.168.1.20", "")
    check_bind("0.0.0.0", "s3cret")
    for loopback in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_bind(loopback, None)


@pytest.mark.parametrize("command", [["serve", "http"], ["serve", "mcp", "--transport", "http"]])
def test_serve_refuses_to_start_on_a_public_address_without_a_token(command, monkeypatch):
    monkeypatch.delenv("INDEXDESK_API_TOKEN", raising=False)
    out = subprocess.run([sys.executable, "-m", "indexdesk.agent.cli", *command, "--host", "0.0.0.0", "--port", "0"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "INDEXDESK_API_TOKEN" in out.stderr and "refusing" in out.stderr


def test_tools_call_of_a_write_tool_needs_confirmation(capsys, monkeypatch):
    from indexdesk.agent.cli import main

    monkeypatch.setattr(sys, "stdin", _NoTerminal())
    assert main(["tools", "call", "log_journal_entry", '{"text": "bought BTC"}']) == 1
    refused = json.loads(capsys.readouterr().out)
    assert "not confirmed" in refused["error"] and "--yes" in refused["hint"]
    assert main(["tools", "call", "search_journal", '{"query": "BTC"}']) == 0  # reads need no confirmation
    capsys.readouterr()
    assert main(["tools", "call", "--yes", "log_journal_entry", '{"text": "bought BTC"}']) == 0
    assert json.loads(capsys.readouterr().out)["id"]


class _NoTerminal:
    def isatty(self) -> bool:
        return False

    def read(self) -> str:
        return ""


# ------------------------------------------------------------ timeouts and concurrency

RELEASE = threading.Event()
STARTED = threading.Event()


@tool(category="market")
def slow_tool(ctx: ToolContext) -> dict:
    """A call that waits until the test releases it."""
    STARTED.set()
    RELEASE.wait(30)
    return {"slow": True}


@tool(category="market")
def fast_tool(ctx: ToolContext) -> dict:
    """A call that answers at once."""
    return {"fast": True}


def _slow_fast_registry() -> Registry:
    return Registry([spec_of(slow_tool), spec_of(fast_tool)])


def test_a_slow_call_does_not_hold_back_a_fast_one(ctx):
    RELEASE.clear()
    STARTED.clear()
    runner = ToolRunner(_slow_fast_registry(), ctx)

    async def scenario() -> tuple[dict, bool, dict]:
        slow = asyncio.ensure_future(runner.call("slow_tool", {}))
        await asyncio.to_thread(STARTED.wait, 10)
        fast = await asyncio.wait_for(runner.call("fast_tool", {}), 20)  # would hang with a serial worker
        slow_still_running = not slow.done()
        RELEASE.set()
        return fast, slow_still_running, await slow

    try:
        fast, slow_still_running, slow = asyncio.run(scenario())
    finally:
        RELEASE.set()
        runner.close()
    assert fast == {"fast": True} and slow_still_running and slow == {"slow": True}


def test_a_call_past_its_timeout_is_a_structured_error_and_http_504(ctx):
    RELEASE.clear()
    app = create_app(_slow_fast_registry(), ctx, token="", timeout=0.2)
    try:
        with TestClient(app, base_url=LOCAL) as client:
            late = client.post("/tools/slow_tool", json={})
            fast = client.post("/tools/fast_tool", json={})
    finally:
        RELEASE.set()
    assert late.status_code == 504 and "did not finish within 0.2 s" in late.json()["error"]
    assert fast.status_code == 200


def test_market_results_are_kept_by_arguments_and_writes_empty_the_cache(ctx):
    runner = ToolRunner(adapter_registry(), ctx, cache_seconds=60)

    async def scenario() -> list:
        counts = [await runner.call("count_calls", {}) for _ in range(2)]  # a market tool: kept
        other = await runner.call("count_calls", "{}")  # the same arguments as JSON text: the same key
        error = [await runner.call("index_returns", {"indices": ["defii"]}) for _ in range(2)]
        await runner.call("add_note", {"text": "x"})  # changes state: the cache is emptied
        after = await runner.call("count_calls", {})
        return [counts, other, error, after]

    try:
        counts, other, error, after = asyncio.run(scenario())
    finally:
        runner.close()
    assert counts == [{"calls": 1}, {"calls": 1}] and other == {"calls": 1}
    assert all("error" in e for e in error)
    assert after == {"calls": 2}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize("command, path", [(["serve", "http"], "/tools/get_index_performance"),
                                           (["serve", "mcp", "--transport", "http"], "/mcp")])
def test_the_cli_servers_are_guarded_end_to_end(command, path):
    import os
    import time

    port = _free_port()
    env = {**os.environ, "INDEXDESK_SOURCE": "sample"}
    env.pop("INDEXDESK_API_TOKEN", None)
    server = subprocess.Popen([sys.executable, "-m", "indexdesk.agent.cli", *command, "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{base}/", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()[-2000:]
                time.sleep(0.2)
        body = json.dumps(INITIALIZE if path == "/mcp" else {"indices": ["defi"]})
        headers = MCP_HEADERS if path == "/mcp" else {"content-type": "application/json"}
        rebinding = httpx.post(f"{base}{path}", content=body, headers={**headers, "host": "evil.example"})
        csrf = httpx.post(f"{base}{path}", content=body, headers={**headers, "origin": "http://evil.example"})
        form = httpx.post(f"{base}{path}", content=body, headers={**headers, "content-type": "text/plain"})
        ok = httpx.post(f"{base}{path}", content=body, headers=headers, timeout=60)
        assert (rebinding.status_code, csrf.status_code, form.status_code, ok.status_code) == (421, 403, 415, 200)
        if path != "/mcp":
            names = [t["name"] for t in httpx.get(f"{base}/tools").json()]
            assert "get_index_performance" in names and "log_journal_entry" not in names
            write = httpx.post(f"{base}/tools/log_journal_entry", json={"text": "bought BTC"})
            assert write.status_code == 404 and "--allow-writes" in write.json()["hint"]
    finally:
        server.terminate()
        server.wait(10)
