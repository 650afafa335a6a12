"""The offline router: maps plain requests and slash commands to tool calls, with no key and no server.

It maps plain requests and slash commands to calls of the bound tools ("var 99% 30d",
"how did defi do over 90 days", "journal: trimmed BTC after CPI", "review 2026Q3") and, once
the tool results are back, answers with them as Markdown tables whose numbers are copied
verbatim from the results. Tool names and parameters come from the bound tools' schemas, so it
adapts to whatever the registry holds. This module imports no LangChain: the chat model that
drives the agent graph with it is `agent/offline_model.py`. The grammar is documented in
docs/offline_router.md; parsing lives in `agent/offline_grammar.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from indexdesk.agent import offline_adjust as adjust
from indexdesk.agent import offline_grammar as grammar
from indexdesk.agent import offline_intent as intents
from indexdesk.agent import offline_switches as switches
from indexdesk.agent import offline_unread as unread
from indexdesk.agent.offline_dates import find_periods
from indexdesk.agent.offline_fill import KNOWN_VENUES
from indexdesk.agent.offline_fill import fill as fill_from_schema
from indexdesk.agent.offline_fill import id_params as fill_id_params
from indexdesk.agent.offline_fitting import fit_arguments, fit_value, plain_args  # noqa: F401 - tests import them here
from indexdesk.agent.render import compact_args, result_markdown, user_facing


def answer_sections(results: list[tuple[str, str, Any]], notes: list[str],
                    units: dict[str, dict[str, str] | None] | None = None) -> str:
    """The answer once the tool results are back: one Markdown section per result (heading, the
    result parsed from JSON or shown as text), then the router's notes, each once. `units`: the
    tools' declared result units by name, from the registry that ran them (else the default one's)."""
    sections = []
    for heading, name, text in results:
        try:
            result: Any = json.loads(text)
        except json.JSONDecodeError:
            sections.append(f"**{heading}**: {user_facing(text)}")
            continue
        given = units is not None and name in units
        sections.append(result_markdown(result, heading, units[name] if given else None, tool=name, units_given=given))
    sections += [f"_{note}_" for note in dict.fromkeys(notes)]
    return "\n\n".join(sections)


def result_heading(name: str, args: dict) -> str:
    """A result's heading: the tool and its text arguments ("get_index_performance(indices=["defi"])")."""
    shown = compact_args(_text_args(args or {}))
    return f"{name}({shown})" if shown else name


def _text_args(args: dict) -> dict:
    """Only the text arguments: numbers in a heading would not be in the tool result."""
    out = {}
    for key, value in args.items():
        if isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            out[key] = value
    return out


