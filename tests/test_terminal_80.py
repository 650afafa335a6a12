"""At 80 columns the CLI's tables fit, words are not cut, and what steps aside is named."""

from __future__ import annotations

import re

import pytest

from indexdesk.agent.cli import main

WIDTH = 80


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:32")
    home = str(tmp_path / "home")

    def run(*argv: str) -> tuple[int, str]:
        code = main([*argv, "--home", home])
        out = capsys.readouterr()
        return code, out.out + out.err

    return run


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def test_perf_fits_and_names_the_columns_it_left_out(run):
    code, out = run("perf", "defi", "layer1", "large_cap", "BTC", "memecoins")
    assert code == 0 and widest(out) <= WIDTH
    header = next(line for line in out.splitlines() if "Sharpe" in line)
    for column in ("name", "total", "vol", "Sharpe", "Sortino", "max DD", "corr"):
        assert column in header  # correlation and Sortino stay at 80 columns
    assert "--wide" in out and "trough" in out.split("not shown at this width:")[1]
    code, wide = run("perf", "defi", "--wide")
    assert code == 0 and "trough" in next(line for line in wide.splitlines() if "Sharpe" in line)


def test_indices_list_wraps_between_words(run):
    from indexdesk.tools.indices.catalogue import load_catalogue

    code, out = run("indices", "list")
    assert code == 0 and widest(out) <= WIDTH
    flat = re.sub(r"\s+", " ", out)
    for definition in load_catalogue(None).indices.values():
        assert definition.constituents_text() in flat, definition.name  # every rule whole, never cut mid-word


def test_var_fits(run):
    code, out = run("var", "--weights", "BTC=0.4,defi=0.3,layer1=0.2,memecoins=0.1", "--confidence", "0.99")
    assert code == 0 and widest(out) <= WIDTH
    assert "99% confidence" in out and "portfolio" in out


def test_review_fits_and_prints_its_header_once(run):
    code, out = run("review", "2026Q3")
    assert code == 0 and widest(out) <= WIDTH
    assert out.count("2026Q3: ") == 1


def test_perf_formats_from_the_declared_units(run):
    """Fractions as percentages to 0.1 %, ratios plain to 2 decimals: from the result model, not hand-written."""
    code, out = run("perf", "defi", "BTC", "--wide")
    assert code == 0
    row = next(line for line in out.splitlines() if line.split()[1:2] == ["defi"])
    cells = row.split()
    assert all(re.fullmatch(r"-?[\d,]+\.\d%", c) for c in cells[2:5]), row  # total, CAGR, vol
    assert all(re.fullmatch(r"-?\d+\.\d\d", c) for c in cells[5:7]), row  # Sharpe, Sortino
    from indexdesk.tools.units import format_value

    assert format_value(12.345, "fraction", digits=1) == "1,234.5%" and format_value(1.23456, "ratio", digits=2) == "1.23"
