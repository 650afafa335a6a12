"""Stage one of the offline router: which tool a request means.

Explicit forms decide alone: slash commands and `call TOOL {…}` (offline_router), and journal
prefixes ("journal:", "note that", "jot down", "log this: …"). Everything else is ranked by meaning:
the per-call selector's scores (agent/tool_selection.py: MiniLM over each tool's description,
parameter descriptions and the `examples` on its spec, plus rare-word overlap), plus a bonus for the
tool the grammar's phrase patterns point to, plus a small bonus or penalty for how well the values
in the request fit the tool's parameters (a strategy word, a date, a named index). A new tool is
understood from its spec alone: nothing here names a tool.

A tool that writes (journal, ledger, targets, report files) never runs on a low-confidence guess:
the router asks which of the two best readings was meant.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from indexdesk.agent.offline_values import _normalise, identifiers
from indexdesk.agent.schema_reading import enum_of, non_null

NEAR_TIE = 0.03  # scores closer than this count as a tie, which the grammar's pattern breaks
GRAMMAR_BONUS = 0.2       # the grammar's phrase pattern agrees with this tool
FIT_STEP = 0.06           # per kind of value in the request the tool can (or cannot) take
CONFIDENT_MARGIN = 0.1    # a lead this large over the second reading is confident on its own
MIN_SCORE = 0.45
LEAD_MIN_SCORE = 0.3      # a lower meaning score is enough when the best reading leads the next by CONFIDENT_MARGIN
UNIQUE_VALUE_BONUS = 0.12  # the request names a value only this tool's parameters take
PAIRS_PENALTY = 0.25      # numbers given by name ("60% BTC", "defi -50%") to a tool that takes no such list          # below this (no pattern, no explicit form) the request is not understood

_JOURNAL_PREFIX = re.compile(
    r"^\s*(?:(?:please\s+)?(?:jot|write|put|note)\s+(?:this\s+|it\s+|that\s+)?down|note\s+(?:to\s+self|that|this)|"
    r"log\s+(?:this|that|the\s+following)|journal\s+(?:this|that|entry)|remember\s+that|(?:(?:a\s+)?(?:note|entry)\s+)?for\s+(?:the|my)\s+(?:journal|record)|"
    r"add\s+(?:this\s+)?to\s+(?:my\s+|the\s+)?journal|dear\s+(?:journal|diary))\s*[:\-–—,]?\s*(?:that\s+)?(?P<text>\S.*)$",
    re.S | re.I)


def journal_prefix(text: str) -> str | None:
    """The entry's text when the request starts with a journaling prefix ("jot down: …", "note that …")."""
    m = _JOURNAL_PREFIX.match(text)
    return m.group("text").strip() if m else None


_SETTER = re.compile(r"^\s*(?:please\s+)?(?:set|change|update|raise|lower|increase|decrease|adjust|make|move|bump|put|cut|widen|tighten|reduce|switch)\s+"
                     r"(?:my\s+|the\s+|our\s+)?(?P<object>[a-z][a-z0-9 _-]{0,40}?)\s+(?:to|at)\s+\S", re.I)


def setter_tool(text: str, schemas: dict[str, dict], specs: dict[str, Any]) -> str | None:
    """"set the rebalancing band to 15%": an imperative that sets a parameter of exactly one bound tool
    that changes state (set_targets' `band`) names that tool — an explicit form, like a slash command.
    A read-only tool taking the same parameter (check_rebalance's `band`) is not what "set" asks for."""
    m = _SETTER.match(text)
    if m is None or identifiers(text):  # "change the price of tx-42 to …" edits a stored record
        return None
    said = set(re.split(r"[\s_-]+", m.group("object").lower()))
    found = [name for name, schema in schemas.items() if getattr(specs.get(name), "state_changing", False)
             and any(set(param.split("_")) <= said for param in schema.get("parameters", {}).get("properties", {}))]
    return found[0] if len(found) == 1 else None


def named_tool(low: str, schemas: dict[str, dict]) -> str | None:
    """"reconcile all the matched transfers": a request that says every word of exactly one tool's name
    ("reconcile", "transfers") names that tool, as a slash command would."""
    words = set(re.findall(r"[a-z0-9]+", low))
    said = [name for name in schemas if all(part in words or part + "s" in words or part.rstrip("s") in words
                                            for part in name.split("_"))]
    return said[0] if len(said) == 1 else None


