"""Which tools there are: the built-in modules, then every installed plugin's.

A built-in tool joins by one entry in `TOOL_MODULES`. A third-party package joins through the
entry-point group `indexdesk.tools`; the entry names a module and every `@tool` function defined
in it registers::

    # the plugin's pyproject.toml
    [project.entry-points."indexdesk.tools"]
    drawdowns = "my_package.drawdown_tools"

A plugin's tools are validated like ours (the spec rules of `@tool`, a schema every adapter can
build, no name taken twice) and carry their origin. A plugin that fails to import or breaks a rule
is reported in `Registry.problems` and skipped: it never breaks the CLI or the other tools.
"""

from __future__ import annotations

import dataclasses
import logging
from importlib import metadata
from types import ModuleType
from typing import Any

from indexdesk.tools.registry import SPEC_ATTRIBUTE, Registry, ToolSpec, specs_in_module

log = logging.getLogger("indexdesk.tools")

ENTRY_POINT_GROUP = "indexdesk.tools"

TOOL_MODULES: tuple[str, ...] = (
    "indexdesk.tools.performance",
    "indexdesk.tools.risk.tools",
    "indexdesk.tools.journal.tools",
    "indexdesk.tools.review.tools",
    "indexdesk.tools.review.checkup",
    "indexdesk.tools.strategy.tools",
    "indexdesk.tools.strategy.backtest_tools",
    "indexdesk.tools.strategy.harvest",
    "indexdesk.tools.portfolio.tools",
    "indexdesk.tools.portfolio.edit_tools",
)


def default_registry(*, plugins: bool = True) -> Registry:
    """The built-in tools, then the installed plugins' (`plugins=False`: the built-in ones only)."""
    built_in = Registry.from_modules(TOOL_MODULES)
    if not plugins:
        return built_in
    extra, problems = plugin_specs(set(built_in.names))
    return Registry([*built_in, *extra], problems=problems)


def plugin_entry_points() -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _distribution(entry: metadata.EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    return f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"


def plugin_specs(taken: set[str]) -> tuple[list[ToolSpec], list[str]]:
    """The tools of every `indexdesk.tools` entry point, and a sentence for each one skipped."""
    specs: list[ToolSpec] = []
    problems: list[str] = []
    for entry in plugin_entry_points():
        origin = f"plugin {entry.name} ({_distribution(entry)})"
        try:
            loaded = entry.load()
        except Exception as exc:  # noqa: BLE001 - any failure of foreign code is reported, never raised
            problems.append(f"{origin}: could not load {entry.value!r}: {type(exc).__name__}: {exc}")
            log.warning("skipped %s", problems[-1])
            continue
        found = _specs_of(loaded)
        if not found:
            problems.append(f"{origin}: {entry.value!r} defines no @tool function")
            continue
        for spec in found:
            reason = _invalid(spec, taken)
            if reason:
                problems.append(f"{origin}: tool {spec.name!r} skipped: {reason}")
                continue
            taken.add(spec.name)
            specs.append(dataclasses.replace(spec, origin=origin))
    for problem in problems:
        log.warning("plugin problem: %s", problem)
    return specs, problems


def _specs_of(loaded: Any) -> list[ToolSpec]:
    if isinstance(loaded, ModuleType):
        return specs_in_module(loaded)
    spec = getattr(loaded, SPEC_ATTRIBUTE, None)  # an entry naming one function: "pkg.mod:my_tool"
    return [spec] if isinstance(spec, ToolSpec) else []


def _invalid(spec: ToolSpec, taken: set[str]) -> str | None:
    """Why a plugin's tool cannot be registered (None when it can): the checks our own tools pass in tests."""
    if spec.name in taken:
        return "its name is already taken by another tool"
    if not spec.name.isidentifier() or len(spec.name) > 64:
        return "a tool name must be an identifier of at most 64 characters (OpenAI and MCP limits)"
    try:
        from indexdesk.tools.adapters.openai_schema import openai_tool

        openai_tool(spec)  # the strictest adapter: what it cannot express, no adapter can
    except Exception as exc:  # noqa: BLE001
        return f"its parameters cannot be described to a model ({type(exc).__name__}: {exc})"
    return None
