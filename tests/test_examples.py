"""The runnable examples in docs/examples/: the two model-driven ones against the scripted
OpenAI-compatible server (the real `openai` / `langchain-openai` clients), the MCP client script
and the Claude Desktop config against a real `indexdesk serve mcp` over stdio."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from scripted_openai import ScriptedOpenAI, text, tool_calls

from indexdesk.tools import toolkit

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "docs" / "examples"


@pytest.fixture
def scripted_env(monkeypatch):
    """A fresh default toolkit context (sample market, temp home) and the OpenAI env pointing nowhere real."""
    monkeypatch.setenv("INDEXDESK_SOURCE", "sample")
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setattr(toolkit, "_default", {})

    def use(server: ScriptedOpenAI) -> None:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)

    return use


def _tool_messages(server: ScriptedOpenAI) -> list[dict]:
    return [m for m in server.messages(-1) if m.get("role") == "tool"]


def test_langchain_create_agent_example(scripted_env):
    script = [tool_calls(("get_index_performance", {"indices": ["defi"], "window": "90d"})),
              text("defi moved over the last 90 days (sample data).")]
    with ScriptedOpenAI(script) as server:
        scripted_env(server)
        answer = runpy.run_path(str(EXAMPLES / "langchain_agent.py"))["main"]("How did defi do?")
    assert answer == "defi moved over the last 90 days (sample data)."
    offered = server.tool_names(0)
    assert offered == toolkit.tool_names(groups=["market", "risk"], read_only=True)
    [tool_message] = _tool_messages(server)
    result = json.loads(tool_message["content"])
    assert result["results"][0]["name"] == "defi" and result["window"] == "90d"


def test_openai_sdk_function_calling_example(scripted_env):
    script = [tool_calls(("get_index_performance", '{"indices": ["defii"], "window": null, "benchmark": null}')),
              tool_calls(("get_index_performance", '{"indices": ["defi"], "window": null, "benchmark": null}')),
              text("defi: see the numbers above.")]
    with ScriptedOpenAI(script) as server:
        scripted_env(server)
        answer = runpy.run_path(str(EXAMPLES / "openai_loop.py"))["main"]("How did defi do?")
    assert answer == "defi: see the numbers above."
    assert all(t["function"]["strict"] for t in server.requests[0]["tools"])
    first_error, result = (json.loads(m["content"]) for m in _tool_messages(server))
    assert "did you mean 'defi'" in first_error["error"]  # the model read the error and corrected itself
    assert result["results"][0]["name"] == "defi" and result["window"] == "90d"  # null = the default


def _server_env() -> dict:
    return {"PATH": os.environ.get("PATH", ""), "INDEXDESK_HOME": os.environ["INDEXDESK_HOME"],
            "INDEXDESK_SOURCE": "sample"}


@pytest.mark.slow
def test_mcp_client_script_against_a_real_stdio_server():
    out = subprocess.run([sys.executable, str(EXAMPLES / "mcp_client.py"), sys.executable, "-m", "indexdesk.agent.cli"],
                         capture_output=True, text=True, timeout=180, env=_server_env(), cwd=str(REPO))
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout)
    assert "get_index_performance" in answer["tools"] and "log_journal_entry" not in answer["tools"]
    assert answer["is_error"] is False and [r["name"] for r in answer["performance"]["results"]] == ["defi", "BTC"]
    assert "defi" in answer["indices"] and "quarterly_review" in answer["prompt"]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_claude_desktop_config_launches_the_server(anyio_backend):
    from mcp import Client, StdioServerParameters

    config = json.loads((EXAMPLES / "claude_desktop_config.json").read_text())["mcpServers"]["indexdesk"]
    assert config["command"].endswith("/bin/indexdesk") and config["args"] == ["serve", "mcp"]
    script = Path(sys.executable).parent / "indexdesk"  # what "/path/to/venv/bin/indexdesk" stands for
    if not script.exists():
        pytest.skip(f"no console script at {script}")
    params = StdioServerParameters(command=str(script), args=config["args"], env={**_server_env(), **config["env"]})
    async with Client(params, read_timeout_seconds=120) as client:
        names = [t.name for t in (await client.list_tools()).tools]
    assert names == toolkit.tool_names(read_only=True)
