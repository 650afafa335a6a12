"""OpenAI function/tool schemas that satisfy *strict* mode, generated from a ToolSpec.

Strict mode rules applied: every property is listed in `required`; a property that was optional
becomes nullable (the registry's call path reads null as "use the default"); every object has
`additionalProperties: false`; `$ref`s are inlined; keywords strict mode rejects are removed
and, where they carry meaning (bounds, defaults), moved into the description.
"""

from __future__ import annotations

import copy
from typing import Any

from indexdesk.tools.registry import Registry, ToolSpec

# Keywords strict mode does not accept; their meaning is kept in the description text.
_DROP = {"title", "default", "examples", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum",
         "exclusiveMinimum", "exclusiveMaximum", "pattern", "format", "uniqueItems", "multipleOf",
         "patternProperties", "minProperties", "maxProperties", "propertyNames", "contentEncoding",
         "contentMediaType", "discriminator", "readOnly", "writeOnly", "deprecated"}
# maxLength / maxItems are not said: they are safety bounds (tools/params.py) far above any real use,
# enforced by validation; saying them in every description would cost the model tokens every turn.
_BOUND_WORDS = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<",
                "minItems": "items ≥", "minLength": "length ≥"}


def inline_refs(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    if depth > 20:
        raise ValueError("schema nests too deep (recursive model?)")
    if isinstance(node, dict):
        if "$ref" in node:
            target = copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]])
            extra = {k: v for k, v in node.items() if k != "$ref"}
            target.update(extra)
            return inline_refs(target, defs, depth + 1)
        return {k: inline_refs(v, defs, depth + 1) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [inline_refs(v, defs, depth + 1) for v in node]
    return node


def _nullable(schema: dict) -> dict:
    if "anyOf" in schema:
        if not any(s.get("type") == "null" for s in schema["anyOf"]):
            schema["anyOf"].append({"type": "null"})
        return schema
    t = schema.get("type")
    if isinstance(t, str):
        if t != "null":
            schema["type"] = [t, "null"]
    elif isinstance(t, list):
        if "null" not in t:
            schema["type"] = t + ["null"]
    else:
        return {"anyOf": [schema, {"type": "null"}]}
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = list(schema["enum"]) + [None]
    return schema


def _strictify(node: Any) -> Any:
    if isinstance(node, list):
        return [_strictify(v) for v in node]
    if not isinstance(node, dict):
        return node
    notes = []
    for key, word in _BOUND_WORDS.items():
        if key in node:
            notes.append(f"{word} {node[key]}")
    already_says_default = "default" in str(node.get("description", "")).lower()
    if "default" in node and node["default"] is not None and not already_says_default:
        notes.append(f"default {node['default']!r}".replace("'", '"'))
    out = {k: _strictify(v) for k, v in node.items() if k not in _DROP and k != "properties"}
    if "properties" in node:  # property names are data, never keywords to drop
        out["properties"] = {name: _strictify(prop) for name, prop in node["properties"].items()}
    if "const" in out:
        out["enum"] = [out.pop("const")]
    # anyOf with a single null branch from Optional[...] stays anyOf; collapse [X] singletons.
    if "anyOf" in out and len(out["anyOf"]) == 1:
        out.update(out.pop("anyOf")[0])
    if notes:
        desc = out.get("description", "")
        out["description"] = (desc + (" " if desc else "") + "(" + ", ".join(notes) + ")").strip()
    if out.get("type") == "object" or "properties" in out:
        props = out.get("properties", {})
        originally_required = set(node.get("required", []))
        for name, prop in list(props.items()):
            if name not in originally_required:
                props[name] = _nullable(prop)
        out["properties"] = props
        out["required"] = list(props)
        out["additionalProperties"] = False
        out["type"] = "object"
    return out


def _drop_item_descriptions(node: Any, parent_described: bool = False) -> Any:
    """An array's own description already says what its items are; the item model's docstring repeats it
    in every tool that takes the same model, and the model pays for it in tokens each turn."""
    if isinstance(node, list):
        return [_drop_item_descriptions(v, parent_described) for v in node]
    if not isinstance(node, dict):
        return node
    described = "description" in node
    out = {}
    for key, value in node.items():
        if key == "items" and isinstance(value, dict) and (described or parent_described):
            value = {k: v for k, v in value.items() if k != "description"}
            out[key] = _drop_item_descriptions(value)
        elif key == "anyOf":
            out[key] = [_drop_item_descriptions(v, described or parent_described) for v in value]
        elif key == "properties":
            out[key] = {name: _drop_item_descriptions(prop) for name, prop in value.items()}
        else:
            out[key] = _drop_item_descriptions(value) if isinstance(value, (dict, list)) else value
    return out


def strict_parameters(spec: ToolSpec) -> dict:
    """The strict-mode JSON schema of a tool's parameters."""
    raw = spec.params_model.model_json_schema()
    inlined = inline_refs(raw, raw.get("$defs", {}))
    return _drop_item_descriptions(_strictify(inlined))


def openai_tool(spec: ToolSpec, *, strict: bool = True) -> dict:
    """`{"type": "function", "function": {...}}` as the Chat Completions API takes it."""
    return {
        "type": "function",
        "function": {
            "name": spec.name,
            "description": spec.description,
            "parameters": strict_parameters(spec),
            "strict": strict,
        },
    }


def openai_tools(registry: Registry, *, strict: bool = True) -> list[dict]:
    return [openai_tool(spec, strict=strict) for spec in registry]


def check_strict(schema: dict, path: str = "$") -> list[str]:
    """Violations of the strict-mode rules in a parameters schema (empty list = passes)."""
    problems = []
    if isinstance(schema, dict):
        for key in (k for k in schema if k != "properties"):
            if key in _DROP or key in ("$ref", "$defs", "const", "allOf", "not", "oneOf"):
                problems.append(f"{path}: keyword {key!r} is not allowed in strict mode")
        is_object = schema.get("type") == "object" or (isinstance(schema.get("type"), list) and "object" in schema["type"])
        if is_object:
            if schema.get("additionalProperties") is not False:
                problems.append(f"{path}: additionalProperties must be false")
            props = schema.get("properties", {})
            if set(schema.get("required", [])) != set(props):
                problems.append(f"{path}: every property must be required")
            for name, prop in props.items():
                problems += check_strict(prop, f"{path}.{name}")
        for key in ("items",):
            if isinstance(schema.get(key), dict):
                problems += check_strict(schema[key], f"{path}[]")
        for branch in schema.get("anyOf", []):
            problems += check_strict(branch, f"{path}|")
    return problems
