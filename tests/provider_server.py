"""A scriptable HTTP server on 127.0.0.1 (port 0) that plays a data provider in tests.

    with ProviderServer() as server:
        server.route("/api/v3/klines", lambda req: json_reply([...]))
        server.route("/coins/bitcoin/market_chart", replies(Reply(500), json_reply({...})))
        ... server.url ... server.requests

A handler gets the `Request` (path, query, headers) and returns a `Reply`.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

SHARED_DATA = Path(os.environ.get("INDEXDESK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FIXTURES = SHARED_DATA / "fixtures"


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (for client timeouts)


Handler = Callable[[Request], Reply]


def json_reply(value: object, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(value), {"Content-Type": "application/json", **(headers or {})})


def replies(*sequence: Reply) -> Handler:
    """A handler answering with each reply in turn, then repeating the last one."""
    queue = list(sequence)

    def handle(_request: Request) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handle


def fixture_text(name: str) -> str:
    path = FIXTURES / name
    if not path.exists():
        import pytest

        pytest.skip(f"fixture {path} not found (../shared is absent)")
    return path.read_text()


def fixture_json(name: str) -> object:
    return json.loads(fixture_text(name))


class ProviderServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                request = Request(parts.path, dict(parse_qsl(parts.query)), {k.lower(): v for k, v in self.headers.items()})
                with server._lock:
                    server.requests.append(request)
                    handler = server.routes.get(parts.path)
                reply = handler(request) if handler else json_reply({"error": "not found"}, 404)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, handler: Handler) -> None:
        with self._lock:
            self.routes[path] = handler

    def calls(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> "ProviderServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def klines_from_csv(symbol: str, path: Path | None = None) -> list[list]:
    """Real Binance daily klines rebuilt from binance_spot_daily_ohlcv.csv in the documented field order.

    Fields the CSV does not hold (quote volume, trades, taker volumes) are sent as "0".
    """
    import csv
    from datetime import date

    path = path or SHARED_DATA / "binance_spot_daily_ohlcv.csv"
    if not path.exists():
        import pytest

        pytest.skip(f"{path} not found (../shared is absent)")
    day_ms = 86_400_000
    out = []
    with path.open() as handle:
        for row in csv.DictReader(handle):
            if row["symbol"] != symbol:
                continue
            open_ms = (date.fromisoformat(row["date"]) - date(1970, 1, 1)).days * day_ms
            out.append([open_ms, row["open"], row["high"], row["low"], row["close"], row["volume_base"],
                        open_ms + day_ms - 1, "0", 0, "0", "0", "0"])
    out.sort(key=lambda k: k[0])
    return out


def klines_handler(klines: list[list], fail_on_page: int | None = None) -> Handler:
    """Binance's paging: klines with open time >= startTime, at most `limit` (default 500, max 1000)."""
    pages = {"served": 0}

    def handle(request: Request) -> Reply:
        pages["served"] += 1
        if fail_on_page is not None and pages["served"] >= fail_on_page:
            return json_reply({"code": -1000, "msg": "An unknown error occurred"}, 500)
        start = int(request.query.get("startTime", 0))
        limit = min(int(request.query.get("limit", 500)), 1000)
        return json_reply([k for k in klines if k[0] >= start][:limit])

    return handle