def usage_estimate(prompt: str, output: str) -> dict:
    """Rough token counts (4 characters a token) so /cost has something to add; the price is zero."""
    input_tokens, output_tokens = max(1, len(prompt) // 4), max(1, len(output) // 4)
    return {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}


def vocabulary_for(settings: Any, index_names: Sequence[str] | None = None,
                   index_aliases: dict[str, str] | None = None) -> grammar.Vocabulary:
    """The names the router recognises: the given index names, else the configured catalogue's."""
    names, aliases = index_names, index_aliases
    if names is None:
        names, aliases_found = grammar.load_index_names(settings)
        aliases = aliases if aliases is not None else aliases_found
    return grammar.Vocabulary.build(names, aliases)


def market_end(ctx: Any) -> date:
    """The last day of the context's market data: "the last 30 days" count back from it, not from the
    wall clock (a CSV can end months ago); today when there is no data yet (the tool will say so)."""
    try:
        return ctx.market().close.index[-1].date()
    except Exception:  # noqa: BLE001 - no data yet: count from today
        return date.today()


def stream_pieces(text: str, size: int = 24) -> list[str]:
    """Stream an answer in small pieces ending after a space, so the terminal shows it arriving. The
    pieces join back to the text exactly (runs of spaces in a table's cells included)."""
    pieces, current = [], ""
    for token in re.findall(r"\s*\S+\s*|\s+", text):
        current += token
        if len(current) >= size:
            pieces.append(current)
            current = ""
    if current or not pieces:
        pieces.append(current)
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


CLOSE_READING = 0.35  # a reading this close to the best may win by using every number said


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
    bound = specs_of = ranking = None
    if schemas and intent not in ("journal_log", "journal_search"):
        specs_of = intents.specs_for(schemas, specs)
        if previous and previous.get("name") in schemas and _is_follow_up(text, intent):
            return _follow_up(text, vocab, schemas, specs_of, previous, data_end)
        grammar_tool = find_tool(intent, schemas, tool_names) if intent else None
        if grammar_tool is None:
            grammar_tool = intents.named_tool(low, schemas)
        setter = intents.setter_tool(text, schemas, specs_of)
        if setter is not None and setter != grammar_tool:  # "set the rebalancing band to 15%": explicit
            grammar_tool, intent = setter, None
        if intent and grammar_tool is None:
            return grammar.Plan(reply=not_available(intent, list(schemas)))
        periods = find_periods(low)
        entities = vocab.entities(text)
        paired = _paired_names(low, entities)
        dated = [grammar.Span(p.start, p.end, "") for p in periods]
        dated += [grammar.Span(m.start(1), m.end(1), "") for m in _VENUE_WORD.finditer(low)]  # venues are values too
        masked = _masked(text, _outermost(list(entities) + paired + dated))
        rivals = [t for t in (find_tool(i, schemas, tool_names) for i in grammar.matching_intents(text) if i != intent)
                  if t and t != grammar_tool] if grammar_tool else []
        ranking = intents.rank(text, schemas, specs_of, grammar_tool, periods, bool(entities), masked,
                               has_pairs=bool(paired), cache_dir=cache_dir, rivals=rivals)
        if ranking.grammar_tool != grammar_tool:  # a rival pattern's tool took the bonus: its intent applies
            grammar_tool, intent = ranking.grammar_tool, None
        if not ranking.understood():
            return grammar.Plan(reply="I could not map that to a tool.\n\n" + grammar.GRAMMAR_HELP)
        bound = ranking.top
        if intents.writes(specs_of[bound]) and intents.asks_about_past(text):
            # "when did I panic sell?" asks about what happened; a question records nothing
            bound = next((n for n in ranking.order if not intents.writes(specs_of[n])), bound)
        if setter is not None and ranking.fits.get(setter, 0.0) >= 0:
            bound = setter  # an imperative naming one state-changing tool's parameter decides
        if intents.writes(specs_of[bound]) and not ranking.confident():
            runner_up = ranking.order[1] if len(ranking.order) > 1 else None
            if setter is not None and bound == setter:
                pass  # "change my rebalance band to 5%": the setter form is explicit, like a slash command
            elif grammar_tool is not None and grammar_tool == runner_up and not intents.writes(specs_of[grammar_tool]):
                bound = grammar_tool  # the grammar's explicit form names a read-only tool: the safe reading runs
            else:
                stated = _stated_write(text, low, bound, vocab, schemas, tool_names, specs, specs_of, ranking,
                                       extra, data_end)
                return stated or grammar.Plan(reply=intents.write_question(ranking, specs_of))
        intent = grammar_intent_of(bound, schemas, tool_names, intent if bound == grammar_tool else None)
    if intent is None and bound is None:
        return grammar.Plan(reply="I could not map that to a tool.\n\n" + grammar.GRAMMAR_HELP)
    plan = _fill_call(text, low, bound, intent, vocab, schemas, tool_names, specs, specs_of, ranking, extra, data_end)
    if ranking is None or bound != ranking.top or not _unread_numbers(plan):
        return plan
    for other in ranking.order[1:4]:  # a close reading that uses every number said beats one that drops some
        if intents.writes(specs_of[other]) or ranking.selector.get(other, 0.0) < intents.MIN_SCORE \
                or ranking.scores[bound] - ranking.scores[other] > CLOSE_READING:
            continue
        alt = _fill_call(text, low, other, grammar_intent_of(other, schemas, tool_names, None), vocab, schemas,
                         tool_names, specs, specs_of, None, extra, data_end)
        if alt.tool == other and not _unread_numbers(alt) and ranking.fits.get(other, 0.0) >= 0:
            return alt
    return plan


def _unread_numbers(plan: grammar.Plan) -> int:
    """How many numbers and names said the call could not use (the unread-parts and unused-names notes)."""
    return sum(note.startswith(("I couldn't use", "I didn't use the name")) for note in plan.notes) if plan.tool else 0


def _fill_call(text: str, low: str, bound: str | None, intent: str | None, vocab: grammar.Vocabulary,
               schemas: dict[str, dict], tool_names: Sequence[str] | None, specs: dict[str, Any] | None,
               specs_of: dict[str, Any] | None, ranking: Any, extra: dict,
               data_end: Callable[[], date] | None) -> grammar.Plan:
    """Stage two: the chosen tool's arguments, read from the request by its schema (or a reply saying what is missing)."""
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
    if problem and ranking is not None:
        other = _meaning_choice(ranking, tool, specs_of)
        if other is not None:  # the pattern's tool lacks what it needs; meaning alone preferred another one
            tool, intent = other, grammar_intent_of(other, schemas, tool_names, None)
            params = schemas.get(tool, {}).get("parameters", {})
            if intent is None:
                proposed, notes, problem = generic_proposal(text, vocab, params), [], ""
            else:
                proposed, notes, problem = grammar.build_args(intent, text, vocab, params, extra)
    if problem:
        return grammar.Plan(reply=problem)
    if not params:
        return grammar.Plan(tool=tool, args=plain_args(proposed), notes=_not_fixed(notes, (specs_of or {}).get(tool)))
    proposed = adjust.calendar_first(adjust.not_a_day_count(proposed, params, text), params, low)
    proposed = adjust.window_as_dates(proposed, params, data_end)
    args, missing = fit_arguments(params, proposed)
    read: list[tuple[int, int]] = []
    if intent != "journal_log":
        spec = (specs_of or {}).get(tool) or intents.specs_for({tool: schemas.get(tool, {})}, specs).get(tool)
        names = list(dict.fromkeys(e.value for e in vocab.entities(text)))
        args, read = fill_from_schema(text, grammar._normalise(text), params, spec, args, [], names=names)
        args, read = switches.read(text, grammar._normalise(text), params, args, read, vocab.entities(text))
        missing = [n for n in missing if n not in args]
    for name in list(missing):
        fill = adjust.default_for(params, name)
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
        notes += unread.unused_names(text, used, vocab)
        notes = _not_fixed(notes, (specs_of or {}).get(tool))
    return grammar.Plan(tool=tool, args=args, notes=notes)


def _not_fixed(notes: list[str], spec: Any) -> list[str]:
    """A number the tool's description states as its own fixed behaviour ("how decisions did 30 and 90 days
    later": "pay off 90 days later?") was understood, not dropped."""
    fixed = set(re.findall(r"\d+(?:\.\d+)?", getattr(spec, "description", "") or ""))
    said = [re.match(r"I couldn't use '([^']*)'", n) for n in notes]
    return [n for n, m in zip(notes, said, strict=True) if not (m and m.group(1) in fixed)]


def _stated_write(text: str, low: str, tool: str, vocab: grammar.Vocabulary, schemas: dict[str, dict],
                  tool_names: Sequence[str] | None, specs: dict[str, Any] | None, specs_of: dict[str, Any],
                  ranking: Any, extra: dict, data_end: Callable[[], date] | None) -> grammar.Plan | None:
    """A write stated plainly ("add to the ledger: bought 0.5 btc at 61,000 on kraken", "pair withdrawal
    w3f2a with deposit d91bc") is proposed although the meaning's lead is small: every value said fits
    the tool, and each of its required arguments (at least one; a copy of the whole request does not
    count) is read from the request, none filled by a default. The first of the two best readings does
    that, or the second when the first is a write that cannot ("the fee on tx 9f8e7d was 4": not a new
    trade, a change). Only a statement qualifies, not a question or a plan ("should I sell 0.5 btc at 100k?").
    The call still asks for confirmation before it runs; otherwise None (ask)."""
    if not intents.is_statement(text):
        return None
    for rank_at, name in enumerate(ranking.order[:2]):
        if rank_at and not intents.writes(specs_of.get(name)):
            return None
        plan = _stated_plan(text, low, name, vocab, schemas, tool_names, specs, specs_of, ranking, extra, data_end)
        if plan is not None:
            return plan
    return None


def _stated_plan(text: str, low: str, tool: str, vocab: grammar.Vocabulary, schemas: dict[str, dict],
                 tool_names: Sequence[str] | None, specs: dict[str, Any] | None, specs_of: dict[str, Any],
                 ranking: Any, extra: dict, data_end: Callable[[], date] | None) -> grammar.Plan | None:
    params = schemas.get(tool, {}).get("parameters", {})
    props = params.get("properties", {})
    required = [n for n in params.get("required", []) if n in props and not grammar.is_optional(props[n])
                and "default" not in props[n]]
    required = required or fill_id_params(props)  # no required argument: the ids naming the records to change
    # … or one of the lists of names and numbers it replaces ("new targets: defi 40, layer1 60")
    lists = [] if required else [n for n, p in props.items() if intents._takes_pairs({n: p})]
    if ranking.fits.get(tool, 0.0) < 0 or not (required or lists):
        return None
    plan = _fill_call(text, low, tool, grammar_intent_of(tool, schemas, tool_names, None), vocab, schemas,
                      tool_names, specs, specs_of, None, extra, data_end)
    defaulted = {grammar.DEFAULT_PORTFOLIO_NOTE, grammar.DEFAULT_INDICES_NOTE} & set(plan.notes)
    copied = [n for n in required if isinstance(plan.args.get(n), str) and len(plan.args[n]) >= 0.8 * len(text)]
    if lists:
        required = [n for n in lists if plan.args.get(n) not in (None, "", [])][:1] or lists
    if plan.tool != tool or defaulted or any(plan.args.get(n) in (None, "", []) for n in required) \
            or len(copied) == len(required):
        return None
    return grammar.Plan(tool=tool, args=plan.args, notes=[*plan.notes, (
        f"Read as {intents.title(specs_of[tool])} from what you stated; it changes your data, so it is shown for "
        f"confirmation before it runs.")])


def _meaning_choice(ranking: Any, chosen: str, specs_of: dict[str, Any] | None) -> str | None:
    """The read-only tool meaning alone ranks clearly above `chosen` (the phrase pattern's tool, which could
    not be filled: "how much of my return was timing vs index picks" has performance's words but names no
    index), or None. Without the pattern's bonus the two are compared on meaning and values only; the
    other must lead by the confident margin and take every value said, else the pattern's tool asks."""
    if ranking.grammar_tool != chosen or not specs_of:
        return None
    own = ranking.selector.get(chosen, 0.0) + ranking.fits.get(chosen, 0.0)
    for name in ranking.order:
        if name == chosen or intents.writes(specs_of.get(name)):
            continue
        score = ranking.selector.get(name, 0.0) + ranking.fits.get(name, 0.0)
        if score - own >= intents.CONFIDENT_MARGIN and ranking.fits.get(name, 0.0) >= 0 \
                and ranking.selector.get(name, 0.0) >= intents.MIN_SCORE:
            return name
        return None  # the best other reading does not beat the pattern's tool on meaning
    return None


def _paired_names(low: str, entities: list) -> list:
    """Names and tiers with a percentage written next to them ("60% BTC 40% ETH", "satellite -40%")."""
    spans = list(entities) + [grammar.Span(m.start(), m.end(), m.group(0))
                              for m in re.finditer(rf"\b({'|'.join(grammar.TIERS)})\b", low)]
    # "20% of core kept in stablecoins": a share of what is named, not its weight — nor a weight of the
    # same name said elsewhere ("core/satellite targets … 20% of core")
    spans = sorted((s for s in spans if not re.search(r"\d\s*(?:%|percent|pct)\s+of\s+(?:the\s+|my\s+)?$", low[:s.start])),
                   key=lambda s: s.start)
    numbers = [n for n in grammar.find_numbers(low) if n.value[1]]
    pairs, _ = grammar.pair_weights(low, spans, numbers)
    shocks, _ = grammar.find_shocks(low, entities)  # "hit the speculative tier with -60%": a move by name
    named = {name for name, _ in pairs} | {name for name, _ in shocks}
    return [s for s in spans if s.value in named]


_VENUE_WORD = re.compile(rf"\b({KNOWN_VENUES})\b")


def _outermost(spans: list) -> list:
    """Spans left to right, one per stretch of text (a span inside an earlier, longer one is dropped)."""
    kept: list = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def _masked(text: str, spans: list) -> str:
    """The request as the selector reads it: names and dates are values, not what is asked — a name
    becomes "this coin", a date phrase goes ("last quarter" must not pull toward the quarterly review)."""
    out, at = [], 0
    for e in spans:
        out += [text[at:e.start], "this coin" if e.value else ""]
        at = e.end
    return re.sub(r"\s{2,}", " ", "".join(out + [text[at:]])).strip()


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
    proposed = adjust.window_as_dates(adjust.calendar_first(adjust.not_a_day_count(proposed, params, text), params, text.lower()),
                                params, data_end)
    changed, _ = fit_arguments(params, proposed)
    changed, read = fill_from_schema(text, grammar._normalise(text), params, specs_of.get(tool), changed, [])
    if not changed:
        return grammar.Plan(reply=f"I read that as a follow-up to {tool}, but found nothing to change in it. "
                                  f"Say what to change, e.g. a window, a date or a value.")
    args = {**(previous.get("args") or {}), **changed}
    shown = ", ".join(f"{k}={v}" for k, v in changed.items())
    return grammar.Plan(tool=tool, args=args, notes=[f"Follow-up: the previous {tool} call with {shown}."])
