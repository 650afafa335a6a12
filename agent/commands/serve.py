"""`indexdesk serve mcp|http`: the tool registry as an MCP server or a JSON HTTP API.

One ToolContext per server, built from Settings (and `--home`/`--source`), shared by every call.
Safe by default: tools that write (journal, ledger, report files) are hidden unless
`--allow-writes`; a non-loopback `--host` needs INDEXDESK_API_TOKEN; HTTP requests are checked
for Host, Origin, Content-Type and size (tools/adapters/guard.py); each call has a timeout.
"""

from __future__ import annotations

import argparse
import sys

MCP_HTTP_PORT = 8766
HTTP_PORT = 8765
DEFAULT_TIMEOUT = 120.0
DEFAULT_CACHE_SECONDS = 300.0


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options

    parser = subparsers.add_parser("serve", help="serve the tools to other agents: MCP (stdio/HTTP) or a JSON HTTP API")
    sub = parser.add_subparsers(dest="serve_command", metavar="PROTOCOL", required=True)

    p = sub.add_parser("mcp", help="MCP server (stdio by default: point Claude Desktop or any MCP client at it)")
    p.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                   help="stdio (default) or http (streamable HTTP at http://HOST:PORT/mcp)")
    p.add_argument("--host", default="127.0.0.1", help="interface for --transport http (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=MCP_HTTP_PORT, help=f"port for --transport http (default {MCP_HTTP_PORT})")
    _add_common(p)
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser("http", help="JSON HTTP API: GET /tools, POST /tools/<name>, docs at /docs")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to bind (default 127.0.0.1; another address needs INDEXDESK_API_TOKEN)")
    p.add_argument("--port", type=int, default=HTTP_PORT, help=f"port (default {HTTP_PORT}; 0 picks a free one)")
    _add_common(p)
    p.set_defaults(func=cmd_http)

    for p in sub.choices.values():
        add_source_options(p)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tools", nargs="+", metavar="NAME", help="serve only these tools")
    parser.add_argument("--modules", help="comma-separated tool modules to serve instead of the built-in toolbox "
                                          "(e.g. mypackage.tools,indexdesk.tools.performance)")
    parser.add_argument("--allow-writes", action="store_true",
                        help="also expose tools that write (journal and ledger entries, report files); "
                             "off by default: a client could write without asking the user")
    parser.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                        help="another Host name clients may use (HTTP transports; repeatable)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds one tool call may take before it is answered with an error "
                             f"(default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--access-log", action="store_true", help="log every request (HTTP transports)")
    parser.add_argument("--cache-seconds", type=float, default=DEFAULT_CACHE_SECONDS,
                        help="keep market-tool results by their arguments this long; 0 turns it off "
                             f"(default {DEFAULT_CACHE_SECONDS:g})")


def _registry(args: argparse.Namespace):
    from indexdesk.tools.registry import Registry
    from indexdesk.tools.toolbox import default_registry

    modules = [m.strip() for m in args.modules.split(",") if m.strip()] if args.modules else None
    registry = Registry.from_modules(modules) if modules else default_registry()  # built-in tools + plugins
    return registry.subset(args.tools) if args.tools else registry


def _listing(args: argparse.Namespace) -> list[dict] | None:
    """The default registry's `tools/list` entries from the cache directory (keyed, like the CLI's flag
    snapshot, by a fingerprint of the tool modules and installed plugins), built on first use; None for
    a server of chosen modules or tools, which lists from its registry."""
    if args.modules or args.tools:
        return None
    from indexdesk.agent.commands.tool_args import cached_snapshot
    from indexdesk.tools.adapters.mcp_server import listing

    return cached_snapshot("mcp_tools", lambda: listing(_registry(args)))


def _token(ctx) -> str | None:
    token = ctx.settings.api_token
    if token is not None and hasattr(token, "get_secret_value"):  # SecretStr settings
        token = token.get_secret_value()
    return token or None  # a blank (whitespace) token is kept: check_bind refuses it with a message


def _refuse_unsafe_bind(host: str, token: str | None) -> int | None:
    from indexdesk.tools.adapters.guard import UnsafeBind, check_bind

    try:
        check_bind(host, token)
    except UnsafeBind as exc:
        print(f"indexdesk: {exc}", file=sys.stderr)
        return 2
    return None


