"""What keeps a local tool server from being driven by a web page or flooded: one ASGI middleware.

A browser on any site can send requests to 127.0.0.1. It cannot set `Content-Type:
application/json` without a CORS preflight (which we never answer), it sends its own `Origin`,
and after a DNS-rebinding trick its `Host` header still names the attacker's domain. So:

* `Host`, `Origin` and `Content-Type` are sent at most once each (400 otherwise: a proxy and the
  app could each read a different copy);
* `Host` must be one of the names the server is bound to (loopback names for 127.0.0.1);
* an `Origin`, when sent, must match an allowed origin in scheme, host AND port — the scheme of
  this server, one of its host names, the port the `Host` header names (a foreign page, or another
  local server on another port, is refused: CSRF);
* with a token, every route but `/health` needs `Authorization: Bearer <token>` (the OpenAPI
  document and `/docs` too: they describe what the server can do);
* a request with a body must say `application/json` (415 otherwise);
* a body above `max_body` bytes is refused with 413 before the tool sees it.

Every refusal is a JSON `{"error", "hint"}` body, like every other error of the servers.
`check_bind` refuses to start on a non-loopback address without `INDEXDESK_API_TOKEN`, and refuses a
token that is blank (whitespace only) anywhere.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

MAX_BODY_BYTES = 1_000_000
TOKEN_VARIABLE = "INDEXDESK_API_TOKEN"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SINGLE_HEADERS = ("host", "origin", "content-type")
DEFAULT_PORTS = {"http": 80, "https": 443}
OPEN_PATHS = frozenset({"/health"})  # liveness probes carry no token
UNAUTHORIZED = {"error": "missing or wrong bearer token",
                "hint": f"send the header 'Authorization: Bearer <{TOKEN_VARIABLE}>'"}


class UnsafeBind(ValueError):
    """Binding to a non-loopback address without a token."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bearer_token_matches(authorization: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>` compared in constant time."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


def resolve_token(token: str | None, ctx: Any) -> str | None:
    """The token a server requires: `None` takes `ctx.settings.api_token` (env INDEXDESK_API_TOKEN),
    `""` means no auth. A blank (whitespace-only) token is refused (UnsafeBind): it would look set."""
    if token is None:
        token = getattr(getattr(ctx, "settings", None), "api_token", None)
        if token is not None and hasattr(token, "get_secret_value"):  # SecretStr settings
            token = token.get_secret_value()
    if token and not token.strip():
        raise UnsafeBind(f"{TOKEN_VARIABLE} is blank (only whitespace): set a real secret or unset it")
    return token or None


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve on an address other machines can reach unless a bearer token is set."""
    if token and not token.strip():
        raise UnsafeBind(f"{TOKEN_VARIABLE} is blank (only whitespace): set a real secret or unset it")
    if not is_loopback(host) and not token:
        raise UnsafeBind(f"refusing to listen on {host}: other machines could call the tools without a token. "
                         f"Set {TOKEN_VARIABLE} (clients then send 'Authorization: Bearer <token>') "
                         "or bind to 127.0.0.1")


def allowed_host_names(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """Host names a request may address; None = any (a wildcard bind, which `check_bind` ties to a token)."""
    bind = bind_host.strip("[]").lower()
    if bind in WILDCARD_ADDRESSES:
        return None
    return frozenset({bind, *LOOPBACK_NAMES, *(h.strip("[]").lower() for h in extra)}) if is_loopback(bind) \
        else frozenset({bind, *(h.strip("[]").lower() for h in extra)})


def _host_and_port(value: str, scheme: str) -> tuple[str, int | None]:
    """`example.org:8765` -> ("example.org", 8765); no port -> the scheme's default; a bad port -> None."""
    parts = urlsplit(f"{scheme}://{value.strip()}")
    try:
        return (parts.hostname or ""), parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return (parts.hostname or ""), None


