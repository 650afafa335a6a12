"""The one calendar: days, windows, quarters and month arithmetic for every tool.

Every date a user or a model gives goes through `parse_day` (strict: a clear error naming the
field) or `day_or_none` (lenient: stored or exported values), every window through
`parse_window`, every quarter through `Quarter`. Month and year shifts are month-end correct
(`dateutil.relativedelta`: 31 March minus one month is 28/29 February).

Pure: standard library and dateutil; the only project import is the model-facing error type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from indexdesk.tools.errors import ToolError

EARLIEST_MARKET_DAY = date(2009, 1, 3)  # Bitcoin's genesis block: no crypto price or decision is older
LATEST_DAY = date(2100, 1, 1)  # beyond any date a tool can price; keeps pandas' ns timestamps in range

DAY_HINT = "use YYYY-MM-DD, e.g. 2026-03-01"
WINDOW_HELP = "30d, 90d, 180d, 1y, 3y, ytd, all, or YYYY-MM-DD:YYYY-MM-DD (either side may be empty)"
_RELATIVE = re.compile(r"^(\d{1,5})\s*([dwmy])$")


# ---------------------------------------------------------------- days

def day_or_none(value: Any) -> date | None:
    """A date from a date, a datetime or text starting with YYYY-MM-DD; None when it is none of them."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def parse_day(value: Any, field: str, *, earliest: date | None = None, latest: date | None = None) -> date | None:
    """A day the user gave (`YYYY-MM-DD`, a date or a datetime); None for none; a ToolError naming
    `field` for anything else, or for a day outside [earliest, latest)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ToolError(f"{field} {str(value)[:40]!r} is not a valid date", hint=DAY_HINT, field=field) from None
    if earliest is not None and day < earliest:
        raise ToolError(f"{field} {day} is before any market history", hint=f"give a date from {earliest} on",
                        field=field)
    if latest is not None and day >= latest:
        raise ToolError(f"{field} {day} is beyond any date a tool can price", hint=f"give a date before {latest}",
                        field=field)
    return day


def shift_months(day: date, months: int) -> date:
    """`day` moved back by `months` calendar months, clamped to the month's end (31 March - 1 m = 28/29 Feb)."""
    return day - relativedelta(months=months)


def shift_years(day: date, years: int) -> date:
    """`day` moved back by `years` (29 February becomes 28 February in a common year)."""
    return day - relativedelta(years=years)


# ---------------------------------------------------------------- windows

def parse_window(window: str, first: date, last: date) -> tuple[date, date]:
    """(start, end) of a window within the data's [first, last].

    Relative windows end at `last`; `start` is the base day of the first return ("30d" gives 30
    daily returns, "6m" starts six calendar months back, "ytd" starts on 31 December). Starts
    before `first` are clamped to it.
    """
    text = (window or "").strip().lower()
    first, last = day_or_none(first), day_or_none(last)
    if ":" in text:
        left, _, right = text.partition(":")
        start = _window_day(left, window) if left.strip() else first
        end = _window_day(right, window) if right.strip() else last
        if end < first or start > last:
            raise ToolError(f"window {window!r} is outside the data ({first}..{last})",
                            hint="choose dates inside the data range", field="window")
        start, end = max(start, first), min(end, last)
    elif text == "all":
        start, end = first, last
    elif text == "ytd":
        start, end = max(date(last.year - 1, 12, 31), first), last
    else:
        match = _RELATIVE.match(text)
        if not match:
            raise ToolError(f"unknown window {window!r}", hint=f"window is {WINDOW_HELP}", field="window")
        count, unit = int(match.group(1)), match.group(2)
        if count == 0:
            raise ToolError(f"window {window!r} is empty", hint=f"window is {WINDOW_HELP}", field="window")
        try:
            if unit == "d":
                start = last - timedelta(days=count)
            elif unit == "w":
                start = last - timedelta(weeks=count)
            elif unit == "m":
                start = shift_months(last, count)
            else:
                start = shift_years(last, count)
        except (ValueError, OverflowError):  # further back than the calendar goes (e.g. 3000y): all the data
            start = first
        start, end = max(start, first), last
    if start >= end:
        raise ToolError(f"window {window!r} holds no returns ({start}..{end})",
                        hint="the end must be after the start", field="window")
    return start, end


def _window_day(text: str, window: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ToolError(f"window {window!r}: {text.strip()!r} is not a date (YYYY-MM-DD)",
                        hint=f"window is {WINDOW_HELP}", field="window") from None


# ---------------------------------------------------------------- quarters

_YEAR_FIRST = re.compile(r"^(\d{4})\s*[-/ ]?\s*q([1-4])$")
_QUARTER_FIRST = re.compile(r"^q([1-4])\s*[-/ ]?\s*(\d{4})$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        nxt = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def base_day(self) -> date:
        """The close the quarter's first return starts from: the previous quarter's last day."""
        return self.first_day - timedelta(days=1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def read(cls, text: str) -> "Quarter | None":
        """`2026Q3`, `2026-q3`, `Q3 2026` → Quarter; None when the text is not a quarter."""
        given = (text or "").strip().lower()
        year_first, quarter_first = _YEAR_FIRST.match(given), _QUARTER_FIRST.match(given)
        if year_first:
            return cls(int(year_first.group(1)), int(year_first.group(2)))
        if quarter_first:
            return cls(int(quarter_first.group(2)), int(quarter_first.group(1)))
        return None


def last_completed_quarter(day: date) -> Quarter:
    """The last quarter that ended on or before `day`."""
    quarter = Quarter.containing(day)
    return quarter if quarter.last_day <= day else quarter.previous()
