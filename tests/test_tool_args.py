"""CLI flags come from each tool's parameters: one source of defaults, nothing re-typed by hand."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indexdesk.agent.commands import tool_args
from indexdesk.agent.commands.tool_args import add_tool_arguments, describe_registry, tool_arguments

COMMANDS = Path(tool_args.__file__).parent


def test_the_snapshot_is_generated_on_first_use_and_matches_the_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("INDEXDESK_CACHE_DIR", str(tmp_path))
    tool_args._snapshot.cache_clear()
    try:
        assert tool_args.tool_params("compute_var")  # first use builds the snapshot
        written = list(tmp_path.glob("tool_params-*.json"))
        assert [p.name for p in written] == [tool_args.snapshot_path().name]
        fresh = json.loads(json.dumps(describe_registry(), default=str))
        assert json.loads(written[0].read_text()) == fresh
    finally:
        tool_args._snapshot.cache_clear()


def test_a_changed_tool_module_gives_a_new_snapshot(tmp_path, monkeypatch):
    import os

    from indexdesk.tools import performance

    monkeypatch.setenv("INDEXDESK_CACHE_DIR", str(tmp_path))
    module = Path(performance.__file__)
    before = tool_args.fingerprint()
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert tool_args.fingerprint() != before
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert tool_args.fingerprint() == before


@pytest.mark.parametrize("tool", sorted(describe_registry()))
def test_every_parameter_of_every_tool_gets_a_flag(tool):
    parser = argparse.ArgumentParser()
    add_tool_arguments(parser, tool)
    dests = {a.dest for a in parser._actions}
    assert {tool_args.PREFIX + p for p in tool_args.tool_params(tool)} <= dests


def test_only_what_the_user_gave_reaches_the_tool():
    parser = argparse.ArgumentParser()
    add_tool_arguments(parser, "compute_var", flags={"horizon_days": "--horizon"})
    args = parser.parse_args(["--weights", "BTC=0.6,defi=40%", "--horizon", "10", "--no-buy-and-hold"])
    assert tool_arguments(args) == {"weights": {"BTC": 0.6, "defi": 0.4}, "horizon_days": 10, "buy_and_hold": False}


def test_positional_text_and_repeatable_lists():
    parser = argparse.ArgumentParser()
    add_tool_arguments(parser, "search_journal", positional="query", flags={"kinds": "--kind", "tags": "--tag"})
    args = parser.parse_args(["panic", "sells", "--kind", "decision", "--kind", "lesson", "--tag", "a,b"])
    assert tool_arguments(args) == {"query": "panic sells", "kinds": ["decision", "lesson"], "tags": ["a", "b"]}


def test_help_shows_the_tools_defaults_and_choices(capsys):
    from indexdesk.agent.cli import main

    assert main(["var", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "(default 0.95)" in text and "monte_carlo" in text and "(default 42)" in text


@pytest.mark.parametrize("module", ["risk.py", "market.py", "journal.py", "review.py"])
def test_no_tool_default_or_method_list_is_typed_in_the_commands(module):
    source = (COMMANDS / module).read_text()
    for typed in ("0.95", "seed 42", '"cornish_fisher"', 'default="90d"', 'default="1y"', "default=0.30",
                  'default="last"', "default=5,"):
        assert typed not in source, f"{module} re-types {typed}"


def test_help_imports_no_pydantic_or_registry(tmp_path):
    import os

    env = {**os.environ, "INDEXDESK_CACHE_DIR": str(tmp_path)}
    code = ("import sys; from indexdesk.agent import cli; cli.build_parser(); "
            "print(sorted(m for m in ('pydantic', 'indexdesk.tools.registry', 'pandas', 'numpy') if m in sys.modules))")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert "indexdesk.tools.registry" in first  # the first use builds the snapshot from the registry, once
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"


def test_the_registry_docstring_no_longer_overclaims():
    from indexdesk.tools import registry

    assert not re.search(r"\bCLI\)\. Every adapter", registry.__doc__ or "")
