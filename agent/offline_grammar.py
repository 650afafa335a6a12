"""The offline router's grammar: the arguments an intent's phrases carry, read from the text.

Pure text processing (standard library only): the indices and assets named, weights, shocks and
scenarios, windows, horizons, percentages and quarters, fitted later to the bound tool's JSON schema
(its parameter names, types and enums). Names live in offline_names.py, the phrase patterns that
say which intent is meant in offline_phrases.py (re-exported here). Documented in docs/offline_router.md.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from indexdesk.agent.offline_dates import find_periods
from indexdesk.agent.offline_values import (  # noqa: F401 - the router and tests read them from here
    Span, _NUMBER_WORDS, _DATE, _DURATION, _UNIT_DAYS, _WORD_WINDOWS, _QUARTER, _NUMBER, _normalise, _blank,
    window_of_days, find_durations, window_days, as_window, find_quarter, current_quarter, find_numbers,
    as_fraction)
from indexdesk.agent.schema_reading import enum_of, is_optional, non_null  # noqa: F401 - the router reads them from here
# Names and phrase patterns live in their own modules; the router, the model wrapper and tests read them from here.
from indexdesk.agent.offline_names import (  # noqa: F401
    AMBIGUOUS_SYMBOLS, ASSET_NICKNAMES, INDEX_NICKNAMES, Vocabulary, _phrase_variants, load_index_names)
from indexdesk.agent.offline_phrases import (  # noqa: F401
    GRAMMAR_HELP, INTENT_TITLES, INTENT_TOOLS, _INTENTS, _JOURNAL_LOG, _JOURNAL_SEARCH, _strip_quotes, detect_intent,
    matching_intents)


def _default_portfolio() -> tuple[tuple[str, float], ...]:
    from indexdesk.tools.targets import default_targets

    return tuple(default_targets().weights().items())


# The tier template (tools/targets.py) used when a risk question names no portfolio:
# core 55 %, satellite 35 %, speculative 10 %.
DEFAULT_PORTFOLIO: tuple[tuple[str, float], ...] = _default_portfolio()
# The note names the holdings but not their weights: the weights are the router's input, not a tool
# result, so the grounding check would rightly flag them (they are in docs/offline_router.md and `/last`).
DEFAULT_PORTFOLIO_NOTE = ("No portfolio was given, so this uses the default tier template: core (large_cap, balanced), "
                          "satellite (layer1, defi, ai_data) and speculative (memecoins); `/last` shows the weights.")
DEFAULT_INDICES_NOTE = ("No indices were named, so this uses the default tier template's indices: "
                        + ", ".join(name for name, _ in DEFAULT_PORTFOLIO) + ".")

# Parameter names other tools might use for the values the grammar extracts.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "indices": ("names", "assets", "symbols", "tickers", "universe", "index"),
    "window": ("period", "lookback", "range"),
    "benchmark": ("relative_to", "versus"),
    "weights": ("portfolio", "allocation", "holdings", "positions", "targets", "target_weights"),
    "confidence": ("confidence_level", "level"),
    "horizon_days": ("horizon", "days", "holding_days", "holding_period_days"),
    "scenarios": ("scenario", "episodes", "events"),
    "target_volatility": ("target_vol", "vol_target", "volatility"),
    "text": ("entry", "note", "content"),
    "query": ("text", "q", "search"),
    "quarter": ("period", "quarter_label"),
    "strategy": ("signal", "rule", "method", "style", "kind"),
    "capital": ("amount", "notional", "portfolio_value", "budget"),
    "kind": ("side", "type", "action", "transaction_kind"),
    "symbol": ("asset", "name", "ticker"),
    "year": ("tax_year", "calendar_year"),
    "quantity": ("qty", "units", "size"),
    "price": ("unit_price", "fill_price"),
}


@dataclass(frozen=True)
class Weights:
    """Portfolio weights as the grammar found them; fitted to the tool's schema shape later."""

    items: tuple[tuple[str, float], ...]


@dataclass
class Plan:
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reply: str = ""


# ---------------------------------------------------------------- arguments from the text

