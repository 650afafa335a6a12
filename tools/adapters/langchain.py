"""LangChain `StructuredTool`s generated from the registry; each call goes through `Registry.call`."""

from __future__ import annotations

from typing import Any

from indexdesk.tools.adapters.openai_schema import strict_parameters
from indexdesk.tools.registry import Registry, ToolSpec


def langchain_tool(registry: Registry, spec: ToolSpec, ctx: Any):
    from langchain_core.tools import StructuredTool

    def run(**kwargs: Any) -> str:
        return registry.call_json(spec.name, kwargs, ctx)

    return StructuredTool(
        name=spec.name,
        description=spec.description,
        args_schema=strict_parameters(spec),
        func=run,
        metadata={"state_changing": spec.state_changing, "read_only": spec.read_only, "category": spec.category},
    )


def langchain_tools(registry: Registry, ctx: Any) -> list:
    return [langchain_tool(registry, spec, ctx) for spec in registry]
