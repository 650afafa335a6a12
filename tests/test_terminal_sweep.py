"""Every command and every chat answer kind at 80 columns on a realistic ledger: no line over 80,
no value cut into "…" (a number, date or id squeezed by a table)."""

from __future__ import annotations

import io
import re

import pytest

from tests.terminal_support import realistic_home

WIDTH = 80
CUT = re.compile(r"[\w$%.,)]…")  # an ellipsis glued to a value: something was cut

COMMANDS = [
    ["perf", "defi", "BTC", "memecoins", "layer1", "large_cap"],
    ["indices", "list"],
    ["var", "--method", "monte_carlo", "--simulations", "2000"],
    ["stress"],
    ["corr", "BTC", "ETH", "SOL", "DOGE", "defi", "layer1", "--rolling", "BTC", "ETH"],
    ["size", "BTC", "ETH", "SOL", "--target", "40%"],
    ["rotate"],
    ["rebalance", "--weights", "large_cap=0.35,balanced=0.2,layer1=0.15,defi=0.1,ai_data=0.1,memecoins=0.1"],
    ["backtest", "momentum", "--start", "2025-01-01"],
    ["attribution"],
    ["tiers"],
    ["harvest"],
    ["portfolio"],
    ["portfolio", "lots"],
    ["portfolio", "gains", "2026"],
    ["portfolio", "targets"],
    ["journal", "search", "defi"],
    ["tools", "list"],
    ["data", "status"],
    ["review", "2026Q3"],
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("INDEXDESK_EMBEDDING", "hash:64")
    try:
        yield realistic_home(tmp_path_factory.mktemp("sweep"))
    finally:
        mp.undo()


def problems(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line) > WIDTH or CUT.search(line)]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_fits_80_columns(argv, home, capsys, monkeypatch):
    from indexdesk.agent.cli import main

    monkeypatch.setenv("COLUMNS", str(WIDTH))
    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:64")
    if argv[0] in ("size", "var") and "--simulations" in argv:
        from indexdesk.agent.commands.tool_args import tool_params

        if "simulations" not in tool_params("compute_var"):
            argv = argv[:3]
    code = main(["--home", str(home), *argv])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.strip()
    assert not problems(out.out), problems(out.out)


def _examples():
    from indexdesk.tools.toolbox import default_registry

    out = []
    for spec in default_registry():
        if spec.state_changing or spec.writes_files and spec.name != "quarterly_review":
            continue
        for example in list(getattr(spec, "examples", ()) or ())[:1]:
            out.append((spec.name, example))
    return out


@pytest.mark.parametrize("tool, request_text", _examples(), ids=lambda v: str(v)[:40])
def test_every_chat_answer_kind_fits_80_columns(tool, request_text, home, monkeypatch):
    """The offline router's answer to each tool's own example request, drawn as the chat draws it."""
    from rich.console import Console

    from indexdesk.agent.chat_view import answer_renderable
    from indexdesk.agent.runtime import AgentSession
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:64")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    ctx = ToolContext(settings=Settings(home=home))
    session = AgentSession(ctx, session_id="sweep", persist=False)
    try:
        result = session.run_turn(request_text, confirm=lambda name, args: False)
    finally:
        session.close()
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, force_terminal=False, color_system=None)
    console.print(answer_renderable(result.answer or "", console))
    assert not problems(buffer.getvalue()), problems(buffer.getvalue())
