"""The offline router: requests → tool calls fitted to real schemas; tool results → grounded tables."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from indexdesk.agent.grounding import ungrounded_numbers
from indexdesk.agent.offline_grammar import DEFAULT_PORTFOLIO, Vocabulary, find_durations, window_of_days
from indexdesk.agent.offline_model import OfflineRouterModel
from indexdesk.agent.offline_router import fit_arguments, plan_request
from indexdesk.agent.render import format_number, highlight_ungrounded, result_markdown, tabulate
from indexdesk.tools.registry import Registry, tool

DEFAULT_WEIGHTS = [{"name": n, "weight": w} for n, w in DEFAULT_PORTFOLIO]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.build()


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    """The schemas the router sees for the real registry's tools (as bound through LangChain)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from indexdesk.tools.adapters.langchain import langchain_tools
    from indexdesk.tools.toolbox import default_registry

    return {t["function"]["name"]: t["function"]
            for t in (convert_to_openai_tool(lt) for lt in langchain_tools(default_registry(), None))}


def plan(text, vocab, schemas):
    return plan_request(text, vocab, schemas)


PHRASINGS = [
    # performance
    ("how did defi do over 90 days", "get_index_performance", {"indices": ["defi"], "window": "90d"}),
    ("perf layer1 ytd", "get_index_performance", {"indices": ["layer1"], "window": "ytd"}),
    ("compare layer1 and defi ytd", "get_index_performance", {"indices": ["layer1", "defi"], "window": "ytd"}),
    ("How have large caps performed over the past year?", "get_index_performance",
     {"indices": ["large_cap"], "window": "1y"}),
    ("returns of BTC, ETH and SOL over 6 months", "get_index_performance",
     {"indices": ["BTC", "ETH", "SOL"], "window": "6m"}),
    ("how did l1 do in 2022", "get_index_performance", {"indices": ["layer1"], "window": "2022-01-01:2022-12-31"}),
    ("meme coins vs ai since 2024-03-01", "get_index_performance",
     {"indices": ["memecoins", "ai_data"], "window": "2024-03-01:"}),
    ("defi from 2023-01-01 to 2023-06-30", "get_index_performance",
     {"indices": ["defi"], "window": "2023-01-01:2023-06-30"}),
    ("how did bitcoin do against the balanced index over 3y", "get_index_performance",
     {"indices": ["BTC"], "benchmark": "balanced", "window": "3y"}),
    ("drawdown of exchange tokens all time", "get_index_performance", {"indices": ["exchange_tokens"], "window": "all"}),
    ("Layer-2 performance last month", "get_index_performance", {"indices": ["layer2"], "window": "30d"}),
    ("/perf gaming 30d", "get_index_performance", {"indices": ["gaming"], "window": "30d"}),
    # value at risk
    # No holdings named: weights are left to the tool (explicit → ledger → tier template; `origin` says which).
    ("var 99% 30d", "compute_var", {"confidence": 0.99, "horizon_days": 30}),
    ("VaR at 95% over 10 days", "compute_var", {"confidence": 0.95, "horizon_days": 10}),
    ("cvar 97.5% for 60% BTC 40% ETH", "compute_var",
     {"confidence": 0.975, "weights": [{"name": "BTC", "weight": 0.6}, {"name": "ETH", "weight": 0.4}]}),
    ("value at risk btc 0.7 sol 0.3 99%", "compute_var",
     {"confidence": 0.99, "weights": [{"name": "BTC", "weight": 0.7}, {"name": "SOL", "weight": 0.3}]}),
    ("1-day 95% var of defi", "compute_var", {"confidence": 0.95, "horizon_days": 1,
                                             "weights": [{"name": "defi", "weight": 1.0}]}),
    ("var 99% 5d using 3y history cornish-fisher", "compute_var",
     {"horizon_days": 5, "window": "3y", "method": "cornish_fisher"}),
    ("monte carlo var 95% two weeks", "compute_var", {"method": "monte_carlo", "horizon_days": 14}),
    ("how much could I lose in a week at 99%?", "compute_var", {"confidence": 0.99, "horizon_days": 7}),
    ("expected shortfall of layer1 and defi", "compute_var",
     {"weights": [{"name": "layer1", "weight": 0.5}, {"name": "defi", "weight": 0.5}]}),
    # stress tests
    ("stress test luna", "stress_test", {"scenarios": ["luna_collapse_2022"]}),
    ("what if ftx happens again", "stress_test", {"scenarios": ["ftx_collapse_2022"]}),
    ("stress 50% BTC 50% ETH through covid and the 2018 bear market", "stress_test",
     {"scenarios": ["covid_crash_2020", "bear_2018"],
      "weights": [{"name": "BTC", "weight": 0.5}, {"name": "ETH", "weight": 0.5}]}),
    ("what if defi drops 50%", "stress_test",
     {"scenarios": ["custom"], "shocks": [{"name": "defi", "shock": -0.5}]}),
    ("stress test a 30% fall in BTC", "stress_test", {"shocks": [{"name": "BTC", "shock": -0.3}]}),
    ("scenario: satellite -40% speculative -70%", "stress_test",
     {"scenarios": ["tier_shock"], "shocks": [{"name": "satellite", "shock": -0.4},
                                              {"name": "speculative", "shock": -0.7}]}),
    # correlation
    ("correlation of defi, layer1 and memecoins", "analyze_correlation",
     {"indices": ["defi", "layer1", "memecoins"]}),
    ("are BTC and ETH redundant over 1y?", "analyze_correlation", {"indices": ["BTC", "ETH"], "window": "1y"}),
    ("which of my indices move together", "analyze_correlation", {"indices": [n for n, _ in DEFAULT_PORTFOLIO]}),
    ("corr large cap gaming ai 180d", "analyze_correlation",
     {"indices": ["large_cap", "gaming", "ai_data"], "window": "180d"}),
    # sizing
    ("size positions for 40% vol", "size_positions", {"target_volatility": 0.4, "weights": DEFAULT_WEIGHTS}),
    ("size BTC, SOL and defi to 25% volatility", "size_positions",
     {"target_volatility": 0.25, "indices": ["BTC", "SOL", "defi"]}),
    ("position sizing with a vol target of 0.3 over 1y", "size_positions",
     {"target_volatility": 0.3, "lookback": "1y"}),
    # journal
    ("journal: trimmed BTC after CPI", "log_journal_entry", {"text": "trimmed BTC after CPI"}),
    ("Journal - Bought ETH on the dip", "log_journal_entry", {"text": "Bought ETH on the dip"}),
    ("/journal sold half of memecoins, too euphoric", "log_journal_entry",
     {"text": "sold half of memecoins, too euphoric"}),
    ("add to my journal: var looked high after the stress test", "log_journal_entry",
     {"text": "var looked high after the stress test"}),
    ("lesson: never chase a pump", "log_journal_entry", {"text": "never chase a pump", "kind": "lesson"}),
    ("search journal for panic sells", "search_journal", {"query": "panic sells"}),
    ("/journal search FOMO buys", "search_journal", {"query": "FOMO buys"}),
    ("what did I write about solana?", "search_journal", {"query": "solana"}),
]