_WINDOW_CUE = re.compile(r"(using|lookback|look back|window|history|estimated|based on|data from|calibrated|over the"
                         r"|of data)(?:\s+(?:the\s+)?(?:last|past|previous|prior))?\W*$")
# "3 years of history", "a 1y lookback": the words after a duration that make it the estimation window
_WINDOW_AFTER = re.compile(r"\s*(?:of\s+(?:history|data|returns|prices|price history)|(?:of\s+)?lookback|window|history)\b")
_HORIZON_CUE = re.compile(r"(horizon|holding|hold for|for)\W*$")
_VOL_TARGET = re.compile(r"(\d+(?:\.\d+)?)\s*(%)?\s*(?:annual(?:ised|ized)?\s+)?(?:vol\b|volatility)"
                         r"|(?:vol|volatility)\s*(?:target)?\s*(?:of|at|=|:)?\s*(\d+(?:\.\d+)?)\s*(%)?")
_MONEY = re.compile(r"\$\s*(\d+(?:[.,]\d+)*)\s*(k|m)?\b|\b(\d+(?:[.,]\d+)*)\s*(k|m)?\s*(?:usd|dollars|usdt)\b")
_AS_BENCHMARK = re.compile(r"\bas\s+(?:the\s+|a\s+|my\s+|our\s+)?(?:benchmark|baseline|yardstick)\b")
_BENCHMARK = re.compile(r"\b(?:against|relative to|benchmark(?:ed)?(?:\s+(?:to|against))?|vs\.?\s+benchmark)\s+")
_METHOD_WORDS = {"historical": ("historical", "historic", "empirical"), "parametric": ("parametric", "gaussian", "normal"),
                 "cornish_fisher": ("cornish", "modified"), "monte_carlo": ("monte carlo", "monte-carlo", "simulation")}
_EVERY_INDEX = re.compile(r"\b(sectors?|all (?:the |my )?(?:indices|indexes|baskets)|every (?:index|sector|basket)|"
                          r"each (?:index|sector|basket)|the (?:indices|indexes|baskets)|categories|"
                          r"which (?:index|indices|indexes|basket|baskets)|(?:best|worst|most \w+|least \w+) (?:index|basket))\b")
_ROTATION_SKIP = {"by", "with", "using", "into", "to", "on", "the", "my", "a", "an", "and", "for", "portfolio"}


_SLASH = re.compile(r"(?<![\w.%/])(\d{1,3}(?:\.\d+)?(?:\s*/\s*\d{1,3}(?:\.\d+)?){1,4})(?![\w.%/])")


def _slash_weights(low: str, entities: list[Span], numbers: list[Span]) -> tuple[list[tuple[str, float]], set[int]]:
    """"a 60/40 btc eth portfolio", "70/30 in large cap and defi": as many names right after as numbers."""
    for m in _SLASH.finditer(low):
        parts = [float(x) for x in re.split(r"\s*/\s*", m.group(1))]
        names = [e for e in entities if e.start >= m.end()][:len(parts)]
        if len(names) < len(parts) or abs(sum(parts) - 100) > 1e-6 or not re.fullmatch(
                r"[\s,/&]*(?:(?:in|of|into)\s+)?", low[m.end():names[0].start]):
            continue
        gaps = [low[a.end:b.start] for a, b in itertools.pairwise(names)]
        if all(re.fullmatch(r"\s*(?:,|/|and|&|\+)?\s*", g) for g in gaps):
            return ([(e.value, round(x / 100, 10)) for e, x in zip(names, parts)],
                    {n.start for n in numbers if m.start() <= n.start < m.end()})
    return [], set()


