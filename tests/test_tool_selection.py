"""Per-call tool selection: what it picks, what it always keeps, and what the model is sent."""

from __future__ import annotations

import pytest
from scripted_openai import ScriptedOpenAI, text, tool_calls

from indexdesk.agent.tool_selection import ToolSelector, request_text_and_sticky
from indexdesk.tools.toolbox import default_registry


@pytest.fixture(scope="module")
def registry():
    return default_registry()


@pytest.fixture(scope="module")
def selector(registry):
    return ToolSelector(list(registry))


@pytest.mark.parametrize("request_text, tool", [
    ("how much could I lose tomorrow", "compute_var"),
    ("replay the terra crash on my book", "stress_test"),
    ("are solana and avalanche basically the same bet", "analyze_correlation"),
    ("note to self: sold the top", "log_journal_entry"),
    ("what was I thinking when I bought ETH", "search_journal"),
    ("did my calls pay off", "journal_outcomes"),
])
def test_the_tool_a_request_needs_is_selected(selector, request_text, tool):
    assert tool in selector.select(request_text).names


def test_a_tool_named_by_the_user_is_always_included(selector):
    selection = selector.select("use journal_outcomes and then tell me about defi")
    assert "journal_outcomes" in selection.names and "journal_outcomes" in selection.forced
    assert "quarterly_review" in selector.select("run the Quarterly Review tool").names


def test_the_core_and_earlier_tools_stay(selector):
    selection = selector.select("and over a year?", sticky=["analyze_correlation"])
    assert "get_index_performance" in selection.names  # the always-on core
    assert "analyze_correlation" in selection.names


def test_a_follow_up_keeps_the_previous_turns_tools_and_words():
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    messages = [HumanMessage("correlation of defi and layer1"),
                AIMessage("", tool_calls=[{"name": "analyze_correlation", "args": {}, "id": "1"}]),
                ToolMessage("{}", tool_call_id="1"), AIMessage("done"), HumanMessage("and over 1y?")]
    text_, sticky = request_text_and_sticky(messages)
    assert "correlation" in text_ and sticky == ["analyze_correlation"]


def test_without_an_embedding_model_word_matching_still_selects(registry):
    selector = ToolSelector(list(registry), embedder=None)
    assert "stress_test" in selector.select("stress test luna").names
    assert "compute_var" in selector.select("var 99% 30d").names


def test_tool_vectors_are_cached_on_disk(registry, tmp_path):
    from indexdesk.agent import tool_selection
    from indexdesk.memory.journal.embeddings import HashingEmbedder

    class Counting(HashingEmbedder):
        calls = 0

        def embed(self, texts):
            Counting.calls += len(texts)
            return super().embed(texts)

    embedder = Counting(32)
    embedder.model_id = "counting-test"
    ToolSelector(list(registry), embedder=embedder, cache_dir=tmp_path)
    first = Counting.calls
    assert (tmp_path / "tool_vectors.npz").exists() and first > 0
    tool_selection._MEMORY_CACHE.clear()
    ToolSelector(list(registry), embedder=embedder, cache_dir=tmp_path)
    assert Counting.calls == first  # read back from disk, nothing embedded again


def test_the_model_receives_only_the_selected_schemas(tmp_path, monkeypatch, registry):
    from indexdesk.agent.runtime import AgentSession
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    with ScriptedOpenAI([tool_calls(("stress_test", {"weights": [{"name": "BTC", "weight": 1.0}],
                                                     "scenarios": ["luna_collapse_2022"]})),
                         text("Done."), text("Hello.")]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("INDEXDESK_MODEL", "scripted-model")
        ctx = ToolContext(settings=Settings(home=tmp_path / "home", request_timeout=5.0))
        session = AgentSession(ctx, session_id="sel", registry=registry, persist=False)
        session.run_turn("stress test luna on 100% BTC")
        first, after_tool = server.tool_names(0), server.tool_names(1)
        assert "stress_test" in first and len(first) < len(registry)
        assert set(first) <= set(registry.names)
        assert "stress_test" in after_tool  # a tool called in this turn stays for the next call
        expected = ToolSelector(list(registry)).select("stress test luna on 100% BTC").names
        assert sorted(first) == sorted(expected)


def test_selection_all_sends_every_tool(tmp_path, monkeypatch, registry):
    from indexdesk.agent.runtime import AgentSession
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    with ScriptedOpenAI([text("Hi.")]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("INDEXDESK_MODEL", "scripted-model")
        ctx = ToolContext(settings=Settings(home=tmp_path / "home", request_timeout=5.0, tool_selection="all"))
        AgentSession(ctx, session_id="all", registry=registry, persist=False).run_turn("hello")
        assert sorted(server.tool_names(0)) == sorted(registry.names)



def test_the_llm_selector_option_lets_the_model_choose(tmp_path, monkeypatch, registry):
    from indexdesk.agent.runtime import AgentSession
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    with ScriptedOpenAI([text('{"tools": ["stress_test"]}'), text("Picked.")]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("INDEXDESK_MODEL", "scripted-model")
        ctx = ToolContext(settings=Settings(home=tmp_path / "home", request_timeout=5.0, tool_selection="llm"))
        result = AgentSession(ctx, session_id="llm", registry=registry, persist=False).run_turn("stress test luna")
        assert result.error is None, result.error
        assert sorted(server.tool_names(-1)) == ["get_index_performance", "stress_test"]  # chosen + always-on core
