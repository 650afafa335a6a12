"""Fitting the offline router's readings to a bound tool's JSON schema: names renamed to the tool's
parameters, weights reshaped to its list/object form, choices matched case-insensitively, numbers cast.
"""

from __future__ import annotations

from typing import Any

from indexdesk.agent import offline_grammar as grammar


def _fit_weights(schema: dict, weights: grammar.Weights) -> Any:
    inner = grammar.non_null(schema)
    if inner.get("type") == "object" and "properties" not in inner:
        return {name: weight for name, weight in weights.items}
    items = grammar.non_null(inner.get("items", {}))
    props = items.get("properties", {})
    if not props:
        return [name for name, _ in weights.items] if items.get("type") == "string" else \
            [{"name": n, "weight": w} for n, w in weights.items]
    strings = [k for k, v in props.items() if grammar.non_null(v).get("type") == "string"]
    numbers = [k for k, v in props.items() if grammar.non_null(v).get("type") in ("number", "integer")]
    name_key = next((k for k in ("name", "index", "asset", "symbol", "ticker") if k in props), strings[0] if strings else "name")
    weight_key = next((k for k in ("weight", "w", "allocation", "fraction") if k in props), numbers[0] if numbers else "weight")
    others = {k: None for k in props if k not in (name_key, weight_key)}
    return [{name_key: n, weight_key: w, **others} for n, w in weights.items]


def fit_value(schema: dict, value: Any) -> tuple[bool, Any]:
    """`value` in the shape the parameter's schema wants, or (False, None) when it cannot fit."""
    if isinstance(value, grammar.Weights):
        return True, _fit_weights(schema, value)
    inner = grammar.non_null(schema)
    kind = inner.get("type")
    choices = grammar.enum_of(inner)
    if kind == "array":
        items = value if isinstance(value, list) else [value]
        item_schema = inner.get("items", {})
        fitted = [fit_value(item_schema, v) for v in items]
        return (True, [v for ok, v in fitted if ok]) if any(ok for ok, _ in fitted) else (False, None)
    if isinstance(value, list) and kind in ("string", None):
        value = ", ".join(str(v) for v in value) if not choices else value[0]
    if choices:
        lowered = {str(c).lower(): c for c in choices}
        match = lowered.get(str(value).lower())
        return (match is not None, match)
    if kind == "integer" and isinstance(value, str) and grammar.window_days(value):
        return True, grammar.window_days(value)  # "60d" for a lookback in days
    try:
        if kind == "integer":
            return True, int(round(float(value)))
        if kind == "number":
            return True, float(value)
    except (TypeError, ValueError):
        return False, None
    if kind == "string":
        return True, str(value)
    return True, value


def fit_arguments(params: dict, proposed: dict) -> tuple[dict, list[str]]:
    """Proposed values renamed and shaped for the tool; the required parameters still missing."""
    properties = params.get("properties", {})
    args: dict[str, Any] = {}
    for canonical, value in proposed.items():
        if value is None:
            continue
        name = grammar.param_name(params, canonical)
        if name is None or name in args:
            continue
        ok, fitted = fit_value(properties[name], value)
        if ok:
            args[name] = fitted
    missing = [n for n, s in properties.items() if n not in args and not grammar.is_optional(s)
               and n in (params.get("required") or [])]
    return args, missing


def plain_args(proposed: dict) -> dict:
    """Arguments without a schema to fit to: weights as the contract's list of {name, weight}."""
    return {k: ([{"name": n, "weight": w} for n, w in v.items] if isinstance(v, grammar.Weights) else v)
            for k, v in proposed.items() if v is not None}
