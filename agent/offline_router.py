"""The offline router: a LangChain chat model that needs no key and no server.

It maps plain requests and slash commands to calls of the bound tools ("var 99% 30d",
"how did defi do over 90 days", "journal: trimmed BTC after CPI", "review 2026Q3") and, once
the tool results are back, answers with them as Markdown tables whose numbers are copied
verbatim from the results. The same agent graph runs on it as on a real model. Tool names and
parameters come from the bound tools' schemas, so it adapts to whatever the registry holds.
The grammar is documented in docs/offline_router.md; parsing lives in `agent/offline_grammar.py`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

from indexdesk.agent import offline_grammar as grammar
from indexdesk.agent import offline_intent as intents
from indexdesk.agent import offline_unread as unread
from indexdesk.agent.offline_dates import find_periods
from indexdesk.agent.offline_fill import fill as fill_from_schema
from indexdesk.agent.offline_fitting import fit_arguments, fit_value, plain_args  # noqa: F401 - tests import them here
from indexdesk.agent.render import compact_args, result_markdown, user_facing

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
            names, aliases = self.index_names, self.index_aliases
            if names is None:
                names, aliases_found = grammar.load_index_names(self.settings)
                aliases = aliases if aliases is not None else aliases_found
            self._vocabulary = grammar.Vocabulary.build(names, aliases)
        return self._vocabulary

    def _cache_dir(self) -> Any:
        home = getattr(self.settings, "home", None)
        return home / "cache" if home is not None else None

    def data_end(self) -> date:
        """The last day of the configured market data: "the last 30 days" count back from it, not
        from the wall clock (a CSV can end months ago). Read once, on the first relative window."""
        if self._data_end is None:
            self._data_end = date.today()
            if self.settings is not None:
                try:
                    from indexdesk.tools.context import ToolContext

                    self._data_end = ToolContext(settings=self.settings).market().close.index[-1].date()
                except Exception:  # noqa: BLE001 - no data yet: the tool will say so; count from today
                    pass
        return self._data_end

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
        pieces = _pieces(message.content)
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
            return AIMessage(content=answer, usage_metadata=_usage(request, answer))
        plan = plan_request(request, self.vocabulary(), schemas, self.tool_names, data_end=self.data_end,
                            previous=_previous_call(messages), cache_dir=self._cache_dir())
        if plan.tool is None:
            return AIMessage(content=plan.reply, usage_metadata=_usage(request, plan.reply))
        call = {"name": plan.tool, "args": plan.args, "id": f"call_offline_{uuid.uuid4().hex[:12]}", "type": "tool_call"}
        return AIMessage(content="", tool_calls=[call], additional_kwargs={NOTES_KEY: plan.notes},
                         usage_metadata=_usage(request, json.dumps(plan.args)))

    def answer_from_results(self, after: list[BaseMessage], tool_messages: list[ToolMessage]) -> str:
        calls: dict[str, dict] = {}
        notes: list[str] = []
        for message in after:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    calls[call["id"]] = call
                notes += message.additional_kwargs.get(NOTES_KEY) or []
        sections = []
        for message in tool_messages:
            call = calls.get(message.tool_call_id, {})
            name = message.name or call.get("name") or "tool"
            shown = compact_args(_text_args(call.get("args", {})))
            heading = f"{name}({shown})" if shown else name
            try:
                result: Any = json.loads(_text_of(message))
            except json.JSONDecodeError:
                sections.append(f"**{heading}**: {user_facing(_text_of(message))}")
                continue
            sections.append(result_markdown(result, heading, tool=name))
        sections += [f"_{note}_" for note in dict.fromkeys(notes)]
        return "\n\n".join(sections)


def _previous_call(messages: Sequence[BaseMessage]) -> dict | None:
    """The last tool call before the latest request ({name, args}): what a follow-up edits."""
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    for message in reversed(messages[:humans[-1]] if humans else []):
        if isinstance(message, AIMessage) and message.tool_calls:
            call = message.tool_calls[-1]
            return {"name": call["name"], "args": dict(call.get("args") or {})}
    return None


def _text_args(args: dict) -> dict:
    """Only the text arguments: numbers in a heading would not be in the tool result."""
    out = {}
    for key, value in args.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[key] = value
    return out


def _usage(prompt: str, output: str) -> dict:
    """Rough token counts (4 characters a token) so /cost has something to add; the price is zero."""
    input_tokens, output_tokens = max(1, len(prompt) // 4), max(1, len(output) // 4)
    return {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}


def _pieces(text: str, size: int = 24) -> list[str]:
    """Stream an answer in small pieces split on spaces, so the terminal shows it arriving."""
    if not text:
        return [""]
    words = text.split(" ")
    pieces, current = [], ""
    for word in words:
        current = f"{current} {word}" if current else word
        if len(current) >= size:
            pieces.append(current + " ")
            current = ""
    if current:
        pieces.append(current)
    else:
        pieces[-1] = pieces[-1][:-1]
    return pieces


# ---------------------------------------------------------------- request → plan

def find_tool(intent: str, schemas: dict[str, dict], tool_names: Sequence[str] | None) -> str | None:
    """The bound tool serving an intent: the contract's name, else a name containing a cue word."""
    available = list(schemas) or list(tool_names or [])
    canonical, fragments = grammar.INTENT_TOOLS[intent]
    if canonical in available:
        return canonical
    for name in available:
        tokens = name.lower().split("_")
        if any(f in tokens or (len(f) > 4 and f in name.lower()) for f in fragments):
            return name
    return None


