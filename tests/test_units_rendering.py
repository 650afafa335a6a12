"""Units, declared once: every numeric result field of every registered tool declares its unit, and
the renderers format from it (fractions as percentages, ratios plain, money with its currency)."""

from __future__ import annotations

import pytest
from indexdesk.agent.render import format_unit, result_markdown, tabulate, units_for
from indexdesk.tools.toolbox import default_registry
from indexdesk.tools.units import UNITS, units_in_schema


def undeclared_numbers(schema: dict) -> list[str]:
    """Dotted paths of numeric fields that declare no unit (nested models, lists and maps walked)."""
    definitions = schema.get("$defs", {})
    found: list[str] = []

    def resolve(node):
        while "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def walk(node, path, declared, depth=0):
        node = resolve(node)
        declared = declared or isinstance(node.get("unit"), str) \
            or any(isinstance(resolve(o).get("unit"), str) for o in node.get("anyOf", []))  # `Ratio | None`
        types = {node.get("type")} | {resolve(o).get("type") for o in node.get("anyOf", [])}
        if types & {"number", "integer"} and not declared:
            found.append(path)
        for option in node.get("anyOf", []):
            if resolve(option).get("type") in ("array", "object"):
                walk(option, path, declared, depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], path, declared, depth + 1)
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], f"{path}.*", declared, depth + 1)
        for key, child in node.get("properties", {}).items():
            walk(child, f"{path}.{key}" if path else key, False, depth + 1)

    walk(schema, "", False)
    return found


@pytest.mark.parametrize("spec", list(default_registry()), ids=lambda s: s.name)
def test_every_numeric_result_field_declares_its_unit(spec):
    assert spec.result_model is not None, f"{spec.name} returns no pydantic model"
    schema = spec.result_model.model_json_schema()
    assert undeclared_numbers(schema) == [], f"{spec.name}: declare a unit (indexdesk.tools.units)"
    assert set(units_in_schema(schema).values()) <= set(UNITS)


def test_units_format_as_people_read_them():
    assert format_unit(0.1234, "fraction") == "12.3%"  # one style: percentages to 0.1 %
    assert format_unit(1.5, "ratio") == "1.5"  # a Sharpe ratio is never a percentage
    assert format_unit(12345.678, "currency") == "$12,345.68"
    assert format_unit(-500, "currency", "EUR") == "-500.00 EUR"
    assert format_unit(30, "days") == "30"
    assert format_unit(5, "pp") == "5 pp"


def test_declared_units_win_over_field_names():
    units = {"invested": "fraction", "cash": "fraction", "target": "ratio", "excess": "fraction",
             "rows.weight": "fraction", "rows.sharpe": "ratio", "rows.value": "per_row"}
    result = {"invested": 0.8155, "cash": 0.1845, "target": 1.0, "excess": 0.0288,
              "rows": [{"name": "a", "weight": 0.5, "sharpe": 1.25, "unit": "fraction", "value": 0.3},
                       {"name": "b", "weight": 0.5, "sharpe": 0.5, "unit": "ratio", "value": 1.2}]}
    shape = tabulate(result, units=units)
    facts = dict(shape.tables[0].rows) if shape.tables[0].columns == ["", "value"] else dict(shape.facts)
    assert facts["invested"] == "81.5%" and facts["cash"] == "18.4%"  # one view, one convention
    assert facts["target"] == "1" and facts["excess"] == "2.9%"
    rows = shape.tables[-1]
    assert ["a", "50.0%", "1.25", "fraction", "30.0%"] == rows.rows[0]
    assert rows.rows[1][-1] == "1.2"  # a per-row unit: this row's value is a ratio


def test_registered_tools_render_from_their_models():
    units = units_for("get_index_performance")
    assert units["results.sharpe_ratio"] == "ratio" and units["results.total_return"] == "fraction"
    text = result_markdown({"window": "90d", "results": [{"name": "defi", "total_return": -0.1234,
                                                            "sharpe_ratio": 1.0, "annual_volatility": 0.55}]},
                           "perf", tool="get_index_performance")
    assert "-12.3%" in text and "| 1 |" in text.replace("1.0", "1") and "55.0%" in text


def test_a_saved_journal_entry_reads_as_text():
    result = {"id": "j-1", "understood": ["kind: decision", "indices: BTC"],
              "entry": {"date": "2026-07-14", "kind": "decision", "text": "Trimmed BTC after CPI"},
              "extraction": "rules", "market_context": None, "warnings": []}
    text = result_markdown(result, "log_journal_entry", tool="log_journal_entry")
    assert "Saved decision j-1 (2026-07-14)." in text and "> Trimmed BTC after CPI" in text
    assert "Understood: kind: decision; indices: BTC" in text and "{" not in text


def test_expand_shows_the_whole_list():
    result = {"values": [f"v{i}" for i in range(9)]}
    assert "(9 values" in result_markdown(result)
    assert "v7" in result_markdown(result, expanded=True) and "(9 values" not in result_markdown(result, expanded=True)


def test_text_for_the_model_never_reaches_the_user():
    from indexdesk.agent.graph import DECLINED
    from indexdesk.agent.render import user_facing

    assert "retry" not in user_facing(DECLINED).lower()
    assert "retry" not in user_facing("User rejected the tool call. Do not retry unless asked.").lower()


def test_a_difference_of_returns_is_read_in_points_on_every_surface():
    """A decision's relative return (into minus out_of) is declared once, as a fraction read in percentage
    points: the review's text, the chat and MCP all show +15.0 pp, never +15.0% (a reviewer found them apart)."""
    from indexdesk.tools.review.outcomes import HorizonOutcome
    from indexdesk.tools.units import format_value, unit_of

    assert unit_of(HorizonOutcome, "relative_return") == "fraction_pp"
    assert format_value(0.15, "fraction_pp", signed=True) == "+15.0 pp"
    assert format_value(-0.1004, "fraction_pp") == "-10.0 pp"
