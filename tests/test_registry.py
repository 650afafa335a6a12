"""The registry and its adapters: specs from typed functions, one call path, strict schemas, errors."""

from __future__ import annotations

import json
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from indexdesk.tools.adapters.openai_schema import check_strict, openai_tool, strict_parameters
from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.registry import Registry, parse_docstring, spec_of, tool

INDICES = ["defi", "layer1", "large_cap", "memecoins"]


class Echo(BaseModel):
    indices: list[str]
    window: str
    score: float
    warnings: list[str] = Field(default_factory=list)


class Holding(BaseModel):
    name: str
    weight: float


@tool(category="market")
def echo_indices(ctx: ToolContext, indices: list[str], window: Literal["30d", "90d", "1y"] = "90d",
                 score: float | None = None) -> Echo:
    """Echo the indices back, checking the names.

    Args:
        indices: catalogue index names.
        window: lookback window.
        score: a number to echo; NaN when not given.
    """
    for name in indices:
        if name not in INDICES:
            raise unknown_name("index", name, INDICES, field="indices")
    return Echo(indices=indices, window=window, score=float("nan") if score is None else score)


@tool(state_changing=True, category="journal")
def write_note(text: str, holdings: list[Holding] | None = None) -> dict:
    """Write a note (changes state).

    Args:
        text: the note.
        holdings: optional holdings the note is about,
            each a name and a weight.
    """
    if not text.strip():
        raise ToolError("text is empty", hint="write a sentence")
    return {"written": text, "holdings": [h.model_dump() for h in holdings or []]}


@tool(category="market")
def broken() -> dict:
    """A tool with a bug in it."""
    return {"x": 1 / 0}


@pytest.fixture
def registry():
    return Registry([spec_of(echo_indices), spec_of(write_note), spec_of(broken)])


def test_decorator_returns_the_same_function_with_its_spec():
    spec = spec_of(echo_indices)
    assert echo_indices.__name__ == "echo_indices" and callable(echo_indices)
    assert spec.name == "echo_indices"
    assert spec.description == "Echo the indices back, checking the names."
    assert spec.takes_context and not spec.state_changing
    assert spec.param_descriptions["window"] == "lookback window."
    assert "ctx" not in spec.params_model.model_fields
    assert spec_of(write_note).state_changing
    assert spec_of(write_note).param_descriptions["holdings"] == "optional holdings the note is about, each a name and a weight."


def test_a_tool_without_argument_docs_is_refused():
    def undocumented(x: int) -> dict:
        """Does something."""
        return {}

    with pytest.raises(TypeError, match="'x' has no description"):
        tool(undocumented, category="market")


def test_a_tool_without_an_explicit_category_is_refused():
    def uncategorised(x: int) -> dict:
        """Does something.

        Args:
            x: a number.
        """
        return {}

    with pytest.raises(TypeError, match="needs an explicit category"):
        tool(uncategorised)
    with pytest.raises(TypeError, match="needs an explicit category"):
        tool(uncategorised, category=" ")
    assert spec_of(tool(uncategorised, category="my_host")).category == "my_host"


def test_builtin_tools_have_explicit_categories_and_write_flags():
    from indexdesk.tools.registry import CATEGORIES
    from indexdesk.tools.toolbox import default_registry

    registry = default_registry()
    assert {spec.category for spec in registry} <= set(CATEGORIES)
    by_name = {spec.name: spec for spec in registry}
    assert by_name["get_index_performance"].category == "market"
    assert by_name["compute_var"].category == "risk"
    assert by_name["log_journal_entry"].state_changing and not by_name["log_journal_entry"].read_only
    review = by_name["quarterly_review"]
    assert review.writes_files and not review.state_changing and not review.read_only
    assert by_name["search_journal"].read_only


def test_docstring_parser_reads_google_style():
    description, params = parse_docstring("""First line
    continues here.

    More text that is not the description.

    Args:
        a (int): the a.
        b: the b,
            on two lines.

    Returns:
        nothing.
    """)
    assert description == "First line continues here."
    assert params == {"a": "the a.", "b": "the b, on two lines."}


def test_call_validates_runs_and_converts_nan_to_null_with_a_warning(registry, ctx):
    out = registry.call("echo_indices", {"indices": ["defi"]}, ctx)
    assert out["indices"] == ["defi"] and out["window"] == "90d"
    assert out["score"] is None
    assert any("score" in w and "null" in w for w in out["warnings"])
    json.dumps(out, allow_nan=False)  # strictly valid JSON


def test_null_for_an_optional_argument_means_the_default(registry, ctx):
    out = registry.call("echo_indices", '{"indices":["defi"],"window":null,"score":1.5}', ctx)
    assert out["window"] == "90d" and out["score"] == 1.5


def test_tool_error_reaches_the_model_with_close_matches(registry, ctx):
    out = registry.call("echo_indices", {"indices": ["defii"]}, ctx)
    assert out["error"].startswith("unknown index 'defii'; did you mean 'defi'?")
    assert "valid:" in out["error"] and out["field"] == "indices"
    assert "defi" in out["valid"]


