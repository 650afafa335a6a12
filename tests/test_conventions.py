"""Command-line conventions: --version, python -m, completion, a settings file, --json everywhere in
one format, a quiet exit on a closed pipe, and `ask` that reads well in a terminal and in a pipe."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexdesk.agent.cli import build_parser, main

INDEXDESK = shutil.which("indexdesk") or str(Path(sys.executable).with_name("indexdesk"))


def _env(tmp_path, **extra) -> dict:
    env = dict(os.environ, INDEXDESK_HOME=str(tmp_path / "home"), INDEXDESK_EMBEDDING="hash:32", **extra)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(var, None)
    return env


def test_version_and_python_dash_m(tmp_path):
    from indexdesk import __version__

    for argv in ([INDEXDESK, "--version"], [sys.executable, "-m", "indexdesk", "--version"]):
        done = subprocess.run(argv, capture_output=True, text=True, env=_env(tmp_path), timeout=60)
        assert done.returncode == 0 and done.stdout.strip() == f"indexdesk {__version__}", done


def _leaves(parser: argparse.ArgumentParser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from _leaves(sub, path + (name,))
    if subs and parser.get_default("func") is not None:  # `portfolio` itself runs too
        yield path, parser


# What prints no result a script would read: an interactive session, a server, a script of its own.
NO_JSON = {("chat",), ("serve", "mcp"), ("serve", "http"), ("completion",), ("config", "path"),
           ("journal", "export"), ("portfolio", "export"), ("portfolio", "import"), ("tools", "schema"),
           ("tools", "call"), ("eval",),
           ("backup",), ("restore",)}  # actions on files: they print what they did, no tool result


def test_every_command_that_prints_a_result_has_json():
    missing = []
    for path, parser in _leaves(build_parser()):
        if path in NO_JSON or path[:1] in {("eval",)}:
            continue
        if not any("--json" in a.option_strings for a in parser._actions):
            missing.append(" ".join(path))
    assert not missing


def test_json_is_one_indented_format(capsys):
    """`tools call`, `perf --json` and `tools list --json` print the same way: indented, UTF-8."""
    outputs = []
    for argv in (["tools", "call", "get_index_performance", '{"indices":["defi"]}'],
                 ["perf", "defi", "--json"], ["tools", "list", "--json"], ["indices", "list", "--json"]):
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out)
    for text in outputs:
        assert text.startswith(("{\n  \"", "[\n  ")), text[:40]
        json.loads(text)
    assert json.loads(outputs[0]) == json.loads(outputs[1])  # one path: the command equals the tool


def test_a_closed_pipe_exits_quietly(tmp_path):
    done = subprocess.run(f"{INDEXDESK} tools list --json | head -1", shell=True, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=120, executable="/bin/bash")
    assert done.stdout.strip() == "["
    assert "Error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    status = subprocess.run(f"set -o pipefail; {INDEXDESK} perf defi BTC --json | head -1", shell=True,
                            capture_output=True, text=True, env=_env(tmp_path), timeout=120, executable="/bin/bash")
    assert status.returncode == 0 and status.stderr == "", status.stderr


def test_completion_scripts_know_every_command(tmp_path, capsys):
    commands = [name for name, _ in [(p[0], None) for p, _ in _leaves(build_parser()) if p]]
    for shell in ("bash", "zsh", "fish"):
        assert main(["completion", shell]) == 0
        script = capsys.readouterr().out
        assert all(name in script for name in set(commands)), shell
    assert main(["completion", "bash"]) == 0
    path = tmp_path / "c.bash"
    path.write_text(capsys.readouterr().out)
    probe = (f"source {path}; COMP_WORDS=(indexdesk portfolio l); COMP_CWORD=2; _indexdesk; echo \"${{COMPREPLY[@]}}\";"
             " COMP_WORDS=(indexdesk var --conf); COMP_CWORD=2; _indexdesk; echo \"${COMPREPLY[@]}\"")
    lines = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert lines == ["lot-method lots", "--confidence"]


def test_settings_file_is_read_and_the_environment_wins(tmp_path, monkeypatch, capsys):
    from indexdesk.tools.settings import Settings, config_path

    config = tmp_path / "config.toml"
    config.write_text('source = "binance"\nmodel = "from-the-file"\n', encoding="utf-8")
    monkeypatch.setenv("INDEXDESK_CONFIG", str(config))
    assert config_path() == config
    assert (Settings().source, Settings().model) == ("binance", "from-the-file")
    monkeypatch.setenv("INDEXDESK_MODEL", "from-the-environment")
    assert Settings().model == "from-the-environment" and Settings(source="sample").source == "sample"
    assert main(["config", "path"]) == 0 and capsys.readouterr().out.strip() == str(config)
    assert main(["config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["settings"]
    assert shown["source"] == {"value": "binance", "from": "config file"}
    assert shown["model"] == {"value": "from-the-environment", "from": "environment"}
    assert shown["annualization"]["from"] == "default"


def test_ask_prints_plain_text_when_piped_notes_once_and_fails_when_unmapped(tmp_path):
    env = _env(tmp_path)
    first = subprocess.run([INDEXDESK, "ask", "how did defi do over 90 days"], capture_output=True, text=True,
                           env=env, timeout=180)
    assert first.returncode == 0, first.stderr
    assert "No model is configured" in first.stderr
    assert "**" not in first.stdout and "|---" not in first.stdout and "\x1b[" not in first.stdout
    assert "total return" in first.stdout
    again = subprocess.run([INDEXDESK, "ask", "how did defi do over 90 days"], capture_output=True, text=True,
                           env=env, timeout=180)
    assert "No model is configured" not in again.stderr  # the same shell has read it already
    asked = subprocess.run([INDEXDESK, "ask", "--model-note", "how did defi do over 90 days"], capture_output=True,
                           text=True, env=env, timeout=180)
    assert "No model is configured" in asked.stderr
    unmapped = subprocess.run([INDEXDESK, "ask", "blorp the fnord"], capture_output=True, text=True, env=env,
                              timeout=180)
    assert unmapped.returncode == 1 and "could not map" in unmapped.stdout


@pytest.mark.skipif(not hasattr(os, "getsid"), reason="no POSIX sessions here")
def test_the_model_note_is_once_per_shell_session_not_per_parent_process(tmp_path):
    """`time indexdesk ask …`, xargs or a script start ask from a new parent in the same shell session:
    the note is not repeated; a new terminal (a new session) reads it once."""
    code = ("import sys; from indexdesk.agent.commands.ask import _first_in_this_shell as first; "
            "from indexdesk.tools.context import ToolContext; from indexdesk.tools.settings import Settings; "
            "print(first(ToolContext(settings=Settings(home=sys.argv[1]))))")

    def asked(**kwargs) -> str:
        # `; true` keeps sh from exec-ing python: each call has its own parent, a new sh process.
        shell = subprocess.run(["sh", "-c", '"$0" -c "$1" "$2"; true', sys.executable, code, str(tmp_path / "home")],
                               capture_output=True, text=True, timeout=60, check=False, **kwargs)
        assert shell.returncode == 0, shell.stderr
        return shell.stdout.strip()

    assert asked() == "True"
    assert asked() == "False"  # another parent process, the same session
    assert asked(start_new_session=True) == "True"  # a new session (another terminal)


@pytest.mark.parametrize("flag, value", [("--target", "40%"), ("--target", "0.4")])
def test_percent_is_accepted_on_percentage_flags(flag, value):
    from indexdesk.agent.commands.tool_args import tool_arguments

    parser = build_parser()
    args = parser.parse_args(["size", "BTC", "ETH", flag, value])
    assert tool_arguments(args)["target_volatility"] == pytest.approx(0.4)
    args = parser.parse_args(["var", "--confidence", "99%", "--value", "250000"])
    assert tool_arguments(args)["confidence"] == pytest.approx(0.99)
    assert tool_arguments(args)["portfolio_value"] == 250000
