"""The agent eval harness: constraint checks, scoring, and the offline router's score on the eval set."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location("agent_eval_under_test", REPO / "bench" / "agent_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("value, constraint, ok", [
    (30, 30, True), (31, 30, False), ("90D", "90d", True), (None, "90d", False),
    (0.9900000001, {"approx": 0.99}, True), (0.98, {"approx": 0.99}, False), (0.985, {"approx": 0.99, "tol": 0.01}, True),
    (["defi", "layer1"], {"set": ["layer1", "defi"]}, True), (["defi"], {"set": ["layer1", "defi"]}, False),
    (["defi", "BTC"], {"contains": ["btc"]}, True), ("2024-01-01:", {"regex": "^2024-01-01:"}, True),
    ("Trimmed BTC after CPI", {"text_contains": "trimmed btc"}, True),
    ([{"name": "BTC", "weight": 0.6}, {"name": "ETH", "weight": 0.4}], {"names": ["ETH", "BTC"]}, True),
    ({"BTC": 1.0}, {"names": ["BTC", "ETH"]}, False), (None, {"absent": True}, True), (1, {"present": True}, True),
])
def test_constraints(harness, value, constraint, ok):
    assert harness.check(value, constraint) is ok


def test_scoring_a_case(harness):
    case = {"request": "var 99% 30d", "tool": "compute_var", "args": {"confidence": {"approx": 0.99}, "horizon_days": 30}}
    right = harness.score_case(case, {"name": "compute_var", "args": {"confidence": 0.99, "horizon_days": 30}}, "compute_var")
    wrong_arg = harness.score_case(case, {"name": "compute_var", "args": {"confidence": 0.95, "horizon_days": 30}},
                                   "compute_var")
    wrong_tool = harness.score_case(case, {"name": "stress_test", "args": {}}, "compute_var")
    nothing = harness.score_case(case, None, "compute_var")
    assert (right["ok"], wrong_arg["ok"], wrong_tool["ok"], nothing["ok"]) == (True, False, False, False)
    assert wrong_arg["tool_ok"] and "confidence" in wrong_arg["failures"][0]
    assert "got no tool call" in nothing["failures"][0]
    assert harness.score_case({"request": "hi", "tool": None, "args": {}}, None, None)["ok"]


def test_the_eval_set_is_large_and_well_formed(harness):
    cases = harness.load_cases()
    assert len(cases) >= 30
    assert len({c["request"] for c in cases}) == len(cases)
    for case in cases:  # every constraint is one the harness knows
        for constraint in case["args"].values():
            harness.check(None, constraint)


def test_offline_router_scores_at_least_0_9(harness, ctx):
    report = harness.evaluate(ctx)
    assert report["offline"] is True
    assert report["scored"] >= 30, f"only {report['scored']} cases scorable; skipped: {report['skipped']}"
    assert report["score"] >= 0.9, harness.format_report(report)


def test_a_model_that_calls_the_wrong_tool_scores_zero(harness, ctx):
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class AlwaysCorrelation(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "always-correlation"

        def bind_tools(self, tools, **kwargs):
            return self

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            call = {"name": "analyze_correlation", "args": {"indices": ["BTC", "ETH"]}, "id": "c1", "type": "tool_call"}
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content="", tool_calls=[call]))])

    report = harness.evaluate(ctx, model=AlwaysCorrelation())
    correlation_cases = sum(1 for c in harness.load_cases() if c.get("tool") == "analyze_correlation"
                            and "indices" in c["args"] and c["args"]["indices"] == {"set": ["BTC", "ETH"]})
    assert report["passed"] == correlation_cases == 1
    assert report["score"] < 0.1
