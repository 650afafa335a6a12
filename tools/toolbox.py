"""Which modules hold tools. Adding a tool module here is all it takes for every adapter to see it."""

from __future__ import annotations

from indexdesk.tools.registry import Registry

TOOL_MODULES: tuple[str, ...] = (
    "indexdesk.tools.performance",
    "indexdesk.tools.risk.tools",
    "indexdesk.tools.journal_tools",
    "indexdesk.tools.review.tools",
    "indexdesk.tools.strategy.tools",
    "indexdesk.tools.strategy.backtest_tools",
    "indexdesk.tools.strategy.harvest",
    "indexdesk.tools.portfolio.tools",
    "indexdesk.tools.portfolio.edit_tools",
)


def default_registry() -> Registry:
    return Registry.from_modules(TOOL_MODULES)
