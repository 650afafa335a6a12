"""Values in a request's text for the offline router: windows and durations, quarters, numbers and
percentages, each found with its span so the grammar knows which parts of the text it has read.

Pure text processing (standard library only).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    value: Any


_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "six": "6", "seven": "7", "ten": "10", "twelve": "12", "a": "1",
                 "an": "1", "thirty": "30", "ninety": "90"}
_DATE = r"\d{4}-\d{2}-\d{2}"
_DURATION = re.compile(
    r"(?<![\w.])(\d+)\s*-?\s*(d|days?|w|wks?|weeks?|m|mos?|months?|q|quarters?|y|yrs?|years?)(?![a-z])")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "q": 90, "y": 365}
_WORD_WINDOWS = [
    (re.compile(r"\b(ytd|year[- ]to[- ]date|this year|so far this year|since the (?:start|beginning) of (?:the|this) year)\b"), "ytd"),
    (re.compile(r"\b(all[- ]time|since inception|full history|entire history|whole history|window all)\b"), "all"),
    (re.compile(r"\b(past|last|previous) (year|12 months)\b"), "1y"),
    # "last quarter" is the calendar quarter (offline_dates), "past 3 months" the 3m duration.
    (re.compile(r"\b(past|last|previous) month\b"), "30d"),
    (re.compile(r"\b(past|last|previous) week\b"), "7d"),
    (re.compile(r"\b(tomorrow|overnight|next day|by the end of the day|intraday)\b"), "1d"),
    (re.compile(r"\bnext week\b"), "7d"),
    (re.compile(r"\bnext month\b"), "30d"),
]
_QUARTER = re.compile(r"\b(20\d\d)\s*[-/ ]?\s*q([1-4])\b|\bq([1-4])\s*[-/ ]?\s*(20\d\d)\b")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(%|percent\b|pct\b)?")


class Days(int):
    """A duration in days that remembers how it was said: "6 months" is 180 days but the window "6m"
    (the tools' window grammar counts calendar months, tools/indices/series.py)."""

    label: str | None = None

    def __new__(cls, days: int, label: str | None = None) -> "Days":
        value = super().__new__(cls, days)
        value.label = label
        return value


def _same_length(word: str, number: str) -> str:
    """A number word replaced without moving later positions (spans index the original text)."""
    return number.ljust(len(word)) if len(number) <= len(word) else number


def _normalise(text: str) -> str:
    words = "|".join(_NUMBER_WORDS)
    low = re.sub(rf"\b({words})(?=[\s-]+(day|week|month|quarter|year)s?\b(?!\s+of\b))",
                 lambda m: _same_length(m.group(1), _NUMBER_WORDS[m.group(1)]), text.lower())
    # "a bad month", "in a rough week", "over a single day": one of that unit (a horizon).
    return re.sub(r"\b(?:a|one)\s+(?:bad|rough|terrible|single|horrible|awful|worst)(?=\s+(?:day|week|month|quarter|year)\b)"
                  r"|\b(?:bad|rough|terrible|horrible|awful)(?=\s+(?:day|week|month|quarter|year)\b)",
                  lambda m: _same_length(m.group(0), "1"), low)


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Replace spans with spaces (positions stay valid) so later passes don't read them again."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def window_of_days(days: int) -> str:
    if getattr(days, "label", None):
        return days.label
    if days % 365 == 0:
        return f"{days // 365}y"
    return f"{days}d"


def find_durations(low: str) -> list[Span]:
    """Durations as days (value = int days), word windows as labels (value = 'ytd' / 'all')."""
    found = []
    for m in _DURATION.finditer(low):
        unit = m.group(2)[0]
        days = int(m.group(1)) * _UNIT_DAYS[unit]
        if unit == "m" and int(m.group(1)) % 12 == 0:
            days = 365 * int(m.group(1)) // 12
        elif unit == "m":
            days = Days(days, f"{int(m.group(1))}m")
        found.append(Span(m.start(), m.end(), days))
    for pattern, label in _WORD_WINDOWS:
        for m in pattern.finditer(low):
            days = {"1y": 365, "90d": 90, "30d": 30, "7d": 7, "1d": 1}.get(label)
            found.append(Span(m.start(), m.end(), days if days else label))
    for m in re.finditer(rf"(?:\b(?:from|between)\s+)?({_DATE})\s*(?:to|until|through|and|:|\.\.|–|—|-)\s*({_DATE})", low):
        found.append(Span(m.start(), m.end(), f"{m.group(1)}:{m.group(2)}"))
    for m in re.finditer(rf"\b(since|from|after)\s+({_DATE})", low):
        found.append(Span(m.start(), m.end(), f"{m.group(2)}:"))
    for m in re.finditer(r"\b(in|during|for|over)\s+(20\d\d)\b(?!\s*-?\s*q)", low):
        found.append(Span(m.start(), m.end(), f"{m.group(2)}-01-01:{m.group(2)}-12-31"))
    for m in re.finditer(r"\bsince\s+(20\d\d)\b(?!-)", low):
        found.append(Span(m.start(), m.end(), f"{m.group(1)}-01-01:"))
    found.sort(key=lambda s: s.start)
    kept: list[Span] = []
    for span in found:  # overlapping matches: the earlier, longer one wins
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


def window_days(window: str) -> int | None:
    """Days of a window label ("60d" → 60, "3y" → 1095); None for ytd, all or dates."""
    m = re.fullmatch(r"(\d+)\s*([dwmqy])", str(window).strip().lower())
    return int(m.group(1)) * _UNIT_DAYS[m.group(2)] if m else None


def as_window(value: Any) -> str:
    return window_of_days(value) if isinstance(value, int) else str(value)


def find_quarter(low: str) -> Span | None:
    m = _QUARTER.search(low)
    if not m:
        return None
    year, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return Span(m.start(), m.end(), f"{year}Q{q}")


def current_quarter(today: date | None = None) -> str:
    from indexdesk.tools.calendar import Quarter  # the one calendar's quarter arithmetic

    return Quarter.containing(today or date.today()).label


def find_numbers(low: str) -> list[Span]:
    """Numbers with a flag: value = (number, is_percent)."""
    return [Span(m.start(), m.end(), (float(m.group(1)), bool(m.group(2)))) for m in _NUMBER.finditer(low)]


def as_fraction(number: float, is_percent: bool) -> float:
    return round(number / 100, 10) if is_percent or number > 1 else number


# An identifier as users paste it: letters and digits mixed ("tx-42", "a1b2c3d4", "kraken-L4X2"), never a
# plain word, number, date, ticker or amount.
_ID = re.compile(r"(?<![\w$.-])(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9]+(?:[-_][a-z0-9]+)*(?![\w.-])", re.I)
_NOT_ID = re.compile(r"^(?:\d+(?:k|m|mm|d|w|y|q|x|bps|bp|st|nd|rd|th|s)?|q[1-4]|20\d\d-?q[1-4]|q[1-4]-?20\d\d|"
                     r"\d{4}-\d{2}-\d{2}|l[12]|layer-?[12]|[a-z]+[12]|covid\w*|\w+_20\d\d|"
                     r"\d+-?(?:days?|weeks?|months?|years?|hours?|mins?|yrs?|mos?|bps?|percent|pct|x|k|m)|"
                     r"(?:covid|top|bottom|last|first|next|past|layer|series|round|phase|level|tier|week|day|month|year|"
                     r"erc|bep|trc)-?\d{1,3}(?:th|st|nd|rd)?|h[12]-?20\d\d|20\d\d-?h[12])$", re.I)


def identifiers(text: str) -> list[re.Match]:
    """Identifier-looking tokens ("tx-42", "a1b2c3", "7f3a9c") in the text, left to right."""
    return [m for m in _ID.finditer(text) if not _NOT_ID.match(m.group(0))]
