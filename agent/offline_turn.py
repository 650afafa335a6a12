"""One offline turn without the agent graph: the direct path of a one-shot `indexdesk ask`.

With no model configured, a one-shot question needs none of the graph's machinery (LangChain's
chat-model and tracing classes, LangGraph, checkpoints): the offline router plans the call,
the registry runs it and the router renders the answer. This module does exactly what the graph
does with `OfflineRouterModel` for one new request, from the same pieces:

    plan_request → (a state-changing tool asks `confirm` unless auto-confirmed; declined → the
    same message the graph's confirmation gives the model) → Registry.call_json →
    answer_sections + the plan's notes → grounding check over the turn's results and arguments

and returns the same `TurnResult` (answer, tool calls, ungrounded numbers, usage), so `ask`
prints the same text and `--json` the same shape. Sessions (`--session`, chat) and configured
models keep the graph: they need its checkpoints, follow-ups and interrupts.
tests/test_offline_turn.py runs both paths on the same requests and compares them.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from indexdesk.agent.graph import DECLINED
from indexdesk.agent.grounding import ungrounded_numbers
from indexdesk.agent.offline_router import (
    answer_sections,
    market_end,
    plan_request,
    result_heading,
    usage_estimate,
    vocabulary_for,
)
from indexdesk.agent.render import units_of
from indexdesk.agent.runtime import TurnEvent, TurnResult

log = logging.getLogger("indexdesk.agent")


def declined_message(name: str) -> str:
    """What the graph's confirmation middleware puts in place of a declined tool's result."""
    return f"User rejected the tool call for `{name}` with reason: {DECLINED}"


def _parse(content: str) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content


def router_tools(registry: Any) -> dict[str, dict]:
    """What the router needs of each tool, as JSON: the schema the graph binds (strict, as LangChain
    converts it), the spec's words (description, parameters, examples, synonyms, category, whether it
    writes) and the built-in module defining it (None for a plugin's)."""
    from indexdesk.tools.adapters.openai_schema import openai_tool

    return {spec.name: {
        "schema": {k: v for k, v in openai_tool(spec)["function"].items() if k != "strict"},
        "spec": {"description": spec.description, "param_descriptions": dict(spec.param_descriptions),
                 "category": spec.category, "examples": list(spec.examples),
                 "synonyms": {k: dict(v) for k, v in spec.synonyms.items()},
                 "state_changing": spec.state_changing, "writes_files": spec.writes_files},
        "module": spec.func.__module__ if spec.origin == "indexdesk" else None} for spec in registry}


def specs_and_schemas(tools: dict[str, dict]) -> tuple[dict[str, Any], dict[str, dict]]:
    """`router_tools` read back: spec-like objects and the bound schemas, by tool name."""
    from types import SimpleNamespace

    specs = {name: SimpleNamespace(name=name, **{**item["spec"], "examples": tuple(item["spec"]["examples"])})
             for name, item in tools.items()}
    return specs, {name: item["schema"] for name, item in tools.items()}


def _declared_units(registry: Any, name: str) -> dict[str, str] | None:
    try:
        return units_of(registry.get(name))
    except Exception:  # noqa: BLE001 - an unknown tool: its error result has no units to format
        return None


def offline_turn(ctx: Any, registry: Any, text: str, *, auto_confirm: bool = False,
                 confirm: Callable[[str, dict], bool] | None = None,
                 on_event: Callable[[TurnEvent], None] | None = None,
                 tools: dict[str, dict] | None = None) -> TurnResult:
    """Answer `text` with the offline router and the registry, as the graph would on a new session.

    `tools` (from `router_tools`, e.g. a snapshot) saves reading every spec from the registry, so a
    registry that imports tool modules on first use imports only the called tool's.
    Never raises for a tool failure (the registry returns errors as results); an unexpected
    failure of the router comes back as `error`, like the graph path's."""
    emit = on_event or (lambda event: None)
    try:
        return _turn(ctx, registry, text, auto_confirm, confirm, emit, tools)
    except KeyboardInterrupt:
        return TurnResult(answer="", cancelled=True)
    except Exception as exc:  # the user gets one clear sentence, never a traceback
        log.exception("offline turn failed")
        error = f"the agent failed: {type(exc).__name__}: {exc}"[:500]
        emit(TurnEvent("error", {"message": error}))
        return TurnResult(answer="", error=error)


def _turn(ctx: Any, registry: Any, text: str, auto_confirm: bool, confirm: Callable[[str, dict], bool] | None,
          emit: Callable[[TurnEvent], None], tools: dict[str, dict] | None) -> TurnResult:
    settings = ctx.settings
    if tools is None:
        specs: dict[str, Any] = {spec.name: spec for spec in registry}
        # The schemas the graph binds to the router (LangChain's conversion of the same strict schemas).
        schemas = {name: item["schema"] for name, item in router_tools(registry).items()}
    else:
        specs, schemas = specs_and_schemas(tools)
    home = getattr(settings, "home", None)
    plan = plan_request(text, vocabulary_for(settings), schemas, list(schemas), data_end=lambda: market_end(ctx),
                        specs=specs, cache_dir=home / "cache" if home is not None else None)
    if plan.tool is None:
        usage = usage_estimate(text, plan.reply)
        emit(TurnEvent("usage", {"input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"]}))
        emit(TurnEvent("answer", {"text": plan.reply, "ungrounded": []}))
        return TurnResult(answer=plan.reply, usage=usage)  # the router's own fixed text: nothing to ground
    call_id = f"call_offline_{uuid.uuid4().hex[:12]}"
    planned = usage_estimate(text, json.dumps(plan.args))
    emit(TurnEvent("usage", {"input_tokens": planned["input_tokens"], "output_tokens": planned["output_tokens"]}))
    emit(TurnEvent("tool_call", {"id": call_id, "name": plan.tool, "arguments": plan.args}))
    spec = specs.get(plan.tool)
    approved = True
    if spec is not None and spec.state_changing and not auto_confirm:
        emit(TurnEvent("confirm_request", {"name": plan.tool, "arguments": plan.args,
                                           "description": f"{plan.tool}({json.dumps(plan.args, ensure_ascii=False)})"}))
        approved = confirm is not None and bool(confirm(plan.tool, plan.args))
    content = registry.call_json(plan.tool, plan.args, ctx) if approved else declined_message(plan.tool)
    result = _parse(content)
    emit(TurnEvent("tool_result", {"id": call_id, "name": plan.tool, "result": result,
                                   "status": "success" if approved else "error"}))
    # The result's declared units, from this registry (not the default one, which would import every tool).
    units = {plan.tool: _declared_units(registry, plan.tool)}
    answer = answer_sections([(result_heading(plan.tool, plan.args), plan.tool, content)], plan.notes, units)
    answered = usage_estimate(text, answer)
    usage = {key: planned[key] + answered[key] for key in planned}
    emit(TurnEvent("usage", {"input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"]}))
    # The numbers an answer may quote: the tool's result and the arguments it was called with.
    ungrounded = ungrounded_numbers(answer, [content, plan.args], question=text) if answer else []
    if answer:
        emit(TurnEvent("answer", {"text": answer, "ungrounded": ungrounded}))
    return TurnResult(answer=answer, tool_calls=[{"name": plan.tool, "arguments": plan.args, "result": result}],
                      ungrounded=ungrounded, usage=usage)
