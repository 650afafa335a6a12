"""Which modules hold tools. Adding a tool module here is all it takes for every adapter to see it."""

from __future__ import annotations

from tools.registry import Registry

TOOL_MODULES: tuple[str, ...] = (
    "tools.performance",
    "tools.risk.tools",
    "tools.journal_tools",
    "tools.review.tools",
)


def default_registry() -> Registry:
    return Registry.from_modules(TOOL_MODULES)
