"""Reading the strict JSON schemas the model sees: optional parameters are nullable, enums carry null."""

from __future__ import annotations


def non_null(schema: dict) -> dict:
    """The schema without its null branch (strict schemas make optional parameters nullable)."""
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        return non_null(branches[0]) if len(branches) == 1 else schema
    t = schema.get("type")
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        schema = {**schema, "type": rest[0] if len(rest) == 1 else rest}
        if "enum" in schema:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
    return schema


def is_optional(schema: dict) -> bool:
    t = schema.get("type")
    return (isinstance(t, list) and "null" in t) or any(b.get("type") == "null" for b in schema.get("anyOf", []))


def enum_of(schema: dict) -> list:
    return [v for v in non_null(schema).get("enum", []) if v is not None]
