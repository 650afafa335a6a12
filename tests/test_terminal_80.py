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


# ---------------------------------------------------------------- abbreviations and their legend

def test_a_narrow_table_names_its_abbreviations_under_it(run):
    code, out = run("stress")
    assert code == 0 and widest(out) <= WIDTH
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "scenario" in line and "P&L" in line)
    assert "max DD" in lines[header] and "max drawdown" not in lines[header]
    legend = [line for line in lines[header:] if " = " in line]
    assert legend == ["max DD = maximum drawdown"]  # one line, only the abbreviation used
    code, wide = run("stress", "--wide")
    assert code == 0 and "max drawdown" in wide and "max DD" not in wide and " = maximum" not in wide


def test_perf_names_only_the_abbreviations_it_shows(run):
    code, out = run("perf", "defi", "layer1", "large_cap", "BTC", "memecoins")
    assert code == 0 and widest(out) <= WIDTH
    legend = next(line for line in out.splitlines() if "max DD = " in line)
    assert legend == "vol = annualised volatility · max DD = maximum drawdown · corr = correlation"
    assert "CAGR" not in legend  # CAGR stepped aside at this width: not in the table, not in the legend


def test_legend_lists_the_short_headers_a_view_used():
    import io

    from indexdesk.agent.terminal import Col, TableView, View, console, render

    records = [{"name": f"holding number {i}", "a": 0.1 * i, "b": 0.2, "c": 0.3} for i in range(3)]
    view = View(tables=[TableView("rows", [Col("name", "name"), Col("a long first figure", "a", short="1st"),
                                           Col("a long second figure", "b", short="2nd"),
                                           Col("volatility", "c", short="vol", numeric=True)])])

    def printed(width: int) -> str:
        con = console(width=width)
        con.file = io.StringIO()
        render({"rows": records}, "no_such_tool", view, con=con)
        return con.file.getvalue()

    narrow, roomy = printed(60), printed(120)
    assert ("1st = a long first figure · 2nd = a long second figure · vol = annualised volatility"
            in " ".join(narrow.split()))
    assert " = " not in roomy and "a long first figure" in roomy


def test_an_id_is_never_split_over_two_lines():
    import io

    from indexdesk.agent.terminal import console, fit

    con = console(width=80)
    con.file = io.StringIO()
    lot = "raa28e4eded7ecf38ca68"
    con.print(fit(con, ["lot", "symbol", "loss", "tax saved", "term", "replacement"],
                  [[lot, "DOGE", "$1,902.85", "$570.86", "long", "memecoins (0.78) and a longer note"]],
                  [False, False, True, True, False, False]))
    out = con.file.getvalue()
    assert lot in out and widest(out) <= 80
