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

from pydantic import BaseModel, Field

from indexdesk.memory.journal.enrich import index_mentions, lexicon_matches
from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.models import Position

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


def _month_day(text: str, today: date) -> date | None:
    months = "|".join(sorted(MONTHS, key=len, reverse=True))
    match = (re.search(rf"\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", text)
             or re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({months})\.?(?:,?\s+(\d{{4}}))?\b", text))
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

def _number(raw: str) -> float:
    raw = raw.replace(",", "").lower()
    scale = 1.0
    if raw.endswith("k"):
        raw, scale = raw[:-1], 1_000.0
    elif raw.endswith("m"):
        raw, scale = raw[:-1], 1_000_000.0
    return float(raw) * scale


def _percentages(text: str) -> list[float]:
    return [float(m) for m in re.findall(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|pct\b|pp\b|points?\b)", text.lower())]


def _amounts(text: str) -> list[float]:
    lowered = text.lower()
    found = [_number(m) for m in re.findall(r"[$€£]\s?(\d[\d,]*(?:\.\d+)?[km]?)\b", lowered)]
    found += [_number(m) for m in re.findall(r"\b(\d[\d,]*(?:\.\d+)?[km]?)\s*(?:usd|usdc|usdt|dollars|eur|euros)\b", lowered)]
    return found


def _confidence(text: str) -> int | None:
    lowered = text.lower()
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

def _positions(text: str, action: str | None, extra_names: tuple[tuple[str, str], ...]) -> list[Position]:
    mentions = index_mentions(text, extra_names)
    if not mentions:
        return []
    lowered = text.lower()
    percents = _percentages(text)
    amounts = _amounts(text)
    size_pct = percents[0] if percents else None
    size_amount = amounts[0] if amounts else None
    out: dict[str, Position] = {}
    for name, start, _end in mentions:
        before = lowered[max(0, start - 12):start]
        if re.search(r"\b(?:from|out of|outof|sold|selling|trimmed|exited|dumped|reduced)\s+(?:the\s+|my\s+|some\s+)?$", before):
            direction = "out_of"
        elif re.search(r"\b(?:into|to|in|bought|buying|added|toward|towards)\s+(?:the\s+|my\s+|some\s+)?$", before):
            direction = "into"
        elif action == "buy":
            direction = "into"
        elif action == "sell":
            direction = "out_of"
        else:
            direction = "held"
        if name in out:
            continue
        sign = {"into": 1.0, "out_of": -1.0}.get(direction)
        out[name] = Position(
            name=name,
            direction=direction,
            weight_change_pct=sign * size_pct if sign is not None and size_pct is not None else None,
            amount=size_amount if sign is not None else None,
        )
    return list(out.values())


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


def parse_text(text: str, today: date, extra_names: tuple[tuple[str, str], ...] = ()) -> ParsedEntry:
    """Read a journal sentence without a model. `extra_names` adds (phrase, canonical name) pairs."""
    lowered = text.lower()
    matches = lexicon_matches(text)
    actions = {tag.split(":", 1)[1] for tag, _ in matches if tag.startswith("action:")}
    has_from_into = re.search(r"\bfrom\b.+\b(?:into|to)\b", lowered) is not None
    if has_from_into and ({"buy", "sell", "rotate"} & actions or _percentages(text)):
        actions.add("rotate")
    if {"buy", "sell"} <= actions and len(index_mentions(text, extra_names)) >= 2:
        actions.add("rotate")
    action = next((a for a in _ACTION_PRIORITY if a in actions), None)
    parsed = ParsedEntry(action=action, kind=_kind(lowered, action))
    parsed.positions = _positions(text, action, extra_names)
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
        size = " ".join(s for s in (f"{p.weight_change_pct:+g} pp" if p.weight_change_pct is not None else "",
                                    f"amount {p.amount:g}" if p.amount is not None else "") if s)
        notes.append(f"{p.name}: {p.direction}" + (f" ({size})" if size else ""))
    for label, value in (("date", parsed.occurred_on), ("rationale", parsed.rationale),
                         ("expected", parsed.expected_outcome), ("invalidation", parsed.invalidation),
                         ("confidence", parsed.confidence), ("emotional state", parsed.emotional_state)):
        if value is not None:
            notes.append(f"{label}: {value}")
    return parsed
