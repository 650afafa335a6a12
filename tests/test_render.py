"""Rendering tool results for people: fractions of named fields read as percentages, still grounded."""

from __future__ import annotations

import json

from indexdesk.agent.grounding import ungrounded_numbers
from indexdesk.agent.render import (
    cell,
    format_percent,
    is_percent_field,
    result_markdown,
)


def test_fraction_fields_are_percentages_and_others_are_not():
    assert is_percent_field("total_return") and is_percent_field("max_drawdown") and is_percent_field("cvar")
    assert is_percent_field("results.annual_volatility") and is_percent_field("weight")
    assert not is_percent_field("sharpe_ratio") and not is_percent_field("correlation")
    assert not is_percent_field("pnl_amount") and not is_percent_field("beta")
    assert cell(-0.1781, "max_drawdown") == "-17.8%"  # the one style: 0.1 %
    assert cell(1.304, "sharpe_ratio") == "1.304"
    assert cell(3, "horizon_days") == "3"
    assert format_percent(-0.000001) == "0.0%"  # never -0.0%
    assert format_percent(0.000225) == "0.022%"  # a small cost is not 0.0%


def test_a_rendered_result_passes_the_grounding_check():
    result = {"results": [{"name": "defi", "total_return": 0.123456, "sharpe_ratio": 1.30412, "max_drawdown": -0.17813}],
              "source": "sample (synthetic)"}
    text = result_markdown(result, "get_index_performance")
    assert "12.3%" in text and "-17.8%" in text and "1.304" in text
    assert ungrounded_numbers(text, [json.dumps(result)]) == []
