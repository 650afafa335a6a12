"""The chat as a person sees it at 80×24: a real pseudo-terminal (pexpect) read through a terminal
emulator (pyte), scrollback included. The longest answers (review, decision outcomes, portfolio) are
printed once, no line is cut, and tables never squeeze a number into "…"."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.terminal_support import realistic_home

INDEXDESK = shutil.which("indexdesk") or str(Path(sys.executable).with_name("indexdesk"))
COLUMNS, ROWS = 80, 24

def screen_lines(raw: str) -> list[str]:
    """What the terminal shows, scrollback first: the bytes replayed through an 80×24 emulator."""
    pyte = pytest.importorskip("pyte")
    screen = pyte.HistoryScreen(COLUMNS, ROWS, history=100_000)
    pyte.Stream(screen).feed(raw)
    history = ["".join(line[x].data for x in range(COLUMNS)).rstrip() for line in screen.history.top]
    return history + [line.rstrip() for line in screen.display]


def chat_session(home: Path, requests: list[str], tmp_path: Path) -> list[str]:
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, INDEXDESK_HOME=str(home), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1",
               COLUMNS=str(COLUMNS), LINES=str(ROWS))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(var, None)
    child = pexpect.spawn(INDEXDESK, ["chat"], env=env, encoding="utf-8", timeout=240, dimensions=(ROWS, COLUMNS))
    seen: list[str] = []
    try:
        child.expect("indexdesk>")
        seen.append(child.before + child.after)
        for request in requests:
            child.sendline(request)
            child.expect("indexdesk>")
            seen.append(child.before + child.after)
        child.sendline("/exit")
        child.expect(pexpect.EOF)
        seen.append(child.before)
    finally:
        child.close(force=True)
    return screen_lines("".join(seen))


def test_long_answers_are_printed_once_and_fit_80_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:64")
    home = realistic_home(tmp_path)
    lines = chat_session(home, ["review 2026Q3", "how did my decisions work out", "portfolio"], tmp_path)
    text = "\n".join(lines)
    for call in ("⚙ quarterly_review", "⚙ journal_outcomes", "⚙ get_portfolio"):
        assert text.count(call) == 1, call
    # Within one answer no long line appears twice: a re-printed frame would double every line of it.
    answers: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("indexdesk>"):
            answers.append([])
        else:
            answers[-1].append(line)
    for answer in answers:
        content = [line for line in answer if re.search(r"[A-Za-z0-9]", line)]
        runs = Counter(tuple(content[i:i + 6]) for i in range(len(content) - 5))
        assert not [run for run, n in runs.items() if n > 1], answer
    assert len(lines) < 600  # the old Live left ~1,800 lines of scrollback for these answers
    # Nothing squeezed: no value ends in an ellipsis (a cut number, date or id).
    # A spinner's row ("⠋ loading the agent…") is transient; keys typed ahead while it spins are echoed
    # by the terminal onto that row, so it is not an answer's line.
    cut = [line for line in lines if re.search(r"[\w$%.,]…", line) and not re.match(r"\s*[\u2800-\u28ff]", line)]
    assert not cut, cut
