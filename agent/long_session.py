"""Long sessions stay inside the model's context: older turns are summarised, recent ones kept whole.

LangChain's `SummarizationMiddleware` decides when (the conversation passes `context_tokens`) and
where to cut (never between a tool call and its result); the summary itself is written here,
offline and without a model call: each earlier request with the tools it called and the head of
each result (the figures an answer may still lean on), newest last, capped in size. The current
turn and the most recent turns stay verbatim, so the tool results of the question being answered
are always there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

SUMMARY_CHARS = 6_000  # about 1,500 tokens of summary at most
RESULT_HEAD = 240


def _text(message: Any) -> str:
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def summarize_offline(messages: Sequence[Any]) -> str:
    """A compact record of earlier turns: requests, tool calls and result heads, answers' first lines."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    lines: list[str] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            text = _text(message)
            if text.startswith("Here is a summary of the conversation to date"):
                lines.append(text.split("\n", 1)[-1][-SUMMARY_CHARS // 2:])
                continue
            lines.append(f"- user: {text[:200]}")
        elif isinstance(message, AIMessage):
            for call in message.tool_calls or []:
                args = json.dumps(call.get("args") or {}, ensure_ascii=False, separators=(",", ":"))
                lines.append(f"  called {call['name']}({args[:160]})")
            answer = _text(message).strip()
            if answer and not message.tool_calls:
                lines.append(f"  answered: {answer.splitlines()[0][:200]}")
        elif isinstance(message, ToolMessage):
            lines.append(f"  result {message.name or ''}: {_text(message)[:RESULT_HEAD]}")
    summary = "\n".join(lines)
    if len(summary) > SUMMARY_CHARS:  # the oldest part goes first
        summary = "… (older turns dropped)\n" + summary[-SUMMARY_CHARS:]
    return "Earlier in this session (summarised; call the tools again for exact figures):\n" + summary


def summarization_middleware(model: Any, context_tokens: int):
    """`SummarizationMiddleware` triggered at `context_tokens`, keeping the newest half verbatim."""
    from langchain.agents.middleware import SummarizationMiddleware

    return SummarizationMiddleware(model, trigger=("tokens", context_tokens), keep=("tokens", context_tokens // 2),
                                   summarizer=summarize_offline)
