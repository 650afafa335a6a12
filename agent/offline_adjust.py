"""Adjustments between the grammar's proposal and the schema fit (split from offline_router.py, issue 17):
a duration that is a day-count parameter's value, calendar periods for tools taking start/end dates,
a window turned into dates, and the default portfolio for a required portfolio-shaped parameter."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from indexdesk.agent import offline_grammar as grammar
from indexdesk.agent.offline_dates import find_periods
from indexdesk.agent.offline_fitting import fit_value


def not_a_day_count(proposed: dict, params: dict, text: str) -> dict:
    """"a 30 day lookback" is the `lookback` parameter (days), not the window: a duration named next
    to an integer day-count parameter's name is left for that parameter."""
    properties = params.get("properties", {})
    if "window" not in proposed:
        return proposed
    low = grammar._normalise(text)
    words = {w for name, schema in properties.items() if name != "window"
             and grammar.non_null(schema).get("type") == "integer" and re.search(r"days?\b", schema.get("description", "") + name)
             for w in name.split("_") if len(w) > 3 and w != "days"}
    spans = grammar.find_durations(low)
    taken = [words & set(re.findall(r"[a-z]+", low[max(0, s.start - 16):s.start] + " " + low[s.end:s.end + 16]))
             for s in spans]
    for span, near in zip(spans, taken):
        if near and grammar.as_window(span.value) == proposed["window"]:
            rest = [s for s, n in zip(spans, taken) if not n]  # "60 day rolling … over the last 180 days": 180d
            out = {k: v for k, v in proposed.items() if k != "window"}
            return {**out, "window": grammar.as_window(rest[0].value)} if rest else out
    return proposed


def calendar_first(proposed: dict, params: dict, low: str) -> dict:
    """A tool taking start/end dates gets calendar periods ("last quarter" = the last calendar quarter,
    "this year" from 1 January), not the grammar's rolling window for the same words."""
    properties = params.get("properties", {})
    if "window" in properties or "start" not in properties or "window" not in proposed:
        return proposed
    if any(not span.period.point for span in find_periods(low)):
        return {k: v for k, v in proposed.items() if k != "window"}
    return proposed


def window_as_dates(proposed: dict, params: dict, data_end: Callable[[], date] | None = None) -> dict:
    """A window for a tool that takes `start`/`end` dates instead ("since 2022" → start 2022-01-01)."""
    window = proposed.get("window")
    properties = params.get("properties", {})
    if not isinstance(window, str) or "window" in properties or "start" not in properties:
        return proposed
    out = {k: v for k, v in proposed.items() if k != "window"}
    out["window_read"] = window  # not a parameter: tells the unread-parts check the window was used
    if ":" in window:
        start, _, end = window.partition(":")
        out["start"] = start or None
        if end and "end" in properties:
            out["end"] = end
        return out
    days = grammar.window_days(window)
    if days:
        out["start"] = ((data_end or date.today)() - timedelta(days=days)).isoformat()
    elif window == "ytd":
        out["start"] = f"{(data_end or date.today)().year}-01-01"
    else:
        return proposed
    return out


def default_for(params: dict, name: str) -> tuple[Any, str] | None:
    """The default portfolio (or its indices) for a required portfolio-shaped parameter left empty."""
    if name == grammar.param_name(params, "weights"):
        weights = grammar.Weights(grammar.DEFAULT_PORTFOLIO)
        return fit_value(params["properties"][name], weights)[1], grammar.DEFAULT_PORTFOLIO_NOTE
    if name == grammar.param_name(params, "indices"):
        names = [n for n, _ in grammar.DEFAULT_PORTFOLIO]
        return fit_value(params["properties"][name], names)[1], grammar.DEFAULT_INDICES_NOTE
    return None
