"""Readings of a journal line that are not trades: resulting weights, returns, plans, transfers.

    "trimmed memecoins from 10% to 5% of the portfolio" → a change (−5 pp) and a resulting weight (5 %)
    "added to BTC, now 15% of portfolio"                → a resulting weight (15 % of the portfolio)
    "AVAX … it lost 75% since I bought"                  → an observation (AVAX −75 %), not a position size
    "moved 0.05 BTC from Coinbase to Binance"            → a transfer (no trade)
    "cap SOL at 3%", "will add below 50k"                → plans (a limit, an entry level)

Each reading takes its words out of the text the position reader sees (`mask`), so one number is
read once: a "75%" that is a loss is never also a size. European decimals ("0,5 ETH", "3,5%",
"1.234,56 €") are rewritten first, keeping every other character where it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexdesk.memory.journal.amounts import NUMBER, SCALE, to_number
from indexdesk.memory.journal.venues import VENUES  # the list the router reads too (agent/offline_fill.py)

_PCT = rf"({NUMBER})\s*(?:%|percent\b|pct\b)"
_MONEY = rf"[$€£]?\s?({NUMBER})({SCALE})?"
_VENUE = "|".join(re.escape(v) for v in sorted(VENUES, key=len, reverse=True))
_TRANSFER_VERB = (r"\b(?:mov(?:ed|e|ing)|sen[dt](?:ing)?|transferr?(?:ed|ing)?|transfered|xfer(?:red)?|withdr(?:ew|awn|aw|awing)|"
                  r"deposit(?:ed|ing)?|bridg(?:ed|e|ing))\b")
_FUTURE = r"(?:\bwill\b|\bgonna\b|\bgoing to\b|'ll\b|\bplan(?:ning)? to\b|\bwant(?:s)? to\b|\bplan:)"


@dataclass
class Readings:
    masked: str  # the text with every consumed number/phrase blanked out (same length)
    resulting: list[dict] = field(default_factory=list)  # {start, end, value, change, basis}
    observations: list[dict] = field(default_factory=list)  # {start, end, value, period}
    plans: list[dict] = field(default_factory=list)  # {start, end, kind, value, unit}
    transfers: list[dict] = field(default_factory=list)  # {start, end, quantity_spans, from, to}
    since_verbs: list[tuple[int, int]] = field(default_factory=list)


def european_decimals(text: str) -> str:
    """'0,5' → '0.5', '3,5%' → '3.5%', '1.234,56' → '1234.56' (padded), '61.500' → '61500' when the line
    writes numbers the European way (a decimal comma or euros) or the number is a price ('at', 'below').
    The result has the same length, so spans found in it point into the original."""
    european = bool(re.search(r"\d,\d{1,2}(?!\d)|€|\beur\b|\beuros?\b", text, re.I))

    def thousands(m: re.Match) -> str:
        raw = m.group(0)
        digits = raw.replace(".", "").replace(",", ".")
        return digits + " " * (len(raw) - len(digits))

    text = re.sub(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d{1,2}(?![\d,])", thousands, text)  # 1.234,56
    if european:
        text = re.sub(r"(?<![\d.,])[1-9]\d{0,2}(?:\.\d{3})+(?![\d.,]\d)", thousands, text)  # 1.000 XRP, 61.500
    else:
        text = re.sub(r"(?:(?<=\bat )|(?<=below )|(?<=under )|(?<=above )|(?<=\bover ))[1-9]\d{0,2}\.\d{3}(?![\d.,]\d)",
                      thousands, text)
    return re.sub(r"(?<=\d),(?=\d{1,2}(?!\d))", ".", text)  # 0,5 → 0.5


_TRADE_VERBS = ("bought", "buy", "buying", "sold", "sell", "selling", "added", "trimmed")


def _typo_forms() -> dict[str, str]:
    """Misspellings of the trade verbs that keep the word's length or add one letter at its end:
    two neighbouring letters swapped ("bougth", "byu") or a stray last letter ("solde"). Neither
    form is an English word, so no real word is changed."""
    forms: dict[str, str] = {}
    for verb in _TRADE_VERBS:
        for i in range(len(verb) - 1):
            swapped = verb[:i] + verb[i + 1] + verb[i] + verb[i + 2:]
            if swapped != verb:
                forms.setdefault(swapped, verb)
        for letter in "abcdefghijklmnopqrstuvwxyz":
            forms.setdefault(verb + letter, verb + " ")
    for verb in _TRADE_VERBS:  # a real form of another verb ("sells", "added") is never a typo
        forms.pop(verb, None)
        forms.pop(verb + "s", None)
    for word in ("buys", "sells", "buyer", "seller", "solds", "boughts"):
        forms.pop(word, None)
    return forms


_TYPOS = _typo_forms()
_TYPO = re.compile(r"\b(" + "|".join(sorted(_TYPOS, key=len, reverse=True)) + r")\b", re.I)


def verb_typos(text: str) -> str:
    """'bougth 0.3 eth' → 'bought 0.3 eth', 'solde half' → 'sold  half' (same length: spans still point
    into the original)."""
    return _TYPO.sub(lambda m: _TYPOS[m.group(1).lower()], text)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


# ---------------------------------------------------------------- resulting weights

_PORTFOLIO = r"(?:\s*of\s+(?:my\s+|the\s+|our\s+)?(?:total\s+|whole\s+|overall\s+)?(?:portfolio|pf|port|book|holdings|stack|allocation|account))?"
_FROM_TO = re.compile(rf"\bfrom\s+(?:~\s*)?({NUMBER})\s*(?:%|percent|pct)?{_PORTFOLIO}\s+(?:down\s+|up\s+)?to\s+(?:~\s*)?{_PCT}{_PORTFOLIO}"
                      rf"|(?<![\w.])({NUMBER})\s*%?\s*(?:->|→|=>|⇒|➜|➔|➡️?|⟶|>)\s*({NUMBER})\s*%{_PORTFOLIO}"
                      rf"|\bto\s+{_PCT}\s+from\s+({NUMBER})\s*%?"
                      rf"|\bwas\s+({NUMBER})\s*%{_PORTFOLIO},?\s+now\s+({NUMBER})\s*%", re.I)
_BY_TO = re.compile(rf"\bby\s+({NUMBER})\s*(?:%|pp|points?|percentage points?)\s+to\s+{_PCT}{_PORTFOLIO}", re.I)
_NOW = re.compile(rf"(?:\bnow\s+(?:(?!of\b|to\b)[a-z][\w-]*\s+(?=is\b|at\b|~|about\b|around\b))?"
                  rf"(?:is\s+|at\s+|~\s*|about\s+|around\s+|makes\s+up\s+|represents\s+|accounts\s+for\s+)?"
                  rf"(?:about\s+|around\s+|~\s*)?{_PCT}{_PORTFOLIO}"
                  rf"|\b(?:is|it's|its|at|stays at)\s+(?:now\s+|at\s+|~\s*)?{_PCT}(?=\s*of\s+(?:my\s+|the\s+)?(?:total\s+)?"
                  rf"(?:portfolio|pf|port|book|holdings|stack))\s*of\s+(?:my\s+|the\s+)?(?:total\s+)?(?:portfolio|pf|port|book|holdings|stack)(?:\s+now)?"
                  rf"|\b(?:up\s+|back\s+|down\s+)?to\s+(?:~\s*)?{_PCT}(?=\s*(?:of\s+(?:my\s+|the\s+)?(?:total\s+)?"
                  rf"(?:portfolio|pf|port|book|holdings|stack)|[,;.)]|\s+(?:and|over|after|this|today|now|$)|$)){_PORTFOLIO})", re.I)
_NOW_LIST = re.compile(rf"\band\s+([a-z][\w-]*)\s+({NUMBER})\s*%", re.I)


def _resulting(out: Readings) -> None:
    lowered = out.masked
    for m in _FROM_TO.finditer(lowered):
        g = m.groups()
        if g[0] is not None:
            before, after = float(g[0].replace(",", "")), float(g[1].replace(",", ""))
        elif g[2] is not None:
            before, after = float(g[2].replace(",", "")), float(g[3].replace(",", ""))
        elif g[4] is not None:
            after, before = float(g[4].replace(",", "")), float(g[5].replace(",", ""))
        else:
            before, after = float(g[6].replace(",", "")), float(g[7].replace(",", ""))
        future = re.search(_FUTURE + r"[^.;]{0,30}$", lowered[max(0, m.start() - 40):m.start()])
        if future and re.search(r"\bif\b|\bwhen\b", lowered[m.end():m.end() + 30]):
            out.plans.append({"start": m.start(), "end": m.end(), "kind": "entry" if after > before else "exit",
                              "value": after, "unit": "portfolio_pct"})
        else:
            out.resulting.append({"start": m.start(), "end": m.end(), "value": after, "change": after - before})
        out.masked = _blank(out.masked, m.start(), m.end())
    for m in _BY_TO.finditer(out.masked):
        out.resulting.append({"start": m.start(), "end": m.end(), "value": float(m.group(2)),
                              "change": float(m.group(1)), "unsigned": True})
        out.masked = _blank(out.masked, m.start(), m.end())
    for m in _NOW.finditer(out.masked):
        value = next(float(g) for g in m.groups() if g is not None)
        if value > 100:
            continue
        out.resulting.append({"start": m.start(), "end": m.end(), "value": value, "change": None})
        out.masked = _blank(out.masked, m.start(), m.end())
        tail = _NOW_LIST.match(out.masked, m.end()) or _NOW_LIST.match(out.masked, m.end() + 1)
        if tail and "now" in m.group(0).lower():  # "layer1 now 15% and defi 10%"
            out.resulting.append({"start": tail.start(1), "end": tail.end(), "value": float(tail.group(2)),
                                  "change": None, "name_at": tail.start(1)})
            out.masked = _blank(out.masked, tail.start(2), tail.end())


# ---------------------------------------------------------------- observations (returns and losses)

_DOWN_WORDS = r"lost|lose|losing|fell|fallen|dropped|dumped|crashed|tanked|slid|sank|plunged|dipped|down"
_UP_WORDS = r"gained|gain|rallied|ran up|run up|pumped|rose|risen|jumped|surged|soared|returned|gone up|went up|climbed|mooned|up"
_OBSERVED = re.compile(
    rf"(?<!topped )(?<!bumped )(?<!scaled )(?<!bring it )(?<!picked )(?<!ramped )\b({_DOWN_WORDS}|{_UP_WORDS})\s+"
    rf"(?:by\s+|like\s+|about\s+|around\s+|another\s+|over\s+|almost\s+|nearly\s+|~\s*)?{_PCT}"
    rf"|(?<![\w.%])([+\-−])\s?{_PCT}"
    rf"|\b(doubled|tripled|2x'?d|3x'?d)\b(?!\s+(?:down|up)\b)", re.I)  # "doubled down" is a buy
_SINCE_VERB = re.compile(r"\b(?:since|when|where|after|from where)\s+(?:i|we)\s+(?:first\s+)?(bought|added|entered|bought in|got in)\b"
                         r"|\bsince\s+(?:my|the)\s+(?:entry|buy|purchase)\b", re.I)


def _observations(out: Readings) -> None:
    for m in _OBSERVED.finditer(out.masked):
        if m.group(1):
            word, value = m.group(1).lower(), float(m.group(2))
            if word == "up" and re.search(r"\b(?:topped|bumped|scaled|picked|ramped|stacked|bringing|brought|bring|"
                                          r"moved?|went|size[ds]?|level(?:ed|led)?)\s*$", out.masked[:m.start()].lower()):
                continue
            if word in ("dropped", "dumped", "dipped") and re.search(r"\b(?:i|we)\s+(?:\w+\s+)?$", out.masked[max(0, m.start() - 12):m.start()].lower()):
                continue  # "I dumped 10%" is a sale
            sign = -1.0 if re.fullmatch(_DOWN_WORDS, word) else 1.0
        elif m.group(3):
            sign, value = (-1.0 if m.group(3) in "-−" else 1.0), float(m.group(4))
        else:
            sign, value = 1.0, {"doubled": 100.0, "tripled": 200.0}.get(m.group(5).lower(), 100.0 if m.group(5)[0] == "2" else 200.0)
        period = re.match(r"\s*((?:since|this|last|in a|in one|in two|over|overnight|today|ytd|from)\b[^,.;]{0,24})",
                          out.masked[m.end():])
        out.observations.append({"start": m.start(), "end": m.end(), "value": sign * value,
                                 "period": period.group(1).strip() if period else None})
        out.masked = _blank(out.masked, m.start(), m.end())
    for m in _SINCE_VERB.finditer(out.masked):  # "since I bought": a reference point, not an action
        out.since_verbs.append((m.start(), m.end()))
        out.masked = _blank(out.masked, m.start(), m.end())


# ---------------------------------------------------------------- plans and limits

_PLAN_LIMIT = re.compile(
    rf"\b(?:hard\s+)?cap(?:ped)?\b(?:\s+[\w-]+){{0,3}}?\s+(?:at\s+)?(?:~\s*)?{_PCT}"
    rf"|\b(?:max(?:imum)?|at most|no more than|never more than|not more than|limit(?:ed)? to|under|below)\s+(?:of\s+)?{_PCT}"
    rf"|\b(?:limit|restrict|cap)(?:s|ed|ing)?\b(?:\s+(?!to\b|at\b)[\w-]+){{1,3}}?\s+(?:to|at)\s+(?:~\s*)?{_PCT}"
    rf"|\bkeep(?:ing)?\b(?:\s+[\w-]+){{1,3}}\s+(?:under|below|at|to)\s+{_PCT}"
    rf"|\btarget(?:\s+weight)?\b(?:\s+(?:for|of)\s+[\w-]+)?\s*(?:[:=]|\s(?:is|at)\b)?\s*{_PCT}"
    rf"|\b(?:no|never)\s+(?:(?:single|one)\s+)?(?:[\w-]+\s+)?(?:above|over|more than|bigger than)\s+{_PCT}"
    rf"|\bwant\s+[\w-]+\s+at\s+{_PCT}", re.I)
_PLAN_PRICE = re.compile(
    rf"(?P<lead>{_FUTURE}[^.;]{{0,40}}?|\bif\b[^.;]{{0,30}}?|\b(?:buy order|sell order|limit order|stop(?:[- ]loss)?|take profits?|tp)\b[^.;]{{0,20}}?|"
    rf"\b(?:accumulate|sell|trim|buy|add)\b[^.;]{{0,20}}?)"
    rf"\b(?P<cond>below|under|above|over|at|beneath|hits|reaches|touches|gets\s+to|loses|breaks)\s+(?P<money>{_MONEY})", re.I)
_PLAN_THEN = re.compile(r"\s*,?\s*(?:then\s+)?(?:i'?ll|i\s+will|we'?ll|we\s+will|i'?m\s+going\s+to|i\s+plan\s+to|i'?d|"
                        r"(?:i'?m|i\s+am|we'?re)(?=\s+out\b))\s+(?:[^.;!?,]|(?<=\d)\.(?=\d))*", re.I)
_PLAN_WHEN = re.compile(rf"\b(?:sell|trim|take profits?)\b[^.;]{{0,30}}\bwhen\s+it\s+(?:doubles|triples|moons)\b", re.I)


def _plans(out: Readings) -> None:
    for m in _PLAN_LIMIT.finditer(out.masked):
        value = next(float(g) for g in m.groups() if g is not None)
        out.plans.append({"start": m.start(), "end": m.end(), "kind": "limit", "value": value, "unit": "portfolio_pct"})
        out.masked = _blank(out.masked, m.start(), m.end())
    for m in _PLAN_PRICE.finditer(out.masked):
        lead, cond = m.group("lead").lower(), m.group("cond").lower()
        planned = re.search(_FUTURE + r"|\bif\b|order|stop|take profit|\btp\b|accumulate", lead)
        if not planned:
            continue
        if re.search(r"%|percent", out.masked[m.end("money"):m.end("money") + 3]):
            continue
        number = re.search(rf"({NUMBER})({SCALE})?", m.group("money"))
        value = to_number(number.group(1), number.group(2))
        selling = re.search(r"\b(?:sell|trim|take profits?|tp|stop|exit)\b", lead) or (
            cond in ("above", "over", "hits", "reaches", "touches") and not re.search(r"\b(?:buy|add|accumulate)\b", lead))
        end = m.end()
        then = _PLAN_THEN.match(out.masked, end) if lead.startswith("if") else None
        if then:  # "if SOL drops under 100 I'll buy another 20": the promised buy is the plan, not a trade
            end = then.end()
            selling = re.search(r"\b(?:sell|trim|exit|take profits?|out)\b", then.group(0).lower()) is not None
        out.plans.append({"start": m.start(), "end": end, "kind": "exit" if selling else "entry", "value": value,
                          "unit": "price", "lead_start": m.start()})
        out.masked = _blank(out.masked, m.start("cond"), end)
        out.masked = _blank(out.masked, m.start(), m.start() + len(m.group("lead")))  # the plan's verb is no trade
    for m in _PLAN_WHEN.finditer(out.masked):
        out.plans.append({"start": m.start(), "end": m.end(), "kind": "exit", "value": None, "unit": None})
        out.masked = _blank(out.masked, m.start(), m.end())


# ---------------------------------------------------------------- transfers

_BODY = r"(?:[^.;!?]|(?<=\d)\.(?=\d))"  # a clause: a decimal point does not end it
_STOP = r"(?:[;!?]|\.(?!\d))"
_TRANSFER = re.compile(rf"{_TRANSFER_VERB}(?P<body>{_BODY}*?)(?:\b(?P<prep>to|into|onto|on|off|from|between)\s+(?:my\s+|the\s+|a\s+|an\s+)?"
                       rf"(?:own\s+)?(?P<venue>{_VENUE})\b|(?P<arrow>->|→)\s*(?P<venue2>{_VENUE})\b)", re.I)


def _transfers(out: Readings, names: list[tuple[str, int, int]]) -> None:
    lowered = out.masked.lower()
    for m in _TRANSFER.finditer(lowered):
        clause_end = re.search(rf"{_STOP}|\b(?:and|then)\s+(?:i\s+)?(?:sold|bought|added|trimmed|sell|buy)\b|$", lowered[m.end():])
        end = m.end() + clause_end.start()
        comma = lowered.find(",", m.end(), end)
        if comma >= 0 and re.search(r"%|\bnow\b|\b(?:sold|bought|added|trimmed)\b", lowered[comma:end]):
            end = comma  # "moved 0.05 BTC to Binance, BTC now 20%": the weight is its own reading
        segment = lowered[m.start():end]
        venues = [(v.start() + m.start(), v.group(0)) for v in re.finditer(rf"\b(?:{_VENUE})\b", segment)]
        if not venues:
            continue
        source = next((v for _s, v in re.findall(rf"(\bfrom\s+(?:my\s+|the\s+)?)({_VENUE})\b", segment)), None)
        source = source or next((v for v in re.findall(rf"\boff\s+(?:my\s+|the\s+)?({_VENUE})\b", segment)), None)
        dest = next((v for v in re.findall(rf"\b(?:to|into|onto|on)\s+(?:my\s+|the\s+|a\s+|an\s+)?(?:own\s+)?({_VENUE})\b", segment)), None)
        dest = dest or next((v for v in re.findall(rf"(?:->|→)\s*({_VENUE})\b", segment)), None)
        arrow = re.search(rf"(\b[a-z.]+)\s*(?:->|→)\s*({_VENUE})\b", segment)
        if arrow and arrow.group(1) in VENUES:
            source = source or arrow.group(1)
        if re.search(r"%|\bportfolio\b|\bweight\b", segment):
            continue  # "moved 10% of the portfolio from BTC into …" is a rotation
        inside = [(n, s, e) for n, s, e in names if m.start() <= s < end and not any(vs <= s < vs + len(v) for vs, v in venues)]
        if not inside:
            continue
        for name, s, e in inside:
            qty = re.search(rf"(?<![\w.])({NUMBER})({SCALE})?\s*$", lowered[max(m.start(), s - 20):s])
            out.transfers.append({"start": m.start(), "end": end, "name": name,
                                  "quantity": to_number(qty.group(1), qty.group(2)) if qty else None,
                                  "from": source, "to": dest})
        out.masked = _blank(out.masked, m.start(), end)


def read(text: str, names: list[tuple[str, int, int]]) -> Readings:
    """Every non-trade reading of `text` (already lower-cased and European-decimal-normalised);
    `names` are the (name, start, end) mentions in it."""
    out = Readings(masked=text)
    _transfers(out, names)
    _plans(out)
    _resulting(out)
    _observations(out)
    # names inside a consumed phrase stay readable: the plan, weight or return is about them (a
    # transferred name does not: it was moved, not traded)
    masked = list(out.masked)
    for item in out.plans + out.resulting + out.observations:
        for _n, a, b in names:
            if item["start"] <= a < item["end"]:
                masked[a:b] = text[a:b]
    out.masked = "".join(masked)
    return out


def owner(names: list[tuple[str, int, int]], start: int, end: int, text: str) -> str | None:
    """The name a reading at [start, end) is about: inside it, else the nearest before it in the same
    sentence, else the next one after it in the sentence, else the nearest before it anywhere."""
    inside = [n for n, s, _e in names if start <= s < end]
    if inside:
        return inside[0]
    sentence_start = max((m.end() for m in re.finditer(r"[.;!?]\s|\n", text[:start])), default=0)
    sentence_end = start + (re.search(r"[.;!?](?:\s|$)|\n|$", text[start:]).start())
    before = [n for n, s, _e in names if sentence_start <= s < start]
    if before:
        return before[-1]
    after = [n for n, s, _e in names if end <= s < sentence_end]
    if after:
        return after[0]
    anywhere = [n for n, s, _e in names if s < start]
    return anywhere[-1] if anywhere else None


# ---------------------------------------------------------------- onto the parser's positions

def apply_readings(read: Readings, names: list[tuple[str, int, int]], text: str, positions: list) -> tuple[list, set[str]]:
    """Positions with their resulting weights (and, for "from X% to Y%", the change they imply), and
    the actions the numbers imply: a weight that went up is a buy whatever the verb ("took DeFi from 8% to 12%")."""
    from indexdesk.memory.journal.models import Position

    by_name = {p.name: p for p in positions}
    actions: set[str] = set()
    for r in read.resulting:
        name = next((n for n, s, _e in names if s == r.get("name_at")), None) or owner(names, r["start"], r["end"], text)
        if name is None:
            continue
        p = by_name.get(name) or Position(name=name)
        update: dict = {"resulting_weight_pct": r["value"], "resulting_weight_basis": "portfolio_pct"}
        change = r["change"]
        if change is None and p.action is None:  # "bringing the AI basket up to 10%": the direction is said
            said = text[max(0, r["start"] - 12):r["end"]].lower()
            direction = "buy" if re.search(r"\bup\s+to\b", said) else "sell" if re.search(r"\bdown\s+to\b", said) else None
            if direction:
                p = p.model_copy(update={"action": direction, "direction": "into" if direction == "buy" else "out_of"})
                actions.add(direction)
        if change is not None and r.get("unsigned"):
            change = -change if p.action == "sell" else change
        if change is not None and p.amount_basis in (None, "portfolio_pct", "all") and p.action != "rebalance":
            action = "buy" if change > 0 else "sell" if change < 0 else (p.action or "hold")
            update.update(action=action, direction={"buy": "into", "sell": "out_of"}.get(action, "held"),
                          amount_basis="portfolio_pct", weight_change_pct=change, quantity=None, amount=None,
                          position_pct=None)
            actions.add(action)
        by_name[name] = p.model_copy(update=update)
    ordered = [by_name.pop(p.name) for p in positions] + list(by_name.values())
    return ordered, actions


def describe_reading(r) -> str:
    """One line of what was read: 'observation: AVAX -75% since I bought', 'plan: …', 'transfer: …'."""
    kind = type(r).__name__.lower()
    if kind == "observation":
        return f"observation (not a trade): {r.name or 'portfolio'} {r.return_pct:+g}%" + (f" {r.period}" if r.period else "")
    if kind == "plan":
        level = "" if r.value is None else f" {r.value:g}%" if r.unit == "portfolio_pct" else f" {r.value:g}"
        return f"plan (not a trade): {r.kind} {r.name or 'any single name'}{level}"
    qty = f"{r.quantity:g} " if r.quantity is not None else ""
    route = (f" from {r.from_venue}" if r.from_venue else "") + (f" to {r.to_venue}" if r.to_venue else "")
    return f"transfer (no trade): {qty}{r.name}{route}" + (f", ledger tx {r.ledger_tx}" if r.ledger_tx else "")


_NUMBER_TOKEN = re.compile(rf"[$€£]?\s?(?<![\w.])(?:{NUMBER})(?:{SCALE})?\s*(?:%|percent\b|pct\b|pp\b|x\b)?", re.I)
_NOT_A_QUANTITY = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b(?:19|20)\d{2}\b|\b\d+\s*(?:am|pm|h|hrs?|hours?|days?|weeks?|months?|years?|yrs?|bps|"
    r"st|nd|rd|th|x)\b|\b[1-5]\s*/\s*(?:5|10)\b|\b\d+\s*(?:of|out of)\s*10\b|\b\d{1,2}:\d{2}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|#\d+|\b(?:layer|l)[\s-]?[12]\b|\b[a-z]+\d+[a-z]*\b", re.I)


def unread_numbers(masked: str, used: list[tuple[int, int]], original: str) -> list[str]:
    """Numbers still in `masked` that no reading used, as written in `original` (dates, times and
    confidence scores are not quantities and are not listed)."""
    skip = [(m.start(), m.end()) for m in _NOT_A_QUANTITY.finditer(masked)]
    out = []
    for m in _NUMBER_TOKEN.finditer(masked):
        start, end = m.start() + (len(m.group(0)) - len(m.group(0).lstrip())), m.end()
        if any(a < end and start < b for a, b in used + skip):
            continue
        out.append(original[start:end].strip())
    return [o for o in out if o]
