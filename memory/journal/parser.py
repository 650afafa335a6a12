"""A deterministic reading of a journal sentence: what it can tell without a language model.

"rotated 5% from layer-1 into DeFi today because momentum turned; nervous about the CPI print"
→ kind decision, action rotate, layer1 −5 pp / defi +5 pp, rationale "momentum turned",
emotional state "nervous", date today. It fills what it can and never fails on wording; the
only errors are dates that cannot exist ("2026-02-30"), since silently dropping one would put
the entry on the wrong day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from pydantic import BaseModel, Field

from indexdesk.memory.journal.amounts import NUMBER, SCALE, Size, exits_whole_position, prices, sizes, to_number
from indexdesk.memory.journal.enrich import lexicon_matches
from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.lexicon import LEXICON
from indexdesk.memory.journal import readings as _readings
from indexdesk.memory.journal.models import Observation, Plan, Position, Transfer
from indexdesk.memory.journal.vocabulary import (Vocabulary, alternation, default_vocabulary, mentions, phrase_key,
                                                 with_extra)

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}

_ACTION_PRIORITY = ("rotate", "rebalance", "hedge", "sell", "buy", "hold")
_CLAUSE_END = r"(?=[;.!?\n]|\bbut\b|\band (?:i|we)\b|$)"


class ParsedEntry(BaseModel):
    """What the parser understood; every field may be empty except the notes."""

    kind: str = "note"
    action: str | None = None
    positions: list[Position] = Field(default_factory=list)
    occurred_on: date | None = None
    rationale: str | None = None
    expected_outcome: str | None = None
    invalidation: str | None = None
    confidence: int | None = None
    emotional_state: str | None = None
    observations: list[Observation] = Field(default_factory=list)
    plans: list[Plan] = Field(default_factory=list)
    transfers: list[Transfer] = Field(default_factory=list)
    not_understood: list[str] = Field(default_factory=list, description="numbers in the text nothing above used")
    understood: list[str] = Field(default_factory=list, description="one line per thing read from the text")


# ---------------------------------------------------------------- dates

def _iso_date(text: str) -> date | None:
    match = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise JournalError(f"{match.group(0)!r} is not a valid date", hint="write dates as YYYY-MM-DD, e.g. 2026-03-01",
                           field="text") from None


_MONTHS = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_DAY = re.compile(rf"\b({_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTHS})\.?(?:,?\s+(\d{{4}}))?\b")


def _month_day(text: str, today: date) -> date | None:
    match = _MONTH_DAY.search(text) or _DAY_MONTH.search(text)
    if not match:
        return None
    first, second, year = match.groups()
    month_name, day = (first, second) if first.isalpha() else (second, first)
    month = MONTHS[month_name]
    try:
        if year:
            return date(int(year), month, int(day))
        candidate = date(today.year, month, int(day))
        return candidate if candidate <= today else date(today.year - 1, month, int(day))
    except ValueError:
        raise JournalError(f"{match.group(0)!r} is not a valid date", hint="check the day of the month",
                           field="text") from None


def parse_date(text: str, today: date) -> date | None:
    """The day a sentence is about: ISO dates, today/yesterday, N days ago, last/on Friday, March 3."""
    lowered = text.lower()
    found = _iso_date(lowered)
    if found:
        return found
    if re.search(r"\bday before yesterday\b", lowered):
        return today - timedelta(days=2)
    if re.search(r"\byesterday\b", lowered):
        return today - timedelta(days=1)
    if re.search(r"\b(?:today|this morning|tonight|this afternoon|this evening)\b", lowered):
        return today
    match = re.search(r"\b(\d+|" + "|".join(_WORD_NUMBERS) + r"|a)\s+(day|week)s?\s+ago\b", lowered)
    if match:
        count = 1 if match.group(1) == "a" else _WORD_NUMBERS.get(match.group(1)) or int(match.group(1))
        return today - timedelta(days=count * (7 if match.group(2) == "week" else 1))
    if re.search(r"\blast week\b", lowered):
        return today - timedelta(days=7)
    match = re.search(r"\b(last|this|on|past)\s+(" + "|".join(WEEKDAYS) + r")\b", lowered)
    if match:
        back = (today.weekday() - WEEKDAYS[match.group(2)]) % 7
        if match.group(1) == "last" and back == 0:
            back = 7
        return today - timedelta(days=back)
    return _month_day(lowered, today)


# ---------------------------------------------------------------- numbers

def _normalise_quotes(text: str) -> str:
    return text.replace("’", "'")


def _confidence(text: str) -> int | None:
    lowered = text.lower()
    if "confiden" not in lowered and "conviction" not in lowered and "/" not in lowered:
        return None
    match = re.search(r"\b(?:confidence|conviction|confident)\s*(?:is|of|level|:|=)?\s*([1-5])(?:\s*/\s*5)?\b", lowered)
    if match:
        return int(match.group(1))
    match = re.search(r"\b([1-5])\s*/\s*5\b", lowered)
    if match:
        return int(match.group(1))
    for pattern, value in ((r"\bvery (?:high|strong) (?:conviction|confidence)\b", 5),
                           (r"\b(?:high|strong) (?:conviction|confidence)\b", 4),
                           (r"\bvery low (?:conviction|confidence)\b", 1),
                           (r"\b(?:low|weak|little) (?:conviction|confidence)\b", 2),
                           (r"\b(?:medium|moderate|some) (?:conviction|confidence)\b", 3)):
        if re.search(pattern, lowered):
            return value
    return None


def _clause(text: str, starters: str) -> str | None:
    match = re.search(rf"\b(?:{starters})\b[:,]?\s*(.+?){_CLAUSE_END}", text, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    clause = match.group(1).strip(" ,;:-")
    return clause[:500] or None


# ---------------------------------------------------------------- positions

_VERB_ACTION = {"buy": "buy", "sell": "sell", "hold": "hold", "hedge": "hedge", "rebalance": "rebalance",
                "rotate": "rotate"}
# Phrases of the action lexicon that are too loose to start an action segment on their own.
_WEAK_VERBS = frozenset({"long", "wait", "waited", "drift", "drifted", "target weights", "target allocation",
                         "short", "bid", "shift", "enter", "protection", "insurance", "rotation"})
# Verbs of position-keeping beyond the tagging lexicon (which is shared with search).
_EXTRA_VERBS = {
    # rotations
    "swap": "rotate", "swapped": "rotate", "flipped": "rotate", "converted": "rotate", "moved": "rotate",
    "switched": "rotate", "rolled": "rotate", "traded": "rotate", "exchanged": "rotate",
    # buys
    "put": "buy", "parked": "buy", "raised": "buy", "grew": "buy", "took a position": "buy",
    "took a small position": "buy", "started a position": "buy", "grab": "buy", "grabbed": "buy", "snag": "buy",
    "snagged": "buy", "nabbed": "buy", "snapped up": "buy", "allocated": "buy", "acquired": "buy", "invested": "buy",
    "stacked": "buy", "scaled into": "buy", "scaled in": "buy", "upped": "buy", "boosted": "buy", "got into": "buy",
    "went all in": "buy", "all in on": "buy", "bought back": "buy", "re-entered": "buy", "reentered": "buy",
    "splurged": "buy", "opened": "buy", "increased": "buy", "added": "buy", "adding": "buy",
    # sells
    "lowered": "sell", "took": "sell", "sold": "sell", "trimmed": "sell", "bought": "buy", "shaved": "sell",
    "shave": "sell", "got rid of": "sell", "rid of": "sell", "scaled out": "sell", "scaled back": "sell",
    "cut back": "sell", "decreased": "sell", "parted with": "sell", "gave up on": "sell", "booked": "sell",
    "banked": "sell", "realized": "sell", "realised": "sell", "sold off": "sell", "dropped": "sell",
    "let go": "sell", "chopped": "sell", "halved": "sell", "closed": "sell", "exited": "sell",
    "averaged down": "buy", "averaged down on": "buy", "doubled down": "buy", "bot": "buy",
    # holding (kept out of the search lexicon: as tags they pulled unrelated entries into holding questions)
    "staying put": "hold", "doing nothing": "hold", "no action": "hold", "nothing to do": "hold",
    "not touching": "hold", "sitting tight": "hold", "not doing anything": "hold",
}
_HARD_BREAK = re.compile(r"[;.!?\n]+(?:\s|$)|\bbut\b|\bthen\b|\bwhile\b")
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bresisted|\bdecided against|\bwithout)\s+(?:\w+\s+)?$")
_SIZE_FIELDS = ("amount_basis", "quantity", "amount", "weight_change_pct", "position_pct")
_MARKET_SUBJECT = re.compile(r"\s+(?:just\s+|has\s+|had\s+|is\s+|was\s+|got\s+|really\s+|then\s+)?$")
_FROM = re.compile(r"\b(?:from|out of|with|using)\s+(?:the\s+|my\s+|some\s+|of\s+|all\s+|half\s+)*$")
_INTO = re.compile(r"\b(?:into|to|for|in|towards?)\s+(?:the\s+|my\s+|some\s+|more\s+)*$")


@lru_cache(maxsize=1)
def _verb_pattern() -> tuple[re.Pattern, dict[str, str]]:
    owners: dict[str, str] = {}
    for tag, phrases in LEXICON.items():
        if tag.startswith("action:"):
            for phrase in phrases:
                owners.setdefault(phrase_key(phrase), tag.split(":", 1)[1])
    for phrase, action in _EXTRA_VERBS.items():
        owners.setdefault(phrase, action)
    body = alternation(owners, r"[\s-]+")
    return re.compile(rf"(?<![\w$])({body})(?:s|es|ed|d|ing)?(?!\w)", re.IGNORECASE), owners


def _verbs(lowered: str, names: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, action) of each action verb outside asset names ("APE"); "didn't sell" is hold."""
    pattern, owners = _verb_pattern()
    out = []
    for m in pattern.finditer(lowered):
        key = phrase_key(m.group(1))
        if key in _WEAK_VERBS or any(a < m.end() and m.start() < b for a, b in names):
            continue
        if any(_MARKET_SUBJECT.match(lowered, b, m.start()) for _a, b in names if b <= m.start()):
            out.append((m.start(), m.end(), "market"))  # "BTC dumped 10%", "SOL sold off": the market moved
            continue
        action = owners[key]
        if action != "hold" and _NEGATED.search(lowered[max(0, m.start() - 24):m.start()]):
            action = "hold"
        out.append((m.start(), m.end(), action))
    # Verbs that are trades only before an amount ("got 3k ALGO", "picked up 0.1 BTC"; not "got rekt"),
    # and a signed amount with no verb ("+0.5 ETH", "-200 ADA").
    for m in _AMOUNT_VERB.finditer(lowered):
        if not any(a < m.end() and m.start() < b for a, b, _ in out) and not any(a < m.end() and m.start() < b for a, b in names):
            out.append((m.start(), m.end(), "buy"))
    for m in _SIGNED_AMOUNT.finditer(lowered):
        if not any(a <= m.start() < b for a, b, _ in out):
            out.append((m.start(), m.start() + 1, "buy" if m.group(1) == "+" else "sell"))
    return sorted(out)


