"""Model-server faults: each one is retried or becomes one clear sentence, and the next turn works."""

from __future__ import annotations

import time

import pytest
from scripted_openai import ScriptedOpenAI, demo_registry, error, slow, stall, text

from indexdesk.agent.model import MAX_RETRIES
from indexdesk.agent.runtime import AgentSession
from indexdesk.tools.context import ToolContext
from indexdesk.tools.settings import Settings

TIMEOUT = 0.3


def run_then_recover(script, tmp_path, monkeypatch):
    """One turn against `script`, then a normal turn on the same session."""
    with ScriptedOpenAI(script + [text("next turn works")]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        session = AgentSession(ToolContext(settings=Settings(home=tmp_path / "home", request_timeout=TIMEOUT)),
                               session_id="faults", registry=demo_registry())
        events = []
        started = time.monotonic()
        first = session.run_turn("hello", on_event=events.append)
        elapsed = time.monotonic() - started
        requests = len(server.requests)
        second = session.run_turn("again")
    assert second.answer == "next turn works" and second.error is None
    return first, events, requests, elapsed


def test_401_is_a_clear_message_without_retries(tmp_path, monkeypatch):
    result, events, requests, _ = run_then_recover([error(401, "Incorrect API key provided")], tmp_path, monkeypatch)
    assert "rejected the API key (401)" in result.error and "OPENAI_API_KEY" in result.error
    assert requests == 1 and result.answer == ""
    assert [e.data["message"] for e in events if e.kind == "error"] == [result.error]


def test_429_with_retry_after_is_retried_after_the_delay(tmp_path, monkeypatch):
    script = [error(429, "Rate limit reached", headers={"Retry-After": "0.2"}, kind="rate_limit_error"), text("ok")]
    result, _, requests, elapsed = run_then_recover(script, tmp_path, monkeypatch)
    assert result.answer == "ok" and result.error is None
    assert requests == 2 and elapsed >= 0.2


def test_429_that_persists_names_the_rate_limit(tmp_path, monkeypatch):
    script = [error(429, "Rate limit reached", headers={"Retry-After": "0.01"})] * (MAX_RETRIES + 1)
    result, _, requests, _ = run_then_recover(script, tmp_path, monkeypatch)
    assert "rate-limiting" in result.error and requests == MAX_RETRIES + 1


def test_500_is_retried(tmp_path, monkeypatch):
    script = [error(500, "internal", headers={"retry-after-ms": "10"}), text("ok after a retry")]
    result, _, requests, _ = run_then_recover(script, tmp_path, monkeypatch)
    assert result.answer == "ok after a retry" and requests == 2


def test_500_that_persists_is_reported(tmp_path, monkeypatch):
    script = [error(500, "upstream exploded", headers={"retry-after-ms": "10"})] * (MAX_RETRIES + 1)
    result, _, _, _ = run_then_recover(script, tmp_path, monkeypatch)
    assert "failed (500)" in result.error and "upstream exploded" in result.error


def test_a_stalled_stream_is_abandoned_after_the_timeout(tmp_path, monkeypatch):
    result, events, requests, elapsed = run_then_recover([stall(after_chunks=2)], tmp_path, monkeypatch)
    assert "stopped sending in the middle of its answer" in result.error
    assert any(e.kind == "token" for e in events) and result.answer == ""
    assert elapsed < TIMEOUT + 2


def test_a_server_that_never_answers_times_out_after_retries(tmp_path, monkeypatch):
    result, _, requests, _ = run_then_recover([slow(5)] * (MAX_RETRIES + 1), tmp_path, monkeypatch)
    assert f"did not answer within {TIMEOUT:g} s" in result.error and requests == MAX_RETRIES + 1


def test_a_model_that_cannot_call_tools_gets_a_clear_message(tmp_path, monkeypatch):
    script = [error(400, "registry.ollama.ai/library/gemma3:1b does not support tools")]
    result, _, requests, _ = run_then_recover(script, tmp_path, monkeypatch)
    assert "cannot call tools" in result.error and "tool-calling model" in result.error and requests == 1


def test_an_unreachable_server_is_named(tmp_path, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    session = AgentSession(ToolContext(settings=Settings(home=tmp_path / "home", request_timeout=TIMEOUT)),
                           session_id="down", registry=demo_registry())
    result = session.run_turn("hello")
    assert f"cannot reach http://127.0.0.1:{port}/v1" in result.error


@pytest.mark.parametrize("status,needle", [(404, "does not know the model"), (403, "refused access")])
def test_other_statuses_say_what_to_do(status, needle, tmp_path, monkeypatch):
    result, _, _, _ = run_then_recover([error(status, "nope")], tmp_path, monkeypatch)
    assert needle in result.error
