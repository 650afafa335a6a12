"""One rounding in the review: every percentage its text quotes for a holding or benchmark is the figure
its tables show — in the Markdown report, in `indexdesk review`'s header table and in the chat's
rendering of the tool's summary — and the CLI header and the report give the same dates.

2021Q2 on the sample market is chosen on purpose: BTC's return there is -41.654 %, which a summary
rounded to 4 digits (-0.4165) and formatted again to 0.1 % prints as -41.6 % beside the lesson's -41.7 %.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from indexdesk.agent.cli import main

from tests.review_support import FAST_EMBEDDING, review_ctx, sample_ctx  # noqa: F401 - fixtures

QUARTERS = ["2021Q2", "2020Q3", "2026Q2"]
PCT = r"[+-]?[\d,]+\.\d%"
PP = r"[+-]?[\d,]+\.\d pp"
GAP = r"[\d,]+\.\d pp"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _lesson_figures(lessons: str) -> dict[str, dict[str, str]]:
    """What the lessons say, by name: return, contribution (pp) and portfolio-minus-it (pp, unsigned)."""
    said: dict[str, dict[str, str]] = {}
    text = _flat(lessons)
    portfolio = re.search(rf"The target portfolio returned ({PCT})", text)
    said["targets, rebalanced"] = {"return": portfolio.group(1)}
    versus = re.search(r"; against (.*?\))\.", text).group(1)
    for name, value, gap in re.findall(rf"(?:^|; )([\w ,-]+?) ({PCT}) \((?:beat|lagged) by ({GAP})\)", versus):
        said[name] = {"return": value, "gap": gap}
    for name, contribution, index_return in re.findall(
            rf"(\w+) (?:contributed most|cost least|cost most|added least): ({PP}) from a \d+% weight "
            rf"\(index ({PCT})\)", text):
        said.setdefault(name, {}).update(contribution=contribution, index_return=index_return)
    held = re.search(rf"against holding the quarter-start weights \(({PCT})\)", text)
    if held:
        said["targets, buy-and-hold"] = {**said.get("targets, buy-and-hold", {}), "return": held.group(1)}
    return said


def _markdown_rows(markdown: str, heading: str) -> dict[str, list[str]]:
    section = markdown.split(f"## {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in section.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows[cells[0].strip("*").replace("\\", "")] = cells[1:]
    return rows


@pytest.mark.parametrize("quarter", QUARTERS)
def test_the_reports_text_quotes_its_tables(review_ctx, quarter):  # noqa: F811 - the fixture
    from indexdesk.tools.review.markdown import render_markdown
    from indexdesk.tools.review.report import build_review

    review = build_review(review_ctx, quarter)
    markdown = render_markdown(review)
    said = _lesson_figures(markdown.split("## Lessons\n\n", 1)[1].split("\n## ", 1)[0])
    performance = _markdown_rows(markdown, "Performance against benchmarks")
    contributions = _markdown_rows(markdown, "Contribution by index")
    checked = 0
    for name, figures in said.items():
        if "return" in figures:
            assert figures["return"] == performance[name][0], (quarter, name)
            checked += 1
        if "gap" in figures:
            assert figures["gap"] == performance[name][1].lstrip("+-"), (quarter, name)
        if "contribution" in figures:
            assert figures["contribution"] == contributions[name][3], (quarter, name)
            assert figures["index_return"] == contributions[name][2], (quarter, name)
            checked += 1
    assert checked >= 5  # portfolio, BTC, balanced, buy-and-hold, best and worst index


def _cli_rows(printed: str) -> dict[str, list[str]]:
    rows = {}
    for line in printed.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) >= 2 and re.fullmatch(PCT, cells[1]):
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.parametrize("quarter", ["2021Q2", "2026Q2"])
def test_the_cli_header_table_and_its_lessons_agree(tmp_path, monkeypatch, capsys, quarter):
    monkeypatch.setenv("INDEXDESK_EMBEDDING", FAST_EMBEDDING)
    out = tmp_path / "report"
    assert main(["review", quarter, "--out", str(out), "--home", str(tmp_path / "home")]) == 0
    printed = capsys.readouterr().out
    table = _cli_rows(printed)
    said = _lesson_figures(printed.split("• ", 1)[1])
    assert {"targets, rebalanced", "BTC", "balanced", "targets, buy-and-hold"} <= set(table)
    for name in ("targets, rebalanced", "BTC", "balanced", "targets, buy-and-hold"):
        assert said[name]["return"] == table[name][0], (quarter, name, said[name], table[name])
    for name in ("BTC", "balanced"):
        assert said[name]["gap"] == table[name][1].lstrip("+-"), (quarter, name)
    # One period: the header's dates are the report's.
    markdown = (out / "review.md").read_text()
    period = re.search(r"\n\n(\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d)", markdown).group(1)
    assert f"{quarter}: {period}" in printed


def test_the_chat_rendering_of_the_summary_agrees_with_its_lessons(review_ctx):  # noqa: F811 - the fixture
    from indexdesk.agent.terminal import console, render
    from indexdesk.tools.review.tools import write_report

    summary, _ = write_report(review_ctx, "2021Q2")
    con = console(width=120)
    con.file = io.StringIO()
    render(json.loads(summary.model_dump_json()), "quarterly_review", con=con)
    printed = con.file.getvalue()
    said = _lesson_figures("\n".join(summary.lessons))
    for name in ("BTC", "balanced", "targets, buy-and-hold"):
        row = next(line for line in printed.splitlines() if line.strip().startswith(name + " "))
        # The generic table signs no figure; the digits are the same rounding.
        assert said[name]["return"].lstrip("+") in row.split(), (name, row, said[name])
