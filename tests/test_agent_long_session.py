"""Long sessions and provider faults: context stays bounded over 200 turns; a failing model falls back."""

from __future__ import annotations

import json

from scripted_openai import ScriptedOpenAI, demo_registry, error, text, tool_calls

from indexdesk.agent.long_session import summarize_offline
from indexdesk.agent.runtime import AgentSession
from indexdesk.tools.context import ToolContext
from indexdesk.tools.settings import Settings


def _request_tokens(request: dict) -> int:
    """Rough size of what one request carried (4 characters a token), tools included."""
    return len(json.dumps(request.get("messages", []))) // 4


def test_a_200_turn_session_stays_inside_the_context(tmp_path, monkeypatch):
    context = 3_000
    script = []
    for turn in range(200):
        if turn % 10 == 9:  # every tenth turn calls a tool, then answers from it
            script += [tool_calls(("get_return", {"index": f"idx{turn}", "window": "90d"})),
                       text(f"idx{turn} returned -12.345% " + "detail " * 40)]
        else:
            script.append(text(f"answer {turn}: " + "words " * 60))
    with ScriptedOpenAI(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        settings = Settings(home=tmp_path / "home", request_timeout=5.0, context_tokens=context)
        session = AgentSession(ToolContext(settings=settings), session_id="long", registry=demo_registry(),
                               persist=False)
        for turn in range(200):
            result = session.run_turn(f"question {turn} " + "please " * 30)
            assert result.error is None, result.error
        sizes = [_request_tokens(r) for r in server.requests]
        assert max(sizes) <= 2 * context, max(sizes)  # bounded, not growing with 200 turns
        last_tool_turn = server.requests[-1]["messages"]
        # the tool result the last answer depends on is sent whole, beside the summary of older turns
        assert any(m["role"] == "tool" and "idx199" in m["content"] for m in last_tool_turn)
        assert any("Earlier in this session" in str(m.get("content")) for m in last_tool_turn)


def test_the_offline_summary_keeps_requests_calls_and_result_heads():
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    summary = summarize_offline([
        HumanMessage("how did defi do"),
        AIMessage("", tool_calls=[{"name": "get_index_performance", "args": {"indices": ["defi"]}, "id": "1"}]),
        ToolMessage('{"total_return": -0.1234}', tool_call_id="1", name="get_index_performance"),
        AIMessage("DeFi fell 12.34%."),
    ])
    assert "how did defi do" in summary and "get_index_performance" in summary and "-0.1234" in summary


def test_a_failing_model_falls_back_to_the_second(tmp_path, monkeypatch):
    failing = [error(500, "model overloaded", kind="server_error")] * 3
    with ScriptedOpenAI(failing) as first, ScriptedOpenAI([text("Fallback answers.")], model="backup") as second:
        monkeypatch.setenv("OPENAI_BASE_URL", first.base_url)
        monkeypatch.setenv("INDEXDESK_MODEL", "primary")
        monkeypatch.setenv("INDEXDESK_FALLBACK_MODEL", f"backup@{second.base_url}")
        session = AgentSession(ToolContext(settings=Settings(home=tmp_path / "home", request_timeout=3.0)),
                               session_id="fb", registry=demo_registry(), persist=False)
        result = session.run_turn("hello")
        assert result.error is None and result.answer == "Fallback answers."
        assert len(first.requests) == 3  # the first model was tried, with the client's retries
        assert second.requests[0]["model"] == "backup"


def test_without_a_fallback_the_error_is_reported(tmp_path, monkeypatch):
    with ScriptedOpenAI([error(500, "model overloaded", kind="server_error")] * 3) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        session = AgentSession(ToolContext(settings=Settings(home=tmp_path / "home", request_timeout=3.0)),
                               session_id="nofb", registry=demo_registry(), persist=False)
        result = session.run_turn("hello")
        assert result.error and "500" in result.error
