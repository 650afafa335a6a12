"""The one calendar: days, month-end-correct shifts, windows and quarters, one grammar for every tool."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexdesk.tools import calendar
from indexdesk.tools.calendar import Quarter, last_completed_quarter, parse_day, parse_window, shift_months
from indexdesk.tools.errors import ToolError


def test_parse_day_takes_iso_text_dates_and_datetimes_and_names_the_field():
    assert parse_day("2025-06-30", "as_of") == date(2025, 6, 30)
    assert parse_day(" 2025-06-30 ", "as_of") == date(2025, 6, 30)
    assert parse_day(datetime(2025, 6, 30, 23, 59), "as_of") == date(2025, 6, 30)
    assert parse_day(None, "as_of") is None and parse_day("  ", "as_of") is None
    with pytest.raises(ToolError) as error:
        parse_day("2025-02-30", "start")
    assert error.value.message == "start '2025-02-30' is not a valid date" and error.value.field == "start"
    assert "YYYY-MM-DD" in error.value.hint


def test_parse_day_bounds_are_errors_not_overflows():
    with pytest.raises(ToolError, match="before any market history"):
        parse_day("2001-01-01", "start", earliest=calendar.EARLIEST_MARKET_DAY)
    with pytest.raises(ToolError, match="beyond any date"):
        parse_day("9999-12-31", "end", latest=calendar.LATEST_DAY)


def test_day_or_none_is_lenient_for_stored_values():
    assert calendar.day_or_none("2024-02-29T10:00:00Z") == date(2024, 2, 29)
    assert calendar.day_or_none(datetime(2024, 1, 1, 5)) == date(2024, 1, 1)
    assert calendar.day_or_none("garbage") is None and calendar.day_or_none(None) is None


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 3, 31), 1, date(2026, 2, 28)),   # month end clamps
    (date(2024, 3, 31), 1, date(2024, 2, 29)),   # leap February
    (date(2026, 5, 31), 6, date(2025, 11, 30)),
    (date(2026, 1, 15), 12, date(2025, 1, 15)),
])
def test_month_shifts_are_month_end_correct(day, months, expected):
    assert shift_months(day, months) == expected


def test_a_leap_day_shifted_by_a_year_is_the_28th():
    assert calendar.shift_years(date(2024, 2, 29), 1) == date(2023, 2, 28)


@given(st.dates(min_value=date(2010, 1, 1), max_value=date(2099, 12, 31)), st.integers(min_value=1, max_value=240))
def test_a_month_shift_lands_in_the_right_month_never_past_the_day(day, months):
    shifted = shift_months(day, months)
    assert (day.year * 12 + day.month) - (shifted.year * 12 + shifted.month) == months
    assert shifted.day <= day.day


def test_windows_use_calendar_months_and_years():
    first, last = date(2020, 1, 1), date(2026, 3, 31)
    assert parse_window("6m", first, last) == (date(2025, 9, 30), last)
    assert parse_window("1m", first, last) == (date(2026, 2, 28), last)
    assert parse_window("30d", first, last) == (date(2026, 3, 1), last)
    assert parse_window("ytd", first, last) == (date(2025, 12, 31), last)
    assert parse_window("2025-01-01:2025-06-30", first, last) == (date(2025, 1, 1), date(2025, 6, 30))
    with pytest.raises(ToolError, match="unknown window"):
        parse_window("six months", first, last)


@pytest.mark.parametrize("text", ["2026Q3", "2026-q3", "2026 Q3", "Q3 2026", "q3-2026", "2026/Q3"])
def test_quarters_read_in_every_written_form(text):
    assert Quarter.read(text) == Quarter(2026, 3)


def test_quarter_arithmetic():
    q = Quarter(2026, 1)
    assert (q.first_day, q.last_day, q.base_day) == (date(2026, 1, 1), date(2026, 3, 31), date(2025, 12, 31))
    assert q.previous() == Quarter(2025, 4) and Quarter(2025, 4).next() == q
    assert Quarter.containing(date(2026, 8, 15)) == Quarter(2026, 3)
    assert last_completed_quarter(date(2026, 9, 30)) == Quarter(2026, 3)
    assert last_completed_quarter(date(2026, 9, 29)) == Quarter(2026, 2)
    assert Quarter.read("Q5 2026") is None and Quarter.read("last") is None