def test_validation_errors_name_the_field_and_allowed_values(registry, ctx):
    out = registry.call("echo_indices", {"indices": ["defi"], "window": "2w"}, ctx)
    assert "'window'" in out["error"] and "'30d'" in out["error"] and "2w" in out["error"]
    assert out["field"] == "window"
    assert "parameters: indices, window?, score?" in out["hint"]
    missing = registry.call("echo_indices", {}, ctx)
    assert "'indices'" in missing["error"] and "required" in missing["error"].lower()


def test_unknown_argument_and_unknown_tool_suggest_the_right_name(registry, ctx):
    out = registry.call("echo_indices", {"indices": ["defi"], "windows": "30d"}, ctx)
    assert "unknown argument 'windows'; did you mean 'window'?" in out["error"]
    out = registry.call("echo_indice", {}, ctx)
    assert "unknown tool 'echo_indice'; did you mean 'echo_indices'?" in out["error"]


def test_bad_json_and_non_object_arguments(registry, ctx):
    assert "not valid JSON" in registry.call("echo_indices", "{indices:", ctx)["error"]
    assert "JSON object" in registry.call("echo_indices", "[1,2]", ctx)["error"]


def test_unexpected_exceptions_are_caught_at_the_boundary(registry, ctx):
    out = registry.call("broken", {}, ctx)
    assert out["error"].startswith("internal error in broken: ZeroDivisionError")
    assert "bug" in out["hint"]


def test_tool_errors_raised_in_the_function_body(registry, ctx):
    out = registry.call("write_note", {"text": "  "}, ctx)
    assert out == {"error": "text is empty", "hint": "write a sentence"}


def test_nested_models_validate(registry, ctx):
    out = registry.call("write_note", {"text": "hi", "holdings": [{"name": "BTC", "weight": 0.5}]}, ctx)
    assert out["holdings"] == [{"name": "BTC", "weight": 0.5}]
    bad = registry.call("write_note", {"text": "hi", "holdings": [{"name": "BTC"}]}, ctx)
    assert "holdings.0.weight" in bad["error"]


def test_strict_schema_rules(registry):
    for spec in registry:
        params = strict_parameters(spec)
        assert check_strict(params) == [], spec.name
    params = strict_parameters(spec_of(echo_indices))
    assert params["required"] == ["indices", "window", "score"]
    assert params["additionalProperties"] is False
    assert params["properties"]["window"]["enum"] == ["30d", "90d", "1y", None]
    assert "default \"90d\"" in params["properties"]["window"]["description"]
    holdings = strict_parameters(spec_of(write_note))["properties"]["holdings"]
    item = holdings["anyOf"][0]["items"]
    assert item["additionalProperties"] is False and item["required"] == ["name", "weight"]


def test_check_strict_catches_violations():
    assert check_strict({"type": "object", "properties": {"a": {"type": "string"}}, "required": []})
    assert check_strict({"type": "object", "properties": {}, "required": [], "additionalProperties": False,
                         "default": 1})


def test_openai_tool_shape(registry):
    t = openai_tool(spec_of(echo_indices))
    assert t["type"] == "function" and t["function"]["strict"] is True
    assert t["function"]["name"] == "echo_indices"


def test_langchain_adapter_goes_through_the_registry(registry, ctx):
    from indexdesk.tools.adapters.langchain import langchain_tools

    lc = {t.name: t for t in langchain_tools(registry, ctx)}
    result = json.loads(lc["echo_indices"].invoke({"indices": ["defii"]}))
    assert "did you mean 'defi'" in result["error"]
    ok = json.loads(lc["echo_indices"].invoke({"indices": ["layer1"], "window": "30d", "score": None}))
    assert ok["window"] == "30d"
    assert lc["write_note"].metadata["state_changing"] is True


# ------------------------------------------------------------ the real registry, walked for every adapter

def _real_registry():
    from indexdesk.tools.toolbox import default_registry

    return default_registry()


def test_every_registered_tool_is_documented_and_every_adapter_accepts_it(ctx):
    from indexdesk.tools.adapters.langchain import langchain_tools

    registry = _real_registry()
    assert len(registry) >= 1
    for spec in registry:
        assert spec.description and len(spec.description) <= 200, spec.name
        for name, field in spec.params_model.model_fields.items():
            assert field.description, f"{spec.name}.{name} has no description"
        assert check_strict(strict_parameters(spec)) == [], spec.name
        json.dumps(openai_tool(spec))
        json.dumps(spec.json_schema())
    assert [t.name for t in langchain_tools(registry, ctx)] == registry.names
    from indexdesk.tools.adapters import mcp_server, http_api  # noqa: F401 - adapters import for every tool

    assert set(mcp_server.tool_names(registry, allow_writes=True)) == set(registry.names)
    assert {r for r in http_api.tool_routes(registry)} == {f"/tools/{n}" for n in registry.names}
