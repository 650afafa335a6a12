"""What keeps a local tool server from being driven by a web page or flooded: one ASGI middleware.

A browser on any site can send requests to 127.0.0.1. It cannot set `Content-Type:
application/json` without a CORS preflight (which we never answer), it sends its own `Origin`,
and after a DNS-rebinding trick its `Host` header still names the attacker's domain. So:

* `Host` must be one of the names the server is bound to (loopback names for 127.0.0.1);
* an `Origin`, when sent, must name one of those hosts too (a foreign page is refused: CSRF);
* a request with a body must say `application/json` (415 otherwise);
* a body above `max_body` bytes is refused with 413 before the tool sees it.

Every refusal is a JSON `{"error", "hint"}` body, like every other error of the servers.
`check_bind` refuses to start on a non-loopback address without `INDEXDESK_API_TOKEN`.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

MAX_BODY_BYTES = 1_000_000
TOKEN_VARIABLE = "INDEXDESK_API_TOKEN"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve on an address other machines can reach unless a bearer token is set."""
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
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.hosts = allowed_host_names(bind_host, allowed_hosts)
        self.max_body = max_body

    def _check_headers(self, scope: dict) -> tuple[int, bytes] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        host = headers.get("host", "")
        if self.hosts is not None and _host_name(host) not in self.hosts:
            return _refusal(421, f"host {host[:60]!r} is not served here",
                            "address the server by the name it is bound to, e.g. 127.0.0.1")
        origin = headers.get("origin")
        if origin is not None:
            origin_host = _host_name(urlsplit(origin).netloc) if origin != "null" else ""
            allowed = (origin_host in self.hosts) if self.hosts is not None else \
                (urlsplit(origin).netloc.lower() == host.lower())
            if not allowed:
                return _refusal(403, f"requests from origin {origin[:60]!r} are refused",
                                "call the API from a program, not from a web page of another site")
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
            await _send_json(send, *refusal)
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


async def _send_json(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
