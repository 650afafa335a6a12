"""The CLI spine: --help stays light; `tools list|schema|call` work for every registered tool."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from indexdesk.agent.cli import main
from indexdesk.tools.adapters.openai_schema import check_strict


def test_help_imports_nothing_heavy(tmp_path):
    import os

    # The flag snapshot is generated on first use (tests/test_tool_args.py); from then on --help is light.
    env = {**os.environ, "INDEXDESK_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "indexdesk.agent.commands.tool_args"], check=True, capture_output=True, env=env)
    probe = ("import sys, indexdesk.agent.cli as cli; cli.build_parser(); "
             "print(','.join(m for m in ('pandas', 'numpy', 'langchain', 'langchain_core', 'chromadb', 'openai', "
             "'langgraph', 'pydantic') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                            env=env).stdout.strip()
    assert loaded == ""
    help_text = subprocess.run([sys.executable, "-m", "indexdesk.agent.cli", "--help"], check=True, capture_output=True,
                               text=True, env=env).stdout
    for command in ("chat", "ask", "perf", "indices", "var", "stress", "journal", "review", "tools", "serve", "data"):
        assert f"    {command}" in help_text


def test_tools_list_and_openai_schema_cover_the_registry(capsys):
    from indexdesk.tools.toolbox import default_registry

    names = default_registry().names
    assert main(["tools", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in listed] == names
    assert main(["tools", "schema", "--format", "openai"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert [s["function"]["name"] for s in schemas] == names
    assert all(check_strict(s["function"]["parameters"]) == [] for s in schemas)


def test_tools_call_prints_the_json_result(capsys):
    code = main(["tools", "call", "get_index_performance", '{"indices":["defi","BTC"],"window":"30d"}'])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["name"] for r in out["results"]] and out["source"] == "sample (synthetic)"


@pytest.mark.parametrize("args, expected", [
    (["tools", "call", "get_index_performance", '{"indices":["defii"]}'], "did you mean 'defi'"),
    (["tools", "call", "get_index_performance", '{"indices":'], "not valid JSON"),
    (["tools", "call", "get_index_perf", "{}"], "did you mean 'get_index_performance'"),
])
def test_tools_call_errors_are_structured_with_a_non_zero_exit(args, expected, capsys):
    assert main(args) == 1
    out = json.loads(capsys.readouterr().out)
    assert expected in out["error"] and "hint" in out


def test_an_unknown_source_is_a_clear_error_not_a_traceback(capsys):
    assert main(["--source", "bloomberg", "tools", "call", "get_index_performance", '{"indices":["defi"]}']) == 1
    out = json.loads(capsys.readouterr().out)
    assert "unknown source 'bloomberg'" in out["error"]


def test_perf_plot_draws_the_same_window_as_the_table(tmp_path, capsys):
    from datetime import date

    from indexdesk.agent.cli import make_context
    from indexdesk.tools.indices.series import level_panel

    png = tmp_path / "charts" / "perf.png"
    assert main(["perf", "defi", "BTC", "--window", "90d", "--json", "--plot", str(png)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    levels, _ = level_panel(make_context(type("Args", (), {})()), ["defi", "BTC"],
                            date.fromisoformat(result["start"]), date.fromisoformat(result["end"]))
    for row in result["results"]:
        series = levels[row["name"]].dropna()
        assert series.iloc[-1] / series.iloc[0] - 1 == pytest.approx(row["total_return"], abs=5e-5)  # shown rounded
