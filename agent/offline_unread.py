"""Never guess silently: the parts of a request the offline router did not read, and misspelt names.

Each token with a digit that no argument accounts for is named back with the default used ("I
couldn't read '150%' as a confidence; used 95 %"); a word close to a known index or asset gets a
did-you-mean. Pure text processing over the grammar's vocabulary and the tool's JSON schema.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from indexdesk.agent.offline_grammar import (Vocabulary, Weights, _blank, _normalise, find_durations, find_quarter, param_name,
                                             param_schema, window_of_days)

_TOKEN_WITH_DIGIT = re.compile(r"\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[^\s,;]*\d[^\s,;]*")
_DEFAULT_IN_DESCRIPTION = re.compile(r"\(default ([^)]*)\)")


def _flat_values(value: Any, numbers: list[float], strings: list[str]) -> None:
    if isinstance(value, Weights):
        for name, weight in value.items:
            strings.append(str(name).lower())
            numbers.append(float(weight))
    elif isinstance(value, bool):
        return
    elif isinstance(value, (int, float)):
        numbers.append(float(value))
    elif isinstance(value, str):
        strings.append(value.lower())
    elif isinstance(value, dict):
        for v in value.values():
            _flat_values(v, numbers, strings)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _flat_values(v, numbers, strings)


def _close(a: float, b: float) -> bool:
    """Equal up to sign: "drops 50%" is read as a shock of -0.5."""
    a, b = abs(a), abs(b)
    return abs(a - b) <= 1e-9 * max(1.0, a, b)


def default_of(params: dict, canonical: str) -> str | None:
    """The tool's default for a parameter, as its schema description states it ("(default 0.95)")."""
    schema = param_schema(params, canonical)
    m = _DEFAULT_IN_DESCRIPTION.search((schema or {}).get("description", ""))
    return m.group(1).strip('"') if m else None


def unread_parts(text: str, args: dict, vocab: Vocabulary, intent: str, params: dict,
                 read: list[tuple[int, int]] = ()) -> list[str]:
    """A note for every number-bearing part of the request that no argument took ("150%", "9x")."""
    low = _normalise(text)
    numbers: list[float] = []
    strings: list[str] = []
    _flat_values(args, numbers, strings)
    covered = [(e.start, e.end) for e in vocab.entities(text)] + list(read)
    quarter = find_quarter(low)
    if quarter:
        covered.append((quarter.start, quarter.end))
    durations = find_durations(_blank(low, covered))
    notes = []
    for m in _TOKEN_WITH_DIGIT.finditer(low):
        start, end = m.start(), m.end()
        token = m.group().strip(".?!()'\"")
        if not re.search(r"\d", text[start:end]):
            continue  # a number word the reader normalised ("a bad month" → 1 month): read as the duration
        if not token or any(s <= start and end <= e for s, e in covered) or \
                any(s < end and start < e for s, e in read):
            continue
        duration = next((d for d in durations if d.start <= start < d.end), None)
        if duration is not None:
            value = duration.value
            if (isinstance(value, int) and (window_of_days(value) in strings or any(_close(value, n) for n in numbers))) \
                    or (isinstance(value, str) and any(value in s or s in value for s in strings)):
                continue
        if True:  # a number used as itself (a year, a quantity, a price) also counts as read
            number = re.search(r"\d+(?:\.\d+)?", token.replace(",", ""))
            x = float(number.group()) if number else None
            if x is not None and any(_close(x, n) or _close(x / 100, n) for n in numbers):
                continue
            if any(token in s or s in token for s in strings if len(s) > 1):
                continue
        notes.append(_unread_note(text[start:end].strip(".?!()'\""), intent, args, params))
    return list(dict.fromkeys(notes))


