"""The offline router as a LangChain chat model: the same agent graph (chat sessions,
confirmations, checkpoints) runs on it as on a real model. The decisions are made by
`agent/offline_router.py`, which imports no LangChain, so a one-shot `ask` can route without
loading the chat-model machinery."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

from indexdesk.agent import offline_grammar as grammar
from indexdesk.agent.offline_router import (answer_sections, market_end, plan_request, result_heading, stream_pieces,
                                            usage_estimate, vocabulary_for)

NOTES_KEY = "offline_router_notes"


def _text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


def _turn_messages(messages: Sequence[BaseMessage]) -> tuple[str, list[BaseMessage]]:
    """The latest user request and the messages that followed it in this turn."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return _text_of(messages[index]), list(messages[index + 1:])
    return "", []


class OfflineRouterModel(BaseChatModel):
    """A rule-based chat model: requests in, tool calls out; tool results in, tables out."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tool_names: list[str] | None = None
    index_names: list[str] | None = None
    index_aliases: dict[str, str] | None = None
    settings: Any = None  # used to read the index catalogue (user indices too) when names are not given
    model_name: str = "offline-router"

    _vocabulary: grammar.Vocabulary | None = PrivateAttr(default=None)
    _data_end: Any = PrivateAttr(default=None)

    def __init__(self, tool_names: Sequence[str] | None = None, /, **kwargs: Any) -> None:
        if tool_names is not None:
            kwargs.setdefault("tool_names", list(tool_names))
        super().__init__(**kwargs)

    @property
    def _llm_type(self) -> str:
        return "indexdesk-offline-router"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def vocabulary(self) -> grammar.Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = vocabulary_for(self.settings, self.index_names, self.index_aliases)
        return self._vocabulary

    def _cache_dir(self) -> Any:
        home = getattr(self.settings, "home", None)
        return home / "cache" if home is not None else None

    def data_end(self) -> date:
        """The last day of the configured market data (see `market_end`), read once, on the first
        relative window."""
        if self._data_end is None:
            self._data_end = date.today()
            if self.settings is not None:
                from indexdesk.tools.context import ToolContext

                self._data_end = market_end(ToolContext(settings=self.settings))
        return self._data_end

    def warm_up(self, schemas: dict[str, dict], ctx: Any = None, skip: Any = lambda: False) -> None:
        """Do now what the first request would do: read the names and the data's last day (from `ctx`,
        the tools' context, so its market is loaded once for both), build the ranking's selector for
        these bound tools and run its embedding model once. Chat calls this while the user types;
        `skip()` true stops it between steps (a turn has started and loads what it needs itself)."""
        from indexdesk.agent import offline_intent as intents

        self.vocabulary()
        if self._data_end is None and ctx is not None and not skip():
            self._data_end = market_end(ctx)
        if not skip():
            intents.selector_for(intents.specs_for(schemas), self._cache_dir()).scores("how did defi do over 90 days")

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any):
        """Bind tools the way chat models do; their schemas reach `_generate` as `tools`."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, **kwargs)

    # ------------------------------------------------------------ generation

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        message = self.respond(messages, kwargs.get("tools"))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        message = self.respond(messages, kwargs.get("tools"))
        usage = message.usage_metadata
        if message.tool_calls:
            chunk = AIMessageChunk(
                content=message.content,
                tool_call_chunks=[{"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                                  for i, c in enumerate(message.tool_calls)],
                additional_kwargs=message.additional_kwargs, usage_metadata=usage)
            yield ChatGenerationChunk(message=chunk)
            return
        pieces = stream_pieces(message.content)
        for i, piece in enumerate(pieces):
            chunk = AIMessageChunk(content=piece, usage_metadata=usage if i == len(pieces) - 1 else None)
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)

    def respond(self, messages: Sequence[BaseMessage], tools: list[dict] | None) -> AIMessage:
        """The router's whole decision: a tool call for a new request, an answer after tool results."""
        request, after = _turn_messages(messages)
        schemas = {t["function"]["name"]: t["function"] for t in (tools or []) if "function" in t}
        tool_messages = [m for m in after if isinstance(m, ToolMessage)]
        if tool_messages:
            answer = self.answer_from_results(after, tool_messages)
            return AIMessage(content=answer, usage_metadata=usage_estimate(request, answer))
        plan = plan_request(request, self.vocabulary(), schemas, self.tool_names, data_end=self.data_end,
                            previous=_previous_call(messages), cache_dir=self._cache_dir())
        if plan.tool is None:
            return AIMessage(content=plan.reply, usage_metadata=usage_estimate(request, plan.reply))
        call = {"name": plan.tool, "args": plan.args, "id": f"call_offline_{uuid.uuid4().hex[:12]}", "type": "tool_call"}
        return AIMessage(content="", tool_calls=[call], additional_kwargs={NOTES_KEY: plan.notes},
                         usage_metadata=usage_estimate(request, json.dumps(plan.args)))

    def answer_from_results(self, after: list[BaseMessage], tool_messages: list[ToolMessage]) -> str:
        calls: dict[str, dict] = {}
        notes: list[str] = []
        for message in after:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    calls[call["id"]] = call
                notes += message.additional_kwargs.get(NOTES_KEY) or []
        results = []
        for message in tool_messages:
            call = calls.get(message.tool_call_id, {})
            name = message.name or call.get("name") or "tool"
            results.append((result_heading(name, call.get("args", {})), name, _text_of(message)))
        return answer_sections(results, notes)


def _previous_call(messages: Sequence[BaseMessage]) -> dict | None:
    """The last tool call before the latest request ({name, args}): what a follow-up edits."""
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    for message in reversed(messages[:humans[-1]] if humans else []):
        if isinstance(message, AIMessage) and message.tool_calls:
            call = message.tool_calls[-1]
            return {"name": call["name"], "args": dict(call.get("args") or {})}
    return None