def _host_name(value: str) -> str:
    """`example.org:8765` -> `example.org`; `[::1]:80` -> `::1`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _refusal(status: int, error: str, hint: str) -> tuple[int, bytes]:
    return status, json.dumps({"error": error, "hint": hint}).encode()


class RequestGuard:
    """ASGI middleware enforcing Host, Origin, Content-Type and body size on every HTTP request."""

    def __init__(self, app: Any, *, bind_host: str = "127.0.0.1", allowed_hosts: Iterable[str] = (),
                 max_body: int = MAX_BODY_BYTES, token: str | None = None) -> None:
        check_bind("127.0.0.1", token)  # a blank token is refused here too
        self.app = app
        self.hosts = allowed_host_names(bind_host, allowed_hosts)
        self.max_body = max_body
        self.token = token or None

    def _origin_allowed(self, origin: str, host: str, scheme: str) -> bool:
        """Scheme, host and port of the Origin all match this server (any of its names, its port)."""
        parts = urlsplit(origin.strip())
        if parts.scheme.lower() != scheme or parts.username or parts.password or parts.path not in ("", "/"):
            return False
        origin_host, origin_port = _host_and_port(parts.netloc, scheme)
        host_name, host_port = _host_and_port(host, scheme)
        if origin_port is None or origin_port != host_port or not origin_host:
            return False
        return origin_host.lower() in self.hosts if self.hosts is not None else origin_host.lower() == host_name.lower()

    def _check_headers(self, scope: dict) -> tuple[int, bytes] | None:
        headers: dict[str, str] = {}
        for key, value in scope.get("headers") or []:
            name = key.decode("latin-1").lower()
            if name in headers and name in SINGLE_HEADERS:
                return _refusal(400, f"the {name} header is sent more than once",
                                f"send one {name.title()} header")
            headers[name] = value.decode("latin-1")
        host = headers.get("host", "")
        if self.hosts is not None and _host_name(host) not in self.hosts:
            return _refusal(421, f"host {host[:60]!r} is not served here",
                            "address the server by the name it is bound to, e.g. 127.0.0.1")
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, host, scope.get("scheme", "http")):
            return _refusal(403, f"requests from origin {origin[:60]!r} are refused",
                            "call the API from a program, not from a web page of another site "
                            "(an allowed origin matches this server's scheme, host and port)")
        if self.token and scope.get("path") not in OPEN_PATHS and \
                not bearer_token_matches(headers.get("authorization"), self.token):
            return 401, json.dumps(UNAUTHORIZED).encode()
        if scope.get("method") in BODY_METHODS:
            media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media_type != "application/json":
                return _refusal(415, f"content type {media_type[:60] or '(none)'!r} is not accepted",
                                "send the arguments as a JSON object with 'Content-Type: application/json'")
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body:
                return self._too_large()
        return None

    def _too_large(self) -> tuple[int, bytes]:
        return _refusal(413, f"request body above {self.max_body:,} bytes",
                        "send shorter arguments (queries and lists have length limits)")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._check_headers(scope)
        if refusal is None and scope.get("method") in BODY_METHODS:
            body, refusal = await self._read_body(receive)
            if refusal is None:
                receive = _replay(body, receive)
        if refusal is not None:
            extra = [(b"www-authenticate", b"Bearer")] if refusal[0] == 401 else []
            await _send_json(send, *refusal, extra)
            return
        await self.app(scope, receive, send)

    async def _read_body(self, receive: Any) -> tuple[bytes, tuple[int, bytes] | None]:
        """The whole body, or a 413 as soon as it grows past the limit (a chunked body has no length)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"", _refusal(400, "the client went away", "send the request again")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None


def _replay(body: bytes, receive: Any):
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later: the disconnect message

    return replay


async def _send_json(send: Any, status: int, body: bytes, extra: list | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(extra or [])]})
    await send({"type": "http.response.body", "body": body})
