"""Confirmations take only yes or no: a request typed (or piped) by mistake is never consent."""

from __future__ import annotations

import io
import sys

from indexdesk.agent.confirm import ASK_AGAIN, ask_at_terminal, reading
from indexdesk.agent.runtime import TurnResult
from tests.test_chat_terminal import _chat


def test_only_yes_or_no_answers():
    assert [reading(a) for a in ("y", " YES ", "n", "No", "", None)] == [True, True, False, False, False, False]
    assert [reading(a) for a in ("show my portfolio", "/exit", "yep", "ok")] == [None] * 4


def test_a_terminal_asks_again_until_yes_or_no():
    answers = iter(["show my portfolio", "/exit", "yes"])
    said: list[str] = []
    assert ask_at_terminal("Run it?", lambda prompt: next(answers), said.append) is True
    assert said == [ASK_AGAIN, ASK_AGAIN]
    assert ask_at_terminal("Run it?", lambda prompt: "maybe", said.append, attempts=3) is False  # never a yes


def test_a_piped_line_that_is_not_an_answer_declines_and_is_read_next(ctx, capsys, monkeypatch):
    asked = []

    def journal_turn(text, emit, confirm, cancelled):
        asked.append(confirm("log_journal_entry", {"text": "trimmed BTC"}))
        return TurnResult(answer="done", tool_calls=[], ungrounded=[], usage={}, cancelled=False)

    monkeypatch.setattr(sys, "stdin", io.StringIO("/exit\n"))
    chat = _chat(ctx, journal_turn)
    chat.turn("journal: trimmed BTC")
    assert asked == [False]
    assert chat.read() == "/exit"  # the user's next line is still theirs
    assert "not a yes/no answer: declined" in capsys.readouterr().out