def pair_weights(low: str, entities: list[Span], numbers: list[Span]) -> tuple[list[tuple[str, float]], set[int]]:
    """Weights written next to names ("60% BTC 40% ETH", "btc 0.6 eth 0.4", "60/40 btc eth"); used number starts."""
    slashed = _slash_weights(low, entities, numbers)
    if slashed[0]:
        return slashed
    # "10k", "$500", "2 bn": money, never a weight
    numbers = [n for n in numbers if not re.match(r"\s?(?:k|m|mm|bn|usd|dollars?)\b", low[n.end:n.end + 9])
               and low[max(0, n.start - 1):n.start] != "$"]
    def pairs(after: bool) -> dict[int, Span]:
        out: dict[int, Span] = {}
        for i, entity in enumerate(entities):
            for number in numbers:
                gap = low[entity.end:number.start] if after else low[number.end:entity.start]
                ok = (number.start >= entity.end and re.fullmatch(r"\s*[:=]?\s*", gap)) if after else \
                     (number.end <= entity.start and re.fullmatch(r"\s*(in|of|into)?\s*", gap))
                if ok and number.start not in {n.start for n in out.values()}:
                    out[i] = number
                    break
        return out

    after, before = pairs(True), pairs(False)
    chosen = after if len(after) >= len(before) else before
    if not chosen:
        return [], set()
    scale = any(n.value[1] or n.value[0] > 1 for n in chosen.values())
    weights = [(entities[i].value, round(n.value[0] / 100, 10) if scale else n.value[0]) for i, n in sorted(chosen.items())]
    return weights, {n.start for n in chosen.values()}


# Words too common to name one scenario on their own ("a 50% crash in defi" is not the covid crash).
_GENERIC_SCENARIO_WORDS = {"shock", "custom", "failure", "crash", "collapse", "market", "exchange", "tier", "2020", "2022"}
_HALVES = re.compile(r"\b(halves|halved|gets cut in half|is cut in half|goes to zero|goes to 0|doubles)\b")
_SHOCK_AFTER = re.compile(r"(?:\s+tier)?(?:\s+(?:with|by|at))?\s*(?:(?P<down>drops?|falls?|crash(?:es)?|loses|sinks|tanks|plunges|dumps|declines|is down|"
                          r"goes down|were to drop|were to fall|down)|(?P<up>rises?|gains?|jumps?|rall(?:y|ies)|pumps?|"
                          r"is up|goes up|doubles|up))?\s*(?:by\s*)?(?P<sign>[-+−])?(?P<num>\d+(?:\.\d+)?)\s*%")
_SHOCK_BEFORE = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*%\s*(?:(?P<down>drop|fall|crash|decline|loss|sell-?off)|"
                           r"(?P<up>rise|gain|rally|pump))\s*(?:in|of|for)\s*$")
TIERS = ("core", "satellite", "speculative", "cash")


def find_shocks(low: str, entities: list[Span]) -> tuple[list[tuple[str, float]], set[str]]:
    """Hypothetical moves ("defi drops 50%", "a 30% fall in BTC", "satellite -40%") and which are tiers."""
    spans = list(entities) + [Span(m.start(), m.end(), m.group(0)) for m in re.finditer(rf"\b({'|'.join(TIERS)})\b", low)]
    shocks: dict[str, float] = {}
    tiers: set[str] = set()
    last: tuple[int, bool] | None = None  # where the previous shock ended and whether it was a fall
    for span in sorted(spans, key=lambda s: s.start):
        word = _HALVES.match(low, span.end + 1) if low[span.end:span.end + 1] == " " else None
        if word:  # "btc halves", "luna goes to zero": a move said in words
            name = span.value if low[span.start:span.end] not in TIERS else low[span.start:span.end]
            move = {"doubles": 1.0}.get(word.group(1), -1.0 if "zero" in word.group(1) or "0" in word.group(1) else -0.5)
            shocks.setdefault(name, move)
            tiers.update({name} & set(TIERS))
            last = (word.end(), move < 0)
            continue
        m = _SHOCK_AFTER.match(low, span.end)
        inherited = None
        if m and not (m.group("down") or m.group("up") or m.group("sign")) and last is not None \
                and re.fullmatch(r"\s*(?:,|and|&)\s*(?:and\s+)?", low[last[0]:span.start]):
            inherited = last[1]  # "eth drops 30% and sol 45%": the second move goes the same way
        elif not m or not (m.group("down") or m.group("up") or m.group("sign")):
            m = _SHOCK_BEFORE.search(low[:span.start])
            if not m:
                continue
        size = float(m.group("num")) / 100
        negative = inherited if inherited is not None else \
            bool(m.group("down")) or (m.groupdict().get("sign") in ("-", "−"))
        last = (m.end() if m.start() >= span.end else span.end, negative)
        name = span.value if low[span.start:span.end] not in TIERS else low[span.start:span.end]
        if name in TIERS:
            tiers.add(name)
        shocks.setdefault(name, round(-size if negative else size, 10))
    return list(shocks.items()), tiers


