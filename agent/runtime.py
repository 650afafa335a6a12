"""`AgentSession`: one conversation with the agent, turn by turn, for the chat, `ask` and servers.

A turn streams the graph (`stream_mode=["messages", "updates"]`) and reports what happens as
`TurnEvent`s: tokens, tool calls, tool results, confirmation requests, the answer, errors, usage.
State-changing tools pause the graph (a human-in-the-loop interrupt); the session asks `confirm`
and resumes with the decision. Failures talking to the model become one clear `error` event and
the session stays usable: a cancelled or failed turn never leaves unanswered tool calls behind.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from indexdesk.agent.graph import DECLINED, build_agent, recursion_limit
from indexdesk.agent.grounding import ungrounded_numbers
from indexdesk.agent.model import ModelInfo, describe_model_error, estimate_cost, fallback_models, make_chat_model
from indexdesk.memory.checkpoints import InvalidSessionId, SessionStore, check_session_id
from indexdesk.tools.errors import ToolError

log = logging.getLogger("indexdesk.agent")

EventKind = Literal["token", "tool_call", "tool_result", "confirm_request", "answer", "error", "usage"]


@dataclass
class TurnEvent:
    kind: EventKind
    data: dict


@dataclass
class TurnResult:
    answer: str
    tool_calls: list[dict] = field(default_factory=list)  # {name, arguments, result}
    ungrounded: list[str] = field(default_factory=list)
    usage: dict = field(default_factory=dict)
    cancelled: bool = False
    error: str | None = None

    def to_dict(self) -> dict:
        return {"answer": self.answer, "tool_calls": self.tool_calls, "ungrounded": self.ungrounded,
                "usage": self.usage, "cancelled": self.cancelled, "error": self.error}


def _parse_result(content: Any) -> Any:
    if isinstance(content, str):
        try:
            return json.loads(content)
        except ValueError:
            return content
    return content


def _message_text(message: Any) -> str:
    text = getattr(message, "text", None)
    if isinstance(text, str):  # langchain-core 1.x: a str property (callable for backwards compatibility)
        return str(text)
    if callable(text):
        return str(text())
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else ""


class _Turn:
    """What one turn collected; turned into a TurnResult at the end."""

    def __init__(self, emit: Callable[[TurnEvent], None]):
        self.emit = emit
        self.calls: dict[str, dict] = {}
        self.answer = ""
        self.input_tokens = 0
        self.output_tokens = 0
        self.interrupt: Any = None
        self.seen_ai: set = set()
        self.chunks_in_model_call = 0  # > 0 when a failure happens mid-stream

    def on_update(self, node: str, update: Any) -> None:
        from langchain_core.messages import AIMessage, ToolMessage

        if node == "model":
            self.chunks_in_model_call = 0
        if node == "__interrupt__":
            self.interrupt = update
            return
        if not isinstance(update, dict):
            return
        for message in update.get("messages", []) or []:
            if isinstance(message, AIMessage):
                self._on_ai(message)
            elif isinstance(message, ToolMessage):
                call = self.calls.setdefault(message.tool_call_id, {"name": message.name, "arguments": {}})
                if "result" in call:  # the same message seen again (a middleware echoing state)
                    continue
                call["result"] = _parse_result(message.content)
                self.emit(TurnEvent("tool_result", {"id": message.tool_call_id, "name": call["name"],
                                                    "result": call["result"], "status": message.status}))

    def _on_ai(self, message: Any) -> None:
        usage = getattr(message, "usage_metadata", None) or {}
        first_sight = message.id is None or message.id not in self.seen_ai
        self.seen_ai.add(message.id)
        if usage and first_sight:  # middleware re-emits the same message after editing it
            self.input_tokens += int(usage.get("input_tokens") or 0)
            self.output_tokens += int(usage.get("output_tokens") or 0)
            self.emit(TurnEvent("usage", {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}))
        for call in message.tool_calls or []:
            if call["id"] in self.calls:
                continue
            self.calls[call["id"]] = {"name": call["name"], "arguments": call.get("args") or {}}
            self.emit(TurnEvent("tool_call", {"id": call["id"], "name": call["name"],
                                              "arguments": call.get("args") or {}}))
        if not message.tool_calls:
            self.answer = _message_text(message)

    def tool_calls(self) -> list[dict]:
        return [{"name": c["name"], "arguments": c["arguments"], "result": c.get("result")}
                for c in self.calls.values()]


class AgentSession:
    """One conversation: `run_turn(text)` answers, remembering earlier turns of the same session id."""

    def __init__(self, ctx: Any, *, session_id: str = "default", model: Any = None, model_info: ModelInfo | None = None,
                 auto_confirm: bool = False, registry: Any = None, persist: bool = True):
        self.ctx = ctx
        self.settings = ctx.settings
        try:
            self.session_id = check_session_id(session_id)
        except InvalidSessionId as exc:
            raise ToolError(exc.message, hint=exc.hint) from None
        if registry is None:
            from indexdesk.tools.toolbox import default_registry

            registry = default_registry()
        self.registry = registry
        if model is None:
            model, model_info = make_chat_model(self.settings, tool_names=registry.names)
        self.model = model
        self.model_info = model_info or ModelInfo(
            name=str(getattr(model, "model_name", None) or type(model).__name__),
            base_url=getattr(model, "openai_api_base", None), offline=False)
        if not self.model_info.offline and getattr(ctx, "model", None) is None:
            ctx.model = model  # tools that can use a model (journal extraction) use the session's
        self.auto_confirm = auto_confirm
        self._cancel = threading.Event()
        self._store: SessionStore | None = None
        if persist:
            self._store = SessionStore(self.settings.ensure_home(), self.settings.database_url)
            if getattr(self._store, "notice", None):  # a damaged sessions file was set aside
                print(f"note: {self._store.notice}", file=sys.stderr)
            checkpointer = self._store.checkpointer()
        else:
            from langgraph.checkpoint.memory import InMemorySaver

            checkpointer = InMemorySaver()
        strict = not self.model_info.offline and not self.model_info.base_url and "ChatOpenAI" in type(model).__name__
        offline = self.model_info.offline
        fallbacks = [] if offline else fallback_models(self.settings, model)
        self.graph = build_agent(model, registry, ctx, checkpointer=checkpointer, auto_confirm=auto_confirm,
                                 max_tool_iterations=self.settings.max_tool_iterations, strict_tools=strict,
                                 tool_selection=None if offline else getattr(self.settings, "tool_selection", "embedding"),
                                 fallback_models=fallbacks,
                                 context_tokens=getattr(self.settings, "context_tokens", None),
                                 cache_dir=self.settings.home / "cache")

    # ------------------------------------------------------------------ turns
    @property
    def config(self) -> dict:
        return {"configurable": {"thread_id": self.session_id},
                "recursion_limit": recursion_limit(self.settings.max_tool_iterations)}

    def run_turn(self, text: str, *, on_event: Callable[[TurnEvent], None] | None = None,
                 confirm: Callable[[str, dict], bool] | None = None) -> TurnResult:
        """Answer `text`. Never raises for model or tool failures: they come back as `error`."""
        from langchain_core.messages import AIMessageChunk, HumanMessage
        from langgraph.errors import GraphRecursionError
        from langgraph.types import Command

        emit = on_event or (lambda event: None)
        self._cancel.clear()
        self._repair()
        turn = _Turn(emit)
        payload: Any = {"messages": [HumanMessage(text)]}
        cancelled = False
        error: str | None = None
        try:
            while True:
                turn.interrupt = None
                stream = self.graph.stream(payload, self.config, stream_mode=["messages", "updates"])
                try:
                    for mode, data in stream:
                        if self._cancel.is_set():
                            cancelled = True
                            break
                        if mode == "messages":
                            chunk, meta = data
                            if isinstance(chunk, AIMessageChunk) and meta.get("langgraph_node") == "model":
                                turn.chunks_in_model_call += 1
                                token = _message_text(chunk)
                                if token:
                                    emit(TurnEvent("token", {"text": token}))
                        else:
                            for node, update in data.items():
                                turn.on_update(node, update)
                finally:
                    stream.close()
                if cancelled or not turn.interrupt:
                    break
                payload = Command(resume=self._decide(turn.interrupt, emit, confirm))
                if self._cancel.is_set():
                    cancelled = True
                    break
        except KeyboardInterrupt:
            cancelled = True
        except GraphRecursionError:
            error = (f"the turn used more than {self.settings.max_tool_iterations} tool calls without finishing; "
                     "stopped it. Ask a narrower question or raise INDEXDESK_MAX_TOOL_ITERATIONS.")
        except Exception as exc:  # noqa: BLE001 - the user gets one clear sentence, never a traceback
            error = describe_model_error(exc, self.model_info, self.settings.request_timeout,
                                         mid_stream=turn.chunks_in_model_call > 0)
            if error is None:
                log.exception("agent turn failed")
                error = f"the agent failed: {type(exc).__name__}: {exc}"[:500]
        if cancelled or error:
            self._repair()
        if error:
            emit(TurnEvent("error", {"message": error}))
        answer = "" if (cancelled or error) else turn.answer
        # The offline router's replies without a tool call (help, a clarification) are its own fixed
        # text and examples, not claims about data: nothing to ground.
        checkable = answer and not (self.model_info.offline and not turn.calls)
        ungrounded = ungrounded_numbers(answer, self._tool_results(), question=text) if checkable else []
        usage = {"input_tokens": turn.input_tokens, "output_tokens": turn.output_tokens,
                 "total_tokens": turn.input_tokens + turn.output_tokens}
        if answer:
            emit(TurnEvent("answer", {"text": answer, "ungrounded": ungrounded}))
        if self._store is not None:
            self._store.touch(self.session_id, model=self.model_info.name, turn_done=True)
        return TurnResult(answer=answer, tool_calls=turn.tool_calls(), ungrounded=ungrounded, usage=usage,
                          cancelled=cancelled, error=error)

    def _decide(self, interrupts: Any, emit: Callable[[TurnEvent], None],
                confirm: Callable[[str, dict], bool] | None) -> dict:
        """Ask about each gated tool call; the decisions resume the graph in the same order."""
        decisions = []
        for item in interrupts:
            for request in (getattr(item, "value", None) or {}).get("action_requests", []):
                emit(TurnEvent("confirm_request", {"name": request["name"], "arguments": request.get("args") or {},
                                                   "description": request.get("description", "")}))
                approved = self.auto_confirm or (confirm is not None and not self._cancel.is_set()
                                                 and bool(confirm(request["name"], request.get("args") or {})))
                decisions.append({"type": "approve"} if approved else {"type": "reject", "message": DECLINED})
        return {"decisions": decisions}

    def cancel(self) -> None:
        """Stop the running turn at the next event; safe from a signal handler or another thread."""
        self._cancel.set()

    # ------------------------------------------------------------------ state
    def _messages(self) -> list:
        state = self.graph.get_state({"configurable": {"thread_id": self.session_id}})
        return list((state.values or {}).get("messages", []))

    def _tool_results(self) -> list[Any]:
        """Every tool result of the conversation: the numbers an answer may quote.

        The whole session, not just this turn, so a follow-up ("which fell less?") that reuses
        the previous turn's figures is not marked as ungrounded.
        """
        from langchain_core.messages import AIMessage, ToolMessage

        pool: list[Any] = []
        for message in self._messages():
            if isinstance(message, ToolMessage):
                pool.append(message.content)
            elif isinstance(message, AIMessage):
                # The arguments the tools were called with (a portfolio's weights, a confidence) are
                # facts of the turn too; an answer restating them is not inventing numbers.
                pool.extend(call.get("args", {}) for call in message.tool_calls or [])
        return pool

    def _repair(self) -> None:
        """Drop tool calls that never got a result (cancel, crash, abandoned confirmation).

        OpenAI rejects a history where an assistant tool call has no tool message, so the call is
        removed from its message (same id: the reducer replaces it) and a note says what was dropped.
        """
        from langchain_core.messages import AIMessage, ToolMessage

        messages = self._messages()
        answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
        fixes = []
        for message in messages:
            if not isinstance(message, AIMessage) or not message.tool_calls:
                continue
            missing = [c for c in message.tool_calls if c["id"] not in answered]
            if not missing:
                continue
            note = "(not run, the turn was interrupted: " + ", ".join(c["name"] for c in missing) + ")"
            fixes.append(AIMessage(id=message.id, content=f"{_message_text(message)} {note}".strip(),
                                   tool_calls=[c for c in message.tool_calls if c["id"] in answered],
                                   usage_metadata=message.usage_metadata))
        if fixes:
            self.graph.update_state({"configurable": {"thread_id": self.session_id}}, {"messages": fixes},
                                    as_node="model")

    def history(self) -> list[dict]:
        """The conversation so far as {role, content} (tool calls as role "tool_call") for display."""
        from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

        out: list[dict] = []
        for message in self._messages():
            if isinstance(message, HumanMessage):
                out.append({"role": "user", "content": _message_text(message)})
            elif isinstance(message, AIMessage):
                for call in message.tool_calls or []:
                    out.append({"role": "tool_call", "name": call["name"], "arguments": call.get("args") or {}})
                if _message_text(message):
                    out.append({"role": "assistant", "content": _message_text(message)})
            elif isinstance(message, ToolMessage):
                out.append({"role": "tool", "name": message.name, "content": message.content})
        return out

    def usage_summary(self) -> dict:
        """Tokens in and out over the whole session and the estimated cost (None when the model has no price)."""
        from langchain_core.messages import AIMessage, HumanMessage

        messages = self._messages()
        input_tokens = output_tokens = 0
        for message in messages:
            if isinstance(message, AIMessage) and message.usage_metadata:
                input_tokens += int(message.usage_metadata.get("input_tokens") or 0)
                output_tokens += int(message.usage_metadata.get("output_tokens") or 0)
        cost = None if self.model_info.offline else estimate_cost(self.model_info.name, input_tokens, output_tokens)
        return {"model": self.model_info.name, "turns": sum(isinstance(m, HumanMessage) for m in messages),
                "input_tokens": input_tokens, "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
                "estimated_cost_usd": None if cost is None else round(cost, 6)}

    def clear(self) -> None:
        """Forget this session's messages (the id stays usable)."""
        if self._store is not None:
            self._store.delete(self.session_id)
        else:
            self.graph.checkpointer.delete_thread(self.session_id)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
