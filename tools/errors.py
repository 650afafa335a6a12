"""Errors a tool raises for the model to read and correct, and helpers to write them well."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


ECHO_CHARS = 60  # user input shown back in an error: enough to recognise, never the whole of a huge input
MAX_MESSAGE_CHARS = 600


def shorten(value: object, limit: int = ECHO_CHARS) -> str:
    """`value` as text cut to `limit` characters (with an ellipsis and the full length when cut)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


class ToolError(Exception):
    """An error the calling model can act on: what was wrong, and what would be right.

    It crosses the adapter boundary as ``{"error": message, "hint": hint, ...}``;
    anything else a tool raises is treated as a bug and reported without a traceback.
    """

    def __init__(self, message: str, *, hint: str | None = None, valid: Iterable[str] | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.valid = list(valid) if valid is not None else None
        self.field = field

    def to_dict(self) -> dict:
        # A safety net: messages that quote an input must not grow with it.
        out: dict = {"error": shorten(self.message, MAX_MESSAGE_CHARS)}
        if self.hint:
            out["hint"] = shorten(self.hint, MAX_MESSAGE_CHARS)
        if self.field:
            out["field"] = self.field
        if self.valid is not None:
            out["valid"] = self.valid[:40]
        return out


def close_matches(given: str, valid: Iterable[str], n: int = 3) -> list[str]:
    """Names in `valid` that look like `given` (case-insensitive), best first."""
    valid = list(valid)
    given = given[:100]  # a name longer than any valid one only needs its start compared
    lowered = {v.lower(): v for v in valid}
    hits = difflib.get_close_matches(given.lower(), list(lowered), n=n, cutoff=0.6)
    prefix = [v for v in valid if v.lower().startswith(given.lower()) and v.lower() not in hits]
    return [lowered[h] for h in hits] + prefix[: max(0, n - len(hits))]


def unknown_name(kind: str, given: str, valid: Iterable[str], *, field: str | None = None) -> ToolError:
    """`unknown index 'defii'; did you mean 'defi'? valid: ...` as a ToolError."""
    valid = sorted(valid)
    given = str(given)
    matches = close_matches(given, valid)
    message = f"unknown {kind} {shorten(given)!r}"
    if matches:
        message += "; did you mean " + " or ".join(repr(m) for m in matches) + "?"
    shown = ", ".join(valid[:30]) + (" …" if len(valid) > 30 else "")
    message += f" valid: {shown}"
    return ToolError(message, hint=f"use one of the valid {kind} names", valid=valid, field=field)
