"""Stored text is data, never markup: the one escaping layer for Markdown.

Journal text, symbols, venues, notes and index names come from users and files. Wherever they go
into Markdown (the review, `ask` and chat answers, MCP text and prompts) they pass through
`md_escape`, so `![T](http://evil.example/t.png)` or `<img onerror=…>` reads as the characters
typed, not as an image, a link or HTML. (The terminal draws cells as Rich `Text`, never as markup.)
Pure: the standard library only.
"""

from __future__ import annotations

import re

# Every ASCII punctuation CommonMark gives meaning to inline or in a table cell; backslash-escaping
# any ASCII punctuation is always allowed, so the escaped text renders as exactly what was typed.
_SPECIAL = re.compile(r"[\\`*{}\[\]<>!|~&#]|(?<!\w)_|_(?!\w)")


def md_escape(text: object) -> str:
    """`text` as literal Markdown inline text: one line, every markup character escaped.

    An underscore inside a word (`large_cap`) stays as is: CommonMark never reads it as emphasis."""
    flat = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), flat)