_AMOUNT_VERB = re.compile(rf"\b(?:got|picked up|grabbed some|scooped(?: up)?|copped)(?=\s+(?:another\s+)?[$€£]?(?:{NUMBER}))")
_SIGNED_AMOUNT = re.compile(rf"(?:^|(?<=[\s(:,]))([+-])\s?(?:{NUMBER})(?:{SCALE})?(?!\s*(?:%|[\d.,]))(?=\s+[a-z$])")


def _segments(lowered: str, verbs: list[tuple[int, int, str]]) -> list[tuple[int, int, str | None, int]]:
    """(start, end, action, reach): each verb opens a segment up to the next verb or clause break.

    A name written before any verb of its clause takes the clause's next verb and its sizes
    ("QNT: sold a third"), so its segment `reach`es to the end of that verb's segment.
    """
    breaks = [m.start() for m in _HARD_BREAK.finditer(lowered)] + [len(lowered)]
    cuts = sorted({0, *breaks, *(v[0] for v in verbs)})
    starts = {v[0]: v[2] for v in verbs}
    raw = [(a, b, starts.get(a), a in breaks or a == 0) for a, b in zip(cuts, cuts[1:] + [len(lowered)]) if b > a]
    out = []
    for i, (a, b, action, _clause_start) in enumerate(raw):
        reach = b
        if action is None and i + 1 < len(raw) and raw[i + 1][2] is not None and not raw[i + 1][3]:
            action, reach = raw[i + 1][2], raw[i + 1][1]
        out.append((a, b, action, reach))
    return out


