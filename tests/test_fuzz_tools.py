"""Schema-driven fuzz over EVERY tool of the default registry (a tool added later is covered without new code).

Each tool gets (1) arguments generated from its own JSON schema by hypothesis-jsonschema, (2) every
parameter in turn replaced by a hostile value (lone surrogates, control characters, a 1 MB string,
±inf/nan/1e308/-1/0, wrong types, nested hostile items) and (3) arguments that are not an object at
all. The registry must answer every call with a dict that is JSON (finite numbers, UTF-8 encodable),
never an internal error and never an exception; errors echo input only as a short prefix.
"""

from __future__ import annotations

import json
import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexdesk.tools.registry import dumps, is_error, is_internal_error
from indexdesk.tools.toolbox import default_registry

REGISTRY = default_registry()
NAMES = REGISTRY.names
MAX_ERROR_CHARS = 4000  # an error (message + hint + up to 40 valid names) stays readable whatever the input
MEGABYTE = "x" * 1_000_000

HOSTILE_STRINGS = [
    "", " ", "\ud800", "bought BTC \udcff", "\x00\x01\x1b[31mred\x7f", "\u202eevil", "🙂" * 50, MEGABYTE,
    "2026y", "3000y", "99999m", "0001-01-01", "9999-12-31", "0000Q1", "2026Q9", "../../etc/passwd",
    "javascript:alert(1)", "NaN", "-1", "1e308", "none",
]
HOSTILE_NUMBERS = [math.inf, -math.inf, math.nan, 1e308, -1e308, -1, 0, 1, 2**63, -(2**63), 5e-324]
WRONG_TYPES = [None, True, [], {}, [None], [[]], {"a": 1}, ["\ud800"], [MEGABYTE], ["BTC"] * 5000]
# Tools that write report folders and charts are slower per call; everything else gets the default.
EXAMPLES = {"quarterly_review": 6}
# A deeper run: INDEXDESK_FUZZ_SCALE=20 multiplies every example budget (and draws new examples each run).
SCALE = int(os.environ.get("INDEXDESK_FUZZ_SCALE", "1"))
HOSTILE_VALUES = HOSTILE_STRINGS + HOSTILE_NUMBERS + WRONG_TYPES


@pytest.fixture(scope="module")
def fuzz_ctx(tmp_path_factory):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    home = tmp_path_factory.mktemp("fuzz-home")
    # hash embeddings: the fuzz exercises storage and validation, not the embedding model
    return ToolContext(settings=Settings(home=home, source="sample", embedding="hash:64"))


def check(name: str, args, result) -> None:
    """The contract every call satisfies, whatever the arguments."""
    shown = repr(args)[:200]
    assert isinstance(result, dict), f"{name}({shown}) returned {type(result).__name__}"
    assert not is_internal_error(result), f"{name}({shown}) -> internal error: {result['error'][:300]}"
    text = dumps(result)  # raises on NaN/inf (allow_nan=False)
    text.encode("utf-8")  # raises on a lone surrogate echoed back
    json.loads(text)
    if is_error(result):
        assert len(text) <= MAX_ERROR_CHARS, f"{name}({shown}): error of {len(text)} chars echoes the input"


def call(name, args, ctx):
    try:
        return REGISTRY.call(name, args, ctx)
    except BaseException as exc:  # noqa: BLE001 - the point: nothing may escape the registry
        pytest.fail(f"{name}({repr(args)[:200]}) escaped the registry: {type(exc).__name__}: {exc!s:.300}")