def _writes_note(args: argparse.Namespace) -> str:
    return ", tools that write exposed (--allow-writes)" if args.allow_writes else ", read-only tools only"


def cmd_mcp(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.adapters.runner import ToolRunner

    ctx = make_context(args)
    token = _token(ctx)
    if args.transport == "http" and (refused := _refuse_unsafe_bind(args.host, token)) is not None:
        return refused
    listed = _listing(args) if args.transport == "stdio" else None
    if listed is not None:
        # tools/list comes from the snapshot; a tool's module imports on a worker at its first call. (Importing them
        # in a background thread meanwhile was slower, 1.23–1.55 s vs 1.11–1.18 s: imports hold the GIL,
        # and the thread delayed the answers to `initialize` and `tools/list`.)
        from indexdesk.tools.adapters.runner import ModuleRegistry

        modules = {item["tool"]["name"]: item["module"] for item in listed if item.get("module")}
        runner = ToolRunner(ModuleRegistry(modules, lambda: _registry(args)), ctx, timeout=args.timeout,
                            cache_seconds=args.cache_seconds)
        served = sum(1 for item in listed if args.allow_writes or item["read_only"])
    else:
        runner = ToolRunner(_registry(args), ctx, timeout=args.timeout, cache_seconds=args.cache_seconds)
        from indexdesk.tools.adapters.mcp_server import tool_names

        served = len(tool_names(runner.registry, allow_writes=args.allow_writes))  # what tools/list will list
    try:
        if args.transport == "stdio":
            import anyio

            from indexdesk.tools.adapters.mcp_server import serve_stdio

            if sys.stdin.isatty():  # a person ran it by hand: say what it is doing (stdout is the protocol)
                print(f"indexdesk MCP server (stdio): {served} tools{_writes_note(args)}. Waiting for an MCP "
                      "client on stdin (point Claude Desktop or another client at `indexdesk serve mcp`); "
                      "press Ctrl-C to stop.", file=sys.stderr)
            _stop_on_ctrl_c(runner)
            anyio.run(lambda: serve_stdio(runner, allow_writes=args.allow_writes, listed=listed))
            return 0
        import uvicorn

        from indexdesk.tools.adapters.mcp_server import streamable_http_app

        app = streamable_http_app(runner, host=args.host, token=token, allow_writes=args.allow_writes,
                                  allowed_hosts=tuple(args.allowed_host))
        print(f"indexdesk MCP (streamable HTTP) on http://{args.host}:{args.port}/mcp, {served} tools"
              + (", bearer token required" if token else "") + _writes_note(args) + "; Ctrl-C stops it",
              file=sys.stderr)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=args.access_log)
        return 0
    finally:
        runner.close()


def _stop_on_ctrl_c(runner) -> None:
    """Ctrl-C stops the stdio server at once. The protocol's stdin reader is a thread blocked in
    readline, which a KeyboardInterrupt cannot wake (the process would hang until the next line), so
    the handler closes the runner and leaves with exit code 0."""
    import os
    import signal

    def stop(signum, frame) -> None:
        try:
            runner.close()
        finally:
            print("\nindexdesk MCP server stopped", file=sys.stderr, flush=True)
            os._exit(0)

    signal.signal(signal.SIGINT, stop)


def cmd_http(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context

    ctx = make_context(args)
    token = _token(ctx)
    if (refused := _refuse_unsafe_bind(args.host, token)) is not None:
        return refused
    import uvicorn

    from indexdesk.tools.adapters.http_api import create_app

    app = create_app(_registry(args), ctx, token=token or "", host=args.host, allow_writes=args.allow_writes,
                     timeout=args.timeout, allowed_hosts=tuple(args.allowed_host), cache_seconds=args.cache_seconds)
    print(f"indexdesk HTTP API on http://{args.host}:{args.port} (docs at /docs)"
          + (", bearer token required" if token else "") + _writes_note(args), file=sys.stderr)
    # One access-log line per request costs about a quarter of the throughput: on request only.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=args.access_log)
    return 0
