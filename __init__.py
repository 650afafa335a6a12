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
from typing import Any

__version__ = "0.2.0"
__all__ = ["toolkit", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "toolkit":
        return importlib.import_module("indexdesk.toolkit")  # toolkit.py: the alias of indexdesk.tools.toolkit
    raise AttributeError(f"module 'indexdesk' has no attribute {name!r}")