@pytest.mark.parametrize("text, tool_name, expected", PHRASINGS, ids=[p[0] for p in PHRASINGS])
def test_phrasings_map_to_fitted_tool_calls(text, tool_name, expected, vocab, schemas):
    if tool_name not in schemas:
        pytest.skip(f"{tool_name} is not registered yet")
    result = plan(text, vocab, schemas)
    assert result.tool == tool_name, result.reply
    for key, value in expected.items():
        got = result.args.get(key)
        if isinstance(value, float):
            assert got == pytest.approx(value), key
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            assert [{k: d[k] for k in v} for d, v in zip(got, value)] == value and len(got) == len(value), key
        else:
            assert got == value, key
    # every argument the router sends validates against the real tool's parameters
    from indexdesk.tools.toolbox import default_registry

    params_model = default_registry().get(tool_name).params_model
    params_model.model_validate({k: v for k, v in result.args.items() if v is not None})


def test_default_portfolio_is_the_tier_template_and_the_answer_says_so(vocab, schemas):
    weights = dict(DEFAULT_PORTFOLIO)
    assert sum(weights[n] for n in ("large_cap", "balanced")) == pytest.approx(0.55)
    assert sum(weights[n] for n in ("layer1", "defi", "ai_data")) == pytest.approx(0.35)
    assert weights["memecoins"] == pytest.approx(0.10)
    # The registry's VaR falls back to the ledger, then the template, itself: the router sends no weights.
    assert "weights" not in plan("var 95%", vocab, schemas).args
    required = {"compute_var": {"name": "compute_var", "parameters": {"type": "object", "properties": {
        "weights": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "weight": {"type": "number"}}}},
        "confidence": {"type": ["number", "null"]}}, "required": ["weights", "confidence"]}}}
    result = plan("var 95%", vocab, required)  # a tool that needs weights gets the template, said out loud
    assert result.notes and "default tier template" in result.notes[0]
    assert plan("var 95% for BTC", vocab, required).notes == []


