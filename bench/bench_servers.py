"""The servers as a client meets them: MCP cold start over stdio, and HTTP API throughput.

1. MCP cold start: spawn `indexdesk serve mcp` (stdio), `tools/list`, one `get_index_performance`
   call — wall time from spawn to the result (target ≤ 3 s; the shutdown afterwards, about 0.6 s
   for either server, is not counted). Peer in the same run: the MCP
   SDK's own `MCPServer` with one trivial tool (the floor of a Python MCP server start).
2. HTTP: `indexdesk serve http` in its own process (one uvicorn worker), a bounded load from an
   httpx async client on 127.0.0.1 (`--concurrency` connections, `--requests` requests) for the same
   cached `get_index_performance` (target ≥ 300 req/s on 2 cores). Peer in the same run: a bare
   FastAPI app returning a constant JSON body of the same size under the same uvicorn.

    python bench/bench_servers.py [--starts 5] [--requests 3000] [--concurrency 16] [--wrk SECONDS]

With `--wrk SECONDS` (and `wrk` on PATH: `apt-get install wrk`) the load comes from wrk, 1 thread,
`--concurrency` connections, for SECONDS, instead of the Python client (which itself needs most
of a core per few hundred requests/s on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx
from mcp import Client, StdioServerParameters

ARGS = {"indices": ["defi", "BTC"], "window": "90d"}
PEER_MCP = textwrap.dedent('''
    from mcp.server.mcpserver import MCPServer
    server = MCPServer("peer")

    @server.tool()
    def get_index_performance(indices: list[str], window: str = "90d") -> dict:
        """A constant answer."""
        return {"indices": indices, "window": window}

    server.run()
''')
PEER_HTTP = textwrap.dedent('''
    import sys, uvicorn
    from fastapi import FastAPI, Request
    from fastapi.responses import Response
    body = open(sys.argv[2], "rb").read()
    app = FastAPI()

    @app.post("/tools/get_index_performance")
    async def perf(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
''')


def _env(home: str) -> dict:
    return {**os.environ, "INDEXDESK_HOME": home, "INDEXDESK_SOURCE": "sample"}


async def mcp_cold_start(params: StdioServerParameters, tool_args: dict) -> float:
    """Seconds from spawning the server to the tool's result (the client closing it afterwards is not counted)."""
    start = time.perf_counter()
    async with Client(params, read_timeout_seconds=120) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        assert "get_index_performance" in names, names
        result = await client.call_tool("get_index_performance", tool_args)
        assert not result.is_error, result.content
        elapsed = time.perf_counter() - start
    return elapsed


def bench_mcp(starts: int, home: str) -> list[tuple[str, list[float]]]:
    ours = StdioServerParameters(command=sys.executable, args=["-m", "indexdesk.agent.cli", "serve", "mcp"],
                                 env=_env(home))
    peer_file = Path(home) / "peer_mcp.py"
    peer_file.write_text(PEER_MCP)
    peer = StdioServerParameters(command=sys.executable, args=[str(peer_file)], env=_env(home))
    rows = []
    for label, params in (("indexdesk serve mcp (stdio)", ours), ("peer: MCP SDK MCPServer, 1 trivial tool", peer)):
        rows.append((label, [asyncio.run(mcp_cold_start(params, ARGS)) for _ in range(starts)]))
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, deadline_s: float = 120) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.post(url, json=ARGS, timeout=60)  # also warms the market memo and the cache
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


async def _load(url: str, requests: int, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        remaining = requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                response = await client.post(url, json=ARGS)
                assert response.status_code == 200, response.text[:200]

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - start)


WRK_SCRIPT = '''wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
'''


def _wrk(url: str, seconds: int, concurrency: int, home: str) -> float:
    script = Path(home) / "post.lua"
    script.write_text(WRK_SCRIPT % json.dumps(ARGS))
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(out)
    return float(next(line for line in out.splitlines() if line.startswith("Requests/sec:")).split()[1])


def bench_http(requests: int, concurrency: int, home: str, wrk_seconds: int = 0) -> list[tuple[str, float]]:
    def load(url: str) -> float:
        if wrk_seconds:
            return _wrk(url, wrk_seconds, concurrency, home)
        return asyncio.run(_load(url, requests, concurrency))

    rows = []
    port = _free_port()
    ours = subprocess.Popen([sys.executable, "-m", "indexdesk.agent.cli", "serve", "http", "--port", str(port)],
                            env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/tools/get_index_performance"
    try:
        _wait_ready(url, ours)
        body = httpx.post(url, json=ARGS, timeout=60).content
        rows.append(("indexdesk serve http, cached get_index_performance", load(url)))
    finally:
        ours.terminate()
        ours.wait(10)
    port = _free_port()
    peer_file, body_file = Path(home) / "peer_http.py", Path(home) / "body.json"
    peer_file.write_text(PEER_HTTP)
    body_file.write_bytes(body)
    peer = subprocess.Popen([sys.executable, str(peer_file), str(port), str(body_file)], env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/tools/get_index_performance"
    try:
        _wait_ready(url, peer)
        rows.append((f"peer: bare FastAPI, constant {len(body)}-byte JSON", load(url)))
    finally:
        peer.terminate()
        peer.wait(10)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--wrk", type=int, default=0, metavar="SECONDS", help="load from wrk for SECONDS")
    parser.add_argument("--skip-mcp", action="store_true")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="indexdesk-bench-servers-")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print("\nMCP cold start over stdio: spawn, tools/list, one get_index_performance (seconds)")
    for label, samples in ([] if args.skip_mcp else bench_mcp(args.starts, home)):
        print(f"  {label:<48} median {statistics.median(samples):.2f}  max {max(samples):.2f}  "
              f"({', '.join(f'{s:.2f}' for s in samples)})")
    how = f"wrk -t1 for {args.wrk} s" if args.wrk else f"{args.requests} requests from httpx"
    print(f"\nHTTP API, {how} over {args.concurrency} keep-alive connections (requests/s)")
    for label, rate in bench_http(args.requests, args.concurrency, home, args.wrk):
        print(f"  {label:<48} {rate:,.0f}")
    print(json.dumps({"done": True}))


if __name__ == "__main__":
    main()