def _direct_call(text: str, schemas: dict[str, dict], tool_names: Sequence[str] | None) -> grammar.Plan | None:
    """`call TOOL {json}`, `/TOOL {json}` or `TOOL key=value …`: any tool, arguments as given."""
    m = re.match(r"^/?(?:call\s+)?([A-Za-z_][\w]*)(?:\s+(.*))?$", text.strip(), re.S)
    if not m or m.group(1) not in (list(schemas) or list(tool_names or [])):
        return None
    name, rest = m.group(1), (m.group(2) or "").strip()
    if rest and not rest.startswith("{") and "=" not in rest:
        return None  # "backtest momentum since 2022": a request that starts with a tool's name, not a direct call
    if rest.startswith("{"):
        try:
            args = json.loads(rest)
        except json.JSONDecodeError as exc:
            return grammar.Plan(reply=f"The arguments for {name} are not valid JSON: {exc.msg}.")
        if not isinstance(args, dict):
            return grammar.Plan(reply=f"The arguments for {name} must be a JSON object.")
        return grammar.Plan(tool=name, args=args)
    args: dict[str, Any] = {}
    for key, value in re.findall(r"(\w+)=(\"[^\"]*\"|\[[^\]]*\]|\S+)", rest):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value
        schema = schemas.get(name, {}).get("parameters", {}).get("properties", {}).get(key)
        args[key] = fit_value(schema, parsed.split(",") if isinstance(parsed, str) and "," in parsed else parsed)[1] \
            if schema else parsed
    return grammar.Plan(tool=name, args=args)


def not_available(intent: str, available: Sequence[str]) -> str:
    listed = ", ".join(available) if available else "none"
    return (f"That looks like {grammar.INTENT_TITLES[intent]}, which is not available yet: no tool for it is "
            f"registered in this installation. Available tools: {listed}. Type `help` for what I understand.")


