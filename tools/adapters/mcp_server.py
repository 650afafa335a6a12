"""The registry as an MCP server (stdio, or streamable HTTP), generated from the ToolSpecs.

`tools/list` shows every registry tool with its description, JSON schema and hints
(state-changing tools are marked destructive, the rest read-only); `tools/call` goes through
`Registry.call` and answers with the JSON result as text plus `structuredContent`, and a tool
error as `isError: true` carrying the registry's `{"error", "hint"}` object.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp.server.lowlevel import Server

from indexdesk.tools.adapters.runner import UNAUTHORIZED, ToolRunner, bearer_token_matches, package_version
from indexdesk.tools.registry import Registry, ToolSpec, dumps, is_error

SERVER_NAME = "indexdesk"
INSTRUCTIONS = ("Crypto index portfolio tools: performance, risk, indices, journal. Every result is JSON; "
                "an error result says what was wrong and how to call again. Tools marked destructive "
                "change the user's journal or ledger: confirm with the user first.")


def mcp_tool(spec: ToolSpec) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.name.replace("_", " ").capitalize(),
        description=spec.description,
        input_schema=spec.json_schema(),
        annotations=types.ToolAnnotations(
            read_only_hint=not spec.state_changing,
            destructive_hint=spec.state_changing,
            idempotent_hint=not spec.state_changing,
        ),
        _meta={"indexdesk/category": spec.category},
    )


def mcp_tools(registry: Registry) -> list[types.Tool]:
    return [mcp_tool(spec) for spec in registry]


def tool_names(registry: Registry) -> list[str]:
    """The names `tools/list` announces (what the adapter really builds, not a copy of `registry.names`)."""
    return [t.name for t in mcp_tools(registry)]


def call_result(result: dict) -> types.CallToolResult:
    """A registry result as MCP content: the JSON text for any client, the object for structured ones."""
    text = dumps(result)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=json.loads(text),  # the same values as the text (dates as strings), not Python objects
        is_error=is_error(result),
    )


def build_server(runner: ToolRunner) -> Server:
    """A low-level MCP server whose two tool handlers are generated from the runner's registry."""
    tools = mcp_tools(runner.registry)
    schemas = {t.name: t.input_schema for t in tools}

    async def on_list_tools(_ctx: Any, _params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def on_call_tool(_ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return call_result(await runner.call(params.name, params.arguments or {}))

    return Server(
        SERVER_NAME,
        version=package_version(),
        instructions=INSTRUCTIONS,
        get_tool_input_schema=schemas.get,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
    )


async def serve_stdio(runner: ToolRunner) -> None:
    """Serve over this process's stdin/stdout until the client closes them."""
    from mcp.server.stdio import stdio_server

    server = build_server(runner)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


class BearerTokenMiddleware:
    """ASGI middleware answering 401 unless `Authorization: Bearer <token>` is sent."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            authorization = headers.get(b"authorization", b"").decode("latin-1")
            if not bearer_token_matches(authorization, self.token):
                from starlette.responses import JSONResponse

                response = JSONResponse(UNAUTHORIZED, status_code=401, headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def streamable_http_app(runner: ToolRunner, *, host: str = "127.0.0.1", token: str | None = None) -> Any:
    """An ASGI app serving MCP at `/mcp` (streamable HTTP), optionally behind a bearer token."""
    app = build_server(runner).streamable_http_app(host=host)
    return BearerTokenMiddleware(app, token) if token else app
