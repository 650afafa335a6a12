"""`indexdesk var|stress|corr|size` print tables from the real CSV; errors go to stderr with exit code 2."""

from __future__ import annotations

import json

import pytest

from indexdesk.agent.cli import main


@pytest.fixture
def source(shared_data):
    return f"csv:{shared_data / 'prices_daily.csv'}"


def test_var_table(source, capsys):
    code = main(["var", "--weights", "BTC=0.6,ETH=0.3", "--confidence", "0.99", "--horizon", "30",
                 "--method", "monte_carlo", "--source", source])
    out = capsys.readouterr().out
    assert code == 0
    assert "monte_carlo VaR, 99% confidence, 30-day horizon" in out and "portfolio" in out and "tail ratio" in out


def test_var_json_equals_the_tool(source, capsys):
    assert main(["var", "--weights", "BTC=1", "--method", "parametric", "--json", "--source", source]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["method"] == "parametric" and result["components"][0]["name"] == "BTC"


def test_stress_corr_size_tables(source, capsys):
    assert main(["stress", "--weights", "BTC=0.5,LUNA=0.2", "--scenarios", "luna_collapse_2022", "custom",
                 "--shocks", "BTC=-0.4", "--source", source]) == 0
    out = capsys.readouterr().out
    assert "luna_collapse_2022" in out and "LUNA" in out
    assert main(["corr", "BTC", "ETH", "WBTC", "--window", "2024-01-01:2024-12-31", "--rolling", "BTC", "ETH",
                 "--source", source]) == 0
    assert "same bet" in " ".join(capsys.readouterr().out.split())
    assert main(["size", "BTC", "ETH", "--target", "0.3", "--source", source]) == 0
    assert "cash" in capsys.readouterr().out


def test_tool_errors_exit_1_with_a_hint_and_usage_errors_exit_2(source, capsys):
    assert main(["var", "--weights", "BTCC=1", "--source", source]) == 1
    err = capsys.readouterr().err
    assert "did you mean" in err and "hint:" in err
    assert main(["var", "--weights", "BTC", "--source", source]) == 2
    assert "NAME=NUMBER" in capsys.readouterr().err


def test_risk_commands_import_only_the_standard_library(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "INDEXDESK_CACHE_DIR": str(tmp_path)}  # the flag snapshot, generated once first
    subprocess.run([sys.executable, "-m", "indexdesk.agent.commands.tool_args"], check=True, capture_output=True, env=env)
    code = ("import sys, indexdesk.agent.cli as cli; cli.build_parser(); "
            "print(sorted(m for m in ('pandas', 'numpy', 'langchain', 'chromadb', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"
