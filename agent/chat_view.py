"""How one chat turn is drawn in the terminal: streamed Markdown printed once, tool lines, the answer.

Split from agent/chat.py (the loop, input and slash commands); see `TurnView`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from indexdesk.agent.render import compact_args, highlight_ungrounded


class TurnView:
    """Draws one turn: streamed Markdown, one line per tool call, the answer with ungrounded numbers marked.

    Each answer reaches the scrollback once. Streamed text is split into finished blocks (up to a
    blank line outside a code fence), printed once as they finish, and the unfinished tail, shown in
    a transient `Live` cut to the screen's height (its last lines). The Live never grows past the
    screen, so the terminal never scrolls a half-drawn frame into the scrollback (the old
    `vertical_overflow="visible"` printed a long review 2-6 times).
    """

    def __init__(self, chat: Any) -> None:
        self.chat = chat
        self.console = chat.console
        self.text = ""
        self.shown = 0  # characters of self.text already printed to the scrollback
        self.live: Any = None
        self.calls: list[dict] = []
        self.answered = False

    def _markdown(self, text: str):
        return answer_renderable(text, self.console)

    def _commit(self, text: str) -> None:
        """Print finished Markdown to the scrollback (once) after clearing the live tail."""
        self._stop_live()
        if text.strip():
            self.console.print(self._markdown(text))

    def _stream(self) -> None:
        cut = finished_upto(self.text)
        if cut > self.shown:
            self._commit(self.text[self.shown:cut])
            self.shown = cut
        tail = self.text[self.shown:]
        if not tail.strip():
            return
        renderable = ScreenTail(self._markdown(tail))
        if self.live is None:
            from rich.live import Live

            self.live = Live(renderable, console=self.console, refresh_per_second=12, transient=True,
                             vertical_overflow="crop")
            self.live.start()
        else:
            self.live.update(renderable)

    def event(self, event: Any) -> None:
        kind = getattr(event, "kind", None)
        data = getattr(event, "data", None) or {}
        if kind == "token":
            self.text += str(data.get("text") or data.get("token") or "")
            if self.chat.interactive and self.text.strip():
                self._stream()
        elif kind == "tool_call":
            self.pause()
            self.text, self.shown = "", 0
            name = data.get("name", "?")
            args = data.get("arguments", data.get("args", {}))
            self.calls.append({"id": data.get("id"), "name": name, "arguments": args, "result": None})
            self.chat.say(f"[cyan]⚙ {name}[/]([dim]{_escape(compact_args(args))}[/])")
        elif kind == "tool_result":
            result = data.get("result")
            number = next((i for i, c in enumerate(self.calls, 1) if c["id"] == data.get("id")),
                          next((i for i, c in enumerate(self.calls, 1)
                                if c["name"] == data.get("name") and c["result"] is None), len(self.calls)))
            if 0 < number <= len(self.calls):
                self.calls[number - 1]["result"] = result
            self.chat.say(f"  [dim]↳ {_escape(_summary(result))} · /expand {number}[/]")
        elif kind == "error":
            self.pause()
            self.chat.say(f"[red]{_escape(str(data.get('message') or data))}[/]")
        elif kind == "answer":
            self.answered = True

    def _stop_live(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def pause(self) -> None:
        """Before a prompt or a tool line: the tail so far goes to the scrollback, once."""
        if self.live is not None:
            self._commit(self.text[self.shown:])
            self.shown = len(self.text)

    def close(self) -> None:
        self.pause()

    def finish(self, result: Any) -> None:
        answer = getattr(result, "answer", "") or ""
        ungrounded = list(getattr(result, "ungrounded", []) or [])
        if getattr(result, "cancelled", False):
            self.pause()
            self.chat.say("[yellow]turn cancelled; ask again or go on[/]")
            return
        if not self.chat.interactive:
            marked, footnote = highlight_ungrounded(answer, ungrounded)
            print(marked, flush=True)
            if footnote:
                print(footnote, flush=True)
            print(flush=True)
            return
        # What is not in the scrollback yet: the answer after the part already printed.
        printed = self.text[:self.shown]
        if answer.startswith(printed):
            rest = answer[len(printed):]
        else:  # the final answer differs from the stream: finish what was streamed, never print twice
            rest = self.text[self.shown:] if self.shown else answer
        self._stop_live()
        marked, footnote = highlight_ungrounded(rest, ungrounded)
        from rich.text import Text

        if marked.strip():
            self.console.print(self._markdown(marked))
        if footnote:
            self.console.print(Text(footnote, style="bold red"))


def finished_upto(text: str) -> int:
    """Where the finished Markdown blocks of `text` end: after its last blank line outside a code fence."""
    cut = position = 0
    fenced = False
    for line in text.splitlines(keepends=True):
        position += len(line)
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        elif not stripped and line.endswith("\n") and not fenced:
            cut = position
    return cut


class ScreenTail:
    """A renderable showing only the last lines of another that fit the screen (the streaming tail)."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any):
        from rich.segment import Segment

        lines = console.render_lines(self.renderable, options, pad=False)
        room = max(3, (options.height or console.height) - 2)
        for line in lines[-room:]:
            yield from line
            yield Segment.line()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _parsed(result: Any) -> Any:
    if isinstance(result, str):
        try:
            return json.loads(result)
        except ValueError:
            return result
    return result