def scenario_spans(low: str, scenarios: Sequence[str]) -> list[Span]:
    """Scenario names and their distinctive words ("luna" → luna_collapse_2022)."""
    words: dict[str, list[str]] = {}
    for name in scenarios:
        for token in set(re.split(r"[_\W]+", name.lower())) - {""}:
            words.setdefault(token, []).append(name)
    cues = {name.lower(): name for name in scenarios}
    cues.update({token: names[0] for token, names in words.items()
                 if len(names) == 1 and len(token) > 2 and token not in _GENERIC_SCENARIO_WORDS})
    def named(fragment: str) -> str:
        return next((s for s in scenarios if fragment in s.lower()), "")
    cues.update({"covid": named("covid"), "2018": named("2018"), "bear market": named("bear"), "terra": named("luna"),
                 "exchange failure": named("exchange"), "exchange hack": named("exchange"),
                 "exchange collapse": named("exchange"), "exchange goes bust": named("exchange")})
    cues = {k: v for k, v in cues.items() if v}
    found = []
    for cue in sorted(cues, key=len, reverse=True):
        if cue not in low:  # no pattern to compile for an absent cue
            continue
        for m in re.finditer(rf"(?<![\w]){re.escape(cue)}(?![\w])", low):
            if not any(s.start <= m.start() < s.end for s in found):
                found.append(Span(m.start(), m.end(), cues[cue]))
    return sorted(found, key=lambda s: s.start)


_TAGGED = re.compile(r"[.;,]?\s*\btag(?:ged)?\s+(?:it|this|that)?\s*(?:as|with)?\s*:?\s*(?P<tags>#?[\w-]+(?:\s*(?:,|and)\s*#?[\w-]+)*)\s*\.?\s*$", re.IGNORECASE)


def _entry_labels(entry: str, params: dict) -> dict:
    """What an entry says about itself: "… tag it ai-thesis" → tags, "my thesis: …" → the kind its
    schema lists ("thesis:", "lesson:"), when the tool takes them."""
    props, found = params.get("properties", {}), {}
    tagged = _TAGGED.search(entry)
    if tagged and "tags" in props:
        found["tags"] = [t.lstrip("#") for t in re.split(r"\s*(?:,|\band\b)\s*", tagged.group("tags")) if t.strip()]
    kinds = [v for alt in props.get("kind", {}).get("anyOf", [props.get("kind", {})]) for v in alt.get("enum", [])]
    label = re.match(r"^\s*(?:my\s+|a\s+|the\s+)?(\w+)\s*:", entry)
    if label and label.group(1).lower() in kinds:
        found["kind"] = label.group(1).lower()
    return found


