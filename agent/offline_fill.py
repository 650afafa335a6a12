"""Stage two of the offline router: arguments filled from the chosen tool's JSON schema.

Whatever tool stage one chose — a built-in one or a plugin's — its parameters are read for what
they take, and the request's values are given to the parameter they fit:

* choices by the values the schema lists (enum, or "weekly, monthly or quarterly" in a description)
  and by the synonyms on the tool's spec ("buy the dip" → mean_reversion);
* dates and periods (agent/offline_dates.py) to `start`/`end`, a one-day `as_of`/`day`, a `year`,
  a `quarter`, or a "START:END" `window`;
* day counts ("60 day lookback", "a rolling 30-day") to the integer parameter whose name is next to them;
* percentages to the fraction-valued parameter whose name or declared meaning is nearest
  (confidence vs volatility vs tilt vs band vs tax rate);
* money ("$500", "5k", "$250k") to the currency parameter whose cue is nearest, basis points to a bps one;
* venues ("from Coinbase to my Ledger", "on Kraken", "on kraken" — a known venue in any case) to venue parameters;
* identifiers ("tx-42", "a1b2c3d4") to a parameter of ids (`ids`, `tx_id`: its name or description says id);
* "FIELD should be VALUE" / "FIELD to VALUE" / "FIELD=VALUE" to a list parameter of FIELD=VALUE changes whose
  description lists its fields ("fields: date, kind, price");
* a count ("the last 5", "top 3", "10 most recent") to an integer parameter that limits how many.

Each value is used once; what was used is returned as spans so the unread-words check can name the rest.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from indexdesk.agent.offline_dates import MONTHS, DateSpan, find_periods
from indexdesk.agent.offline_intent import choice_hits, choices_of
from indexdesk.agent.offline_values import identifiers
from indexdesk.agent.schema_reading import non_null
from indexdesk.memory.journal.venues import VENUES

_MONEY = re.compile(r"(?<![\w.])(\$)?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(k|m|mm|thousand|million|(?:usd|dollars?|bucks)\b)?"
                    r"\b(?!\s*(?:%|bps|d\b|days?|weeks?|months?|years?|y\b|m\b(?=\s*(?:window|lookback))))")
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(%|percent\b|pct\b)")
_BPS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:bps|basis points?|bp)\b")
_DAYS = re.compile(r"(?<![\w.])(\d+)\s*-?\s*(?:d|days?|day's)\b")
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6}
# Words users put next to a value, by the parameter-name word they point to.
_CUES = {
    "confidence": ("sure", "certain", "confident", "confidence", "level", "var", "cvar", "shortfall"),
    "volatility": ("vol", "volatility", "risk"), "tilt": ("tilt", "shift", "move", "moved", "tilting"),
    "band": ("band", "bands", "drift", "deviation", "tolerance", "threshold"),
    "tax": ("tax", "rate", "bracket"), "loss": ("loss", "losses", "lost", "lose", "losing", "over", "least", "bigger", "above", ">"),
    "sleeve": ("stables", "stablecoin", "stablecoins", "sleeve", "stable"), "share": ("share", "held", "kept", "keep"),
    "value": ("portfolio", "worth", "value", "book", "have", "holding"), "price": ("at", "for", "each", "price", "@"),
    "fee": ("fee", "fees", "commission"), "lookback": ("lookback", "look", "back", "ranked", "ranking", "using"),
    "rolling": ("rolling", "window"), "horizon": ("horizon", "over", "hold", "holding", "in"),
    "quantity": ("units", "coins"), "exchange": ("exchange", "venue", "bust", "fails", "failed", "hack"),
}


def _words_of(name: str, description: str) -> set[str]:
    words = set(name.lower().split("_"))
    for word in list(words):
        words.update(_CUES.get(word, ()))
    first = re.findall(r"[a-z]+", (description or "").lower().split(",")[0].split("(")[0])[:4]
    words.update(w for w in first if len(w) > 3)
    return words


def _near(low: str, start: int, end: int, words: set[str], reach: int = 40) -> int:
    """How many cue words sit within `reach` characters of a value (closer text counts twice)."""
    before = re.findall(r"[a-z@]+|[<>]", low[max(0, start - reach):start])  # ">500": over 500
    after = re.findall(r"[a-z@]+|[<>]", low[end:end + reach])
    before, after = [_stem(w) for w in before], [_stem(w) for w in after]  # "drifting" is the cue "drift"
    score = sum(2 if w in words else 0 for w in before[-2:] + after[:2])
    return score + sum(1 for w in before + after if w in words)


def _stem(word: str) -> str:
    return re.sub(r"(?<=[a-z]{4})(?:ing|ed)$", "", word)


def _kind(schema: dict) -> str | None:
    inner = non_null(schema)
    kind = inner.get("type")
    return kind[0] if isinstance(kind, list) else kind


def _is_fraction(name: str, schema: dict) -> bool:
    if _kind(schema) != "number":
        return False
    text = (schema.get("description") or "").lower()
    default = schema.get("default")
    if re.search(r"bps|currency|per unit|units|in currency|value for amounts|days", text):
        return False
    return bool(re.search(r"\b0\.\d|fraction|share|between 0|rate|0-", text)) or \
        (isinstance(default, (int, float)) and 0 < default < 1)


def _is_money(name: str, schema: dict) -> bool:
    text = (schema.get("description") or "").lower()
    return _kind(schema) == "number" and bool(re.search(r"currency|value|price|per unit|amount|loss per", text + " " + name)) \
        and not _is_fraction(name, schema)


def _within(schema: dict, value: float) -> bool:
    """Inside the parameter's declared bounds (schema minimum/maximum, or "between 0.5 and 0.9999",
    "0-0.10" in its description): 150% is not a confidence."""
    inner = non_null(schema)
    low = inner.get("minimum", inner.get("exclusiveMinimum"))
    high = inner.get("maximum", inner.get("exclusiveMaximum"))
    m = re.search(r"between\s+(\d*\.?\d+)\s+and\s+(\d*\.?\d+)|(?<![\d.])(0|0?\.\d+)\s*-\s*(0?\.\d+|1)(?![\d.])",
                  schema.get("description") or "")
    if m and low is None and high is None:
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        low, high = float(a), float(b)
    return (low is None or value >= low) and (high is None or value <= high)


def _free(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return not any(s < end and start < e for s, e in spans)


def fill(text: str, low: str, params: dict, spec: Any, args: dict, used: list[tuple[int, int]],
         today: date | None = None, names: list[str] = ()) -> tuple[dict, list[tuple[int, int]]]:
    """Arguments the request gives for parameters not yet set; the spans read. `args` is not changed."""
    props = params.get("properties", {})
    synonyms = getattr(spec, "synonyms", {}) or {}
    out = dict(args)
    used = list(used)
    # Choices (and choices the grammar set that the tool does not have: "reversion" → dropped, re-read).
    for name, schema in props.items():
        values = choices_of(schema)
        if not values and not synonyms.get(name):
            continue
        current = out.get(name)
        if isinstance(current, str) and values and current not in values:
            out.pop(name)
        hits = [h for h in choice_hits(low, schema, synonyms.get(name, {}))]
        if name not in out and hits and _kind(schema) != "array":
            start, end, value = hits[0]
            out[name] = value.lower() == "true" if _kind(schema) == "boolean" else value  # a switch's synonym
            used.append((start, end))
        elif name not in out and hits and synonyms.get(name) and any(v in synonyms[name].values() for *_, v in hits):
            out[name] = list(dict.fromkeys(v for *_, v in hits))  # a list of choices, one said by a declared synonym
            used += [(s, e) for s, e, _ in hits]
        elif name in out:
            used += [(s, e) for s, e, v in hits if v == out[name]]
        elif _kind(schema) == "array" and values:
            # "my decisions about defi": a value said in the plural names the category to keep
            plural = [(m.start(), m.end(), v) for v in values if len(v) > 2
                      for m in re.finditer(rf"(?<![\w-]){re.escape(v.lower().replace('_', ' '))}s(?![\w-])", low)]
            if plural:
                out[name] = list(dict.fromkeys(v for *_, v in sorted(plural)))
                used += [(s, e) for s, e, _ in plural]
    _dates(low, props, out, used, today)
    _percents(low, props, out, used)
    _money(low, props, out, used)
    _day_counts(low, props, out, used)
    _venues(text, low, props, out, used)
    _identifiers(text, props, out, used)
    _changes(text, low, props, out, used)
    _counts(low, props, out, used)
    _pairs(low, props, out, list(names))
    return out, used


def id_params(props: dict) -> list[str]:
    """Parameters that take identifiers: named `id`/`ids`/`…_id`/`…_ids`, or described as "ids"."""
    found = []
    for name, schema in props.items():
        inner = non_null(schema)
        kind = _kind(schema)
        item_kind = _kind(inner.get("items", {})) if kind == "array" else None
        if kind not in ("string", "array") or (kind == "array" and item_kind != "string"):
            continue
        if re.search(r"(?:^|_)ids?$", name) or re.search(r"\bids?\b", (schema.get("description") or "").lower()):
            found.append(name)
    return found


_JOINED_IDS = re.compile(r"\b([A-Z]+)_ID:([A-Z]+)_ID\b")  # a pair of ids the description says to join with ':'


def _role(text: str, m: re.Match, roles: list[str]) -> int:
    """Which slot the role word said just before an id names ("deposit d91bc" → DEPOSIT_ID), or -1."""
    said = re.findall(r"[a-z]+", text[max(0, m.start() - 24):m.start()].lower())
    return next((roles.index(w[:5]) for w in reversed(said) if w[:5] in roles), -1)


def _identifiers(text: str, props: dict, out: dict, used: list) -> None:
    targets = [n for n in id_params(props) if n not in out]
    if not targets:
        return
    ids = [m for m in identifiers(text) if _free(used, m.start(), m.end())]
    if not ids:
        return
    for name in targets:
        joins = _JOINED_IDS.search(props[name].get("description") or "")
        if _kind(props[name]) == "array" and joins and len(ids) % 2 == 0:
            roles = [r.lower()[:5] for r in joins.groups()]  # "WITHDRAWAL_ID:DEPOSIT_ID": who goes first
            pairs = [sorted((a, b), key=lambda m: _role(text, m, roles))
                     if {_role(text, a, roles), _role(text, b, roles)} == {0, 1} else (a, b)
                     for a, b in zip(ids[::2], ids[1::2])]
            joined = [f"{a.group(0)}:{b.group(0)}" for a, b in pairs]
            out[name] = joined
            used += [m.span() for m in ids]
            return
        if _kind(props[name]) == "array":
            out[name] = [m.group(0) for m in ids]
            used += [m.span() for m in ids]
            return
        out[name] = ids[0].group(0)
        used.append(ids[0].span())
        ids = ids[1:]
        if not ids:
            return


def _fields_of(schema: dict) -> list[str]:
    m = re.search(r"fields?:\s*([a-z_, ]+)", (schema.get("description") or "").lower())
    return [f.strip() for f in m.group(1).split(",") if f.strip()] if m else []


def _changes(text: str, low: str, props: dict, out: dict, used: list) -> None:
    """"the price should be 2450", "set quantity to 0.5", "venue=kraken" → ["price=2450", …]."""
    for name, schema in props.items():
        fields = _fields_of(schema)
        if name in out or _kind(schema) != "array" or not fields or "=" not in (schema.get("description") or ""):
            continue
        spoken = {f.replace("_", " "): f for f in fields} | {f: f for f in fields}
        alternation = "|".join(re.escape(f) for f in sorted(spoken, key=len, reverse=True))
        changes = []
        for m in re.finditer(rf"\b({alternation})\b(?:\s+(?:of|on|for|in)\s+(?:the\s+|that\s+)?(?:tx|transaction|row|trade|"
                             rf"entry)?\s*[\w-]*\d[\w-]*)?(?:\s*[,;]?\s*(?:it|that|this|which)\b|\s*[,;])?\s*(?:=|:|should (?:have )?been|should be|must be|is really|"
                             rf"was really|is actually|was actually|to|->|→|becomes|is|was)\s*"
                             rf"([$]?[\w.,:/-]*\w)", low):
            value = m.group(2).lstrip("$")
            value = value.replace(",", "") if re.fullmatch(r"[\d,]+(?:\.\d+)?", value) else value
            changes.append(f"{spoken[m.group(1)]}={value}")
            used.append(m.span())
        # Gapping: "the venue was binance and the quantity 1.5" leaves out the second verb; a field said right
        # after "and" / a comma that follows a change read takes the value after it.
        while changes:
            after = used[-1][1]  # the end of the last change read
            m = re.match(rf"\s*(?:,|;|and|&)\s*(?:,\s*)?(?:the\s+)?({alternation})\s+([$]?[\w.,:/-]*\w)", low[after:])
            if not m or spoken[m.group(1)] in {c.split("=")[0] for c in changes}:
                break
            value = m.group(2).lstrip("$")
            value = value.replace(",", "") if re.fullmatch(r"[\d,]+(?:\.\d+)?", value) else value
            changes.append(f"{spoken[m.group(1)]}={value}")
            used.append((after, after + m.end()))
        if changes:
            out[name] = changes


_COUNT = re.compile(r"\b(?:last|latest|recent|newest|top|first|past)\s+(\d{1,4})\b(?!\s*(?:%|d\b|days?|weeks?|months?|"
                    r"years?|y\b|w\b|m\b|q\b|quarters?))|\b(\d{1,4})\s+(?:most recent|latest|newest|last)\b")


def _counts(low: str, props: dict, out: dict, used: list) -> None:
    """"the last 5 changes" → the integer parameter that limits how many (`limit`, `k`, `top`, `n`)."""
    targets = [n for n, s in props.items() if _kind(s) == "integer" and n not in out and
               (re.fullmatch(r"limit|k|n|top|count|max_results|num_results|max_items", n)
                or re.search(r"\bhow many\b|\bnumber of (?:results|entries|rows|items)|\bat most\b", (s.get("description") or "").lower()))]
    if not targets:
        return
    m = _COUNT.search(low)
    if m and _free(used, *m.span()):
        value = int(m.group(1) or m.group(2))
        if _within(props[targets[0]], value):
            out[targets[0]] = value
            used.append(m.span())


def _pairs(low: str, props: dict, out: dict, names: list[str]) -> None:
    """A two-name list parameter ("rolling_pair") when its other name words are said ("rolling … BTC and ETH")."""
    for name, schema in props.items():
        if name in out or "pair" not in name or _kind(schema) != "array" or len(names) < 2:
            continue
        cues = set(name.split("_")) - {"pair"}
        if cues and any(c in low and re.search(rf"\b{re.escape(c)}", low) for c in cues):
            out[name] = names[:2]


def _dates(low: str, props: dict, out: dict, used: list, today: date | None) -> None:
    spans: list[DateSpan] = [s for s in find_periods(low, today)]
    if not spans:
        return
    for span in spans:
        p = span.period
        took = False
        if p.point:
            for name in ("as_of", "day", "date", "when"):
                if name in props and name not in out:
                    out[name] = p.end.isoformat()
                    took = True
                    break
            if not took and "end" in props and "end" not in out:
                out["end"] = p.end.isoformat()
                took = True
        else:
            if "quarter" in props and "quarter" not in out and p.quarter:
                out["quarter"] = p.quarter
                took = True
            elif "year" in props and "year" not in out and p.start and (p.end is None or p.start.year == p.end.year):
                out["year"] = p.start.year
                took = True
            elif "start" in props and "start" not in out and p.start:
                out["start"] = p.start.isoformat()
                if p.end and "end" in props and "end" not in out:
                    out["end"] = p.end.isoformat()
                took = True
            elif "window" in props and "window" not in out:
                out["window"] = p.window()
                took = True
        if took:
            used.append((span.start, span.end))
        else:  # read by the grammar already (its window) or not wanted: count it read when a value shows it
            shown = {str(v) for v in out.values()}
            if any(p.start and p.start.isoformat() in s or p.end and p.end.isoformat() in s for s in shown):
                used.append((span.start, span.end))


_FRACTION_WORDS = re.compile(r"\b(half|a quarter|one quarter|a third|one third|two thirds|a tenth|a fifth)\s+(?=of\b)")
_FRACTIONS = {"half": 0.5, "a quarter": 0.25, "one quarter": 0.25, "a third": 0.3333, "one third": 0.3333,
              "two thirds": 0.6667, "a tenth": 0.1, "a fifth": 0.2}


def _numbers_in(values: Any) -> list[float]:
    """Numbers in the arguments set so far, inside lists of {name, number} too (weights, shocks)."""
    out: list[float] = []
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(v)
        elif isinstance(v, dict):
            out += _numbers_in(v.values())
        elif isinstance(v, (list, tuple)):
            out += _numbers_in(v)
    return out


def _percents(low: str, props: dict, out: dict, used: list) -> None:
    targets = {n: _words_of(n, s.get("description", "")) for n, s in props.items() if _is_fraction(n, s)}
    taken = {round(abs(float(v)), 10) for v in _numbers_in(out.values())}  # a shock's -20% is the "20%" said
    found = [(m.start(), m.end(), round(float(m.group(1)) / 100, 10)) for m in _PERCENT.finditer(low)]
    found += [(m.start(), m.end(), _FRACTIONS[m.group(1)]) for m in _FRACTION_WORDS.finditer(low)]
    for start, end, value in sorted(found):
        m = _Found(start, end)
        if value in taken or not _free(used, m.start(), m.end()):
            used.append((m.start(), m.end())) if value in taken else None
            continue
        free = {n: w for n, w in targets.items() if n not in out and _within(props[n], value)}
        if not free:
            continue
        ranked = sorted(free, key=lambda n: -_near(low, m.start(), m.end(), free[n]))
        best = ranked[0]
        if _near(low, m.start(), m.end(), free[best]) == 0:
            continue  # nothing says which parameter this is: left for the unread note
        out[best] = value
        used.append((m.start(), m.end()))


class _Found:
    def __init__(self, start: int, end: int) -> None:
        self._span = (start, end)

    def start(self) -> int:
        return self._span[0]

    def end(self) -> int:
        return self._span[1]


def _money(low: str, props: dict, out: dict, used: list) -> None:
    targets = {n: _words_of(n, s.get("description", "")) for n, s in props.items() if _is_money(n, s)}
    bps = [n for n, s in props.items() if "bps" in (n + (s.get("description") or "")).lower() and n not in out]
    for m in _BPS.finditer(low):
        if bps and _free(used, m.start(), m.end()):
            out[bps.pop(0)] = float(m.group(1))
            used.append((m.start(), m.end()))
    for m in _MONEY.finditer(low):
        if not (m.group(1) or m.group(3)) or not _free(used, m.start(), m.end()):
            continue  # a bare number is not money unless written as money ("$500", "5k")
        free = {n: w for n, w in targets.items() if n not in out}
        if not free:
            continue
        amount = float(m.group(2).replace(",", "")) * _SCALE.get((m.group(3) or "").lower(), 1)  # "300 dollars": ×1
        if any(isinstance(v, (int, float)) and not isinstance(v, bool) and v == amount for v in out.values()):
            used.append((m.start(), m.end()))  # already read (the grammar's price): each value is used once
            continue
        best = max(free, key=lambda n: _near(low, m.start(), m.end(), free[n]))
        out[best] = amount
        used.append((m.start(), m.end()))


def _day_counts(low: str, props: dict, out: dict, used: list) -> None:
    targets = {n: _words_of(n, s.get("description", "")) for n, s in props.items()
               if _kind(s) == "integer" and re.search(r"days?\b", (s.get("description") or "") + n)}
    for m in _DAYS.finditer(low):
        free = {n: w for n, w in targets.items() if n not in out}
        if not free or not _free(used, m.start(), m.end()):
            continue
        if any(isinstance(v, str) and v.lower() == f"{m.group(1)}d" for v in out.values()):
            used.append((m.start(), m.end()))  # "corr btc eth 90d": the window already took it
            continue
        scored = {n: _near(low, m.start(), m.end(), w) for n, w in free.items()}
        best = max(scored, key=scored.get)
        if scored[best] == 0 and len(free) > 1:
            continue
        out[best] = int(m.group(1))
        used.append((m.start(), m.end()))


_VENUE_WORDS = r"[A-Za-z][\w.-]{2,}"
# Named exchanges and wallets (the journal's venue list), read in any case: "on kraken", "to coinbase".
KNOWN_VENUES = "|".join(re.escape(v) for v in sorted(
    (v for v in VENUES if v not in ("exchange", "bank", "wallet", "wallets", "base", "arbitrum", "optimism")),
    key=len, reverse=True))


# "add to the ledger: …" names this app's ledger (where the row goes), not the Ledger hardware wallet.
_APP_LEDGER = re.compile(r"\b(?:add|record|put|enter|log|write|save)\s+(?:it\s+|this\s+|that\s+)?(?:to|in|into)\s+"
                         r"(?:my\s+|the\s+)?ledger$")


def _venues(text: str, low: str, props: dict, out: dict, used: list) -> None:
    if "venue" not in props:
        return
    m = re.search(rf"\bfrom\s+(?:my\s+)?({_VENUE_WORDS})\s+(?:to|into|onto)\s+(?:my\s+|the\s+)?({_VENUE_WORDS})", text, re.I)
    if m and "to_venue" in props:
        out.setdefault("venue", m.group(1).lower())
        out.setdefault("to_venue", m.group(2).lower())
        used.append((m.start(), m.end()))
        return
    m = next((v for v in re.finditer(rf"\b(?:on|at|via|through|from|to|into|onto|with)\s+(?:my\s+|the\s+)?"
                                     rf"({KNOWN_VENUES})\b", low) if not _APP_LEDGER.search(low[:v.end()])), None)
    if m is None:
        m = re.search(r"\b(?:on|at|via|through|from)\s+(?:my\s+)?([A-Z][\w.-]{2,})", text)
    if m and "venue" not in out and not m.group(1).isupper() and m.group(1).lower().rstrip(".") not in MONTHS:
        out["venue"] = m.group(1).lower()
        used.append((m.start(), m.end()))
