"""Errors a tool raises for the model to read and correct, and helpers to write them well."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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
        out: dict = {"error": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.field:
            out["field"] = self.field
        if self.valid is not None:
            out["valid"] = self.valid[:40]
        return out


def close_matches(given: str, valid: Iterable[str], n: int = 3) -> list[str]:
    """Names in `valid` that look like `given` (case-insensitive), best first."""
    valid = list(valid)
    lowered = {v.lower(): v for v in valid}
    hits = difflib.get_close_matches(given.lower(), list(lowered), n=n, cutoff=0.6)
    prefix = [v for v in valid if v.lower().startswith(given.lower()) and v.lower() not in hits]
    return [lowered[h] for h in hits] + prefix[: max(0, n - len(hits))]


def unknown_name(kind: str, given: str, valid: Iterable[str], *, field: str | None = None) -> ToolError:
    """`unknown index 'defii'; did you mean 'defi'? valid: ...` as a ToolError."""
    valid = sorted(valid)
    matches = close_matches(given, valid)
    message = f"unknown {kind} {given!r}"
    if matches:
        message += "; did you mean " + " or ".join(repr(m) for m in matches) + "?"
    shown = ", ".join(valid[:30]) + (" …" if len(valid) > 30 else "")
    message += f" valid: {shown}"
    return ToolError(message, hint=f"use one of the valid {kind} names", valid=valid, field=field)