def build_args(intent: str, text: str, vocab: Vocabulary, params: dict, extra: dict[str, str]) -> tuple[dict, list[str], str]:
    """Canonically named arguments for the intent, notes for the answer, and a reply when unclear."""
    low = _normalise(text)
    args: dict[str, Any] = {}
    notes: list[str] = []
    if intent in ("journal_log", "journal_search"):
        key = "text" if intent == "journal_log" else "query"
        value = extra.get(key, "").strip()
        found = {key: value, **({"kind": extra["kind"]} if "kind" in extra else {})}
        if intent == "journal_log" and value:
            found.update(_entry_labels(value, params))
        return (found, notes, "") if value else ({}, notes, f"What should the {INTENT_TITLES[intent]} say? "
                                                         "e.g. `journal: trimmed BTC after CPI`")
    quarter = find_quarter(low)
    if intent == "review":
        if quarter:  # else the tool's own default (the last complete quarter, not the one in progress)
            args["quarter"] = quarter.value
        return args, notes, ""
    blanked_spans = [(quarter.start, quarter.end)] if quarter else []
    durations = find_durations(_blank(low, blanked_spans))
    blanked_spans += [(d.start, d.end) for d in durations]
    if intent == "stress":
        scenarios = scenario_spans(_blank(low, blanked_spans), _scenario_names(params))
        if scenarios:
            args["scenarios"] = list(dict.fromkeys(s.value for s in scenarios))
        blanked_spans += [(s.start, s.end) for s in scenarios]
    clean_text, clean_low = _blank(text, blanked_spans), _blank(low, blanked_spans)
    vol = _VOL_TARGET.search(clean_low) if intent == "sizing" else None
    if vol:
        number, percent = (vol.group(1), vol.group(2)) if vol.group(1) else (vol.group(3), vol.group(4))
        args["target_volatility"] = as_fraction(float(number), bool(percent))
        clean_text, clean_low = _blank(clean_text, [vol.span()]), _blank(clean_low, [vol.span()])
    money = _MONEY.search(clean_low)
    if money and intent in ("sizing", "rotation"):
        amount, unit = (money.group(1), money.group(2)) if money.group(1) else (money.group(3), money.group(4))
        args["capital"] = float(amount.replace(",", "")) * {"k": 1e3, "m": 1e6}.get(unit or "", 1)
        clean_text, clean_low = _blank(clean_text, [money.span()]), _blank(clean_low, [money.span()])
    entities = vocab.entities(clean_text)
    names = list(dict.fromkeys(e.value for e in entities))
    # A word window inside a longer calendar phrase ("this year" of "between 1 March and 30 June this year") is
    # that phrase's year, not a window of its own: the calendar period is read whole.
    periods = [(p.start, p.end) for p in find_periods(low) if not p.period.point]
    windows = [d for d in durations if not any(a <= d.start and d.end <= b and b - a > d.end - d.start for a, b in periods)]
    all_entities = entities
    if intent == "stress":
        shocks, tiers = find_shocks(clean_low, entities)
        if shocks:
            args["shocks"] = Weights(tuple(shocks))
            kind = "tier_shock" if tiers else "custom"
            args["scenarios"] = list(dict.fromkeys(args.get("scenarios", []) + [kind]))
            shocked = {name for name, _ in shocks}
            entities = [e for e in entities if e.value not in shocked]
            names = [n for n in names if n not in shocked]
    if intent in ("var", "stress"):
        numbers = find_numbers(clean_low)
        weights, used = pair_weights(clean_low, entities, numbers)
        if entities is not all_entities:  # a shocked name can be held too: "30% defi … defi falls 50%"
            whole, whole_used = pair_weights(clean_low, all_entities, numbers)
            if len(whole) > len(weights) and abs(sum(w for _, w in whole) - 1) < 0.011:  # a whole portfolio said
                weights, used = whole, whole_used
        if not weights and names:
            weights = [(name, 1.0 / len(names)) for name in names]
        weights_param = param_schema(params, "weights")
        if weights:
            args["weights"] = Weights(tuple(weights))
        elif weights_param is None or not (is_optional(weights_param)
                                           or param_name(params, "weights") not in (params.get("required") or [])):
            # The tool needs weights and has no fallback of its own: the tier template, said out loud.
            args["weights"] = Weights(DEFAULT_PORTFOLIO)
            notes.append(DEFAULT_PORTFOLIO_NOTE)
        # else: the tool's own chain (explicit → ledger holdings → tier template) applies; its result's
        # `origin` says which was used.
        if intent == "var":
            _var_args(args, low, clean_low, numbers, used, durations, params)
            windows = []
    elif intent == "transaction":
        _transaction_args(args, clean_low, entities)
    else:
        bench = _BENCHMARK.search(clean_low)
        named_as = _AS_BENCHMARK.search(clean_low)  # "with ETH as the benchmark": the name comes first
        if named_as and not bench and intent == "performance":
            before = [e for e in entities if e.end <= named_as.start() and not clean_low[e.end:named_as.start()].strip()]
            if before:
                args["benchmark"] = before[-1].value
                names = [n for n in names if n != before[-1].value] or names
        versus = list(re.finditer(r"\b(?:vs\.?|versus)\s+", clean_low))
        if not bench and not named_as and intent == "performance" and len(versus) == 1:
            # "defi and layer1 … vs btc": a list set against one name measures the list by it (a benchmark);
            # "gaming vs defi" (one name each side) stays a comparison of both.
            before = {e.value for e in entities if e.end <= versus[0].start()}
            after = {e.value for e in entities if e.start >= versus[0].end()}
            if len(before) >= 2 and len(after) == 1 and not before & after:
                bench = versus[0]
        if bench and intent == "performance":
            benchmark = next((e.value for e in entities if e.start >= bench.end()), None)
            if benchmark:
                args["benchmark"] = benchmark
                replaced = {e.value for e in entities if e.start >= bench.end()
                            and re.search(r"\b(?:instead of|rather than|not)\s+(?:the\s+)?$", clean_low[:e.start])}
                names = [n for n in names if n != benchmark and n not in replaced] or names  # "… instead of bitcoin"
        weights, _ = pair_weights(clean_low, entities, find_numbers(clean_low))
        if weights and param_name(params, "weights"):  # "rotate … for 60% defi 40% layer1": weights for any tool
            args["weights"] = Weights(tuple(weights))
        elif names:
            args["indices"] = names
        elif intent == "correlation":
            args["indices"] = [name for name, _ in DEFAULT_PORTFOLIO]
            notes.append(DEFAULT_INDICES_NOTE)
        elif intent == "sizing":
            args["weights"] = Weights(DEFAULT_PORTFOLIO)
            notes.append(DEFAULT_PORTFOLIO_NOTE)
        elif intent == "performance" and _EVERY_INDEX.search(clean_low):
            args["indices"] = list(vocab.index_names)  # "rank the sectors", "best performing sector": all of them
        elif intent == "performance":
            return {}, notes, ("Which index or asset? Known indices: " + ", ".join(vocab.index_names)
                               + ". e.g. `how did defi do over 90 days`")
        if intent == "correlation" and len(names) == 1:
            return {}, notes, f"Correlation needs two or more names; you gave {names[0]}. e.g. `correlation of defi and layer1 90d`"
        if intent in ("rotation", "backtest"):
            strategy = _rotation_word(clean_low, params)
            if strategy:
                args["strategy"] = strategy
        if quarter and intent in ("attribution", "gains"):
            args["quarter"] = quarter.value
        if param_name(params, "year"):
            year = re.search(r"\b(20\d\d)\b", low)
            if year:
                args["year"] = int(year.group(1))
                windows = []
            elif re.search(r"\bthis year\b|\bytd\b", low):
                args["year"] = date.today().year
                windows = []
        if param_name(params, "symbol") and names and not param_name(params, "indices"):
            args["symbol"] = names[0]
    if windows:
        args["window"] = as_window(windows[0].value)
    return args, notes, ""