@pytest.mark.parametrize("text", ["hello", "what can you do?", "/help", "tell me a joke"])
def test_unknown_requests_get_the_grammar(text, vocab, schemas):
    result = plan(text, vocab, schemas)
    assert result.tool is None
    assert "how did defi do over 90 days" in result.reply and "var 99% 30d" in result.reply


def test_missing_tool_is_named_with_what_is_available(vocab, schemas):
    """A host that embeds only some tools: a request for one it left out is named, not guessed."""
    without_rotation = {name: schema for name, schema in schemas.items() if "rotat" not in name}
    result = plan("rotate momentum", vocab, without_rotation)
    assert result.tool is None
    assert "not available yet" in result.reply and "get_index_performance" in result.reply


def test_rotation_and_review_use_whatever_tool_is_registered(vocab):
    schemas = {
        "rotation_signal": {"name": "rotation_signal", "parameters": {"type": "object", "properties": {
            "strategy": {"type": "string", "enum": ["momentum", "mean_reversion"]},
            "window": {"type": ["string", "null"]}}, "required": ["strategy", "window"]}},
        "quarterly_review": {"name": "quarterly_review", "parameters": {"type": "object", "properties": {
            "quarter": {"type": "string"}}, "required": ["quarter"]}},
    }
    assert plan("rotate momentum 90d", vocab, schemas).args == {"strategy": "momentum", "window": "90d"}
    assert plan("rotation by mean reversion", vocab, schemas).args == {"strategy": "mean_reversion"}
    assert plan("review 2026Q3", vocab, schemas).args == {"quarter": "2026Q3"}
    assert plan("quarterly review for Q1 2025", vocab, schemas).args == {"quarter": "2025Q1"}
    assert plan("/review 2024-q4", vocab, schemas).args == {"quarter": "2024Q4"}


def test_a_missing_required_argument_is_asked_for(vocab):
    schemas = {"quarterly_review": {"name": "quarterly_review", "parameters": {"type": "object", "properties": {
        "quarter": {"type": "string"}, "portfolio_id": {"type": "string", "description": "which book"}},
        "required": ["quarter", "portfolio_id"]}}}
    result = plan("review 2026Q2", vocab, schemas)
    assert result.tool is None and "portfolio_id: which book" in result.reply


def test_direct_calls_with_json_or_key_values(vocab, schemas):
    result = plan('call compute_var {"confidence": 0.9, "weights": [{"name": "BTC", "weight": 1}]}', vocab, schemas)
    assert (result.tool, result.args["confidence"]) == ("compute_var", 0.9)
    result = plan("analyze_correlation indices=BTC,ETH window=30d", vocab, schemas)
    assert result.args == {"indices": ["BTC", "ETH"], "window": "30d"}
    assert "not valid JSON" in plan("call compute_var {oops", vocab, schemas).reply


def test_schema_fitting_renames_reshapes_and_matches_enums():
    from indexdesk.agent.offline_grammar import Weights

    params = {"type": "object", "properties": {
        "names": {"type": "array", "items": {"type": "string"}},
        "portfolio": {"type": "object"},
        "holdings": {"type": "array", "items": {"type": "object", "properties": {
            "asset": {"type": "string"}, "fraction": {"type": "number"}}}},
        "period": {"type": "string", "enum": ["30D", "90D"]},
        "horizon": {"type": "integer"},
    }, "required": ["names", "period", "horizon", "portfolio"]}
    args, missing = fit_arguments(params, {"indices": "defi", "weights": Weights((("BTC", 0.6), ("ETH", 0.4))),
                                           "window": "90d", "horizon_days": 10.0})
    assert args == {"names": ["defi"], "portfolio": {"BTC": 0.6, "ETH": 0.4}, "period": "90D", "horizon": 10}
    assert missing == []
    params["properties"].pop("portfolio")
    args, _ = fit_arguments(params, {"weights": Weights((("BTC", 0.6),))})
    assert args == {"holdings": [{"asset": "BTC", "fraction": 0.6}]}
    _, missing = fit_arguments(params, {"window": "7d"})  # not an enum value: left out, so reported missing
    assert "period" in missing