def _side(action: str | None, lowered: str, start: int, first_in_segment: bool) -> str | None:
    """What was done to one name inside a segment of `action` (a rotation sells one side, buys the other)."""
    before = lowered[max(0, start - 28):start]
    if action in ("rotate", "sell", "buy", "rebalance"):
        if _FROM.search(before) and (action != "sell" or not first_in_segment):
            return "sell"
        if action == "sell" and re.search(r"\binto\s+(?:the\s+|my\s+)?$", before) \
                or action != "sell" and _INTO.search(before) and (action != "buy" or not first_in_segment) \
                or action == "sell" and not first_in_segment and _INTO.search(before):
            return "buy"
        if action == "rotate":
            return "sell" if first_in_segment else "buy"
    return None if action == "rotate" else action


def _positions(text: str, vocabulary: Vocabulary, used: list | None = None) -> tuple[list[Position], set[str]]:
    """The positions named in `text`, and the actions the user took (verbs that are not the market's);
    the spans of the sizes and prices it used are appended to `used`."""
    lowered = _normalise_quotes(text).lower()
    found = mentions(text, vocabulary)
    # "1.5k USDC worth of ETH": the currency before "worth of" is the money paid, not a position
    worth = [(s, e) for _n, s, e in found if re.match(r"\s+worth\s+(?:of\s+)?", lowered[e:])
             or (_n in _STABLES and re.search(rf"\b(?:for|at|with|using|into)\s+[$€£]?(?:{NUMBER})(?:{SCALE})?\s*$", lowered[:s]))]
    found = [f for f in found if (f[1], f[2]) not in worth]
    spans = [(s, e) for _, s, e in found]
    verbs = _verbs(lowered, spans)
    market_moves = [end for _s, end, action in verbs if action == "market"]
    verbs = [v for v in verbs if v[2] != "market"]
    actions = {action for _s, _e, action in verbs}
    if not found:
        return [], actions
    price_list = prices(lowered)
    size_list = [size for size in sizes(lowered, spans, [(p.start, p.end) for p in price_list])
                 if not any(0 <= size.start - end <= 3 for end in market_moves)]  # "BTC dumped 10%" moved the market
    segments = _segments(lowered, verbs)
    out: dict[str, Position] = {}
    bound: dict[str, bool] = {}  # whether a name's size was written right at it ("0.5 ETH", "10% of my ETH")
    for i, (name, start, end) in enumerate(found):
        seg = next((s for s in segments if s[0] <= start < s[1]), (0, len(lowered), None, len(lowered)))
        seg_mentions = [j for j, (_, s, _e) in enumerate(found) if seg[0] <= s < seg[1]]
        first = seg_mentions and seg_mentions[0] == i
        action = _side(seg[2], lowered, start, bool(first))
        size = _size_for(i, start, seg, seg_mentions, found, size_list, lowered, action)
        price = next((p.value for p in price_list if end <= p.start < seg[3]
                      and not any(end <= s < p.start for _, s, _e in found)), None)
        position = _position(name, action, size, price, vocabulary)
        if used is not None:
            used += [(size.start, size.end)] if size is not None else []
            used += [(p.start, p.end) for p in price_list if p.value == position.price]
        if name in out:  # the same name twice ("Algorand: bought 5k ALGO"): keep what each mention adds
            known = out[name].model_dump(exclude_none=True)
            if known.get("action") is None or known.get("direction") == "held":
                known.pop("direction", None)
            if size is not None and size.mention == i and not bound.get(name):  # "0.1 BTC" beats a loose "10%"
                known = {k: v for k, v in known.items() if k not in _SIZE_FIELDS}
            out[name] = Position(**{**position.model_dump(exclude_none=True), **known})
            bound[name] = bound.get(name) or (size is not None and size.mention == i)
            continue
        out[name] = position
        bound[name] = size is not None and size.mention == i
    _sizes_said_later(out, found, segments, size_list, price_list, vocabulary, used, lowered)
    return list(out.values()), actions