def plan_request(request: str, vocab: grammar.Vocabulary, schemas: dict[str, dict],
                 tool_names: Sequence[str] | None = None, data_end: Callable[[], date] | None = None, *,
                 specs: dict[str, Any] | None = None, previous: dict | None = None,
                 cache_dir: Any = None) -> grammar.Plan:
    """One user request → the tool to call and its arguments (fitted to the schema), or a reply.

    Stage one picks the tool (explicit forms, else meaning + the grammar's patterns, offline_intent);
    stage two fills its arguments from its schema (the grammar's readings, then offline_fill).
    `previous` ({name, args}) is the last call of the conversation, edited by a follow-up ("and monthly?").
    """
    text = request.strip()
    low = text.lower()
    if not text or re.match(r"^/?(help|\?|commands|grammar)\b", low) or "what can you do" in low:
        return grammar.Plan(reply=grammar.GRAMMAR_HELP)
    direct = _direct_call(text, schemas, tool_names)
    if direct is not None:
        return direct
    entry = intents.journal_prefix(text)
    if entry is not None:
        intent, extra = "journal_log", {"text": entry}
    else:
        intent, extra = grammar.detect_intent(text, bool(vocab.entities(text)))
    bound = specs_of = None
    if schemas and intent not in ("journal_log", "journal_search"):
        specs_of = intents.specs_for(schemas, specs)
        if previous and previous.get("name") in schemas and _is_follow_up(text, intent):
            return _follow_up(text, vocab, schemas, specs_of, previous, data_end)
        grammar_tool = find_tool(intent, schemas, tool_names) if intent else None
        if intent and grammar_tool is None:
            return grammar.Plan(reply=not_available(intent, list(schemas)))
        periods = find_periods(low)
        entities = vocab.entities(text)
        paired = _paired_names(low, entities)
        masked = _masked(text, sorted({(s.start, s.end): s for s in list(entities) + paired}.values(),
                                      key=lambda s: s.start))
        ranking = intents.rank(text, schemas, specs_of, grammar_tool, periods, bool(entities), masked,
                               has_pairs=bool(paired), cache_dir=cache_dir)
        if not ranking.understood():
            return grammar.Plan(reply="I could not map that to a tool.\n\n" + grammar.GRAMMAR_HELP)
        bound = ranking.top
        if intents.writes(specs_of[bound]) and not ranking.confident():
            runner_up = ranking.order[1] if len(ranking.order) > 1 else None
            if grammar_tool is not None and grammar_tool == runner_up and not intents.writes(specs_of[grammar_tool]):
                bound = grammar_tool  # the grammar's explicit form names a read-only tool: the safe reading runs
            else:
                return grammar.Plan(reply=intents.write_question(ranking, specs_of))
        intent = grammar_intent_of(bound, schemas, tool_names, intent if bound == grammar_tool else None)
    if intent is None and bound is None:
        return grammar.Plan(reply="I could not map that to a tool.\n\n" + grammar.GRAMMAR_HELP)
    if intent not in ("journal_log", "journal_search"):
        misspelt = unread.misspelt_names(text, vocab)
        if misspelt:
            asks = "; ".join(f"'{word}' — did you mean {name}?" for word, name in misspelt)
            example = text
            for word, name in misspelt:
                example = example.replace(word, name)
            return grammar.Plan(reply=f"I don't know {asks} Ask again with the name, e.g. `{example}`.")
    tool = bound or find_tool(intent, schemas, tool_names)
    if tool is None:
        return grammar.Plan(reply=not_available(intent, list(schemas) or list(tool_names or [])))
    params = schemas.get(tool, {}).get("parameters", {})
    if intent is None:
        proposed, notes, problem = generic_proposal(text, vocab, params), [], ""
    else:
        proposed, notes, problem = grammar.build_args(intent, text, vocab, params, extra)
    if problem:
        return grammar.Plan(reply=problem)
    if not params:
        return grammar.Plan(tool=tool, args=plain_args(proposed), notes=notes)
    proposed = _calendar_first(_not_a_day_count(proposed, params, text), params, low)
    proposed = _window_as_dates(proposed, params, data_end)
    args, missing = fit_arguments(params, proposed)
    read: list[tuple[int, int]] = []
    if intent != "journal_log":
        spec = (specs_of or {}).get(tool) or intents.specs_for({tool: schemas.get(tool, {})}, specs).get(tool)
        names = list(dict.fromkeys(e.value for e in vocab.entities(text)))
        args, read = fill_from_schema(text, grammar._normalise(text), params, spec, args, [], names=names)
        missing = [n for n in missing if n not in args]
    for name in list(missing):
        fill = _default_for(params, name)
        if fill is not None:
            args[name], note = fill
            notes.append(note)
            missing.remove(name)
    if missing:
        described = "; ".join(f"{n}: {params['properties'][n].get('description', '')}".rstrip(": ") for n in missing)
        return grammar.Plan(reply=f"{tool} needs more: {described}. Add it to the request, or use "
                                  f"`call {tool} {{...}}` with JSON arguments.")
    if intent not in ("journal_log", "journal_search"):
        used = {**args, **({"window_read": proposed["window_read"]} if "window_read" in proposed else {})}
        notes += unread.unread_parts(text, used, vocab, intent, params, read)
        notes += unread.unused_words(text, used, vocab, read, (specs_of or {}).get(tool))
    return grammar.Plan(tool=tool, args=args, notes=notes)


