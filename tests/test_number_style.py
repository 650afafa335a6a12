"""One number style: a tool's result reads the same through its laid-out view and through the generic
renderer (and the Markdown answer), because both format from the result model's declared units."""

from __future__ import annotations

import io
import re

import pytest
from indexdesk.tools.units import format_value

PERCENT = re.compile(r"[+-]?[\d,]+(?:\.\d+)?%")


@pytest.fixture(scope="module")
def sized():
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings
    from indexdesk.tools.toolbox import default_registry

    ctx = ToolContext(settings=Settings(source="sample"))
    result = default_registry().call("size_positions", {"indices": ["BTC", "ETH", "SOL"], "target_volatility": 0.4},
                                     ctx)
    assert "error" not in result, result
    return result


def _printed(result: dict, view) -> str:
    from indexdesk.agent.terminal import console, render

    con = console(width=200)
    con.file = io.StringIO()
    render(dict(result), "size_positions", view, con=con)
    return con.file.getvalue()


def _row_percentages(text: str, name: str) -> list[str]:
    row = next(line for line in text.splitlines() if line.split()[:1] == [name] or line.strip().startswith(f"| {name} |"))
    return [p.lstrip("+") for p in PERCENT.findall(row)]


def test_one_tool_reads_alike_through_its_view_and_the_generic_renderer(sized):
    from indexdesk.agent.render import result_markdown
    from indexdesk.agent.terminal_views import SIZE

    view, generic = _printed(sized, SIZE), _printed(sized, None)
    markdown = result_markdown(sized, tool="size_positions")
    for position in sized["positions"]:
        name = position["name"]
        expected = {format_value(position[k], "fraction") for k in ("volatility", "base_weight", "weight")}
        assert all(re.fullmatch(r"[\d,]+\.\d%", e) for e in expected)  # fractions to 0.1 %, one style
        for text in (view, generic, markdown):
            assert expected <= set(_row_percentages(text, name)), (name, expected, text)


def test_small_shares_and_zeros_read_honestly():
    assert format_value(0.000225, "fraction") == "0.022%"  # a trading cost is not 0.0%
    assert format_value(-0.0000001, "fraction") == "0.0%"  # no -0.0%
    assert format_value(-0.00001, "fraction") == "0.0%"  # rounding noise is zero, not -0.001%
    assert format_value(-0.0004, "fraction") == "-0.04%"
    assert format_value(0.1234, "fraction", signed=True) == "+12.3%"
    assert format_value(0.0, "fraction", signed=True) == "0.0%"  # zero has no sign
    assert format_value(-0.004, "currency") == "$0.00" and format_value(-12.5, "currency", digits=0) == "-$12"
    assert format_value(-0.04, "pp", digits=1) == "0.0 pp"