_STABLES = frozenset({"USDC", "USDT", "DAI", "BUSD", "TUSD", "FDUSD", "USDE", "PYUSD"})
_BARE_COUNT = re.compile(rf"[a-z']+\s+(?:another\s+|an?\s+extra\s+)?({NUMBER})({SCALE})?(?![\d.,]|\s*(?:%|x\b|[$€£]))")


def _sizes_said_later(out: dict, found: list, segments: list, size_list: list, price_list: list,
                      vocabulary: Vocabulary, used: list | None, lowered: str) -> None:
    """One name in the entry and a later clause of trading with a size but no name ("averaged down on
    ATOM, bought 40 more at 7.2", "BTC -15% and i sold 0.1 at the bottom"): the size is that name's."""
    if len({name for name, _s, _e in found}) != 1:
        return
    name = found[0][0]
    if out[name].amount_basis is not None:
        return
    taken = {(u[0], u[1]) for u in used or []}
    for a, b, action, _reach in segments:
        if action not in ("buy", "sell") or any(a <= s < b for _n, s, _e in found):
            continue
        free = [z for z in size_list if z.mention is None and a <= z.start < b and (z.start, z.end) not in taken]
        if not free:  # a bare count right after the verb: "sold 0.1 at the bottom"
            bare = _BARE_COUNT.match(lowered, a, b)
            if bare is None:
                continue
            free = [Size(to_number(bare.group(1), bare.group(2)), "units", bare.start(1), bare.end())]
        size = free[0]
        price = next((p.value for p in price_list if size.end <= p.start < b), None)
        said = _position(name, action, size, price, vocabulary).model_dump(exclude_none=True)
        kept = {k: v for k, v in out[name].model_dump(exclude_none=True).items() if k not in said}
        out[name] = Position(**{**said, **kept})
        if used is not None:
            used += [(size.start, size.end)] + [(p.start, p.end) for p in price_list if p.value == price]
        return


