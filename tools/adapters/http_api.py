"""The registry as a JSON HTTP API (FastAPI), one `POST /tools/<name>` route per ToolSpec.

    GET  /health          liveness, tool count (never needs the token)
    GET  /tools           names, descriptions, JSON schemas
    GET  /tools/openai    strict OpenAI function schemas
    POST /tools/<name>    JSON object of arguments -> the tool's JSON result

Status codes: 200 result; 422 the tool's `{"error", "hint"}` (bad arguments, unknown index …);
404 unknown tool, with close matches, or a tool that writes on a server without `allow_writes`;
401 missing/wrong bearer token (when `INDEXDESK_API_TOKEN` is set: every route but /health, the
OpenAPI document and /docs included); 504 the call passed its
timeout; 500 a bug, reported by its error class and hint (never SQL, parameters or a traceback).
The request guard (`adapters/guard.py`) answers 400 (a repeated Host/Origin/Content-Type header),
421 (foreign Host), 403 (foreign Origin), 415 (not JSON) and 413
(body above 1 MB) before any tool runs. `/docs` and `/redoc` serve their assets from the
`fastapi-offline` package: no CDN.

The request body is not validated by FastAPI: the raw JSON goes to `Registry.call`, the one call
path, so HTTP clients get the same errors as every other adapter. The per-tool routes only
*document* the parameters model (and the result model) so `/docs` shows each tool's fields.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi_offline import FastAPIOffline
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexdesk.tools.adapters.openai_schema import inline_refs, openai_tools
from indexdesk.tools.adapters.guard import RequestGuard, resolve_token
from indexdesk.tools.adapters.runner import (
    DEFAULT_TIMEOUT_SECONDS,
    TIMEOUT_HINT,
    UNAUTHORIZED,
    ToolRunner,
    bearer_token_matches,
    exposed,
    is_internal_error,
    package_version,
    write_refused,
)
from indexdesk.tools.call_limits import TOO_DEEP, text_depth_exceeds
from indexdesk.tools.registry import Registry, ToolSpec, dumps, is_error

log = logging.getLogger("indexdesk.http")

TOOL_ROUTE = "/tools/{name}"


class _ApiError(Exception):
    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        super().__init__(body.get("error"))
        self.status, self.body, self.headers = status, body, headers


def _json(body: Any, status: int = 200) -> Response:
    # The registry's dumps: dates and other plain values a tool returns become strings, never a 500.
    return Response(content=dumps(body), status_code=status, media_type="application/json")


def _inline_schema(model: type | None) -> dict | None:
    if model is None:
        return None
    schema = model.model_json_schema()
    return inline_refs(schema, schema.get("$defs", {}))


def _status_of(name: str, result: dict) -> int:
    if is_internal_error(name, result):
        return 500
    if result.get("hint") == TIMEOUT_HINT:
        return 504
    return 422 if is_error(result) else 200


async def _run_tool(runner: ToolRunner, name: str, request: Request) -> Response:
    raw = (await request.body()).decode("utf-8", errors="replace")
    if text_depth_exceeds(raw):  # a malformed request, refused before anything parses it
        return _json(dict(TOO_DEEP), 400)
    result = await runner.call(name, raw if raw.strip() else {})
    return _json(result, _status_of(name, result))


def _tool_endpoint(runner: ToolRunner, name: str):
    async def call_tool(request: Request) -> Response:
        return await _run_tool(runner, name, request)

    return call_tool


def _openapi_for(spec: ToolSpec) -> dict:
    params = _inline_schema(spec.params_model) or {}
    extra: dict = {"requestBody": {"required": bool(params.get("required")),
                                   "content": {"application/json": {"schema": params}}}}
    return extra


def _responses_for(spec: ToolSpec) -> dict:
    error = {"description": "the tool's error: what was wrong and a hint",
             "content": {"application/json": {"example": {"error": "unknown index 'defii'; did you mean 'defi'?",
                                                          "hint": "use one of the valid index names"}}}}
    ok: dict = {"description": "the tool's JSON result"}
    result_schema = _inline_schema(spec.result_model)
    if result_schema:
        ok["content"] = {"application/json": {"schema": result_schema}}
    return {200: ok, 422: error, 500: {"description": "a bug in the tool (message only, no traceback)"}}


def _token_dependency(token: str | None):
    bearer = HTTPBearer(auto_error=False, description="INDEXDESK_API_TOKEN, when the server sets one")

    async def require_token(request: Request,
                            credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if token and not bearer_token_matches(request.headers.get("authorization"), token):
            raise _ApiError(401, UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})

    return require_token


def create_app(registry: Registry, ctx: Any, *, token: str | None = None, host: str = "127.0.0.1",
               allow_writes: bool = False, timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
               allowed_hosts: tuple[str, ...] = (), cache_seconds: float = 0.0) -> Any:
    """The API for `registry`, every call made with the one `ctx`, behind the request guard.

    `token=None` takes `ctx.settings.api_token` (env `INDEXDESK_API_TOKEN`); `token=""` disables auth.
    `host` is the address the server binds: requests must name it (or a loopback name) in `Host`.
    Tools that write are served only with `allow_writes=True`. `cache_seconds` keeps market-tool
    results by their arguments (see `ToolRunner`). Returns the guarded ASGI app; the
    FastAPI object is its `.app`.
    """
    token = resolve_token(token, ctx)
    full_registry = registry
    registry = exposed(registry, allow_writes)
    runner = ToolRunner(registry, ctx, timeout=timeout, cache_seconds=cache_seconds)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        runner.close()

    app = FastAPIOffline(title="indexdesk tools", version=package_version(), lifespan=lifespan,
                         description="Crypto index portfolio tools, generated from the indexdesk tool registry.")
    app.state.runner = runner
    guarded = [Depends(_token_dependency(token or None))]

    @app.exception_handler(_ApiError)
    async def api_error(_request: Request, exc: _ApiError) -> Response:
        return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI's own answers (405, a path that does not exist) in the same shape as every other error.
        hints = {404: "GET /tools lists the tools; call one with POST /tools/<name>",
                 405: "call tools with POST /tools/<name>; GET /tools, /health and /docs read"}
        return JSONResponse({"error": str(exc.detail), "hint": hints.get(exc.status_code, "see /docs")},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> Response:
        log.exception("request failed")
        return JSONResponse({"error": f"internal server error: {type(exc).__name__}",
                             "hint": "this is a bug in the server, not in your request"}, status_code=500)

    @app.get("/health", tags=["meta"])
    async def health() -> dict:
        return {"status": "ok", "tools": len(registry), "auth": bool(token)}

    @app.get("/tools", tags=["meta"], dependencies=guarded)
    async def list_tools() -> list[dict]:
        return [{"name": s.name, "path": f"/tools/{s.name}", "description": s.description,
                 "category": s.category, "state_changing": s.state_changing, "parameters": s.json_schema()}
                for s in registry]

    @app.get("/tools/openai", tags=["meta"], dependencies=guarded)
    async def openai_schemas() -> list[dict]:
        return openai_tools(registry)

    for spec in registry:
        app.add_api_route(f"/tools/{spec.name}", _tool_endpoint(runner, spec.name), methods=["POST"],
                          name=spec.name, summary=spec.description, tags=[spec.category],
                          description=_describe(spec), dependencies=guarded,
                          openapi_extra=_openapi_for(spec), responses=_responses_for(spec))

    @app.post(TOOL_ROUTE, tags=["meta"], dependencies=guarded, include_in_schema=False)
    async def unknown_tool(name: str) -> Response:
        if name in full_registry:
            return _json(write_refused(full_registry.get(name)), 404)
        return _json(await runner.call(name, {}), 404)

    # The guard checks the token on every route but /health — /openapi.json, /docs and /redoc included.
    return RequestGuard(app, bind_host=host, allowed_hosts=allowed_hosts, token=token)


def _describe(spec: ToolSpec) -> str:
    lines = [spec.description, ""]
    lines += [f"* `{name}`: {text}" for name, text in spec.param_descriptions.items()]
    if spec.state_changing:
        lines += ["", "**Changes state** (journal/ledger): confirm with the user before calling."]
    return "\n".join(lines)


def tool_routes(registry: Registry) -> list[str]:
    """The per-tool route paths `create_app` really builds for `registry`."""
    app = create_app(registry, ctx=None, token="", allow_writes=True).app
    return [r.path for r in app.routes
            if isinstance(r, APIRoute) and "POST" in r.methods and r.path != TOOL_ROUTE]

