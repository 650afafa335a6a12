"""The public API for embedding indexdesk's tools in another agent: `from indexdesk import toolkit`.

    from indexdesk import toolkit

    toolkit.tool_names(groups=["market", "risk"])                    # what a host can pick
    tools = toolkit.langchain_tools(groups=["market"], read_only=True)   # LangChain StructuredTools
    schemas = toolkit.openai_tools(include=["compute_var"])         # strict OpenAI function schemas
    toolkit.call("get_index_performance", {"indices": ["defi"]})    # -> dict (result or {"error", "hint"})
    server = toolkit.mcp_server(groups=["market"])                  # an MCP server object

A host selects a subset by name (`include`) and/or by group (`groups`: the tool categories
market, risk, journal, review, …) so its own model context stays small; `read_only=True` drops
every tool that writes (journal/ledger entries, report files).

Every call goes through the one registry call path, so errors are the same JSON objects in every
adapter. `ctx` is a `ToolContext` (settings, price source, journal, ledger). When it is left out,
one default context per process is built from the environment (`INDEXDESK_*`) on first use.

Writing a tool (in this project or in a plugin package) needs only this module::

    from indexdesk.toolkit import Fraction, ToolContext, ToolError, tool

    @tool(category="risk", examples=("worst drawdowns of BTC", "drawdown table for defi"))
    def max_drawdown_table(ctx: ToolContext, name: str, top: int = 5) -> DrawdownTable:
        '''The deepest drawdowns of an index or asset, with their dates.

        Args:
            name: catalogue index or asset symbol.
            top: how many drawdowns to list.
        '''

A plugin package registers its module under the entry-point group `indexdesk.tools`
(`[project.entry-points."indexdesk.tools"] drawdowns = "my_package.drawdown_tools"`): its tools
then reach every adapter, the CLI (`indexdesk tools call NAME --param …`), the selector and the
offline router, with their origin shown by `indexdesk tools list`.

This module imports only the registry at import time; the tool modules, LangChain and MCP load
when a function needs them (`ToolContext`, `ToolError` and the unit types load on first access).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from indexdesk.tools.registry import Registry, ToolSpec, tool  # noqa: F401 - `tool` is public here

# For tool authors: the decorator, the context, the model-facing error and the unit types a result
# model declares its numbers with (every renderer formats from them).
AUTHORING = ("tool", "ToolContext", "ToolError", "unknown_name", "Fraction", "OptionalFraction", "Ratio",
             "OptionalRatio", "Money", "OptionalMoney", "Price", "OptionalPrice", "Quantity", "OptionalQuantity",
             "Days", "OptionalDays", "Count", "OptionalCount", "Bps", "Years", "Score", "OptionalScore")

__all__ = ["call", "categories", "default_context", "groups", "http_app", "langchain_tools", "mcp_http_app",
           "mcp_server", "openai_tools", "registry", "specs", "tool_names", *AUTHORING]

_LAZY = {"ToolContext": "indexdesk.tools.context", "ToolError": "indexdesk.tools.errors",
         "unknown_name": "indexdesk.tools.errors"}


def __getattr__(name: str) -> Any:
    """`ToolContext`, `ToolError` and the unit types load on first access (importing the toolkit stays light)."""
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in AUTHORING:
        return getattr(importlib.import_module("indexdesk.tools.units"), name)
    raise AttributeError(f"module 'indexdesk.toolkit' has no attribute {name!r}")

_default_lock = threading.Lock()
_default: dict[str, Any] = {}


def _full_registry() -> Registry:
    from indexdesk.tools.toolbox import default_registry

    with _default_lock:
        if "registry" not in _default:
            _default["registry"] = default_registry()
        return _default["registry"]


def default_context() -> Any:
    """The process-wide context used when a function is called without `ctx` (built from INDEXDESK_* once)."""
    with _default_lock:
        if "ctx" not in _default:
            from indexdesk.tools.context import ToolContext

            _default["ctx"] = ToolContext.from_settings()
        return _default["ctx"]


def groups() -> list[str]:
    """The tool groups (categories) there are, in registry order."""
    return list(dict.fromkeys(spec.category for spec in _full_registry()))


categories = groups


def _as_list(value: str | Iterable[str] | None, what: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise TypeError(f"{what} must be names (strings)")
    return items


def registry(include: str | Iterable[str] | None = None, groups: str | Iterable[str] | None = None,
             read_only: bool = False) -> Registry:
    """The selected tools: `include` names and/or whole `groups`; both None = every tool.

    Unknown names or groups raise `ValueError` with the close matches.
    """
    from indexdesk.tools.errors import unknown_name

    full = _full_registry()
    names = _as_list(include, "include")
    wanted_groups = _as_list(groups, "groups")
    if names is None and wanted_groups is None:
        selected = list(full)
    else:
        chosen: set[str] = set()
        for name in names or []:
            if name not in full:
                raise ValueError(unknown_name("tool", name, full.names).message)
            chosen.add(name)
        known_groups = {spec.category for spec in full}
        for group in wanted_groups or []:
            if group not in known_groups:
                raise ValueError(unknown_name("group", group, sorted(known_groups)).message)
            chosen |= {spec.name for spec in full if spec.category == group}
        selected = [spec for spec in full if spec.name in chosen]  # registry order, not request order
    if read_only:
        selected = [spec for spec in selected if spec.read_only]
    return Registry(selected)


def specs(include: str | Iterable[str] | None = None, groups: str | Iterable[str] | None = None,
          read_only: bool = False) -> list[ToolSpec]:
    """The selected `ToolSpec`s (name, description, params_model, result_model, category, flags)."""
    return list(registry(include, groups, read_only))


def tool_names(groups: str | Iterable[str] | None = None, include: str | Iterable[str] | None = None,
               read_only: bool = False) -> list[str]:
    """Names of the selected tools, in registry order."""
    return registry(include, groups, read_only).names


def langchain_tools(include: str | Iterable[str] | None = None, groups: str | Iterable[str] | None = None,
                    read_only: bool = False, ctx: Any = None) -> list:
    """LangChain `StructuredTool`s; each returns the JSON string of the result (or of the error).

    `tool.metadata` carries `category`, `state_changing` and `read_only`: a host that gates writes
    (e.g. LangChain's HumanInTheLoopMiddleware) reads them.
    """
    from indexdesk.tools.adapters.langchain import langchain_tool

    selected = registry(include, groups, read_only)
    context = ctx if ctx is not None else default_context()
    return [langchain_tool(selected, spec, context) for spec in selected]


def openai_tools(strict: bool = True, include: str | Iterable[str] | None = None,
                 groups: str | Iterable[str] | None = None, read_only: bool = False) -> list[dict]:
    """`[{"type": "function", "function": {...}}]` for the Chat Completions API (strict-mode schemas)."""
    from indexdesk.tools.adapters.openai_schema import openai_tools as build

    return build(registry(include, groups, read_only), strict=strict)


def call(name: str, args: dict | str | None = None, ctx: Any = None) -> dict:
    """Run one tool: a JSON-safe dict, or `{"error", "hint", ...}` the model can act on. Never raises for bad input.

    `args` is a dict or the model's JSON string (strict mode's nulls mean "use the default").
    """
    return _full_registry().call(name, args, ctx if ctx is not None else default_context())


def call_json(name: str, args: dict | str | None = None, ctx: Any = None) -> str:
    """`call` as a compact JSON string (what a tool message carries back to a model)."""
    from indexdesk.tools.registry import dumps

    return dumps(call(name, args, ctx))


def mcp_server(include: str | Iterable[str] | None = None, groups: str | Iterable[str] | None = None,
               read_only: bool = False, ctx: Any = None, allow_writes: bool = False,
               timeout: float | None = 120.0) -> Any:
    """The low-level MCP `Server` for the selected tools (plus the indexdesk resources and prompt).

    Run it in process (`mcp.Client(server)`) or over stdio. To serve it over HTTP use
    `mcp_http_app(...)`, which puts the request guard (Host, Origin, content type, body size) and
    the token in front; the SDK's own `server.streamable_http_app()` has neither. Tools that write
    are hidden unless `allow_writes=True`.
    """
    from indexdesk.tools.adapters.mcp_server import build_server
    from indexdesk.tools.adapters.runner import ToolRunner

    runner = ToolRunner(registry(include, groups, read_only), ctx if ctx is not None else default_context(),
                        timeout=timeout)
    return build_server(runner, allow_writes=allow_writes)


def mcp_http_app(include: str | Iterable[str] | None = None, groups: str | Iterable[str] | None = None,
                 read_only: bool = False, ctx: Any = None, allow_writes: bool = False, host: str = "127.0.0.1",
                 token: str | None = None, timeout: float | None = 120.0) -> Any:
    """MCP over streamable HTTP at `/mcp` (ASGI app) for the selected tools, behind the request guard
    and the token — what `indexdesk serve mcp --transport http` serves.

    `token=None` takes INDEXDESK_API_TOKEN (the context's settings), `token=""` disables auth — as `http_app`."""
    from indexdesk.tools.adapters.guard import check_bind, resolve_token
    from indexdesk.tools.adapters.mcp_server import streamable_http_app
    from indexdesk.tools.adapters.runner import ToolRunner

    ctx = ctx if ctx is not None else default_context()
    token = resolve_token(token, ctx)
    check_bind(host, token)  # a non-loopback bind needs a token, as on the command line
    runner = ToolRunner(registry(include, groups, read_only), ctx, timeout=timeout)
    return streamable_http_app(runner, host=host, token=token, allow_writes=allow_writes)


def http_app(include: str | Iterable[str] | None = None, groups: str | Iterable[str] | None = None,
             read_only: bool = False, ctx: Any = None, allow_writes: bool = False, host: str = "127.0.0.1",
             token: str | None = None) -> Any:
    """The JSON HTTP API (ASGI app, behind the request guard) for the selected tools.

    `token=None` takes INDEXDESK_API_TOKEN (the context's settings), `token=""` disables auth."""
    from indexdesk.tools.adapters.guard import check_bind, resolve_token
    from indexdesk.tools.adapters.http_api import create_app

    ctx = ctx if ctx is not None else default_context()
    token = resolve_token(token, ctx)
    check_bind(host, token)  # a non-loopback bind needs a token, as on the command line
    return create_app(registry(include, groups, read_only), ctx, token=token if token else "", host=host,
                      allow_writes=allow_writes)