def _strategy(node: dict):
    """A strategy for a (ref-free) schema: objects and lists of objects built here, every leaf by
    hypothesis-jsonschema. (Its own object strategy uses a hypothesis internal that newer hypothesis
    releases removed; leaves do not touch it.)"""
    from hypothesis_jsonschema import from_schema

    if "anyOf" in node:
        return st.one_of([_strategy(branch) for branch in node["anyOf"]])
    if node.get("type") == "object" or "properties" in node:
        properties = node.get("properties", {})
        required = set(node.get("required", []))
        return st.fixed_dictionaries({k: _property(k, v) for k, v in properties.items() if k in required},
                                     optional={k: _property(k, v) for k, v in properties.items() if k not in required})
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        low = node.get("minItems", 0)
        return st.lists(_strategy(node["items"]), min_size=low, max_size=min(node.get("maxItems", 6), low + 6))
    leaf = {k: v for k, v in node.items() if k not in ("description", "default")}
    return from_schema(leaf or {}, allow_x00=True, codec=None)


NAMES_SEEN = ["BTC", "ETH", "SOL", "defi", "layer1", "memecoins", "ai_data", "USDT", "core", "cash"]
WINDOWS_SEEN = ["30d", "90d", "1y", "all", "ytd", "2w", "3000y", "99999m", "2024-01-01:2024-03-01", ":2025-01-01"]
NUMBERS_SEEN = [-1, 0, 1, 2, 5, 30, 90, 365, 0.5, 0.95, 0.999, 99, 1e308, -1e308]
# Values a model plausibly sends, mixed with the schema's own: random text alone rarely gets past the
# name checks into the arithmetic, where the interesting failures are.
PLAUSIBLE = {
    "name": st.sampled_from(NAMES_SEEN), "window": st.sampled_from(WINDOWS_SEEN),
    "lookback": st.sampled_from(WINDOWS_SEEN), "benchmark": st.sampled_from(NAMES_SEEN + ["none"]),
    "quarter": st.sampled_from(["last", "2025Q1", "2024q4", "0000Q1", "2099Q1", "Q3 2025"]),
    "when": st.sampled_from(["0001-01-01", "2025-01-01", "2099-01-01", "yesterday"]),
    "start": st.sampled_from(["0001-01-01", "2025-01-01", "9999-12-31"]),
    "end": st.sampled_from(["0001-01-01", "2025-01-01", "9999-12-31"]),
}
PLAUSIBLE_LISTS = {"indices": NAMES_SEEN, "rolling_pair": NAMES_SEEN,
                   "scenarios": ["bear_2018", "covid_crash_2020", "exchange_failure", "tier_shock", "custom"]}


def _property(name: str, node: dict):
    schema_strategy = _strategy(node)
    if name in PLAUSIBLE:
        return st.one_of(PLAUSIBLE[name], schema_strategy)
    if name in PLAUSIBLE_LISTS:
        return st.one_of(st.lists(st.sampled_from(PLAUSIBLE_LISTS[name]), min_size=1, max_size=4), schema_strategy)
    if node.get("type") in ("number", "integer") or any(b.get("type") in ("number", "integer")
                                                        for b in node.get("anyOf", [])):
        integers_only = node.get("type") == "integer"
        seen = [int(v) for v in NUMBERS_SEEN if float(v).is_integer()] if integers_only else NUMBERS_SEEN
        return st.one_of(st.sampled_from(seen), schema_strategy)
    return schema_strategy


def _valid_arguments(name: str):
    from indexdesk.tools.adapters.openai_schema import inline_refs

    raw = REGISTRY.get(name).params_model.model_json_schema()
    return _strategy(inline_refs(raw, raw.get("$defs", {})))


@pytest.mark.parametrize("name", NAMES)
def test_schema_generated_arguments(name, fuzz_ctx):
    """Arguments the schema allows: a result or a structured tool error, never a bug."""
    @settings(max_examples=EXAMPLES.get(name, 20) * SCALE, deadline=None, database=None, derandomize=SCALE == 1,
              suppress_health_check=list(HealthCheck))
    @given(_valid_arguments(name))
    def run(args):
        check(name, args, call(name, args, fuzz_ctx))

    run()


