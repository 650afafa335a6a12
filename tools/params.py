"""Bounded parameter types shared by every tool: no string or list argument is unbounded.

A 10 MB query or a list of 5,000 names must fail validation at once instead of costing seconds
and gigabytes inside a tool. The bounds are generous for any real use; the JSON schemas of HTTP
and MCP show them (`maxLength`, `maxItems`); the OpenAI strict schema drops them (strict mode
rejects those keywords) and validation still enforces them.

    from indexdesk.tools.params import NameList, Window
    def my_tool(ctx: ToolContext, indices: NameList, window: Window = "90d") -> ...
"""

from __future__ import annotations


from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints

from indexdesk.tools.calendar import EARLIEST_MARKET_DAY, LATEST_DAY  # noqa: F401 - the calendar's bounds, re-exported

MAX_NAME_CHARS = 64  # an index, asset, tier, scenario or tag name
MAX_WINDOW_CHARS = 40  # "YYYY-MM-DD:YYYY-MM-DD" is 21
MAX_QUERY_CHARS = 2_000
MAX_TEXT_CHARS = 20_000  # a journal entry (memory.journal.models.MAX_TEXT_CHARS says the same)
MAX_NAMES = 100  # names in one list: the universe has 65 assets plus the catalogue's indices
MAX_TAGS = 32

Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]
Window = Annotated[str, StringConstraints(max_length=MAX_WINDOW_CHARS)]
Day = Annotated[str, StringConstraints(max_length=MAX_WINDOW_CHARS)]  # YYYY-MM-DD or a word like "yesterday"
Query = Annotated[str, StringConstraints(max_length=MAX_QUERY_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]


def comma_list(value):
    """"defi, BTC" → ["defi", "BTC"] (CLI text and lazy models); lists pass through."""
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    return value


NameList = Annotated[list[Name], Field(max_length=MAX_NAMES), BeforeValidator(comma_list)]
TagList = Annotated[list[Name], Field(max_length=MAX_TAGS)]