_PAST_QUESTION = re.compile(r"^\s*(?:when|what|why|how|where|which|who)\b[^.!:]*\b(?:did|have|had|was|were)\s+(?:i|we)\b"
                            r"|^\s*(?:did|have|had|was|were)\s+(?:i|we)\b", re.IGNORECASE)


_NOT_A_STATEMENT = re.compile(r"\?\s*$|\b(?:should|would|could|might|may|what if|if|suppose|planning|plan to|thinking|"
                              r"considering|want to|wanna|going to|gonna|will|i'?ll|maybe|perhaps)\b", re.IGNORECASE)


def is_statement(text: str) -> bool:
    """A plain statement or instruction: no question, hypothetical or intention ("should I sell 0.5 btc at
    100k?", "what if I bought 2 sol", "planning to add 0.1 btc") — only a statement can stand for a write."""
    return not _NOT_A_STATEMENT.search(text)


_SHOW = re.compile(r"^\s*(?:please\s+)?(?:show|list|display|view|print)\b", re.IGNORECASE)


def asks_about_past(text: str) -> bool:
    """"when did I panic sell?", "did I ever buy SOL?", "show the audit log for transaction 5c0d": a
    question about what happened, or a request to see something, which writes nothing."""
    return bool(_PAST_QUESTION.match(text) or _SHOW.match(text)) and not journal_prefix(text)


# ---------------------------------------------------------------- specs of the bound tools

def spec_from_schema(name: str, schema: dict) -> Any:
    """A spec-like view of a bound tool the registry does not know (a host's own schema)."""
    props = schema.get("parameters", {}).get("properties", {})
    return SimpleNamespace(name=name, description=schema.get("description", "") or name.replace("_", " "),
                           param_descriptions={k: v.get("description", "") for k, v in props.items()},
                           category="", examples=(), synonyms={}, state_changing=False, writes_files=False)


_REGISTRY_SPECS: dict[str, Any] | None = None
_LOCK = threading.Lock()


def registry_specs() -> dict[str, Any]:
    """The default registry's specs by name (examples, synonyms, writes) — loaded once."""
    global _REGISTRY_SPECS
    with _LOCK:
        if _REGISTRY_SPECS is None:
            try:
                from indexdesk.tools.toolbox import default_registry

                _REGISTRY_SPECS = {s.name: s for s in default_registry()}
            except Exception:  # noqa: BLE001 - a broken plugin must not take the router down
                _REGISTRY_SPECS = {}
        return _REGISTRY_SPECS


def specs_for(schemas: dict[str, dict], specs: dict[str, Any] | None = None) -> dict[str, Any]:
    """One spec per bound tool: the given ones, else the registry's, else read from the schema."""
    known = specs if specs is not None else registry_specs()
    out = {}
    for name, schema in schemas.items():
        spec = known.get(name)
        same = spec is not None and set(getattr(spec, "param_descriptions", {}) or {}) >= \
            set(schema.get("parameters", {}).get("properties", {}))
        out[name] = spec if same else spec_from_schema(name, schema)
    return out


def writes(spec: Any) -> bool:
    return bool(getattr(spec, "state_changing", False) or getattr(spec, "writes_files", False))


_SELECTORS: dict[tuple, Any] = {}


def selector_for(specs: dict[str, Any], cache_dir: Any = None) -> Any:
    """One selector per set of bound tools; its vectors come from the same caches as the per-call
    selector's (memory, then `cache_dir` on disk), so the router adds no embedding work at start."""
    from indexdesk.agent.tool_selection import ToolSelector

    key = tuple(sorted((n, s.description, tuple(getattr(s, "examples", ()) or ())) for n, s in specs.items()))
    with _LOCK:
        selector = _SELECTORS.get(key)
        if selector is None:
            selector = _SELECTORS[key] = ToolSelector(list(specs.values()), cache_dir=cache_dir)
        return selector


# ---------------------------------------------------------------- ranking

def choices_of(schema: dict) -> list[str]:
    """A parameter's values: its enum, else the list its description gives ("weekly, monthly or quarterly")."""
    inner = non_null(schema)
    found = enum_of(inner) or enum_of(non_null(inner.get("items", {})))
    if found:
        return [str(c) for c in found if c not in (None, "")]
    kind = inner.get("type")
    if kind not in ("string", None) and not (kind == "array" and non_null(inner.get("items", {})).get("type") == "string"):
        return []
    text = re.sub(r"\([^)]*\)", "", schema.get("description", "") or "").split(".")[0].split(";")[0]
    if ":" in text:
        text = text.split(":", 1)[1]
    text = re.sub(r"^\s*(?:any|one|some|each|all|either|any combination)\s+of\s+(?:the\s+)?", "", text, flags=re.I)
    items = [i.strip() for i in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", text.strip()) if i.strip()]
    if len(items) < 2 or not all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in items):
        return []  # prose, not a list of values
    return items


