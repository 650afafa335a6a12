"""The registry as an MCP server (stdio, or streamable HTTP), generated from the ToolSpecs.

`tools/list` shows every exposed tool with its description, input schema, `outputSchema` (from the
result model) and hints: read-only tools `readOnlyHint: true`; tools that write files (the
quarterly report) `readOnlyHint: false`; state-changing tools (journal/ledger) also
`destructiveHint: true`. Tools that write are not exposed unless the server is built with
`allow_writes=True` (`indexdesk serve mcp --allow-writes`). `tools/call` goes through
`Registry.call` and answers with the JSON result as text plus `structuredContent` (and a second
text line formatted from the result model's declared units: percentages, ratios, money), and a tool
error as `isError: true` carrying the registry's `{"error", "hint"}` object.

Resources (JSON): `indexdesk://indices` (the index catalogue), `indexdesk://targets` (the target
portfolio) and the template `indexdesk://journal/{entry_id}` (one journal entry). Prompt:
`quarterly_review`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from indexdesk.tools.adapters.guard import RequestGuard
from indexdesk.tools.adapters.runner import (
    ToolRunner,
    exposed,
    package_version,
    timed_out,
    write_refused,
)
from indexdesk.tools.registry import Registry, ToolSpec, dumps, is_error

SERVER_NAME = "indexdesk"
INSTRUCTIONS = ("Crypto index portfolio tools: performance, risk, indices, journal. Every result is JSON; "
                "an error result says what was wrong and how to call again. Tools marked destructive "
                "change the user's journal or ledger: confirm with the user first.")
RESOURCE_NOT_FOUND = -32002
JSON_MIME = "application/json"


# ---------------------------------------------------------------- tools

def output_schema(spec: ToolSpec) -> dict:
    """The result model's JSON schema as the registry's results really look: numbers may be null (NaN)."""
    if spec.result_model is None:
        return {"type": "object"}
    schema = _nullable_numbers(_strip_titles(spec.result_model.model_json_schema(mode="serialization")))
    schema.setdefault("type", "object")
    return schema


def _nullable_numbers(node: Any) -> Any:
    """The registry turns NaN/inf into null (with a warning), so every number in a result may be null."""
    if isinstance(node, list):
        return [_nullable_numbers(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_numbers(v) for k, v in node.items()}
    kind = out.get("type")
    if kind in ("number", "integer"):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list) and {"number", "integer"} & set(kind) and "null" not in kind:
        out["type"] = kind + ["null"]
    return out


def _strip_titles(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_titles(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


def annotations(spec: ToolSpec) -> types.ToolAnnotations:
    return types.ToolAnnotations(
        read_only_hint=spec.read_only,
        destructive_hint=spec.state_changing,
        idempotent_hint=not spec.state_changing,
    )


def mcp_tool(spec: ToolSpec) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.name.replace("_", " ").capitalize(),
        description=spec.description,
        input_schema=spec.json_schema(),
        output_schema=output_schema(spec),
        annotations=annotations(spec),
        _meta={"indexdesk/category": spec.category},
    )


def mcp_tools(registry: Registry) -> list[types.Tool]:
    return [mcp_tool(spec) for spec in registry]


def tool_names(registry: Registry, *, allow_writes: bool = False) -> list[str]:
    """The names `tools/list` announces (what the adapter really builds, not a copy of `registry.names`)."""
    return [t.name for t in mcp_tools(exposed(registry, allow_writes))]


SUMMARY_CHARS = 600  # the human line stays short: the JSON beside it carries every value
_LABELS = ("name", "symbol", "scenario", "tier", "index", "lot_id", "config")


def units_summary(result: dict, units: dict[str, str] | None, limit: int = SUMMARY_CHARS) -> str | None:
    """One human line formatted from the result model's declared units (fractions as %, ratios plain,
    money with its currency): top-level numbers, then one `label: field value, …` per listed record.
    None when the result declares no units or has no numbers to show (an error, a text-only result)."""
    from indexdesk.tools.units import format_value

    if not units or is_error(result):
        return None
    currency = result.get("currency") if isinstance(result.get("currency"), str) else "USD"

    def numbers(record: dict, prefix: str) -> list[str]:
        return [f"{key.replace('_', ' ')} {format_value(value, units[prefix + key], currency)}"
                for key, value in record.items()
                if prefix + key in units and isinstance(value, (int, float)) and not isinstance(value, bool)]

    parts = numbers(result, "")
    for key, value in result.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for item in value:
                fields = numbers(item, key + ".")
                label = next((str(item[k]) for k in _LABELS if isinstance(item.get(k), str)), key.replace("_", " "))
                if fields:
                    parts.append(f"{label}: " + ", ".join(fields))
    if not parts:
        return None
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1].rsplit(";", 1)[0] + "; …"


def call_result(result: dict, units: dict[str, str] | None = None) -> types.CallToolResult:
    """A registry result as MCP content: the JSON text first (the spec asks a tool returning structured
    content to send its serialized JSON as text, and clients without structuredContent read it), then a
    units-formatted line a person can read; the object itself for structured clients."""
    text = dumps(result)
    content = [types.TextContent(type="text", text=text)]
    summary = units_summary(json.loads(text), units)
    from indexdesk.tools.price_provenance import SAMPLE_MARKER

    warnings = result.get("warnings") if isinstance(result, dict) else None
    if isinstance(warnings, list) and warnings and str(warnings[0]).startswith(SAMPLE_MARKER):
        summary = str(warnings[0]) + ("\n" + summary if summary else "")  # the human line opens with it
    if summary:
        content.append(types.TextContent(type="text", text=summary))
    return types.CallToolResult(
        content=content,
        structured_content=json.loads(text),  # the same values as the text (dates as strings), not Python objects
        is_error=is_error(result),
    )


def result_units(spec: ToolSpec) -> dict[str, str] | None:
    """Declared units of a tool's result by dotted path (`results.total_return` → "fraction")."""
    from indexdesk.tools.units import units_in_schema

    return units_in_schema(spec.result_model.model_json_schema()) if spec.result_model is not None else None


