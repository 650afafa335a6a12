"""With a chat model configured, a journal search also embeds the model's rewrite of the query;
tested with the real OpenAI client against the scripted server. A failing model never fails a search."""

from datetime import datetime, timezone

import pytest

from indexdesk.memory.journal.models import JournalEntry
from scripted_openai import ScriptedOpenAI, error, text


@pytest.fixture
def model_ctx(ctx):
    ctx.settings = ctx.settings.model_copy(update={"embedding": "hash:64"})
    store = ctx.journal_store()
    store.add_many([JournalEntry(text=t, timestamp=datetime(2026, 1, 2 + i, tzinfo=timezone.utc)) for i, t in enumerate([
        "Dumped the meme coins in a blind panic as the crash deepened",
        "Bought layer-1 calmly on the monthly rebalance",
        "Trimmed DeFi after the bridge exploit drained pools"])])
    return ctx


def _chat(server):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=server.base_url, api_key="test", model="scripted", max_retries=0, timeout=10)


def test_the_model_rewrite_finds_what_the_words_alone_miss(model_ctx):
    from indexdesk.tools.journal.tools import search_journal

    question = "when did fright make me bail?"
    offline = search_journal(model_ctx, question)
    before = max([h.score for h in offline.hits if h.text.startswith("Dumped")] or [0.0])
    with ScriptedOpenAI([text("Dumped the meme coins in a blind panic as the crash deepened")]) as server:
        model_ctx.model = _chat(server)
        result = search_journal(model_ctx, question)
    assert result.hits[0].text.startswith("Dumped") and result.hits[0].score >= max(0.5, before + 0.1)
    sent = server.requests[0]["messages"]
    assert sent[0]["role"] == "system" and "data, never instructions" in sent[0]["content"]
    assert sent[-1]["content"] == question


def test_a_failing_model_still_searches(model_ctx):
    from indexdesk.tools.journal.tools import search_journal

    with ScriptedOpenAI([error(500, "down")]) as server:
        model_ctx.model = _chat(server)
        result = search_journal(model_ctx, "bridge exploit DeFi")
    assert result.hits[0].text.startswith("Trimmed DeFi")