def choice_hits(low: str, schema: dict, synonyms: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, value) of every phrase in the text naming one of the parameter's values."""
    values = choices_of(schema)
    phrases = {c.lower().replace("_", " "): c for c in values}
    phrases.update({c.lower(): c for c in values})
    phrases.update(synonyms or {})
    # "buy-the-dip" and "buy the dip" are one phrase: hyphens between words read as spaces (same length,
    # so the spans still point into `low`).
    spaced = _HYPHEN.sub(" ", low)
    phrases = {_HYPHEN.sub(" ", p.lower()): v for p, v in phrases.items()}
    hits: list[tuple[int, int, str]] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        if phrase not in spaced:  # the same answer without compiling a pattern per phrase (most are absent)
            continue
        for m in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", spaced):
            if not any(s < m.end() and m.start() < e for s, e, _ in hits):
                hits.append((m.start(), m.end(), phrases[phrase]))
    if any(len(w) >= _MISSPELT_MIN for p in phrases for w in p.split()):
        hits = _misspelt_hits(spaced, phrases, hits)
    hits += _scattered_hits(spaced, values, hits)
    return sorted(hits)


_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_MISSPELT_MIN = 6  # words this long may be misspelt by one letter ("asymetric bands" → asymmetric_bands)


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one inserted, dropped, changed or swapped letter (and are not equal)."""
    if a == b or abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def _misspelt_hits(low: str, phrases: dict[str, str], hits: list) -> list[tuple[int, int, str]]:
    """Phrases said with one long word misspelt by a letter; a hit replaces the shorter exact hits it covers
    ("bands" inside "asymetric bands"). Only words of _MISSPELT_MIN letters or more may differ."""
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[a-z][a-z0-9]*", low)]
    found = list(hits)
    said = {w[2] for w in words}
    for phrase in sorted(phrases, key=len, reverse=True):
        parts = phrase.split()
        if not all(p in said or (len(p) >= _MISSPELT_MIN and any(_one_edit(w, p) for w in said)) for p in parts):
            continue  # cheap test first: most phrases have a word nowhere near the request's words
        for i in range(len(words) - len(parts) + 1):
            window = words[i:i + len(parts)]
            same = [w[2] == p for w, p in zip(window, parts)]
            if all(same) or not all(ok or (len(p) >= _MISSPELT_MIN and _one_edit(w[2], p))
                                    for w, p, ok in zip(window, parts, same)):
                continue
            start, end = window[0][0], window[-1][1]
            inside = [h for h in found if start <= h[0] and h[1] <= end]
            if any(h[0] < end and start < h[1] for h in found if h not in inside) or \
                    any(h[1] - h[0] >= end - start for h in inside):
                continue
            found = [h for h in found if h not in inside] + [(start, end, phrases[phrase])]
    return found


def _scattered_hits(low: str, values: list[str], hits: list) -> list[tuple[int, int, str]]:
    """A value of several words said in another order ("the march 2020 covid crash" → covid_crash_2020):
    every word of the value is in the request; the span is its first word's."""
    found = []
    for value in values:
        words = [w for w in value.lower().split("_") if w]
        if len(words) < 2 or any(v == value for _, _, v in hits):
            continue
        spans = [re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", low) for w in words]
        if all(spans):
            first = min(spans, key=lambda m: m.start())
            if not any(s < first.end() and first.start() < e for s, e, _ in hits + found):
                found.append((first.start(), first.end(), value))
    return found


_RANGE_PARAM = re.compile(r"^(start|end|since|until|year|window|period)$")
_POINT_PARAM = re.compile(r"^(as_of|day|date|when|end)$")


def _takes_period(props: dict, period: Any) -> bool:
    if period.quarter and "quarter" in props:
        return True
    pattern = _POINT_PARAM if period.point else _RANGE_PARAM
    return any(pattern.match(n) for n in props)


def _takes_pairs(props: dict) -> bool:
    """A list of {name, number} (weights, shocks, targets)."""
    for p in props.values():
        items = non_null(non_null(p).get("items", {}))
        kinds = {non_null(v).get("type") for v in items.get("properties", {}).values()}
        if "string" in kinds and (kinds & {"number", "integer"}):
            return True
        if non_null(p).get("type") == "object" and "properties" not in non_null(p):
            return True
    return False




def _value_reach(spans: list[tuple[int, int]], low: str) -> list[tuple[int, int]]:
    """A value's span widened to the words around it (a scattered value's year sits a word or two away)."""
    out = []
    for a, b in spans:
        before = low.rfind(" ", 0, max(0, a - 1))
        before = low.rfind(" ", 0, max(0, before)) if before > 0 else before
        after = low.find(" ", b + 1)
        out.append((max(0, before), len(low) if after < 0 else after))
    return out


def _takes_ids(props: dict) -> bool:
    """Named `…_id(s)`, or described as taking ids ("pairs: ids from find_transfers")."""
    return any(re.search(r"(?:^|_)ids?$", n) or re.search(r"\bids?\b", (p.get("description") or "").lower())
               for n, p in props.items())


def value_fit(low: str, schema: dict, spec: Any, periods: list, has_names: bool, has_pairs: bool = False,
              unique_values: dict[str, int] | None = None) -> float:
    """How well the values in the request fit this tool's parameters (a small score, ±).

    `unique_values` counts, per value, the bound tools that take it: a value only this tool takes
    ("covid_crash_2020", "deposit") is a stronger sign than one many take ("monthly")."""
    props = schema.get("parameters", {}).get("properties", {})
    synonyms = getattr(spec, "synonyms", {}) or {}
    fit = 0.0
    hits = {name: choice_hits(low, p, synonyms.get(name, {})) for name, p in props.items()}
    matched = sum(1 for found in hits.values() if found)
    fit += FIT_STEP * min(matched, 2)
    if unique_values and any(unique_values.get(v) == 1 for found in hits.values() for _, _, v in found):
        fit += UNIQUE_VALUE_BONUS
    if identifiers(low):  # "tx-42", "a1b2c3": an identifier goes to a tool that takes ids
        fit += FIT_STEP if _takes_ids(props) else 0.0
    spans = [(a, b) for found in hits.values() for a, b, v in found if re.search(r"\d", v)]  # values holding a year
    # A date inside a value the tool takes ("the march 2020 covid crash") is part of that value.
    periods = [p for p in periods if not any(a < p.end and p.start < b for a, b in _value_reach(spans, low))]
    if periods:
        fit += FIT_STEP if all(_takes_period(props, p.period) for p in periods) else -FIT_STEP
    if has_pairs and not _takes_pairs(props):
        fit -= PAIRS_PENALTY  # "satellite -40% speculative -70%": numbers by name with nowhere to go
    if has_names:
        takes = any(re.search(r"indices|symbol|weights|names|assets|query|text|pair|shocks", n) for n in props)
        fit += 0 if takes else -FIT_STEP
    return fit


_VALUES_TAKEN: dict[tuple, dict[str, int]] = {}


def values_taken(schemas: dict[str, dict], specs: dict[str, Any]) -> dict[str, int]:
    """How many bound tools take each choice value (enum values and synonyms' targets), cached per tool set."""
    key = tuple(sorted(schemas))
    with _LOCK:
        found = _VALUES_TAKEN.get(key)
    if found is not None:
        return found
    takers: dict[str, set[str]] = {}
    for name, schema in schemas.items():
        synonyms = getattr(specs.get(name), "synonyms", {}) or {}
        for param, p in schema.get("parameters", {}).get("properties", {}).items():
            for value in [*choices_of(p), *(synonyms.get(param, {}) or {}).values()]:
                takers.setdefault(str(value), set()).add(name)
    found = {value: len(tools) for value, tools in takers.items()}
    with _LOCK:
        _VALUES_TAKEN[key] = found
    return found


@dataclass
class Ranking:
    order: list[str]
    scores: dict[str, float]
    selector: dict[str, float] = field(default_factory=dict)
    grammar_tool: str | None = None
    fits: dict[str, float] = field(default_factory=dict)

    @property
    def top(self) -> str | None:
        return self.order[0] if self.order else None

    def margin(self) -> float:
        if len(self.order) < 2:
            return 1.0
        return self.scores[self.order[0]] - self.scores[self.order[1]]

    def confident(self) -> bool:
        """Sure enough to run a tool that writes: the grammar's pattern and the meaning agree (or the
        meaning leads clearly with no pattern against it), and every value said fits the tool."""
        if self.top is None or self.fits.get(self.top, 0.0) < 0:
            return False
        if self.grammar_tool is not None:
            return self.top == self.grammar_tool
        return self.margin() >= CONFIDENT_MARGIN

    def understood(self) -> bool:
        """A pattern matched, or the meaning score is high enough, or — short requests score low in
        absolute terms — the best reading stands clearly apart from the next ("where did my alpha come from")."""
        if self.top is None:
            return False
        if self.grammar_tool is not None or self.selector.get(self.top, 0) >= MIN_SCORE:
            return True
        return self.selector.get(self.top, 0) >= LEAD_MIN_SCORE and self.margin() >= CONFIDENT_MARGIN


def rank(text: str, schemas: dict[str, dict], specs: dict[str, Any], grammar_tool: str | None,
         periods: list, has_names: bool, masked: str | None = None, has_pairs: bool = False,
         cache_dir: Any = None, rivals: list[str] = ()) -> Ranking:
    """Bound tools ordered by meaning + the grammar's pattern + how the request's values fit them.

    `masked` is the text with index and asset names replaced: a name is a value, not an intent
    ("stablecoin cash" must not pull toward the tool whose description says "stablecoin")."""
    if not schemas:
        return Ranking([grammar_tool] if grammar_tool else [], {}, {}, grammar_tool)
    try:
        selector_scores = selector_for(specs, cache_dir).scores(masked or text)
    except Exception:  # noqa: BLE001 - no selector (broken spec): the grammar alone decides
        selector_scores = {name: 0.0 for name in schemas}
    low = _normalise(text)
    scores, fits = {}, {}
    unique_values = values_taken(schemas, specs)
    for name, schema in schemas.items():
        fits[name] = value_fit(low, schema, specs.get(name), periods, has_names, has_pairs, unique_values)
    if grammar_tool in fits:
        # Two phrase patterns match ("simulate" a backtest, "crash" a stress test): the grammar's order
        # prefers the first, unless the values said fit the other clearly better (it alone takes the
        # "covid_crash_2020" the request names) — then the pattern's bonus goes there.
        better = [t for t in rivals if t in fits and fits[t] - fits[grammar_tool] >= UNIQUE_VALUE_BONUS]
        if better:
            grammar_tool = max(better, key=lambda t: (fits[t], selector_scores.get(t, 0.0)))
    for name in schemas:
        score = selector_scores.get(name, 0.0) + (GRAMMAR_BONUS if name == grammar_tool else 0.0)
        scores[name] = score + fits[name]
    order = sorted(scores, key=lambda n: -scores[n])
    if (grammar_tool in scores and order[0] != grammar_tool and not writes(specs.get(grammar_tool))
            and scores[order[0]] - scores[grammar_tool] < NEAR_TIE):  # never promotes a tool that writes
        # Meaning and the grammar's explicit form all but tied ("how did layer1 do over 180 days": VaR's
        # "180 days" vs performance's "how did … do"): the explicit form decides, not a hundredth of a cosine.
        order.remove(grammar_tool)
        order.insert(0, grammar_tool)
    return Ranking(order, scores, selector_scores, grammar_tool, fits)


def title(spec: Any) -> str:
    """A short name for a tool in a question: "backtest", "quarterly review"."""
    return spec.name.replace("_", " ")


def write_question(ranking: Ranking, specs: dict[str, Any]) -> str:
    """"Did you mean a backtest or the quarterly review?" — the two best readings, with how to say each."""
    first, second = ranking.order[0], ranking.order[1] if len(ranking.order) > 1 else None
    a = specs[first]
    if second is None:
        return (f"Did you mean {title(a)}? It {'changes your data' if a.state_changing else 'writes files'}, "
                f"so I ask first: say `call {first} {{…}}` or rephrase to run it.")
    b = specs[second]
    example_a = (getattr(a, "examples", ()) or (title(a),))[0]
    example_b = (getattr(b, "examples", ()) or (title(b),))[0]
    effect = "changes your journal or ledger" if a.state_changing else "writes report files"
    return (f"Did you mean {title(a)} or {title(b)}? {title(a).capitalize()} {effect}, so I don't run it on a guess. "
            f"Say e.g. `{example_a}` for {title(a)}, or `{example_b}` for {title(b)}.")
