"""The direct offline path of `ask` (agent/offline_turn.py) answers exactly as the agent graph does
with the offline router, and loads none of the graph's machinery."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from indexdesk.agent.offline_turn import offline_turn, router_tools
from indexdesk.agent.runtime import AgentSession
from indexdesk.tools.adapters.runner import ModuleRegistry
from indexdesk.tools.context import ToolContext
from indexdesk.tools.toolbox import default_registry

REQUESTS = [
    "how did defi do over 90 days",
    "var 99% 30d",
    "blorp the fnord",  # unmapped: the router's help, no tool call
    "help",
    "call get_index_performance {\"indices\": [\"nosuchindex\"]}",  # a tool error travels as the result
    "how would quarterly rebalancing have done since 2021",
]


def _graph_turn(settings, text, confirm=None):
    session = AgentSession(ToolContext(settings=settings), session_id="ask", persist=False)
    try:
        assert session.model_info.offline
        return session.run_turn(text, confirm=confirm).to_dict()
    finally:
        session.close()


def _comparable(result: dict) -> dict:
    """Tool results carry no ids or times, so the whole result is compared."""
    return json.loads(json.dumps(result, default=str))


@pytest.mark.parametrize("text", REQUESTS)
def test_the_direct_path_answers_as_the_graph_does(settings, text):
    graph = _graph_turn(settings, text)
    direct = offline_turn(ToolContext(settings=settings), default_registry(), text).to_dict()
    assert _comparable(direct) == _comparable(graph)
    # As `ask` runs it: the router's view of the tools from a JSON snapshot, a tool's module on first call.
    tools = json.loads(json.dumps(router_tools(default_registry())))
    built = []
    registry = ModuleRegistry({n: t["module"] for n, t in tools.items() if t["module"]},
                              lambda: built.append(1) or default_registry())
    snapshot = offline_turn(ToolContext(settings=settings), registry, text, tools=tools).to_dict()
    assert _comparable(snapshot) == _comparable(graph)
    assert built == []  # no call needed every tool module
    if text == "blorp the fnord":
        assert direct["tool_calls"] == [] and "could not map" in direct["answer"]
    if text.startswith("how did defi"):
        assert direct["tool_calls"][0]["result"]["results"][0]["name"] == "defi" and direct["ungrounded"] == []


def test_a_declined_write_is_reported_as_the_graph_reports_it(settings):
    text = "journal: trimmed BTC after CPI"
    asked = []

    def decline(name, args):
        asked.append(name)
        return False

    graph = _graph_turn(settings, text, confirm=decline)
    registry = default_registry()
    ran = []
    registry.call_json = lambda name, args, ctx: ran.append(name)  # a declined tool never runs
    direct = offline_turn(ToolContext(settings=settings), registry, text, confirm=decline).to_dict()
    assert asked == ["log_journal_entry", "log_journal_entry"] and ran == []
    assert _comparable(direct) == _comparable(graph)
    assert "declined" in direct["tool_calls"][0]["result"]


HEAVY = ("langsmith", "langchain_core.tracers", "langchain_core.language_models", "langgraph", "langchain",
         "sqlalchemy",
         # only the called tool's module: the router read the others from the snapshot
         "indexdesk.tools.risk.tools", "indexdesk.tools.strategy.tools", "indexdesk.tools.journal.tools")


def test_offline_ask_imports_no_graph_tracing_or_ledger_machinery(tmp_path):
    probe = (
        "import sys, runpy\n"
        "from indexdesk.agent.cli import main\n"
        "code = main(['ask', '--json', 'how did defi do over 90 days'])\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('LOADED=' + ','.join(loaded)); print('CODE=' + str(code))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(INDEXDESK_HOME=str(tmp_path / "home"), INDEXDESK_CACHE_DIR=str(tmp_path / "cache"))
    for run in ("first: builds the router's snapshot from every tool", "second: reads it"):
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                             timeout=300, check=False)
        assert "CODE=0" in out.stdout, out.stderr[-2000:]
        assert '"get_index_performance"' in out.stdout  # the call ran
    assert "LOADED=\n" in out.stdout, out.stdout.splitlines()[-2]
