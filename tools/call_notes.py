"""Warnings that travel from the data layer to the result of whichever tool is running.

The series layer (tools/indices/series.py) notes what every number built on a series must carry —
an index with 1 of 8 constituents priced, a hole or a suspect price in the window — and the
registry adds the notes of the call to the tool's `warnings`. A tool written later inherits them by
using the series functions; no tool passes them along by hand. A ContextVar keeps concurrent calls
(threads, asyncio tasks) apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_NOTES = 8
_NOTES: ContextVar[list[str] | None] = ContextVar("indexdesk_call_notes", default=None)


def note(text: str) -> None:
    """Record a warning for the running tool call (ignored outside one, e.g. a direct function call)."""
    notes = _NOTES.get()
    if notes is not None and text not in notes:
        notes.append(text)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """The notes recorded while the block runs."""
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def merge(warnings: list | None, notes: list[str]) -> list[str]:
    """The tool's own warnings, then the data notes it does not already say (at most MAX_NOTES of them)."""
    out = list(warnings or [])
    fresh = [n for n in notes if not any(n in w or w in n for w in out)]
    out += fresh[:MAX_NOTES]
    if len(fresh) > MAX_NOTES:
        out.append(f"… and {len(fresh) - MAX_NOTES} more data notes")
    return out