_TX_KIND = re.compile(r"\b(bought|buy|sold|sell|deposit(?:ed)?|withdr[ae]w\w*|fee|income|transfer(?:red)?)\b")
_TX_KINDS = {"bought": "buy", "buy": "buy", "sold": "sell", "sell": "sell", "fee": "fee", "income": "income"}


def _transaction_args(args: dict, low: str, entities: list[Span]) -> None:
    """`bought 0.5 BTC at 60000`: kind, quantity, symbol, price."""
    m = _TX_KIND.search(low)
    if m:
        word = m.group(1)
        args["kind"] = _TX_KINDS.get(word) or ("deposit" if word.startswith("deposit") else
                                             "withdrawal" if word.startswith("withdr") else "transfer")
    if entities:
        args["symbol"] = entities[0].value
        before = re.search(r"(\d[\d,]*(?:\.\d+)?)\s?(k|m|thousand|million)?\s*$", low[:entities[0].start])
        if before:  # "0.5 BTC", "5k USDC", "1,200 XRP"
            scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get(before.group(2) or "", 1)
            args["quantity"] = float(before.group(1).replace(",", "")) * scale
    price = re.search(r"(?:\bat\b|@|\bfor\b)\s*\$?\s*(\d[\d,]*(?:\.\d+)?)\s*(k|m)?\b", low)
    if price:
        args["price"] = float(price.group(1).replace(",", "")) * {"k": 1e3, "m": 1e6}.get(price.group(2) or "", 1)