def _unread_note(token: str, intent: str, args: dict, params: dict) -> str:
    if intent == "var" and "confidence" not in args and re.fullmatch(r"\d+(\.\d+)?\s*%?", token):
        default = default_of(params, "confidence")
        used = f"used the default {as_percent(default)}" if default else "used the tool's default"
        return f"I couldn't read '{token}' as a confidence (it has to be under a hundred percent); {used}."
    if param_name(params, "window") and "window" not in args and re.fullmatch(r"\d+\s*[a-z]+", token):
        default = default_of(params, "window")
        used = f"used the default {default}" if default else "used the tool's default"
        return f"I couldn't read '{token}' as a window (30d, 90d, 1y, ytd, all or START:END); {used}."
    return f"I couldn't use '{token}' in this request; it was left out."


def as_percent(text: str | None) -> str:
    try:
        return f"{float(text) * 100:g}%"
    except (TypeError, ValueError):
        return str(text)


# Words of the grammar and common English that look like index or asset names but are not misspellings.
_NOT_NAMES = {"balance", "rebalance", "games", "game", "payment", "exchange", "exchanges", "large", "layer", "layers",
              "index", "indices", "indexes", "tokens", "token", "stable", "stables", "defined", "default", "coins",
              "cash", "core", "data", "memes", "year", "years", "month", "months", "days", "week", "weeks", "quarter",
              "portfolio", "correlated", "positions", "position", "volatility", "return", "returns", "stress",
              "review", "journal", "target", "targets", "rotate", "rotation", "momentum", "since", "between",
              "compare", "against", "versus", "better", "worse", "about", "would", "could", "should", "there",
              "their", "these", "those", "which", "where", "performance", "perform", "performed", "doing",
              "crash", "crashes", "collapse", "market", "markets", "drops", "falls", "rally", "shock", "shocks",
              "scenario", "scenarios", "happens", "again", "holdings", "hedge", "trade", "trades", "sells", "buys",
              "lesson", "thesis", "decision", "decisions", "outcome", "outcomes", "gains", "losses", "harvest",
              "lots", "basis", "tiers", "rebalanced", "rebalancing", "rebalances", "balances", "satellite", "speculative", "drift", "backtest", "strategy", "signal",
              "halves", "halved", "zero", "doubles", "beginning"}


def misspelt_names(text: str, vocab: Vocabulary) -> list[tuple[str, str]]:
    """Words that are not names but are close to one: ("defii", "defi"), ("layr1", "layer1")."""
    covered = [(e.start, e.end) for e in vocab.entities(text)]
    indices = {p: c for p, (kind, c) in vocab.phrases.items() if " " not in p and kind == "index"}
    assets = {p: c for p, (kind, c) in vocab.phrases.items() if " " not in p and kind == "asset" and len(p) >= 5}
    found = []
    for m in re.finditer(r"[A-Za-z][A-Za-z0-9_]{3,}", text):
        word = m.group().lower()
        if word in _NOT_NAMES or word in _FUNCTION_WORDS or word in vocab.phrases \
                or any(s <= m.start() < e for s, e in covered):
            continue  # an everyday word ("make", "score") is not a misspelt name ("maker", "core")
        # Asset names need a closer match: "together" is not a misspelt "tether".
        close = difflib.get_close_matches(word, list(indices), n=1, cutoff=0.84)
        names = indices
        if not close:
            close, names = difflib.get_close_matches(word, list(assets), n=1, cutoff=0.87), assets
        if close and (len(close[0]) >= 5 or _short_typo(word, close[0])):
            found.append((m.group(), names[close[0]]))
    return found


def _short_typo(word: str, name: str) -> bool:
    """A short name ("core", "defi", "cash") is misspelt only at the same length (one letter changed or
    two swapped) or with a stray letter at its end ("defii"); "score" is a word, not a misspelt "core"."""
    if len(word) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(word, name)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == name[diff[1]]
                                  and word[diff[1]] == name[diff[0]])
    return len(word) == len(name) + 1 and word.startswith(name)


