"""Dates and periods in a request's words, for the offline router: "on 2025-06-30", "end of June 2025",
"since 2021", "from March to May 2024", "Q3 2025", "the third quarter of 2025", "last quarter", "this
year", "last year", "in 2024", "since March", "June 30" (the last one), "yesterday", "today", "3 days ago", "the first half of 2025", "H2 2024".

Each phrase is found with its span (so the router knows which words it read) and read as a `Period`:
a start and/or an end day, and whether it names one day ("as of") or a stretch of time. Relative
phrases count from `today` (the router passes the wall clock; quarters and years are calendar ones).
Pure text processing (standard library only); the tools' own calendar validates what is sent.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:19|20)\d\d"
_ISO = r"\d{4}-\d{2}-\d{2}"
_NUMERIC = r"\d{1,2}[/.]\d{1,2}[/.](?:19|20)\d\d"
_SAID_DAY = (rf"(?:{_ISO}|{_NUMERIC}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}|"
             rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\s*,?\s+{_YEAR})")
_TO = r"(?:to|until|till|through|thru|and|-|–)"  # the word between a range's two ends
# A day with no year ("1 March", "June 30th"); its year is the one said after the range, else the latest past one.
_YEARLESS_DAY = (rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?![\d,])|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
                 rf"(?![\w.]))")
_ORDINAL_Q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4}


@dataclass(frozen=True)
class Period:
    """A stretch of calendar time (start..end, either open) or one day (`point`)."""

    start: date | None
    end: date | None
    point: bool = False
    quarter: str | None = None  # "2025Q3" when the phrase named a calendar quarter

    def window(self) -> str:
        """As a window argument: "START:END" (an open side left empty)."""
        return f"{self.start.isoformat() if self.start else ''}:{self.end.isoformat() if self.end else ''}"


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    period: Period


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_period(year: int, q: int) -> Period:
    return Period(date(year, 3 * q - 2, 1), month_end(year, 3 * q), quarter=f"{year}Q{q}")


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _day_of(text: str) -> date | None:
    """One day in any form `_SAID_DAY` takes: ISO, "jan 1 2024", "1st of January 2024", "30/09/2026".
    A numeric day whose day and month could be swapped ("03/04/2026") is not guessed: it stays unread."""
    text = text.strip()
    if re.fullmatch(_ISO, text):
        return _iso(text)
    numeric = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if numeric:
        a, b, year = (int(g) for g in numeric.groups())
        if a != b and a <= 12 and b <= 12:
            return None
        day, month = (a, b) if a > 12 or a == b else (b, a)
        try:
            return date(year, month, day) if month <= 12 else None
        except ValueError:
            return None
    named = (re.fullmatch(rf"(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>{_YEAR})", text)
             or re.fullmatch(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\s*,?\s+(?P<y>{_YEAR})", text))
    return _day_month_year(named.group("d"), named.group("m"), named.group("y")) if named else None


def _day_month_year(day: str | None, month: str, year: str, *, end: bool = False) -> date | None:
    m = MONTHS.get(month.lower().rstrip("."))
    if not m:
        return None
    try:
        if day:
            return date(int(year), m, int(day))
        return month_end(int(year), m) if end else date(int(year), m, 1)
    except ValueError:
        return None


def _patterns(today: date) -> list[tuple[re.Pattern, object]]:
    """(pattern, reader) pairs, most specific first; a reader returns a Period or None."""
    last_q = (today.month - 1) // 3  # 0 means Q4 of last year
    this_q = last_q + 1

    def prev_quarter(_m):
        return quarter_period(today.year - 1, 4) if last_q == 0 else quarter_period(today.year, last_q)

    def range_months(m):
        year = int(m.group("y2") or m.group("y1") or today.year)
        y1 = int(m.group("y1")) if m.group("y1") else year
        a, b = MONTHS[m.group("m1").lower().rstrip(".")], MONTHS[m.group("m2").lower().rstrip(".")]
        if not m.group("y1") and a > b:
            y1 = year - 1  # "from November to February 2024": November of the year before
        return Period(date(y1, a, 1), month_end(year, b))

    def ordinal_quarter(m):
        return quarter_period(int(m.group("y")), _ORDINAL_Q[m.group("o").lower()])

    return [
        (re.compile(rf"\b(?:from|between)\s+({_ISO})\s*{_TO}\s*({_ISO})"),
         lambda m: Period(_iso(m.group(1)), _iso(m.group(2)))),
        (re.compile(rf"({_ISO})\s*(?::|\.\.|to|until|through|–)\s*({_ISO})"),
         lambda m: Period(_iso(m.group(1)), _iso(m.group(2)))),
        (re.compile(rf"\b(?:from|between)\s+(?P<a>{_SAID_DAY})\s*{_TO}\s*(?P<b>{_SAID_DAY})"),
         lambda m: Period(_day_of(m.group("a")), _day_of(m.group("b"))) if _day_of(m.group("a")) and _day_of(m.group("b"))
         else None),
        (re.compile(rf"\b(?:from|between)\s+(?P<a>{_YEARLESS_DAY})\s*{_TO}\s*(?P<b>{_YEARLESS_DAY})(?:\s*,?\s*(?:(?:of|in)\s+)?"
                    rf"(?P<y>{_YEAR})\b|\s+(?P<w>this|last)\s+year\b)?"), lambda m: _yearless_range(m, today)),
        (re.compile(rf"\b(?:since|from|after|starting(?:\s+on)?)\s+(?P<a>{_SAID_DAY})"), lambda m: Period(_day_of(m.group("a")), None)
         if _day_of(m.group("a")) else None),
        (re.compile(rf"\b(?:since|from|after|starting)\s+({_NUMERIC})"), lambda m: Period(_day_of(m.group(1)), None)),
        (re.compile(rf"\b(?:until|till|through|up to|before)\s+({_NUMERIC})"), lambda m: Period(None, _day_of(m.group(1)))),
        (re.compile(rf"\b(?:from|between)\s+(?P<m1>{_MONTH})\s*(?P<y1>{_YEAR})?\s*{_TO}\s*"
                    rf"(?P<m2>{_MONTH})\s*(?P<y2>{_YEAR})?"), range_months),
        (re.compile(rf"\b(?:since|from|after|starting)\s+({_ISO})"), lambda m: Period(_iso(m.group(1)), None)),
        (re.compile(rf"\b(?:until|till|through|up to|before)\s+({_ISO})"), lambda m: Period(None, _iso(m.group(1)))),
        (re.compile(rf"\b(?:since|from|starting)\s+(?:the\s+start\s+of\s+|the\s+beginning\s+of\s+)?(?P<m>{_MONTH})\s+"
                    rf"(?P<y>{_YEAR})"), lambda m: Period(_day_month_year(None, m.group("m"), m.group("y")), None)),
        (re.compile(rf"\b(?:since|from|starting(?:\s+in)?)\s+(?:the\s+start\s+of\s+)?({_YEAR})\b(?!-)"),
         lambda m: Period(date(int(m.group(1)), 1, 1), None)),
        (re.compile(rf"\b(?:at\s+the\s+)?end\s+of\s+(?P<m>{_MONTH})\s*,?\s*(?P<y>{_YEAR})"),
         lambda m: Period(None, _day_month_year(None, m.group("m"), m.group("y"), end=True), point=True)),
        (re.compile(rf"\b(?:at\s+the\s+)?end\s+of\s+(?P<m>{_MONTH})(?![\w.])(?!\s*,?\s*\d)"),
         lambda m: Period(None, _last_month_end(m.group("m"), today), point=True)),
        (re.compile(r"\b(?:last|previous|prior)\s+(?:calendar\s+)?month\b"), lambda m: Period(
            date(*_year_month(today, back=1), 1), month_end(*_year_month(today, back=1)))),
        (re.compile(rf"\b(?:at\s+the\s+)?end\s+of\s+(?P<y>{_YEAR})\b"),
         lambda m: Period(None, date(int(m.group("y")), 12, 31), point=True)),
        (re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>{_YEAR})"),
         lambda m: Period(None, _day_month_year(m.group("d"), m.group("m"), m.group("y")), point=True)),
        (re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\s*,?\s+(?P<y>{_YEAR})"),
         lambda m: Period(None, _day_month_year(m.group("d"), m.group("m"), m.group("y")), point=True)),
        (re.compile(rf"\b(?:on|as of|as at|at)\s+({_ISO})"), lambda m: Period(None, _iso(m.group(1)), point=True)),
        (re.compile(rf"\b({_YEAR})\s*[-/ ]?\s*q([1-4])\b"), lambda m: quarter_period(int(m.group(1)), int(m.group(2)))),
        (re.compile(rf"\bq([1-4])\s*(?:of\s+)?[-/ ]?\s*({_YEAR})\b"), lambda m: quarter_period(int(m.group(2)), int(m.group(1)))),
        (re.compile(rf"(?<![\w-])q(?P<q>[1-4])\b(?!\s*(?:of\s+)?[-/ ]?\s*{_YEAR})"), lambda m: _last_quarter_numbered(
            int(m.group("q")), today)),
        (re.compile(rf"\b(?:the\s+)?(?P<o>first|second|third|fourth|1st|2nd|3rd|4th|last)\s+quarter\s+(?:of\s+)?(?P<y>{_YEAR})"),
         ordinal_quarter),
        (re.compile(rf"\b(?:the\s+)?(?P<h>first|second|1st|2nd)\s+half\s+(?:of\s+)?(?P<y>{_YEAR})\b"),
         lambda m: _half(int(m.group("y")), 1 if m.group("h") in ("first", "1st") else 2)),
        (re.compile(rf"\bh(?P<h>[12])\s*[-/ ]?\s*(?P<y>{_YEAR})\b|\b(?P<y2>{_YEAR})\s*[-/ ]?\s*h(?P<h2>[12])\b"),
         lambda m: _half(int(m.group("y") or m.group("y2")), int(m.group("h") or m.group("h2")))),
        (re.compile(rf"\b(?:(?P<w>last|this|past)\s+|(?:over|during|in|through)\s+the\s+|the\s+)?(?P<s>summer|winter|spring|"
                    rf"autumn)(?:\s+(?:of\s+)?(?P<y>{_YEAR}))?\b|\b(?P<w2>last|this)\s+(?P<s2>fall)\b|\bfall\s+(?:of\s+)?(?P<y2>{_YEAR})\b"),
         lambda m: _season(m.group("s") or m.group("s2") or "fall", m.group("y") or m.group("y2"), m.group("w") or m.group("w2"), today)),
        (re.compile(r"\b(?:last|previous|past|prior)\s+quarter\b"), prev_quarter),
        (re.compile(r"\b(?:this|the current|current)\s+quarter\b"), lambda m: quarter_period(today.year, this_q)),
        (re.compile(r"\b(?:last|previous|prior)\s+(?:calendar\s+|tax\s+)?year\b|\b(?:a\s+)?year\s+ago\b"),
         lambda m: Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))),
        (re.compile(r"\b(?:this|the current|current)\s+(?:calendar\s+|tax\s+)?year\b|\bso far this year\b|\byear[- ]to[- ]date\b|\bytd\b|\bsince the (?:start|beginning) of (?:the|this) year\b"),
         lambda m: Period(date(today.year, 1, 1), None)),
        (re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<y>{_YEAR})\b"),
         lambda m: Period(_day_month_year(None, m.group("m"), m.group("y")),
                          _day_month_year(None, m.group("m"), m.group("y"), end=True))),
        (re.compile(rf"\b(?:in|during|for|over|throughout)\s+({_YEAR})\b(?!-)"),
         lambda m: Period(date(int(m.group(1)), 1, 1), date(int(m.group(1)), 12, 31))),
        (re.compile(rf"\b(?:in|during|for|over|throughout|across)\s+(?:the\s+month\s+of\s+)?(?P<m>{_MONTH})(?![\w.])(?!\s*,?\s*\d)"),
         lambda m: _whole_month(m.group("m"), today)),
        (re.compile(rf"\b(?:since|from|starting(?:\s+in)?)\s+(?:the\s+start\s+of\s+)?(?P<m>{_MONTH})(?![\w.])(?!\s+\d)"),
         lambda m: Period(_last_month_start(m.group("m"), today), None)),
        (re.compile(rf"\b(?:on\s+)?(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.]?\s*\d)(?!\s*(?:%|k\b|x\b))"),
         lambda m: _past_day(m.group("m"), m.group("d"), today)),
        (re.compile(rf"\b(?:on\s+)?(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\b(?![,.]?\s*\d)"),
         lambda m: _past_day(m.group("m"), m.group("d"), today)),
        (re.compile(r"\byesterday\b"), lambda m: Period(None, date.fromordinal(today.toordinal() - 1), point=True)),
        (re.compile(r"\b(?:today|this morning|tonight)\b(?!\s+(?:were|was|is|being)\b)"), lambda m: Period(None, today, point=True)),
        (re.compile(r"\b(?P<n>\d{1,3}|a|an|one|two|three)\s+(?P<u>days?|weeks?)\s+ago\b"), lambda m: Period(
            None, date.fromordinal(today.toordinal() - _count(m.group("n")) * (7 if m.group("u")[0] == "w" else 1)),
            point=True)),
        (re.compile(rf"(?<![\w-])({_ISO})(?![\w-])"), lambda m: Period(None, _iso(m.group(1)), point=True)),
        (re.compile(rf"(?<![\w/.])({_NUMERIC})(?![\w/])"), lambda m: Period(None, _day_of(m.group(1)), point=True)),
    ]


def _yearless_day(text: str) -> tuple[int, int]:
    """(month, day) of "1 March", "the 30th of June", "June 30th"."""
    day = int(re.search(r"\d{1,2}", text).group(0))
    month = re.search(_MONTH, re.sub(r"\d{1,2}(?:st|nd|rd|th)?|\b(?:the|of)\b", " ", text)).group(0)
    return MONTHS[month.rstrip(".")], day


def _yearless_range(m: re.Match, today: date) -> Period:
    """"between 1 March and 30 June [this year | 2025]": the year said after the range, else the latest one
    whose end has passed (an end before the start runs into the next year)."""
    (m1, d1), (m2, d2) = _yearless_day(m.group("a")), _yearless_day(m.group("b"))
    wrap = (m2, d2) < (m1, d1)
    if m.group("y") or m.group("w"):
        end_year = int(m.group("y")) if m.group("y") else today.year - (m.group("w") == "last")
    else:
        end_year = today.year if date(today.year, m2, d2) <= today else today.year - 1
    return Period(date(end_year - wrap, m1, d1), date(end_year, m2, d2))


def _half(year: int, half: int) -> Period:
    """"the first half of 2025", "H2 2024": January–June or July–December."""
    return Period(date(year, 1, 1), date(year, 6, 30)) if half == 1 else Period(date(year, 7, 1), date(year, 12, 31))


def _count(word: str) -> int:
    return {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}.get(word) or int(word)


def _past_day(month: str, day: str, today: date) -> Period | None:
    """"June 30" / "30th of June" without a year: the last such day on or before today."""
    m = MONTHS[month.lower().rstrip(".")]
    try:
        found = date(today.year, m, int(day))
        if found > today:
            found = date(today.year - 1, m, int(day))
    except ValueError:
        return None
    return Period(None, found, point=True)


def _year_month(today: date, back: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - back
    return index // 12, index % 12 + 1


_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def _season(name: str, year: str | None, which: str | None, today: date) -> Period | None:
    """"over the summer": June–August of the most recent summer begun (winter runs December–February);
    "summer 2025" that year's; "last summer" the one before this year's if this year's has not ended."""
    first = _SEASON_START[name]
    def span(y: int) -> Period:
        start = date(y, first, 1)
        end_y, end_m = (y + 1, 2) if first == 12 else (y, first + 2)
        return Period(start, month_end(end_y, end_m))
    if year:
        return span(int(year))
    y = today.year if date(today.year, first, 1) <= today else today.year - 1
    period = span(y)
    if which == "last" and period.end >= today:
        period = span(y - 1)
    return Period(period.start, None) if period.end >= today else period


