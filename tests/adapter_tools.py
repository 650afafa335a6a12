"""A small registry of `@tool` functions for the MCP and HTTP adapter tests (also served by a subprocess).

They exercise every path an adapter must carry: a result, a ToolError with close matches, a
validation error, a NaN turned into null with a warning, a bug, a state-changing tool, and a
counter in the context memo that shows one context lives for the whole server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import threading
import time
from collections.abc import Iterator

from pydantic import BaseModel

from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.registry import Registry, spec_of, tool

CATALOGUE = {"defi": 0.12, "layer1": 0.08, "large_cap": 0.05}


class ReturnItem(BaseModel):
    name: str
    annual_return: float


class ReturnsResult(BaseModel):
    window: str
    as_of: dt.date
    results: list[ReturnItem]
    source: str = "test"
    warnings: list[str] = []


@tool(category="market")
def index_returns(ctx: ToolContext, indices: list[str], window: str = "90d") -> ReturnsResult:
    """Annual return of catalogue indices over a window.

    Args:
        indices: catalogue index names, e.g. ["defi"].
        window: 30d, 90d or 1y.
    """
    for name in indices:
        if name not in CATALOGUE:
            raise unknown_name("index", name, CATALOGUE, field="indices")
    if window not in ("30d", "90d", "1y"):
        raise ToolError(f"unknown window {window!r}", hint="use 30d, 90d or 1y", field="window")
    return ReturnsResult(window=window, as_of=dt.date(2024, 6, 30),
                         results=[ReturnItem(name=n, annual_return=CATALOGUE[n]) for n in indices])


@tool(category="market")
def sharpe_of_flat_series(ctx: ToolContext, days: int) -> dict:
    """Sharpe ratio of a series that never moves (undefined: zero volatility).

    Args:
        days: number of days in the series.
    """
    return {"days": days, "sharpe_ratio": math.nan}


@tool(category="market")
def count_calls(ctx: ToolContext) -> dict:
    """How many times this tool has been called on this server's context."""
    ctx.memo["calls"] = ctx.memo.get("calls", 0) + 1
    return {"calls": ctx.memo["calls"]}


@tool(state_changing=True, category="journal")
def add_note(ctx: ToolContext, text: str) -> dict:
    """Add a note to the journal.

    Args:
        text: the note.
    """
    return {"saved": text}


@tool(category="market")
def divide_by_zero(ctx: ToolContext) -> dict:
    """A tool with a bug in it."""
    return {"value": 1 / 0}


TEST_TOOLS = (index_returns, sharpe_of_flat_series, count_calls, add_note, divide_by_zero)


def adapter_registry() -> Registry:
    return Registry(spec_of(f) for f in TEST_TOOLS)


@contextlib.contextmanager
def running_uvicorn(app) -> Iterator[str]:
    """Serve an ASGI app with a real uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