def _var_args(args: dict, low: str, clean_low: str, numbers: list[Span], used: set[int], durations: list[Span],
              params: dict) -> None:
    """Confidence, horizon, estimation window and method of a VaR request."""
    for number in numbers:
        value, percent = number.value
        if number.start in used:
            continue
        if (percent and 50 <= value < 100) or (not percent and 0.5 <= value < 1):
            args["confidence"] = round(value / 100, 10) if percent else value
            break
        if not percent and 50 <= value < 100 and (re.match(r"\s*(confidence|conf|level)", clean_low[number.end:])
                                                  or re.search(r"\b(?:var|cvar|es|shortfall)\s+(?:at\s+)?$", clean_low[:number.start])):
            args["confidence"] = round(value / 100, 10)
            break
    horizon = window = None
    for span in durations:
        before = low[max(0, span.start - 30):span.start]
        if isinstance(span.value, int) and (_HORIZON_CUE.search(before) or re.match(r"\s*horizon", low[span.end:])):
            horizon = span.value if horizon is None else horizon
        elif _WINDOW_CUE.search(before) or _WINDOW_AFTER.match(low[span.end:]) or not isinstance(span.value, int):
            window = span.value if window is None else window
        elif horizon is None:
            horizon = span.value
        elif window is None:
            window = span.value
    if horizon is None and re.search(r"\b(daily|one[- ]day|1[- ]day|overnight)\b", low):
        horizon = 1
    if horizon is not None:
        args["horizon_days"] = horizon
    if window is not None:
        args["window"] = as_window(window)
    method = param_schema(params, "method")
    choices = [str(v) for v in enum_of(method)] if method else list(_METHOD_WORDS)
    for choice in choices:
        cue_words = _METHOD_WORDS.get(choice, ()) + (choice.replace("_", " "), choice)
        if any(w in low and re.search(rf"\b{re.escape(w)}", low) for w in cue_words):
            args["method"] = choice
            break


def _described_choices(schema: dict | None) -> list[str]:
    """Choices a description lists when the schema has no enum: "momentum, mean_reversion, blended or pair"."""
    text = (schema or {}).get("description", "").split("(")[0].split(".")[0]
    if "," not in text and " or " not in text:
        return []
    return [w for w in re.findall(r"[a-z][a-z_]+", text) if w not in ("or", "and", "the", "a", "of")]


def _rotation_word(low: str, params: dict) -> str | None:
    strategy = param_schema(params, "strategy")
    for choice in (enum_of(strategy) or _described_choices(strategy)) if strategy else []:
        if str(choice).lower().replace("_", " ") in low or str(choice).lower() in low:
            return str(choice)
    m = re.search(r"\brotat\w*\s+(?:by\s+|on\s+|using\s+|with\s+)?([a-z_]+)", low)
    if m and m.group(1) not in _ROTATION_SKIP:
        return m.group(1)
    m = re.search(r"\b([a-z_]+)\s+rotation\b", low)
    return m.group(1) if m and m.group(1) not in _ROTATION_SKIP else None


def _scenario_names(params: dict) -> list[str]:
    schema = param_schema(params, "scenarios")
    if schema:
        inner = non_null(schema)
        names = enum_of(inner.get("items", {})) if inner.get("type") == "array" else enum_of(inner)
        if names:
            return [str(n) for n in names]
        described = re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\bcustom\b", schema.get("description", ""))
        if described:
            return list(dict.fromkeys(described))
    from indexdesk.tools.risk.scenarios import REPLAYS

    return list(REPLAYS)


# ---------------------------------------------------------------- fitting to the tool schema

def param_schema(params: dict, canonical: str) -> dict | None:
    name = param_name(params, canonical)
    return params.get("properties", {}).get(name) if name else None


def param_name(params: dict, canonical: str) -> str | None:
    properties = params.get("properties", {})
    for name in (canonical,) + SYNONYMS.get(canonical, ()):
        if name in properties:
            return name
    if canonical == "weights":  # any list of {name, number} (set_targets' `indices`) takes weights
        for name, schema in properties.items():
            items = non_null(non_null(schema).get("items", {}))
            props = items.get("properties", {})
            if any(non_null(v).get("type") in ("number", "integer") for v in props.values()) \
                    and any(non_null(v).get("type") == "string" for v in props.values()):
                return name
    return None