def _paired_names(low: str, entities: list) -> list:
    """Names and tiers with a percentage written next to them ("60% BTC 40% ETH", "satellite -40%")."""
    spans = list(entities) + [grammar.Span(m.start(), m.end(), m.group(0))
                              for m in re.finditer(rf"\b({'|'.join(grammar.TIERS)})\b", low)]
    spans.sort(key=lambda s: s.start)
    numbers = [n for n in grammar.find_numbers(low) if n.value[1]]
    pairs, _ = grammar.pair_weights(low, spans, numbers)
    named = {name for name, _ in pairs}
    return [s for s in spans if s.value in named] if pairs else []


def _masked(text: str, entities: list) -> str:
    out, at = [], 0
    for e in entities:
        out += [text[at:e.start], "this coin"]
        at = e.end
    return "".join(out + [text[at:]])


def grammar_intent_of(tool: str, schemas: dict[str, dict], tool_names: Sequence[str] | None,
                      known: str | None) -> str | None:
    """The grammar's intent whose tool this is (its argument readings apply), or None for a tool it
    has no phrases for — a plugin's: its arguments then come from its schema alone."""
    if known:
        return known
    for intent in grammar.INTENT_TOOLS:
        if intent not in ("journal_log", "journal_search") and find_tool(intent, schemas, tool_names) == tool:
            return intent
    return None  # a journal tool chosen by meaning, or a plugin's: arguments from the schema


def generic_proposal(text: str, vocab: grammar.Vocabulary, params: dict) -> dict:
    """Canonical values any schema may take: named indices/assets and a window."""
    low = grammar._normalise(text)
    proposed: dict[str, Any] = {}
    names = list(dict.fromkeys(e.value for e in vocab.entities(text)))
    if names:
        proposed["indices"] = names
        if grammar.param_name(params, "symbol") and not grammar.param_name(params, "indices"):
            proposed["symbol"] = names[0]
    durations = grammar.find_durations(low)
    if durations:
        proposed["window"] = grammar.as_window(durations[0].value)
    if grammar.param_name(params, "query"):
        proposed["query"] = text
    return proposed


def _not_a_day_count(proposed: dict, params: dict, text: str) -> dict:
    """"a 30 day lookback" is the `lookback` parameter (days), not the window: a duration named next
    to an integer day-count parameter's name is left for that parameter."""
    properties = params.get("properties", {})
    if "window" not in proposed:
        return proposed
    low = grammar._normalise(text)
    words = {w for name, schema in properties.items() if name != "window"
             and grammar.non_null(schema).get("type") == "integer" and re.search(r"days?\b", schema.get("description", "") + name)
             for w in name.split("_") if len(w) > 3 and w != "days"}
    for span in grammar.find_durations(low):
        near = re.findall(r"[a-z]+", low[max(0, span.start - 16):span.start] + " " + low[span.end:span.end + 16])
        if words & set(near) and grammar.as_window(span.value) == proposed["window"]:
            return {k: v for k, v in proposed.items() if k != "window"}
    return proposed