def _size_for(i, start, seg, seg_mentions, found, size_list, lowered, action):
    bound = [s for s in size_list if s.mention == i]
    if bound:
        return bound[0]
    free = [s for s in size_list if s.mention is None and seg[0] <= s.start < seg[3]]
    # a size before the segment's verb in the same clause ("10% of the book: rotated …") counts too
    if not free:
        lead = lowered[max(0, seg[0] - 40):seg[0]]
        clause_start = seg[0] - len(lead) + (max(lead.rfind(c) for c in ";.!?\n") + 1)
        free = [s for s in size_list if s.mention is None and clause_start <= s.start < seg[0]
                and not any(clause_start <= s2 < seg[0] for _, s2, _e in found)]
    if free:
        if len(free) == 1 or len(seg_mentions) <= 1:
            nearest = min(free, key=lambda s: abs(s.start - start))
            return nearest
        # several sizes and several names: pair each name with the nearest size before it, else after
        before = [s for s in free if s.start < start]
        return before[-1] if before else free[0]
    if action == "sell" and exits_whole_position(lowered[max(0, seg[0] - 16):seg[3]]):  # "partially exited"
        return Size(100.0, "all", start, start)
    return None


def _position(name: str, action: str | None, size: Size | None, price: float | None, vocabulary: Vocabulary) -> Position:
    direction = {"buy": "into", "sell": "out_of"}.get(action or "", "held")
    fields: dict = {"name": name, "direction": direction, "action": action}
    if size is not None and action in ("buy", "sell", "rebalance", "hedge", None) \
            and not (action == "buy" and size.basis == "all"):
        basis = size.basis
        sign = -1.0 if action == "sell" else 1.0
        if basis == "units" and vocabulary.kind_of(name) == "index":
            basis = "portfolio_pct" if size.value <= 100 else "money"
        fields["amount_basis"] = basis
        if basis == "units":
            fields["quantity"] = size.value
        elif basis == "money":
            fields["amount"] = size.value
            if size.currency:
                fields["currency"] = size.currency
        elif basis == "portfolio_pct":
            fields["weight_change_pct"] = sign * size.value if action in ("buy", "sell") else size.value
        else:
            fields["position_pct"] = min(size.value, 100.0) if action == "sell" else size.value
    if price is not None and vocabulary.kind_of(name) == "asset":
        fields["price"] = price
    return Position(**fields)


def describe_position(p: Position) -> str:
    """'ETH: sell 0.5 units at 3200' — one line of what was read about a name."""
    size = {"units": lambda: f"{p.quantity:g} units", "money": lambda: f"{p.amount:,.2f} money",
            "portfolio_pct": lambda: f"{p.weight_change_pct:+g} pp of the portfolio",
            "position_pct": lambda: f"{p.position_pct:g}% of the position",
            "all": lambda: "the whole position"}.get(p.amount_basis or "", lambda: "")()
    line = f"{p.name}: {p.action or p.direction}" + (f" {size}" if size else "")
    line += f" at {p.price:g}" if p.price is not None else ""
    return line + (f", now {p.resulting_weight_pct:g}% of the portfolio" if p.resulting_weight_pct is not None else "")


def _kind(lowered: str, action: str | None) -> str:
    if re.search(r"\b(?:lesson|learn(?:ed|t)|next time|note to self|never again|mistake was)\b", lowered):
        return "lesson"
    if re.search(r"\b(?:quarterly review|review of|reviewing|looking back|in review|month in review|post-?mortem)\b", lowered):
        return "review"
    if action and action != "hold":
        return "decision"
    if re.search(r"\b(?:thesis|i (?:think|believe|expect)|my view|will (?:outperform|underperform)|over the next)\b", lowered):
        return "thesis"
    return "decision" if action == "hold" else "note"


