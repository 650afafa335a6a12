"""What the network adapters (MCP, HTTP) share: registry calls from an event loop, and the bearer token check.

Tools are synchronous (pandas, SQLite, HTTP to price providers), so an async server must not run
them on its event loop. They run on a small pool of worker threads, each call with a timeout, so
one slow call (a huge search, a cold price download) does not hold back a fast one. The one
`ToolContext` is shared by the workers: its stores are thread-safe (the journal locks, SQLite
connections are opened per thread or with `check_same_thread=False`).

A call that passes its timeout is answered with a structured error at once; Python cannot stop a
thread, so the worker finishes the call in the background and its result is dropped.

Results of the market tools (computed from the market panel, which the context loads once for the
server's lifetime anyway) are kept for `cache_seconds` by their exact arguments, so a dashboard
polling the same question is answered from memory. Errors are never kept, and a call to a tool
that changes state empties the cache.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from typing import Any

# One token check for every server, in the request guard (every route, including /docs and /openapi.json).
from indexdesk.tools.adapters.guard import UNAUTHORIZED, bearer_token_matches
from indexdesk.tools.registry import Registry, dumps, is_error
from indexdesk.tools.registry import is_internal_error as registry_is_internal_error

DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_WORKERS = 4
DEFAULT_CACHE_SECONDS = 300.0
CACHED_CATEGORIES = frozenset({"market"})
CACHE_ENTRIES = 256


class ResultCache:
    """A small LRU of tool results by (name, arguments as canonical JSON), each kept `seconds`."""

    def __init__(self, seconds: float, entries: int = CACHE_ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        # Kept as JSON text: a fresh object per hit (callers may change theirs) at json's C speed.
        self._items: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(name: str, arguments: dict | str | None) -> tuple[str, str] | None:
        try:
            value = json.loads(arguments) if isinstance(arguments, str) else (arguments or {})
            return (name, json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False))
        except (ValueError, TypeError):
            return None  # not JSON: the registry answers with the error, nothing to keep

    def get(self, key: tuple[str, str]) -> dict | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self.seconds:
                return None
            self._items.move_to_end(key)
            text = item[1]
        return json.loads(text)

    def put(self, key: tuple[str, str], result: dict) -> None:
        text = dumps(result)
        with self._lock:
            self._items[key] = (time.monotonic(), text)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class ModuleRegistry:
    """A registry whose built-in tools import module by module, when one of the module's tools is first
    needed: a server started from a listing snapshot answers its first `get_index_performance` without
    importing every tool module (~0.09 s). Anything else (an unknown name, a plugin's tool, iterating)
    builds the whole registry, which answers exactly as it always does."""

    def __init__(self, modules: dict[str, str], full: Callable[[], Registry]) -> None:
        self._modules = dict(modules)  # tool name -> the built-in module that defines it
        self._make_full = full
        self._full: Registry | None = None
        self._parts: dict[str, Registry] = {}
        self._lock = threading.Lock()

    def full(self) -> Registry:
        with self._lock:
            if self._full is None:
                self._full = self._make_full()
            return self._full

    def _part(self, name: Any) -> Registry | None:
        module = self._modules.get(name) if isinstance(name, str) else None
        if module is None:
            return None
        with self._lock:
            if module not in self._parts:
                self._parts[module] = Registry.from_modules([module])
            part = self._parts[module]
        return part if name in part else None

    def __contains__(self, name: object) -> bool:
        return name in self._modules or name in self.full()

    def get(self, name: str) -> Any:
        part = self._part(name)
        return part.get(name) if part is not None else self.full().get(name)

    def call(self, name: Any, args: Any, ctx: Any) -> dict:
        part = self._part(name)
        return (part if part is not None else self.full()).call(name, args, ctx)

    def call_json(self, name: Any, args: Any, ctx: Any) -> str:
        return dumps(self.call(name, args, ctx))

    def __iter__(self):
        return iter(self.full())

    def __len__(self) -> int:
        return len(self.full())

    @property
    def names(self) -> list[str]:
        return self.full().names

    def subset(self, names: Any) -> Registry:
        return self.full().subset(names)


class ToolRunner:
    """One registry and one context for the lifetime of a server; every call goes through `Registry.call`.

    Everything that may import a tool's module — resolving the name to its spec (a `ModuleRegistry`
    imports the tool's module then; an unknown or plugin name builds the whole registry), the cache
    key, the call — runs on a worker within the timeout, never on the event loop."""

    def __init__(self, registry: Registry | ModuleRegistry, ctx: Any, *,
                 timeout: float | None = DEFAULT_TIMEOUT_SECONDS, workers: int = DEFAULT_WORKERS,
                 cache_seconds: float = 0.0) -> None:
        self.registry = registry
        self.ctx = ctx
        self.timeout = timeout
        self.cache = ResultCache(cache_seconds) if cache_seconds > 0 else None
        self.workers = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._specs: dict[str, Any] = {}  # tools already resolved (their modules imported): known names only

    @property
    def _worker(self) -> ThreadPoolExecutor:
        """The pool, (re)started on demand: an ASGI app may go through several lifespans (test clients)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="indexdesk-tool")
            return self._pool

    async def run(self, func: Any, *args: Any) -> Any:
        """`func(*args)` on a worker within the timeout; raises asyncio.TimeoutError past it."""
        return await asyncio.wait_for(asyncio.wrap_future(self._worker.submit(func, *args)), self.timeout)

    def spec(self, name: Any) -> Any | None:
        """The tool's spec, None for a name the registry does not know. May import the tool's module:
        call it on a worker (`run`), or through `call_now`."""
        if not isinstance(name, str):
            return None
        found = self._specs.get(name)
        if found is None and name in self.registry:
            found = self._specs[name] = self.registry.get(name)
        return found

    def _cache_key(self, spec: Any, name: str, arguments: dict | str | None) -> tuple[str, str] | None:
        if self.cache is None or spec is None or not spec.read_only or spec.category not in CACHED_CATEGORIES:
            return None
        return self.cache.key(name, arguments)

    def cached(self, name: Any, arguments: dict | str | None) -> dict | None:
        """A kept result, looked up without importing anything (for the event loop): only a tool already
        resolved by an earlier call can have one."""
        spec = self._specs.get(name) if isinstance(name, str) else None
        key = self._cache_key(spec, name, arguments)
        return self.cache.get(key) if key is not None else None

    def call_now(self, name: str, arguments: dict | str | None) -> dict:
        """The call itself, in this thread (a worker's): the spec, the cache, `Registry.call`."""
        spec = self.spec(name)
        key = self._cache_key(spec, name, arguments)
        if key is not None and (kept := self.cache.get(key)) is not None:
            return kept
        result = self.registry.call(name, arguments, self.ctx)
        if key is not None and not is_error(result):
            self.cache.put(key, result)
        elif self.cache is not None and spec is not None and spec.state_changing:
            self.cache.clear()
        return result

    async def call(self, name: str, arguments: dict | str | None) -> dict:
        if (kept := self.cached(name, arguments)) is not None:
            return kept
        try:
            return await self.run(self.call_now, name, arguments)
        except TimeoutError:
            return timed_out(name, self.timeout)

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


TIMEOUT_HINT = "narrow the request (a shorter window, fewer indices, a shorter query) and call again"


def exposed(registry: Registry, allow_writes: bool) -> Registry:
    """The tools a server shows: all of them with `allow_writes`, else only the read-only ones."""
    return registry if allow_writes else registry.subset([s.name for s in registry if s.read_only])


def write_refused(spec: Any) -> dict:
    what = "changes the journal or ledger" if spec.state_changing else "writes files"
    return {"error": f"{spec.name} {what} and this server does not expose tools that write",
            "hint": "start the server with --allow-writes to expose it, or use a read-only tool"}


def timed_out(name: str, seconds: float | None) -> dict:
    return {"error": f"{name} did not finish within {seconds:g} s", "hint": TIMEOUT_HINT}


def package_version() -> str:
    try:
        return metadata.version("indexdesk")
    except metadata.PackageNotFoundError:
        return "0"


def is_internal_error(name: str, result: dict) -> bool:
    """True when the registry caught a bug in the tool rather than a problem with the arguments."""
    return registry_is_internal_error(result)



__all__ = ["UNAUTHORIZED", "ToolRunner", "bearer_token_matches", "is_error", "is_internal_error", "package_version"]
