"""`indexdesk rotate|rebalance|backtest|attribution|tiers|harvest` on the real prices, within 80 columns."""

from __future__ import annotations

import json

import pytest

from indexdesk.agent.cli import main


@pytest.fixture
def real_source(shared_data, monkeypatch):
    monkeypatch.setenv("INDEXDESK_SOURCE", f"csv:{shared_data / 'prices_daily.csv'}")


@pytest.mark.parametrize("argv", [
    ["rotate"],
    ["rebalance", "asymmetric_bands", "--weights", "large_cap=0.3,balanced=0.2,layer1=0.15,defi=0.16,ai_data=0.09"],
    ["attribution", "--start", "2024-01-01", "--end", "2024-06-30"],
    ["tiers"],
])
def test_commands_render_within_80_columns(real_source, capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.strip()
    assert max(len(line) for line in out.splitlines()) <= 80


def test_backtest_sweep_and_plot(real_source, capsys, tmp_path):
    png = tmp_path / "bt.png"
    code = main(["backtest", "momentum", "--start", "2022-01-01", "--plot", str(png),
                 "--sweep", "lookback=30:90:30", "tilt=0.05,0.1", "cadence=monthly"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "sweep of 6 configurations" in captured.out
    assert png.stat().st_size > 10_000
    assert max(len(line) for line in captured.out.splitlines()) <= 80


def test_json_passes_only_the_flags_given(real_source, capsys):
    assert main(["backtest", "static", "--start", "2023-01-01", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["params"].startswith("lookback=90 tilt=0.05 cadence=monthly policy=calendar cost=15bps")


@pytest.mark.parametrize("argv, needle", [
    (["rotate", "momentun"], "did you mean 'momentum'"),
    (["backtest", "--start", "2024-01-01", "--end", "2023-01-01"], "not before"),
    (["rebalance", "--weights", "defi=0"], "zero"),
])
def test_bad_input_exits_1_with_the_reason(real_source, capsys, argv, needle):
    """A tool error is exit 1 (README "Exit codes"); 2 is kept for what argparse cannot read."""
    assert main(argv) == 1
    assert needle in capsys.readouterr().err


def test_strategy_flags_come_from_the_tools_and_pass_only_what_was_typed():
    import argparse

    from indexdesk.agent.commands import strategy
    from indexdesk.agent.commands.tool_args import tool_arguments

    parser = argparse.ArgumentParser()
    strategy.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["rotate", "pair", "--pair", "defi", "layer1", "--weights", "defi=60%,layer1=0.4"])
    assert tool_arguments(args) == {"strategy": "pair", "pair": ["defi", "layer1"],
                                    "weights": {"defi": 0.6, "layer1": 0.4}}
    assert tool_arguments(parser.parse_args(["harvest"])) == {}
    args = parser.parse_args(["backtest", "--sweep", "lookback=30:90:30", "tilt=0.05,0.1"])
    assert tool_arguments(args) == {"sweep": "lookback=30:90:30 tilt=0.05,0.1"}
    assert tool_arguments(parser.parse_args(["rebalance", "threshold", "--band", "0.1"])) == {"policy": "threshold",
                                                                                             "band": 0.1}