def _hostile_cases(name: str) -> list[tuple[str, object]]:
    spec = REGISTRY.get(name)
    cases = []
    for field in spec.params_model.model_fields:
        for value in HOSTILE_VALUES:
            cases.append((field, value))
        # hostile values inside list items, e.g. weights=[{"name": "\ud800", "weight": inf}]
        for value in ("\ud800", MEGABYTE, math.inf, -1, None):
            cases.append((field, [value]))
            cases.append((field, [{"name": value, "weight": value, "shock": value}]))
    return cases


def _base_arguments(name: str) -> dict:
    """Small valid arguments for the required parameters, so one hostile field is tested at a time."""
    spec = REGISTRY.get(name)
    base = {}
    for field, info in spec.params_model.model_fields.items():
        if not info.is_required():
            continue
        base[field] = {"weights": [{"name": "BTC", "weight": 0.5}], "indices": ["BTC", "ETH"],
                       "text": "bought BTC", "query": "btc", "target_volatility": 0.4,
                       "quarter": "2025Q1"}.get(field, "BTC")
    return base


@pytest.mark.parametrize("name", NAMES)
def test_hostile_values_in_every_parameter(name, fuzz_ctx):
    """Each parameter in turn gets each hostile value; the others stay valid."""
    base = _base_arguments(name)
    for field, value in _hostile_cases(name):
        args = {**base, field: value}
        check(name, {field: repr(value)[:60]}, call(name, args, fuzz_ctx))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("args", [5, 5.5, "not json", "[1, 2]", "null", ["a"], b"bytes", object(), "{\"x\": NaN}"],
                         ids=["int", "float", "text", "json-list", "json-null", "list", "bytes", "object", "nan-json"])
def test_arguments_that_are_not_an_object(name, args, fuzz_ctx):
    result = call(name, args, fuzz_ctx)
    check(name, args, result)
    assert is_error(result)


@pytest.mark.parametrize("name", [MEGABYTE, "\ud800", "", None, 5, ["compute_var"], "compute_var\x00"])
def test_unknown_or_odd_tool_names(name, fuzz_ctx):
    result = call(name, {}, fuzz_ctx)
    check("?", name, result)
    assert is_error(result)


@given(st.text(max_size=300))
@settings(max_examples=60, deadline=None, database=None, derandomize=True)
def test_any_text_as_a_window(text):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    ctx = _WINDOW_CTX.setdefault("ctx", ToolContext(settings=Settings(source="sample", embedding="hash:64")))
    check("get_index_performance", text, call("get_index_performance", {"indices": ["BTC"], "window": text}, ctx))


_WINDOW_CTX: dict = {}


def _unbounded(node, path="$") -> list[str]:
    """Paths of string and array schemas with no maxLength / maxItems (enums and formats are bounded)."""
    out = []
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "string" and "maxLength" not in node and "enum" not in node and "const" not in node \
                and "format" not in node:
            out.append(path)
        if kind == "array" and "maxItems" not in node:
            out.append(path)
        for key, value in node.items():
            if key == "properties":
                out += [p for name, prop in value.items() for p in _unbounded(prop, f"{path}.{name}")]
            elif key in ("items", "anyOf"):
                out += _unbounded(value, f"{path}[]" if key == "items" else path)
    elif isinstance(node, list):
        out += [p for branch in node for p in _unbounded(branch, path)]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_string_and_list_parameter_is_bounded(name):
    from indexdesk.tools.adapters.openai_schema import inline_refs

    raw = REGISTRY.get(name).params_model.model_json_schema()
    assert _unbounded(inline_refs(raw, raw.get("$defs", {}))) == [], \
        "use the bounded types of indexdesk.tools.params (Name, NameList, Window, Query, Text, TagList)"


def test_a_megabyte_query_fails_fast_with_a_short_error(fuzz_ctx):
    result = call("search_journal", {"query": MEGABYTE}, fuzz_ctx)
    assert is_error(result) and result["field"] == "query" and len(dumps(result)) < 600