# ---------------------------------------------------------------- resources and the prompt

RESOURCES = (
    types.Resource(uri="indexdesk://indices", name="indices", title="Index catalogue", mime_type=JSON_MIME,
                   description="Every catalogue index: tier, category, constituent rule, weighting, rebalance."),
    types.Resource(uri="indexdesk://targets", name="targets", title="Target portfolio", mime_type=JSON_MIME,
                   description="The user's target tiers and index weights (percent) and risk targets."),
)
JOURNAL_TEMPLATE = types.ResourceTemplate(
    uri_template="indexdesk://journal/{entry_id}", name="journal_entry", title="Journal entry", mime_type=JSON_MIME,
    description="One trading-journal entry by id (search_journal returns ids).")
JOURNAL_PREFIX = "indexdesk://journal/"

QUARTERLY_PROMPT = types.Prompt(
    name="quarterly_review", title="Quarterly review",
    description="Review a quarter: performance against targets, risk, decisions and lessons.",
    arguments=[types.PromptArgument(name="quarter", required=False,
                                    description='e.g. "2026Q3"; default: the last complete quarter')])


def read_resource(ctx: Any, uri: str) -> Any:
    """The JSON value behind a resource URI (runs on a tool worker: it may load files or the journal)."""
    if uri == "indexdesk://indices":
        from indexdesk.tools.indices import series

        return [d.model_dump(mode="json", exclude_defaults=True) for d in series.catalogue(ctx).values()]
    if uri == "indexdesk://targets":
        from indexdesk.tools.targets import targets

        portfolio = targets(ctx)
        return {**portfolio.model_dump(mode="json"), "weights": portfolio.weights()}
    if uri.startswith(JOURNAL_PREFIX) and len(uri) > len(JOURNAL_PREFIX):
        entry_id = uri[len(JOURNAL_PREFIX):]
        try:
            return ctx.journal_store().get(entry_id).model_dump(mode="json")
        except ValueError as exc:  # JournalError: no such entry
            raise MCPError(RESOURCE_NOT_FOUND, str(exc)[:200], data={"uri": uri[:200]}) from None
    raise MCPError(RESOURCE_NOT_FOUND, f"unknown resource {uri[:100]!r}",
                   data={"valid": [r.uri for r in RESOURCES] + [JOURNAL_TEMPLATE.uri_template]})


def quarterly_prompt(quarter: str | None) -> types.GetPromptResult:
    # The argument is the client's text, pasted into a prompt: kept to a quarter's characters, never markup.
    quarter = re.sub(r"[^0-9A-Za-z_ -]", "", (quarter or "").strip()[:20]).strip() or "last"
    text = (f"Review the quarter {quarter} of my crypto index portfolio. Call quarterly_review with "
            f"quarter=\"{quarter}\" (if it is not available, use get_index_performance and journal_outcomes). "
            "Then summarise in a few short paragraphs: how the portfolio did against its targets, which "
            "indices helped and hurt, risk (VaR, drawdown) against the risk targets, and which journaled "
            "decisions worked. Quote numbers from the tool results only and name any warnings.")
    return types.GetPromptResult(description=QUARTERLY_PROMPT.description,
                                 messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))])


# ---------------------------------------------------------------- the server

def listing(registry: Registry) -> list[dict]:
    """Every tool's `tools/list` entry as JSON, with whether it is read-only: what a server needs to
    list tools before importing them (`indexdesk serve mcp` keeps it in the cache directory)."""
    return [{"tool": mcp_tool(spec).model_dump(mode="json", by_alias=True, exclude_none=True),
             "read_only": spec.read_only,
             "module": spec.func.__module__ if spec.origin == "indexdesk" else None} for spec in registry]