def test_vocabulary_names_aliases_and_words_that_are_also_symbols(vocab):
    def names(text):
        return [s.value for s in vocab.entities(text)]

    assert names("core, l1, meme and ai") == ["large_cap", "layer1", "memecoins", "ai_data"]
    assert names("large-cap and Layer 2 and stablecoin cash") == ["large_cap", "layer2", "stablecoin_cash"]
    assert names("how near are we to the link") == []          # English words, not NEAR / LINK
    assert names("NEAR and LINK") == ["NEAR", "LINK"]
    assert names("bitcoin, ethereum and sol") == ["BTC", "ETH", "SOL"]
    custom = Vocabulary.build(["defi", "my_majors"], {"majors": "my_majors"})
    assert [s.value for s in custom.entities("majors vs my majors vs defi")] == ["my_majors", "my_majors", "defi"]


def test_windows_and_durations():
    def first(text):
        return [s.value for s in find_durations(text)]

    assert first("over 90 days") == [90]
    assert first("3 months and 2 weeks") == [90, 14]
    assert first("12 months") == [365]
    assert first("ytd") == ["ytd"] and first("since inception") == ["all"]
    assert first("from 2023-01-01 to 2023-02-01") == ["2023-01-01:2023-02-01"]
    assert (window_of_days(365), window_of_days(730), window_of_days(90)) == ("1y", "2y", "90d")


# ---------------------------------------------------------------- inside the real agent graph

class Row(BaseModel):
    name: str
    total_return: float
    sharpe_ratio: float


class Perf(BaseModel):
    window: str
    results: list[Row]
    source: str
    as_of: str
    warnings: list[str]


@tool(category="market")
def get_index_performance(indices: list[str], window: str = "90d") -> Perf:
    """Performance of indices over a window.

    Args:
        indices: index names.
        window: window label.
    """
    table = {"defi": (0.123456, 1.3042), "layer1": (-0.0821, -0.44)}
    return Perf(window=window, results=[Row(name=n, total_return=table[n][0], sharpe_ratio=table[n][1]) for n in indices],
                source="test", as_of="2026-06-30", warnings=[])


@tool(category="market")
def compute_var(weights: list[dict], confidence: float = 0.95, horizon_days: int = 1) -> dict:
    """Value at risk of a portfolio.

    Args:
        weights: holdings as [{"name", "weight"}].
        confidence: confidence level.
        horizon_days: horizon in days.
    """
    return {"var": 0.0812347, "cvar": 0.11049, "confidence": confidence, "horizon_days": horizon_days,
            "components": [{"name": w["name"], "var": round(0.0812347 * w["weight"], 6)} for w in weights]}


def _agent(registry, ctx):
    from langchain.agents import create_agent

    from indexdesk.tools.adapters.langchain import langchain_tools

    return create_agent(OfflineRouterModel(registry.names, index_names=["defi", "layer1", "large_cap"]),
                        langchain_tools(registry, ctx), system_prompt="system")


def test_runs_inside_create_agent_and_answers_with_grounded_tables(ctx):
    registry = Registry([get_index_performance.__indexdesk_tool__, compute_var.__indexdesk_tool__])
    agent = _agent(registry, ctx)
    question = "compare defi and layer1 over 30 days"
    messages = agent.invoke({"messages": [{"role": "user", "content": question}]})["messages"]
    kinds = [type(m).__name__ for m in messages]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert messages[1].tool_calls[0]["args"] == {"indices": ["defi", "layer1"], "window": "30d"}
    answer = messages[-1].content
    assert "| defi | 12.3% | 1.304 |" in answer and "| layer1 | -8.2% | -0.44 |" in answer
    assert ungrounded_numbers(answer, [messages[2].content], question=question) == []


