"""One CLI path: a command is a tool name and its flags; every command runs through `run_tool` and
prints through the one renderer, formatting from the units the result model declares."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

COMMANDS = Path(__file__).resolve().parents[1] / "agent" / "commands"


def test_a_new_command_needs_only_the_tool_name(capsys, monkeypatch):
    from indexdesk.agent.commands.run import tool_command

    monkeypatch.setenv("COLUMNS", "80")
    parser = argparse.ArgumentParser()
    tool_command(parser.add_subparsers(), "drawdowns", "get_index_performance", positional="indices",
                 help="a command added in one line")
    args = parser.parse_args(["drawdowns", "defi", "BTC", "--window", "90d"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert re.search(r"total return\s+-?[\d,]+\.\d+%", out) or re.search(r"-?[\d,]+\.\d+%", out)  # fractions as %
    assert "source sample (synthetic)" in out and max(len(line) for line in out.splitlines()) <= 80
    args = parser.parse_args(["drawdowns", "defi", "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["name"] == "defi"
    args = parser.parse_args(["drawdowns", "defii"])
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "hint: " in err


def test_no_command_calls_or_formats_a_tool_its_own_way():
    """No private `_call`, `_pct`, `_money`, `_footer` helpers, no registry calls outside run.py."""
    offenders = []
    for path in COMMANDS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for helper in ("def _pct(", "def _money(", "def _footer(", "def _units("):
            if helper in text:
                offenders.append(f"{path.name}: {helper}")
        if path.name != "run.py" and re.search(r"Registry\(\[spec_of", text):
            offenders.append(f"{path.name}: its own Registry")
    assert not offenders


def test_money_always_carries_its_currency_and_never_shows_minus_zero():
    from indexdesk.agent.terminal import Fmt

    f = Fmt("propose_rotation", {"currency": "EUR"})
    assert f("estimated_cost_amount", 15.0) == "15.00 EUR"
    assert Fmt("propose_rotation")("estimated_cost_amount", -0.001) == "$0.00"
    assert Fmt("propose_rotation")("turnover", -0.00001) == "0.0%"
    assert Fmt("propose_rotation")("turnover", 0.025, signed=True) == "+2.5%"