def parse_text(text: str, today: date, extra_names: tuple[tuple[str, str], ...] = (),
               vocabulary: Vocabulary | None = None) -> ParsedEntry:
    """Read a journal sentence without a model.

    `vocabulary` (built by the tools layer from the universe and the catalogue) names the assets and
    indices; `extra_names` adds (phrase, canonical name) pairs to it.
    """
    vocabulary = with_extra(vocabulary or default_vocabulary(), extra_names)
    lowered = text.lower()
    matches = lexicon_matches(text)
    numeric = _readings.verb_typos(_readings.european_decimals(_normalise_quotes(text)))  # same length, case kept
    names = mentions(numeric, vocabulary)
    read = _readings.read(numeric, names)
    used: list[tuple[int, int]] = []
    positions, actions = _positions(read.masked, vocabulary, used)
    positions, changed = _readings.apply_readings(read, names, numeric, positions)
    actions |= changed
    # loose words ("short", "long", "bid") still count for the entry's action, not for a position's
    actions |= {tag.split(":", 1)[1] for tag, phrase in matches
                if tag.startswith("action:") and phrase_key(phrase) in _WEAK_VERBS}
    sides = {p.action for p in positions}
    has_from_into = re.search(r"\bfrom\b.+\b(?:into|to)\b", read.masked.lower()) is not None  # not a weight or transfer
    if has_from_into and ({"buy", "sell", "rotate"} & actions or any(p.amount_basis for p in positions)):
        actions.add("rotate")
    if {"buy", "sell"} <= sides and len(positions) >= 2:
        actions.add("rotate")
    if actions <= {"hold"} and sides & {"buy", "sell"}:
        actions |= sides & {"buy", "sell"}
    action = next((a for a in _ACTION_PRIORITY if a in actions), None)
    parsed = ParsedEntry(action=action, kind=_kind(lowered, action))
    parsed.positions = positions
    parsed.observations = [Observation(name=_readings.owner(names, o["start"], o["end"], numeric), return_pct=o["value"],
                                       period=o["period"]) for o in read.observations]
    parsed.plans = [Plan(name=_readings.owner(names, p["start"], p["end"], numeric), kind=p["kind"], value=p["value"],
                         unit=p["unit"]) for p in read.plans]
    parsed.transfers = [Transfer(name=t["name"], quantity=t["quantity"], from_venue=t["from"], to_venue=t["to"])
                        for t in read.transfers]
    parsed.occurred_on = parse_date(text, today)
    parsed.rationale = _clause(text, r"because|since|due to|given that|on the back of|reason(?: was|:)?")
    parsed.expected_outcome = _clause(text, r"expect(?:ing|s)?|target(?:ing)?|hoping|aiming for|should (?:see|get|outperform)")
    parsed.invalidation = _clause(text, r"invalidat\w*(?: if| when)?|wrong if|exit if|stop (?:if|at|below|out if)|"
                                        r"unless|i'?m out if|cut (?:it )?if")
    parsed.confidence = _confidence(text)
    emotions = list(dict.fromkeys(phrase.strip() for tag, phrase in matches if tag.startswith("emotion:")))
    parsed.emotional_state = ", ".join(emotions) or None
    notes = parsed.understood
    notes.append(f"kind: {parsed.kind}" + (f", action: {action}" if action else ""))
    for p in parsed.positions:
        notes.append(describe_position(p))
    notes += [_readings.describe_reading(r) for r in (*parsed.observations, *parsed.plans, *parsed.transfers)]
    parsed.not_understood = _readings.unread_numbers(read.masked, used, text)
    notes += [f"not understood: {item!r} (say what it is, e.g. a size, a price or a weight)" for item in parsed.not_understood]
    if parsed.kind == "decision" and action not in (None, "hold") and not any(p.direction != "held" for p in parsed.positions):
        notes.append("no position understood: name the asset or index and what you did (e.g. 'sold 0.5 ETH')")
    for label, value in (("date", parsed.occurred_on), ("rationale", parsed.rationale),
                         ("expected", parsed.expected_outcome), ("invalidation", parsed.invalidation),
                         ("confidence", parsed.confidence), ("emotional state", parsed.emotional_state)):
        if value is not None:
            notes.append(f"{label}: {value}")
    return parsed
