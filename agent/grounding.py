"""The grounding check: which numbers in an answer appear in none of the turn's tool results.

Pure text and JSON handling, no agent code, so it is tested on its own. A number in the answer is
grounded when some number in the tool results, shown at the answer's precision, reads the same:

* rounding or truncation to the digits shown: 0.12345 grounds "12.3%" and "12.35%";
* fraction <-> percent (0.123 grounds "12.3%"), basis points ("45 bps" from 0.0045);
* currency and magnitude suffixes: 42012.7 grounds "$42,013", "$42.0k" and "$42k"; 1.2e9 grounds "1.2B";
* sign-insensitive, because "fell 12.3%" reports -0.123 correctly.

Not checked, because they are not claims about the data: dates, years, quarters and times; list
ordinals ("1." at a line start); window labels and compound words ("90d", "30-day", "layer1");
small bare counts (0-10); and any number the user's question already contains.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_MULTIPLIERS = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "mn": 1e6, "million": 1e6,
                "B": 1e9, "bn": 1e9, "billion": 1e9, "T": 1e12, "trillion": 1e12}
_PERCENT_WORDS = {"%", "percent", "per cent", "pp"}
_BPS_WORDS = {"bps", "bp"}

_NUMBER = re.compile(
    r"""
    (?<![\w.\-/:])                      # not inside a word, version, path, date or ratio
    (?P<sign>[-\u2212+])?
    (?P<currency>US\$|\$|€|£)?
    (?P<sign2>[-\u2212])?
    (?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?P<suffix>\s?%|\s?(?:bps|bp|pp)\b|\s?(?:percent|per\ cent)\b|(?:[kKMBT]|bn|mn)\b|x\b
              |\s(?:thousand|million|billion|trillion)\b)?
    (?![\w]|[.,]\d|-[A-Za-z])           # not followed by letters ("90d", "30-day") or more digits
    """,
    re.VERBOSE,
)

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_NON_CLAIMS = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in (
    r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?Z?)?",     # ISO dates, timestamps
    r"\b\d{4}/\d{1,2}/\d{1,2}\b", r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?",            # 31 Mar 2026
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b",          # Mar 31, 2026
    rf"\b{_MONTH}\s+\d{{4}}\b",                                             # March 2026
    r"\b\d{4}\s?[QH][1-4]\b", r"\b[QH][1-4]\s?(?:\d{4})?\b", r"\bFY\s?\d{2,4}\b",
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b",                                       # times
    r"^\s*(?:[-*+]\s+)?\(?\d{1,2}[.)](?=\s)",                               # list ordinals
    r"#\d+\b",
)]


@dataclass(frozen=True)
class NumberMention:
    """One number as written in a text, with the value it stands for."""

    text: str
    value: float       # after suffixes: "$1.2M" -> 1_200_000.0, "12.3%" -> 12.3
    unit: float        # one step in the last shown digit, in the same scale as `value`
    percent: bool = False
    bps: bool = False
    plain_count: bool = False  # a bare small integer such as "3 indices"


def _blank(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def extract_numbers(text: str, *, skip_non_claims: bool = True) -> list[NumberMention]:
    """Every number written in `text`, in order (dates, ordinals and the like removed first)."""
    if skip_non_claims:
        for pattern in _NON_CLAIMS:
            text = _blank(text, pattern)
    mentions = []
    for m in _NUMBER.finditer(text):
        digits = m.group("digits").replace(",", "")
        suffix = (m.group("suffix") or "").strip()
        value = float(digits)
        decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
        multiplier = _MULTIPLIERS.get(suffix, 1.0)
        percent = suffix in _PERCENT_WORDS
        bps = suffix in _BPS_WORDS
        negative = bool(m.group("sign") in ("-", "\u2212") or m.group("sign2"))
        bare = not (suffix or m.group("currency") or "," in m.group("digits") or decimals)
        if skip_non_claims and bare and 1900 <= value <= 2100:
            continue  # a year
        mentions.append(NumberMention(
            text=m.group(0).strip(),
            value=(-value if negative else value) * multiplier,
            unit=10.0 ** -decimals * multiplier,
            percent=percent,
            bps=bps,
            plain_count=bare and value <= 10,
        ))
    return mentions


def numbers_in_results(results: Iterable[Any]) -> list[float]:
    """Every number in tool results: JSON values, numbers written inside strings, and list lengths.

    A result may be a JSON string (as tools return them), an already parsed value, or plain text.
    """
    found: list[float] = []

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            if math.isfinite(value):
                found.append(float(value))
        elif isinstance(value, str):
            for mention in extract_numbers(value, skip_non_claims=False):
                found.append(mention.value)
                if mention.percent:
                    found.append(mention.value / 100)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(str(key))
                walk(item)
        elif isinstance(value, (list, tuple)):
            found.append(float(len(value)))
            for item in value:
                walk(item)

    for result in results:
        if isinstance(result, str):
            try:
                result = json.loads(result)
            except ValueError:
                pass  # plain text (an error message, a refusal): read the numbers in it
        walk(result)
    return found


def _candidates(tool_value: float, mention: NumberMention) -> tuple[float, ...]:
    if mention.percent:
        return (tool_value, tool_value * 100)
    if mention.bps:
        return (tool_value, tool_value * 10_000, tool_value * 100)
    return (tool_value,)


def _reads_as(shown: float, unit: float, value: float) -> bool:
    """Does `value` print as `shown` at this precision, rounded or truncated?"""
    shown, value = abs(shown), abs(value)
    slack = unit * 1e-9 + 1e-12
    if abs(value - shown) <= unit / 2 + slack:
        return True
    return -slack <= value - shown < unit  # truncated rather than rounded


def is_grounded(mention: NumberMention, pool: Iterable[float]) -> bool:
    return any(_reads_as(mention.value, mention.unit, candidate)
               for value in pool for candidate in _candidates(value, mention))


def ungrounded_numbers(answer: str, tool_results: Iterable[Any], question: str = "") -> list[str]:
    """The numbers in `answer` (as written) that no tool result of the turn supports, in order, once each."""
    pool = numbers_in_results(tool_results)
    asked = [m.value for m in extract_numbers(question)] + [m.value / 100 for m in extract_numbers(question) if m.percent]
    out: list[str] = []
    for mention in extract_numbers(answer):
        if mention.plain_count or mention.text in out:
            continue
        if is_grounded(mention, asked) or is_grounded(mention, pool):
            continue
        out.append(mention.text)
    return out