def test_var_answer_passes_the_grounding_check_and_names_the_default_portfolio(ctx):
    registry = Registry([compute_var.__indexdesk_tool__])
    messages = _agent(registry, ctx).invoke({"messages": [{"role": "user", "content": "var 99% 30d"}]})["messages"]
    result = json.loads(messages[2].content)
    assert result["confidence"] == 0.99 and result["horizon_days"] == 30
    answer = messages[-1].content
    assert "8.1%" in answer and "default tier template" in answer
    assert ungrounded_numbers(answer, [messages[2].content], question="var 99% 30d") == []


def test_streaming_sends_the_tool_call_whole_and_the_answer_in_pieces(ctx):
    registry = Registry([get_index_performance.__indexdesk_tool__])
    chunks = [c for c, _ in _agent(registry, ctx).stream(
        {"messages": [{"role": "user", "content": "how did defi do"}]}, stream_mode="messages")]
    call_chunks = [c for c in chunks if getattr(c, "tool_call_chunks", None)]
    assert json.loads(call_chunks[0].tool_call_chunks[0]["args"]) == {"indices": ["defi"]}
    text_chunks = [c.content for c in chunks if type(c).__name__ == "AIMessageChunk" and c.content]
    assert len(text_chunks) > 3 and "| defi |" in "".join(text_chunks)


def test_tool_errors_are_shown_with_their_hint(ctx):
    registry = Registry([get_index_performance.__indexdesk_tool__])
    messages = _agent(registry, ctx).invoke(
        {"messages": [{"role": "user", "content": "call get_index_performance {\"indices\": 3}"}]})["messages"]
    assert "failed" in messages[-1].content and "hint" in messages[-1].content


# ---------------------------------------------------------------- rendering

@pytest.mark.parametrize("value, shown", [(0.081234, "0.08123"), (1.53456, "1.535"), (123.456, "123.5"),
                                          (42012.7123, "42012.71"), (30.0, "30"), (7, "7"), (-0.00004, "-0.00004"),
                                          (0.0, "0")])
def test_numbers_are_rounded_to_four_significant_digits_never_rescaled(value, shown):
    assert format_number(value) == shown
    assert ungrounded_numbers(shown, [{"x": value}]) == []


def test_tabulate_shapes():
    shape = tabulate({"names": ["a", "b"], "matrix": [[1.0, 0.5], [0.5, 1.0]], "avg": 0.5, "source": "s", "as_of": "d",
                      "warnings": ["w"], "by_name": {"a": {"x": 1}, "b": {"x": 2}}})
    matrix = next(t for t in shape.tables if t.title == "matrix")
    assert matrix.columns == ["", "a", "b"] and matrix.rows == [["a", "1", "0.5"], ["b", "0.5", "1"]]
    by_name = next(t for t in shape.tables if t.title == "by name")
    assert by_name.rows == [["a", "1"], ["b", "2"]]
    assert ("avg", "0.5") in shape.facts
    assert shape.lines == ["source: s · as of d", "note: w"]
    wide = tabulate({"rows": [{"name": "defi", **{f"m{i}": i for i in range(9)}}]})
    assert wide.tables[0].columns == ["", "defi"] and wide.tables[0].rows[0] == ["m0", "0"]


def test_errors_render_with_hint_and_ungrounded_numbers_are_marked():
    text = result_markdown({"error": "unknown index 'defii'", "hint": "use defi"}, "perf")
    assert "failed: unknown index 'defii'" in text and "use defi" in text
    marked, footnote = highlight_ungrounded("VaR is 8.1% and CVaR 12%", ["12%"])
    assert marked == "VaR is 8.1% and CVaR **12%†**" and footnote.endswith("12%")


def test_streamed_pieces_join_back_to_the_answer_exactly():
    """A piece boundary inside a run of spaces (a table's empty header cell) once dropped a space: the
    chat's answer then differed from `ask`'s."""
    from hypothesis import given
    from hypothesis import strategies as st

    from indexdesk.agent.offline_router import stream_pieces

    @given(st.text(alphabet=" |a-\n", max_size=200), st.integers(min_value=1, max_value=40))
    def joins(text, size):
        pieces = stream_pieces(text, size)
        assert "".join(pieces) == text and pieces

    joins()
    assert "".join(stream_pieces("| " * 11 + "|   | value |")) == "| " * 11 + "|   | value |"
