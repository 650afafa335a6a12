"""Bounds on what arrives at the call boundary, and what an error may show of an exception.

JSON arguments nest at most `MAX_JSON_DEPTH` levels (checked without recursion, on text before it is
parsed and on objects handed in directly), so a hostile 200k-deep array is a tool error (HTTP 400),
never a RecursionError. `public_error_text` is the one place an unexpected exception becomes text
for a user or a model: database exceptions (their messages carry SQL statements and parameters) are
named by class only.
"""

from __future__ import annotations

from typing import Any

from indexdesk.tools.errors import shorten

MAX_JSON_DEPTH = 32  # tool arguments nest 3-4 levels; deeper is hostile (200k deep was a RecursionError)
TOO_DEEP = {"error": f"arguments nest deeper than {MAX_JSON_DEPTH} levels",
            "hint": "send a flat JSON object: lists of values or of small objects"}


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists/dicts nest deeper than `limit` (iterative: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list, tuple)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def text_depth_exceeds(text: str | bytes | bytearray, limit: int = MAX_JSON_DEPTH) -> bool:
    """Bracket nesting of JSON text (outside strings) above `limit`, found in one pass before parsing."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if text.count("[") + text.count("{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def public_error_text(exc: BaseException, limit: int = 300) -> str:
    """An exception as users may read it: the class, and its message unless it can carry SQL or parameters."""
    module = type(exc).__module__.split(".")[0]
    if module in ("sqlalchemy", "sqlite3", "psycopg", "psycopg2", "alembic", "_sqlite3"):
        return f"{type(exc).__name__} (a database error; details are in the log)"
    text = str(exc)
    for marker in ("[SQL:", "[parameters:", "(Background on this error"):
        text = text.split(marker, 1)[0]
    return f"{type(exc).__name__}: {shorten(text.strip(), limit)}" if text.strip() else type(exc).__name__