# Words that carry no request of their own: asked-about words are the tool's, these are English.
_FUNCTION_WORDS = set("""
a about above after again against all also am an and any anything are around as ask at back basically be been before
being below between both but by can could did do does doing done down during each either else even ever every few for
from further get gets getting give go going gone got had has have having he her here hers him his how however i if in
into is it its itself just kind know last let like look looking made make many may me might mine more most much must my
myself need needs new no nor not now of off on once one only or other our ours out over own please pretty quite rather
really right same see seem shall she should show so some something such sure tell than thank thanks that the their them
then there these they thing things think this those though through to too under until up upon us use used very want wanted
was way we well were what whats when where whether which while who whom why will with would yet you your yours i'm i've
it's what's let's don't didn't can't won't isn't doesn't today now currently current ok okay hey hi
""".split())


def _stem(word: str) -> str:
    return word[:5] if len(word) > 5 else word.rstrip("s")


def unused_words(text: str, args: dict, vocab: Vocabulary, read: list[tuple[int, int]], spec: Any) -> list[str]:
    """One note naming the content words no part of the call accounts for ("I didn't use 'winter'").

    A word counts as used when it named the tool (it is in the tool's description, parameters or
    examples), a value (an index, a date, a choice, an argument's text) or is a function word."""
    if any(isinstance(v, str) and len(v) > 20 and v.lower() in text.lower() for v in args.values()):
        return []  # the request's own text went into the call (a journal entry, a search query)
    known: set[str] = set()
    if spec is not None:
        docs = [spec.name.replace("_", " "), spec.description, " ".join((spec.param_descriptions or {}).values()),
                " ".join((spec.param_descriptions or {}).keys()).replace("_", " "), *(getattr(spec, "examples", ()) or ())]
        for phrases in (getattr(spec, "synonyms", {}) or {}).values():
            docs += list(phrases)
        known = {_stem(w) for w in re.findall(r"[a-z]+", " ".join(docs).lower())}
    numbers: list[float] = []
    strings: list[str] = []
    _flat_values(args, numbers, strings)
    covered = [(e.start, e.end) for e in vocab.entities(text)] + list(read)
    low = text.lower()
    unused = []
    for m in re.finditer(r"[a-z][a-z'’-]*[a-z]", low):
        word = m.group()
        if len(word) < 3 or word in _FUNCTION_WORDS or any(s <= m.start() < e for s, e in covered):
            continue
        if _stem(word) in known or any(word in s for s in strings) or word in _NOT_NAMES or re.search(r"\d", word):
            continue
        unused.append(text[m.start():m.end()])
    if not unused:
        return []
    listed = ", ".join(f"'{w}'" for w in dict.fromkeys(unused))
    return [f"I didn't use {listed} in this request; the call ran with the tool's defaults for anything not shown. "
            "Rephrase or use `call TOOL {...}` if those words mattered."]


_SHARE_OF = re.compile(r"(?:\d\s*(?:%|percent|pct)|\bhalf|\ba\s+(?:quarter|third|fifth|tenth)|\bthirds?)\s+of\s+(?:the\s+|my\s+)?$")


def unused_names(text: str, args: dict, vocab: Vocabulary) -> list[str]:
    """A note naming the indices and assets said that no argument took ("solana" to a tool with no list of names)."""
    numbers: list[float] = []
    strings: list[str] = []
    _flat_values(args, numbers, strings)
    said = {s.lower() for s in strings}
    joined = " ".join(said)
    low = text.lower()
    param_words = {w for key in args for w in key.lower().split("_") if len(w) > 3}
    left = [low[e.start:e.end] for e in vocab.entities(text)
            if e.value.lower() not in said and low[e.start:e.end] not in joined
            and not _SHARE_OF.search(low[:e.start])  # "a quarter of core": a share of it, read with the number
            and not param_words & set(re.split(r"[_\s-]+", e.value.lower()))]  # "stables" → stablecoin_sleeve
    if not left:
        return []
    listed = ", ".join(f"'{w}'" for w in dict.fromkeys(left))
    return [f"I didn't use the name{'s' if len(set(left)) > 1 else ''} {listed}: this call takes no such name."]
