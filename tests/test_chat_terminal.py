"""`indexdesk chat` driven as a person would: a real terminal (pexpect), a pipe, and Ctrl-C mid-turn."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexdesk.agent.chat import Chat
from indexdesk.agent.runtime import TurnEvent, TurnResult

INDEXDESK = shutil.which("indexdesk") or str(Path(sys.executable).with_name("indexdesk"))


def _needs_tools(*names: str) -> None:
    from indexdesk.tools.toolbox import default_registry

    missing = [n for n in names if n not in default_registry().names]
    if missing:
        pytest.skip(f"tools not registered yet: {', '.join(missing)}")


def _env(tmp_path) -> dict:
    env = dict(os.environ, INDEXDESK_HOME=str(tmp_path / "home"), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1",
               COLUMNS="160")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(var, None)
    return env


def test_a_person_at_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    _needs_tools("get_index_performance")
    child = pexpect.spawn(INDEXDESK, ["chat"], env=_env(tmp_path), encoding="utf-8", timeout=60, dimensions=(60, 160))
    try:
        child.expect("no model configured")
        child.expect("OPENAI_API_KEY")           # how to configure one
        child.expect("indexdesk>")
        # Ctrl-C straight after asking: the agent is still loading, the turn is cancelled, the chat goes on.
        child.sendline("monte carlo var 99% 30d")  # a turn long enough (simulations) that Ctrl-C lands inside it
        time.sleep(0.2)
        child.sendintr()
        child.expect("cancel")
        child.expect("indexdesk>")
        child.sendline("how did defi do over 90 days")
        child.expect("⚙ get_index_performance")
        child.expect(r'indices=\["defi"\], window="90d"')
        child.expect("/expand 1")
        child.expect("total return")             # the answer's table
        child.expect("indexdesk>")
        # a pasted two-line request arrives as one request (bracketed paste), sent with Enter
        child.send("\x1b[200~how did layer1 do\nover 180 days\x1b[201~")
        time.sleep(0.2)
        child.send("\r")
        child.expect(r'⚙ get_index_performance.*indices=\["layer1"\], window="180d"')
        child.expect("indexdesk>")
        child.sendline("/cost")
        child.expect(r"tokens in, \d+ tokens out · no charge \(offline router\)")
        child.expect("indexdesk>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert (tmp_path / "home" / "chat_history").exists()


def test_piped_stdin_reads_lines_and_prints_plain_answers(tmp_path):
    _needs_tools("get_index_performance", "analyze_correlation")
    done = subprocess.run([INDEXDESK, "chat", "--session", "piped"], env=_env(tmp_path), text=True, timeout=120,
                          capture_output=True,
                          input="how did defi do over 90 days\ncorrelation of defi and layer1\n/expand 1\n/sessions\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "no model configured" in out
    assert '⚙ get_index_performance(indices=["defi"], window="90d")' in out
    assert "| total return |" in out                  # plain Markdown tables, no terminal codes
    assert "⚙ analyze_correlation" in out and "_matrix_" in out
    assert "| piped (this one) |" in out
    assert "\x1b[" not in out
    assert "Traceback" not in done.stderr


class FakeSession:
    """An AgentSession stand-in: `script(text, emit, confirm, cancelled)` plays one turn."""

    def __init__(self, script):
        self.script = script
        self.cancel_requested = threading.Event()

    def run_turn(self, text, *, on_event=None, confirm=None):
        return self.script(text, on_event or (lambda e: None), confirm, self.cancel_requested)

    def cancel(self):
        self.cancel_requested.set()

    def usage_summary(self):
        return {"input_tokens": 12, "output_tokens": 34, "estimated_cost_usd": 0.00123}


def _chat(ctx, script, **kwargs) -> Chat:
    chat = Chat(ctx, interactive=False, **kwargs)
    chat.loaded.session = FakeSession(script)
    chat.loaded.model_info = type("Info", (), {"offline": False, "name": "fake", "how_to_configure": None,
                                               "describe": lambda self: "fake model"})()
    chat.loaded.ready.set()
    return chat


def test_ctrl_c_cancels_the_running_turn_and_keeps_the_session(ctx, capsys):
    def slow_turn(text, emit, confirm, cancelled):
        emit(TurnEvent("tool_call", {"id": "1", "name": "compute_var", "arguments": {"confidence": 0.99}}))
        assert cancelled.wait(10), "cancel() was never called"
        return TurnResult(answer="", tool_calls=[], ungrounded=[], usage={}, cancelled=True)

    chat = _chat(ctx, slow_turn)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    chat.turn("var 99% 30d")                    # returns instead of raising KeyboardInterrupt
    assert time.monotonic() - started < 5
    out = capsys.readouterr().out
    assert "⚙ compute_var" in out and "cancelling" in out and "turn cancelled" in out
    assert chat.loaded.session.cancel_requested.is_set()


def test_confirmation_is_asked_and_answered_from_input(ctx, capsys, monkeypatch):
    asked = []

    def journal_turn(text, emit, confirm, cancelled):
        approved = confirm("log_journal_entry", {"text": "trimmed BTC"})
        asked.append(approved)
        return TurnResult(answer="written" if approved else "not written", tool_calls=[], ungrounded=[], usage={},
                          cancelled=False)

    monkeypatch.setattr(sys, "stdin", io.StringIO("y\nno\n"))
    chat = _chat(ctx, journal_turn)
    chat.turn("journal: trimmed BTC")
    chat.turn("journal: trimmed BTC")
    out = capsys.readouterr().out
    assert asked == [True, False]
    assert 'Run log_journal_entry(text="trimmed BTC")? [y/N]' in out
    assert "written" in out and "not written" in out
    yes_chat = _chat(ctx, journal_turn, auto_confirm=True)
    yes_chat.turn("journal: again")
    assert asked[-1] is True


def test_ungrounded_numbers_are_marked_and_tool_results_fold(ctx, capsys):
    def turn(text, emit, confirm, cancelled):
        emit(TurnEvent("tool_call", {"id": "a", "name": "compute_var", "arguments": {"confidence": 0.99}}))
        result = {"var": 0.0812, "components": [{"name": "BTC", "var": 0.05}, {"name": "ETH", "var": 0.0312}]}
        emit(TurnEvent("tool_result", {"id": "a", "name": "compute_var", "result": result}))
        return TurnResult(answer="VaR is 8.12%, roughly 9% next month.", ungrounded=["9%"], usage={}, cancelled=False,
                          tool_calls=[{"name": "compute_var", "arguments": {"confidence": 0.99}, "result": result}])

    chat = _chat(ctx, turn)
    chat.turn("var 99%")
    out = capsys.readouterr().out
    assert "⚙ compute_var(confidence=0.99)" in out
    assert "↳ var, components" in out and "/expand 1" in out
    assert "VaR is 8.12%, roughly **9%†** next month." in out
    assert "† not found in any tool result: 9%" in out
    chat.slash("/expand 1")
    expanded = capsys.readouterr().out
    assert "| BTC | 5.0% |" in expanded and "| ETH | 3.1% |" in expanded
    chat.slash("/last")
    assert '"var": 0.0812' in capsys.readouterr().out


def test_slash_commands(ctx, capsys):
    chat = _chat(ctx, lambda *a: None)
    assert chat.slash("/journal trimmed BTC after CPI") == "journal: trimmed BTC after CPI"
    assert chat.slash("/journal search panic sells") == "search journal for panic sells"
    assert chat.slash("/review 2026Q3") == "review 2026Q3"
    assert chat.slash("/exit") == "exit" and chat.slash("/quit") == "exit"
    assert chat.slash("/help") is None
    assert "/cost" in capsys.readouterr().out
    chat.slash("/cost")
    assert "12 tokens in, 34 tokens out · ≈ $0.0012" in capsys.readouterr().out
    chat.slash("/sesion")
    assert "did you mean /session?" in capsys.readouterr().out
    chat.slash("/expand 3")
    assert "no tool calls in the last turn" in capsys.readouterr().out


def test_piped_chat_with_a_configured_model_marks_ungrounded_numbers(tmp_path):
    _needs_tools("get_index_performance")
    from tests.scripted_openai import ScriptedOpenAI, text, tool_calls

    script = [tool_calls(("get_index_performance", {"indices": ["defi"], "window": "90d", "benchmark": "BTC"})),
              text("DeFi returned 4.2% over 90 days, about 731.9% a year.", usage=(900, 40))]
    with ScriptedOpenAI(script, model="gpt-4o-mini") as server:
        env = dict(_env(tmp_path), OPENAI_BASE_URL=server.base_url, INDEXDESK_MODEL="gpt-4o-mini")
        done = subprocess.run([INDEXDESK, "chat"], env=env, text=True, timeout=120, capture_output=True,
                              input="how did defi do over 90 days\n/cost\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "model gpt-4o-mini at http://127.0.0.1" in out and "no model configured" not in out
    assert '⚙ get_index_performance(indices=["defi"], window="90d", benchmark="BTC")' in out
    assert "**4.2%†**" in out and "**731.9%†**" in out                # the sample market gives other numbers
    assert "† not found in any tool result: 4.2%, 731.9%" in out
    assert "tokens in, " in out and "≈ $" in out                     # gpt-4o-mini has a list price
