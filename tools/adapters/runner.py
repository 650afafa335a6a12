"""What the network adapters (MCP, HTTP) share: registry calls from an event loop, and the bearer token check.

Tools are synchronous (pandas, SQLite, HTTP to price providers), so an async server must not run
them on its event loop. They run on one dedicated worker thread: calls are serialised, which keeps
the one `ToolContext` (its memo, its lazily opened SQLite ledger) on a single thread.
"""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from typing import Any

from indexdesk.tools.registry import Registry, is_error
from indexdesk.tools.registry import is_internal_error as registry_is_internal_error



class ToolRunner:
    """One registry and one context for the lifetime of a server; every call goes through `Registry.call`."""

    def __init__(self, registry: Registry, ctx: Any) -> None:
        self.registry = registry
        self.ctx = ctx
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="indexdesk-tool")

    async def call(self, name: str, arguments: dict | str | None) -> dict:
        future = self._worker.submit(self.registry.call, name, arguments, self.ctx)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)


def package_version() -> str:
    try:
        return metadata.version("indexdesk")
    except metadata.PackageNotFoundError:
        return "0"


def is_internal_error(name: str, result: dict) -> bool:
    """True when the registry caught a bug in the tool rather than a problem with the arguments."""
    return registry_is_internal_error(result)


def bearer_token_matches(authorization: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>` compared in constant time."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


UNAUTHORIZED = {"error": "missing or wrong bearer token",
                "hint": "send the header 'Authorization: Bearer <INDEXDESK_API_TOKEN>'"}
