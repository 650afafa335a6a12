"""indexdesk: an AI agent toolkit for crypto index portfolio decisions.

The repository's folders install as one namespace: `indexdesk.agent`, `indexdesk.tools`,
`indexdesk.memory`, `indexdesk.prompts`. A host project embeds the tools through one entry point::

    from indexdesk import toolkit
    tools = toolkit.langchain_tools(groups=["market", "risk"], read_only=True)

Kept import-light on purpose: the CLI imports this package at start-up, so `toolkit` loads on
first use.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__version__ = "0.2.0"
__all__ = ["toolkit", "__version__"]


class _ToolkitAlias:
    """`import indexdesk.toolkit` (and `from indexdesk.toolkit import tool`) in a fresh process: the
    public name is served by `indexdesk.tools.toolkit`, imported only when asked for."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> Any:
        if name != "indexdesk.toolkit":
            return None
        from importlib.util import spec_from_loader

        return spec_from_loader(name, _ToolkitAlias)

    @staticmethod
    def create_module(spec: Any) -> Any:
        return importlib.import_module("indexdesk.tools.toolkit")

    @staticmethod
    def exec_module(module: Any) -> None:
        return None


if not any(finder is _ToolkitAlias for finder in sys.meta_path):
    sys.meta_path.append(_ToolkitAlias)


def __getattr__(name: str) -> Any:
    if name == "toolkit":
        return importlib.import_module("indexdesk.toolkit")  # served by _ToolkitAlias: indexdesk.tools.toolkit
    raise AttributeError(f"module 'indexdesk' has no attribute {name!r}")
