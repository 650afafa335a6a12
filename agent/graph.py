"""The agent graph: LangChain v1 `create_agent` over the registry's tools.

Middleware does the policy: state-changing tools pause for the user (human-in-the-loop interrupt,
answered with approve/reject), and a per-turn cap on tool calls keeps a confused model from
looping. Tool errors are ordinary tool messages (`{"error", "hint"}` JSON from the registry), so
the model reads them and corrects its call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from indexdesk.tools.registry import Registry

# Message the model gets in place of a tool result when the user says no.
DECLINED = "the user declined; the tool was not run. Do not retry unless the user asks for it."


def system_prompt(today: date | None = None) -> str:
    from indexdesk.prompts import load_prompt

    return f"{load_prompt('system')}\n\nToday's date: {(today or date.today()).isoformat()}."


def recursion_limit(max_tool_iterations: int) -> int:
    """LangGraph supersteps allowed in one turn: a hard stop behind the tool-call cap.

    A model call plus its middleware takes about four steps and a tool round two more.
    """
    return 6 * (max_tool_iterations + 2) + 10


def confirmation_description(tool_call: dict, state: Any = None, runtime: Any = None) -> str:
    import json

    return f"{tool_call['name']}({json.dumps(tool_call.get('args') or {}, ensure_ascii=False)})"


def build_agent(model: Any, registry: Registry, ctx: Any, *, checkpointer: Any, auto_confirm: bool = False,
                max_tool_iterations: int = 8, strict_tools: bool = False, today: date | None = None,
                tool_selection: str | None = None, fallback_models: list[Any] | None = None,
                context_tokens: int | None = None, cache_dir: Any = None):
    """The compiled agent graph for one session.

    `tool_selection`: embedding | llm | all (None = all: the offline router is not token-bound).
    `fallback_models`: tried in order when the model call fails after the client's own retries.
    `context_tokens`: older turns beyond this are summarised (offline, no model call).
    """
    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware, ToolCallLimitMiddleware

    from indexdesk.tools.adapters.langchain import langchain_tools

    middleware: list[Any] = []
    gated = {spec.name: {"allowed_decisions": ["approve", "reject"], "description": confirmation_description}
             for spec in registry if spec.state_changing}
    if gated and not auto_confirm:
        middleware.append(HumanInTheLoopMiddleware(interrupt_on=gated))
    # "continue": calls over the cap get an error tool message and the model answers with what it has.
    middleware.append(ToolCallLimitMiddleware(run_limit=max_tool_iterations, exit_behavior="continue"))
    if context_tokens:
        from indexdesk.agent.long_session import summarization_middleware

        middleware.append(summarization_middleware(model, context_tokens))
    if strict_tools:
        middleware.append(_strict_tools_middleware())
    if tool_selection and tool_selection != "all":
        from indexdesk.agent.tool_selection import selection_middleware

        selector = selection_middleware(tool_selection, registry, model, cache_dir=cache_dir)
        if selector is not None:
            middleware.append(selector)
    if fallback_models:
        from langchain.agents.middleware import ModelFallbackMiddleware

        middleware.append(ModelFallbackMiddleware(*fallback_models))
    return create_agent(
        model,
        langchain_tools(registry, ctx),
        system_prompt=system_prompt(today),
        middleware=middleware,
        checkpointer=checkpointer,
    )


def _strict_tools_middleware():
    """OpenAI's strict function calling: the schemas are written for it, so the API enforces them."""
    from langchain.agents.middleware import wrap_model_call

    @wrap_model_call
    def strict_tools(request, handler):
        return handler(request.override(model_settings={**request.model_settings, "strict": True}))

    return strict_tools