def _whole_month(month: str, today: date) -> Period:
    """"in October": the most recent October begun (the current month runs to the data's end)."""
    start = _last_month_start(month, today)
    end = month_end(start.year, start.month)
    return Period(start, end if end < today else None)


def _last_quarter_numbered(q: int, today: date) -> Period:
    """"Q2" with no year: the most recent Q2 that has ended."""
    period = quarter_period(today.year, q)
    return period if period.end < today else quarter_period(today.year - 1, q)


def _last_month_end(month: str, today: date) -> date:
    """"the end of June": the last day of the most recent June that has ended."""
    number = MONTHS[month.lower().rstrip(".")]
    end = month_end(today.year, number)
    return end if end < today else month_end(today.year - 1, number)


def _last_month_start(month: str, today: date) -> date:
    """"since March": the most recent March that has begun."""
    m = MONTHS[month.lower().rstrip(".")]
    return date(today.year if m <= today.month else today.year - 1, m, 1)


def find_periods(low: str, today: date | None = None) -> list[DateSpan]:
    """Every date phrase in lower-case text, left to right, overlapping matches resolved (first, longest)."""
    today = today or date.today()
    found: list[DateSpan] = []
    for pattern, reader in _patterns(today):
        for m in pattern.finditer(low):
            if any(s.start < m.end() and m.start() < s.end for s in found):
                continue
            try:
                period = reader(m)
            except (ValueError, KeyError):
                period = None
            if period is not None and (period.start or period.end):
                found.append(DateSpan(m.start(), m.end(), period))
    return sorted(found, key=lambda s: s.start)
