"""The offline router never guesses silently: unreadable parts are named, misspelt names asked about,
weights read for every tool that takes them, and every planned tool has its phrases."""

from __future__ import annotations

import pytest

from indexdesk.agent.offline_router import plan_request


def _schema(name: str, **properties: dict) -> dict:
    return {name: {"name": name, "parameters": {"type": "object", "properties": properties, "required": []}}}


WEIGHTS = {"type": ["array", "null"], "items": {"type": "object", "properties": {
    "name": {"type": "string"}, "weight": {"type": "number"}}}}
WINDOW = {"type": ["string", "null"], "description": "30d, 90d, 1y. (default \"1y\")"}
STRATEGY = {"type": ["string", "null"], "enum": ["momentum", "mean_reversion", None]}


def test_an_unreadable_confidence_is_named_with_the_default_used(vocab, schemas):
    result = plan_request("var 150% 30d", vocab, schemas)
    assert result.tool == "compute_var" and "confidence" not in result.args
    assert any("'150%'" in n and "confidence" in n and "95%" in n for n in result.notes), result.notes


def test_an_unreadable_window_is_named_with_the_default_used(vocab, schemas):
    result = plan_request("perf defi 9x", vocab, schemas)
    assert result.tool == "get_index_performance" and "window" not in result.args
    assert any("'9x'" in n and "window" in n and "90d" in n for n in result.notes), result.notes


@pytest.mark.parametrize("text", ["var 99% 30d", "how did defi do over 90 days", "cvar at 97.5% for 60% BTC and 40% ETH",
                                  "what if defi drops 50%?", "review 2026Q3", "size positions for 40% vol",
                                  "correlation matrix for large cap, ai and gaming over 180d"])
def test_requests_read_whole_carry_no_unread_note(vocab, schemas, text):
    result = plan_request(text, vocab, schemas)
    assert result.tool and not any("couldn't" in n for n in result.notes), result.notes


@pytest.mark.parametrize("text, word, name", [("how did defii do", "defii", "defi"),
                                              ("compare layr1 and defi ytd", "layr1", "layer1"),
                                              ("var of 50% bitcon 50% etherium", "bitcon", "BTC")])
def test_misspelt_names_get_did_you_mean(vocab, schemas, text, word, name):
    result = plan_request(text, vocab, schemas)
    assert result.tool is None and f"'{word}'" in result.reply and f"did you mean {name}" in result.reply


def test_ordinary_words_are_not_taken_for_misspelt_names(vocab, schemas):
    for text in ("which of my indices move together", "run the covid crash scenario on 70% BTC 30% ETH",
                 "does adding layer2 to layer1 diversify anything?"):
        assert plan_request(text, vocab, schemas).tool, text


def test_weights_are_read_for_every_tool_that_takes_them(vocab):
    schemas = {**_schema("propose_rotation", strategy=STRATEGY, weights=WEIGHTS, window=WINDOW),
               **_schema("check_rebalance", weights=WEIGHTS), **_schema("backtest", strategy=STRATEGY, weights=WEIGHTS,
                                                                         window=WINDOW)}
    rotation = plan_request("rotate by mean reversion for 60% defi 40% layer1", vocab, schemas)
    assert rotation.tool == "propose_rotation" and rotation.args["strategy"] == "mean_reversion"
    assert rotation.args["weights"] == [{"name": "defi", "weight": 0.6}, {"name": "layer1", "weight": 0.4}]
    rebalance = plan_request("do I need to rebalance 50% BTC 50% ETH", vocab, schemas)
    assert rebalance.tool == "check_rebalance" and len(rebalance.args["weights"]) == 2
    backtest = plan_request("backtest momentum on 70% large cap 30% defi over 3y", vocab, schemas)
    assert backtest.tool == "backtest" and backtest.args["window"] == "3y" and backtest.args["strategy"] == "momentum"


@pytest.mark.parametrize("text, tool", [
    ("show my portfolio", "get_portfolio"), ("what do I hold?", "get_portfolio"),
    ("bought 0.5 BTC at 60000", "record_transaction"), ("set my targets to 60% large cap 40% defi", "set_targets"),
    ("show my tax lots", "tax_lots"), ("realized gains this year", "realized_gains"),
    ("tier allocation", "tier_allocation"), ("am I off target? rebalance check", "check_rebalance"),
    ("tax loss harvesting candidates", "harvest_losses"), ("backtest momentum since 2022", "backtest"),
    ("what drove my returns, attribution 90d", "attribute_performance"), ("rotate momentum", "propose_rotation"),
    ("how did my decisions work out", "journal_outcomes"),
])
def test_every_planned_tool_has_phrases(vocab, text, tool):
    schemas = {}
    for name in ("get_portfolio", "record_transaction", "set_targets", "tax_lots", "realized_gains", "tier_allocation",
                 "check_rebalance", "harvest_losses", "backtest", "attribute_performance", "propose_rotation",
                 "journal_outcomes", "get_index_performance", "stress_test", "compute_var"):
        schemas.update(_schema(name, weights=WEIGHTS, window=WINDOW, strategy=STRATEGY))
    assert plan_request(text, vocab, schemas).tool == tool


def test_a_transaction_is_read_into_its_parts(vocab):
    schemas = _schema("record_transaction", kind={"type": "string"}, symbol={"type": "string"},
                      quantity={"type": "number"}, price={"type": ["number", "null"]})
    result = plan_request("bought 0.5 BTC at 60,000", vocab, schemas)
    assert result.args == {"kind": "buy", "symbol": "BTC", "quantity": 0.5, "price": 60000.0}


def test_every_registered_tool_is_reachable_from_its_spec(vocab, schemas):
    """No grammar table to keep in step: one of each tool's own example requests reaches it (a tool
    that writes may first ask which was meant, or for an argument it still needs, naming it)."""
    from indexdesk.tools.toolbox import default_registry

    unreached = []
    for spec in default_registry():
        def reaches(example: str) -> bool:
            plan = plan_request(example, vocab, schemas)
            reply = (plan.reply or "").lower()  # a question naming the tool: which was meant, or what it still needs
            return plan.tool == spec.name or (plan.tool is None and (spec.name in reply or spec.name.replace("_", " ") in reply))
        if not any(reaches(example) for example in spec.examples):
            unreached.append(spec.name)
    assert unreached == []


def test_the_grounding_check_leaves_the_routers_own_replies_alone(tmp_path):
    from indexdesk.agent.runtime import AgentSession
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    session = AgentSession(ToolContext(settings=Settings(home=tmp_path)), session_id="g", persist=False)
    result = session.run_turn("how did we do")  # a clarification with an example: "… over 90 days"
    assert "90" in result.answer and result.ungrounded == []


def test_relative_windows_count_back_from_the_data_not_the_clock(vocab, schemas):
    """"the last 30 days" on data that ends 2026-01-05 starts 2025-12-06, whatever today is."""
    from datetime import date

    result = plan_request("what drove my returns, attribution 30d", vocab, schemas,
                          data_end=lambda: date(2026, 1, 5))
    assert result.tool == "attribute_performance"
    assert result.args["start"] == "2025-12-06"