def _calendar_first(proposed: dict, params: dict, low: str) -> dict:
    """A tool taking start/end dates gets calendar periods ("last quarter" = the last calendar quarter,
    "this year" from 1 January), not the grammar's rolling window for the same words."""
    properties = params.get("properties", {})
    if "window" in properties or "start" not in properties or "window" not in proposed:
        return proposed
    if any(not span.period.point for span in find_periods(low)):
        return {k: v for k, v in proposed.items() if k != "window"}
    return proposed


_FOLLOW_UP = re.compile(r"^(?:and|also|now|then|what about|how about|same|ok(?:ay)?|but|instead|with|make it|try)\b")


def _is_follow_up(text: str, intent: str | None) -> bool:
    low = text.lower().strip()
    return bool(_FOLLOW_UP.match(low)) and len(low.split()) <= 8 or (intent is None and len(low.split()) <= 3)


def _follow_up(text: str, vocab: grammar.Vocabulary, schemas: dict[str, dict], specs_of: dict[str, Any],
               previous: dict, data_end: Callable[[], date] | None) -> grammar.Plan:
    """"and monthly?" after a backtest: the previous call with what the follow-up changes."""
    tool = previous["name"]
    params = schemas[tool].get("parameters", {})
    intent = grammar_intent_of(tool, schemas, None, None)
    proposed: dict[str, Any] = {}
    if intent and intent not in ("journal_log", "journal_search"):
        proposed, _, problem = grammar.build_args(intent, text, vocab, params, {})
        proposed = {k: v for k, v in proposed.items() if k != "indices" or vocab.entities(text)}
    else:
        proposed = generic_proposal(text, vocab, params)
        proposed.pop("query", None)
    proposed = _window_as_dates(_calendar_first(_not_a_day_count(proposed, params, text), params, text.lower()),
                                params, data_end)
    changed, _ = fit_arguments(params, proposed)
    changed, read = fill_from_schema(text, grammar._normalise(text), params, specs_of.get(tool), changed, [])
    if not changed:
        return grammar.Plan(reply=f"I read that as a follow-up to {tool}, but found nothing to change in it. "
                                  f"Say what to change, e.g. a window, a date or a value.")
    args = {**(previous.get("args") or {}), **changed}
    shown = ", ".join(f"{k}={v}" for k, v in changed.items())
    return grammar.Plan(tool=tool, args=args, notes=[f"Follow-up: the previous {tool} call with {shown}."])


def _window_as_dates(proposed: dict, params: dict, data_end: Callable[[], date] | None = None) -> dict:
    """A window for a tool that takes `start`/`end` dates instead ("since 2022" → start 2022-01-01)."""
    window = proposed.get("window")
    properties = params.get("properties", {})
    if not isinstance(window, str) or "window" in properties or "start" not in properties:
        return proposed
    out = {k: v for k, v in proposed.items() if k != "window"}
    out["window_read"] = window  # not a parameter: tells the unread-parts check the window was used
    if ":" in window:
        start, _, end = window.partition(":")
        out["start"] = start or None
        if end and "end" in properties:
            out["end"] = end
        return out
    days = grammar.window_days(window)
    if days:
        out["start"] = ((data_end or date.today)() - timedelta(days=days)).isoformat()
    elif window == "ytd":
        out["start"] = f"{(data_end or date.today)().year}-01-01"
    else:
        return proposed
    return out


def _default_for(params: dict, name: str) -> tuple[Any, str] | None:
    """The default portfolio (or its indices) for a required portfolio-shaped parameter left empty."""
    if name == grammar.param_name(params, "weights"):
        weights = grammar.Weights(grammar.DEFAULT_PORTFOLIO)
        return fit_value(params["properties"][name], weights)[1], grammar.DEFAULT_PORTFOLIO_NOTE
    if name == grammar.param_name(params, "indices"):
        names = [n for n, _ in grammar.DEFAULT_PORTFOLIO]
        return fit_value(params["properties"][name], names)[1], grammar.DEFAULT_INDICES_NOTE
    return None