def _summary(result: Any) -> str:
    """What came back, in a few words: the error, or the result's size and shape."""
    from indexdesk.agent.render import user_facing

    result = _parsed(result)
    if isinstance(result, str):
        return user_facing(result)[:80]
    if isinstance(result, dict) and "error" in result:
        return f"error: {str(result['error'])[:100]}"
    size = len(json.dumps(result, default=str))
    if isinstance(result, dict):
        keys = [k for k in result if k not in ("source", "as_of", "warnings")]
        more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
        return f"{', '.join(keys[:5])}{more} ({size} bytes)"
    return f"{size} bytes"


_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE_ROW = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def answer_renderable(text: str, console: Any):
    """An answer's Markdown for the terminal: prose through Rich's Markdown, tables through the CLI's
    one table renderer (agent/terminal.fit), which stacks rows rather than cut a number at 80 columns."""
    from rich.console import Group
    from rich.markdown import Markdown

    parts: list[Any] = []
    prose: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if _TABLE_ROW.match(lines[i]) and i + 1 < len(lines) and _RULE_ROW.match(lines[i + 1]):
            if "\n".join(prose).strip():
                parts.append(Markdown("\n".join(prose)))
            prose = []
            block = [lines[i]]
            i += 2
            while i < len(lines) and _TABLE_ROW.match(lines[i]):
                block.append(lines[i])
                i += 1
            parts.append(_table(block, console))
            continue
        prose.append(lines[i])
        i += 1
    if "\n".join(prose).strip():
        parts.append(Markdown("\n".join(prose)))
    return parts[0] if len(parts) == 1 else Group(*parts)


def _cells(row: str) -> list[str]:
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [_plain(c.strip()) for c in cells]


def _plain(cell: str) -> str:
    """A Markdown cell as the text it shows: emphasis marks dropped, backslash escapes undone."""
    cell = re.sub(r"\*\*(.+?)\*\*", r"\1", cell)
    cell = re.sub(r"(?<!\\)`([^`]*)`", r"\1", cell)
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~&])", r"\1", cell)


def _table(block: list[str], console: Any):
    from indexdesk.agent.terminal import _looks_numeric, fit

    headers = _cells(block[0])
    rows = [(_cells(r) + [""] * len(headers))[:len(headers)] for r in block[1:]]
    numeric = [bool(rows) and all(_looks_numeric(r[c]) or not r[c] for r in rows) for c in range(len(headers))]
    return fit(console, headers, rows, numeric)
