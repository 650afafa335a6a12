"""How requests reach `checkup`: the per-call selector (from the spec's examples) and the offline router's
direct form. The offline router's natural phrasings ("what should I do this week?") wait for the
example-based router (another change); its fixed grammar is not edited for one tool."""

from __future__ import annotations

import pytest

from indexdesk.tools.toolbox import default_registry


@pytest.fixture(scope="module")
def registry():
    return default_registry()


@pytest.mark.parametrize("request_text", [
    "what should I do this week?",
    "anything I need to act on?",
    "is there anything on my portfolio to-do list today",
    "weekly routine: what needs doing",
])
def test_the_selector_offers_checkup(registry, request_text):
    from indexdesk.agent.tool_selection import ToolSelector

    assert "checkup" in ToolSelector(list(registry)).select(request_text).names


def test_the_offline_router_calls_checkup_by_name_with_its_as_of(registry):
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from indexdesk.agent.offline_grammar import Vocabulary
    from indexdesk.agent.offline_router import plan_request
    from indexdesk.tools.adapters.langchain import langchain_tools

    schemas = {t["function"]["name"]: t["function"]
               for t in (convert_to_openai_tool(lt) for lt in langchain_tools(registry, None))}
    plan = plan_request("checkup as_of=2025-06-01", Vocabulary.build(), schemas)
    assert (plan.tool, plan.args) == ("checkup", {"as_of": "2025-06-01"})
    assert plan_request("call checkup {}", Vocabulary.build(), schemas).tool == "checkup"