def build_server(runner: ToolRunner, *, allow_writes: bool = False, listed: list[dict] | None = None) -> Server:
    """A low-level MCP server generated from the runner's registry.

    `allow_writes=False` hides the tools that write (journal, ledger, report files) and refuses
    calls to them; `indexdesk serve mcp` builds it that way unless given `--allow-writes`.
    `listed` (from `listing`, for the runner's registry) lists the tools without building the
    registry. Nothing is imported in the background: a tool's module (or, for an unknown or plugin
    name, the whole registry) is imported on a worker, within the timeout, by the first call that
    needs it. A tool the listing missed (a stale snapshot) is answered when the registry says it is
    read-only, and listed from then on.
    """
    if listed is None:
        tools = mcp_tools(exposed(runner.registry, allow_writes))
    else:
        tools = [types.Tool.model_validate(item["tool"]) for item in listed if allow_writes or item["read_only"]]
    shown = {t.name for t in tools}
    schemas = {t.name: t.input_schema for t in tools}
    units: dict[str, dict[str, str] | None] = {}  # declared result units per tool, read once

    async def on_list_tools(_ctx: Any, _params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=list(tools))

    def answer(name: str, arguments: dict) -> types.CallToolResult:
        """On a worker: resolving the name may import the tool's module or build the registry."""
        spec = runner.spec(name)
        if spec is not None and name not in shown:
            if not (allow_writes or spec.read_only):
                return call_result(write_refused(spec))
            listed_now = mcp_tool(spec)  # the listing was stale: it lists the tool from now on
            schemas[name] = listed_now.input_schema
            tools.append(listed_now)
            shown.add(name)
        result = runner.call_now(name, arguments)
        if spec is not None and name not in units:
            units[name] = result_units(spec)
        return call_result(result, units.get(name))

    async def on_call_tool(_ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = params.arguments or {}
        if params.name in units and (kept := runner.cached(params.name, arguments)) is not None:
            return call_result(kept, units[params.name])  # kept results need no worker
        try:
            return await runner.run(answer, params.name, arguments)
        except TimeoutError:
            return call_result(timed_out(params.name, runner.timeout))

    async def on_list_resources(_ctx: Any, _params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=list(RESOURCES))

    async def on_list_resource_templates(_ctx: Any, _params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[JOURNAL_TEMPLATE])

    async def on_read_resource(_ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:

        uri = str(params.uri)
        try:
            value = await runner.run(read_resource, runner.ctx, uri)
        except TimeoutError:
            raise MCPError(-32603, f"reading {uri[:100]} did not finish in time") from None
        except MCPError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. a ToolError from a broken targets file
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            raise MCPError(-32603, f"cannot read {uri[:100]}: {message}"[:300]) from None
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, mime_type=JSON_MIME,
                                                                              text=dumps(value))])

    async def on_list_prompts(_ctx: Any, _params: Any) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[QUARTERLY_PROMPT])

    async def on_get_prompt(_ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
        if params.name != QUARTERLY_PROMPT.name:
            raise MCPError(-32602, f"unknown prompt {params.name[:60]!r}", data={"valid": [QUARTERLY_PROMPT.name]})
        return quarterly_prompt((params.arguments or {}).get("quarter"))

    return Server(
        SERVER_NAME,
        version=package_version(),
        instructions=INSTRUCTIONS,
        get_tool_input_schema=schemas.get,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=on_list_resources,
        on_list_resource_templates=on_list_resource_templates,
        on_read_resource=on_read_resource,
        on_list_prompts=on_list_prompts,
        on_get_prompt=on_get_prompt,
    )


async def serve_stdio(runner: ToolRunner, *, allow_writes: bool = False, listed: list[dict] | None = None) -> None:
    """Serve over this process's stdin/stdout until the client closes them."""
    from mcp.server.stdio import stdio_server

    server = build_server(runner, allow_writes=allow_writes, listed=listed)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def streamable_http_app(runner: ToolRunner, *, host: str = "127.0.0.1", token: str | None = None,
                        allow_writes: bool = False, allowed_hosts: tuple[str, ...] = ()) -> Any:
    """An ASGI app serving MCP at `/mcp` (streamable HTTP) behind the request guard and optionally a token."""
    from mcp.server.transport_security import TransportSecuritySettings

    # The guard checks Host/Origin for every bind (the SDK only does for loopback binds); the SDK's own
    # check would then refuse the extra names a host adds, so it is switched off here.
    security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app = build_server(runner, allow_writes=allow_writes).streamable_http_app(host=host, transport_security=security)
    return RequestGuard(app, bind_host=host, allowed_hosts=allowed_hosts, token=token)
