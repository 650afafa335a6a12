"""`indexdesk serve mcp|http`: the tool registry as an MCP server or a JSON HTTP API.

One ToolContext per server, built from Settings (and `--home`/`--source`), shared by every call.
"""

from __future__ import annotations

import argparse
import sys

MCP_HTTP_PORT = 8766
HTTP_PORT = 8765


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
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1; 0.0.0.0 exposes it)")
    p.add_argument("--port", type=int, default=HTTP_PORT, help=f"port (default {HTTP_PORT}; 0 picks a free one)")
    _add_common(p)
    p.set_defaults(func=cmd_http)

    for p in sub.choices.values():
        add_source_options(p)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tools", nargs="+", metavar="NAME", help="serve only these tools")
    parser.add_argument("--modules", help="comma-separated tool modules to serve instead of the built-in toolbox "
                                          "(e.g. mypackage.tools,tools.performance)")


def _registry(args: argparse.Namespace):
    from indexdesk.tools.registry import Registry
    from indexdesk.tools.toolbox import TOOL_MODULES

    modules = [m.strip() for m in args.modules.split(",") if m.strip()] if args.modules else TOOL_MODULES
    registry = Registry.from_modules(modules)
    return registry.subset(args.tools) if args.tools else registry


def _runner(args: argparse.Namespace):
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.adapters.runner import ToolRunner

    return ToolRunner(_registry(args), make_context(args))


def cmd_mcp(args: argparse.Namespace) -> int:
    runner = _runner(args)
    try:
        if args.transport == "stdio":
            import anyio

            from indexdesk.tools.adapters.mcp_server import serve_stdio

            anyio.run(serve_stdio, runner)
            return 0
        import uvicorn

        from indexdesk.tools.adapters.mcp_server import streamable_http_app

        token = runner.ctx.settings.api_token
        app = streamable_http_app(runner, host=args.host, token=token)
        print(f"indexdesk MCP (streamable HTTP) on http://{args.host}:{args.port}/mcp, {len(runner.registry)} tools"
              + (", bearer token required" if token else ""), file=sys.stderr)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
        return 0
    finally:
        runner.close()


def cmd_http(args: argparse.Namespace) -> int:
    import uvicorn

    from indexdesk.agent.cli import make_context
    from indexdesk.tools.adapters.http_api import create_app

    ctx = make_context(args)
    app = create_app(_registry(args), ctx)
    print(f"indexdesk HTTP API on http://{args.host}:{args.port} (docs at /docs)"
          + (", bearer token required" if ctx.settings.api_token else ""), file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
