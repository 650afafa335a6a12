"""What the network adapters add to a tool call: direct `Registry.call` vs HTTP (real uvicorn) vs MCP.

Uses a trivial tool so the numbers are the adapters' overhead, not the tool's work. Prints medians.

    python bench/bench_adapters.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import httpx  # noqa: E402
from adapter_tools import adapter_registry, running_uvicorn  # noqa: E402
from mcp import Client  # noqa: E402

from indexdesk.tools.adapters.http_api import create_app  # noqa: E402
from indexdesk.tools.adapters.mcp_server import build_server  # noqa: E402
from indexdesk.tools.adapters.runner import ToolRunner  # noqa: E402
from indexdesk.tools.context import ToolContext  # noqa: E402
from indexdesk.tools.settings import Settings  # noqa: E402

ARGS = {"indices": ["defi", "layer1"], "window": "30d"}


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_direct(registry, ctx, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        registry.call("index_returns", ARGS, ctx)
        samples.append(time.perf_counter() - t)
    return median_ms(samples)


def bench_http(registry, ctx, repeat: int) -> float:
    with running_uvicorn(create_app(registry, ctx, token="")) as base, httpx.Client(base_url=base) as http:
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            assert http.post("/tools/index_returns", json=ARGS).status_code == 200
            samples.append(time.perf_counter() - t)
    return median_ms(samples)


async def bench_mcp(registry, ctx, repeat: int, mode: str) -> float:
    runner = ToolRunner(registry, ctx)
    samples = []
    async with Client(build_server(runner), mode=mode) as client:
        for _ in range(repeat):
            t = time.perf_counter()
            assert not (await client.call_tool("index_returns", ARGS)).is_error
            samples.append(time.perf_counter() - t)
    runner.close()
    return median_ms(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat
    registry = adapter_registry()
    ctx = ToolContext(settings=Settings(home=Path(tempfile.mkdtemp())))
    rows = [
        ("Registry.call (direct)", bench_direct(registry, ctx, repeat)),
        ("HTTP POST /tools/<name>, real uvicorn on 127.0.0.1, keep-alive", bench_http(registry, ctx, repeat)),
        ("MCP tools/call, in-process JSON-RPC streams (legacy handshake)", asyncio.run(bench_mcp(registry, ctx, repeat, "legacy"))),
        ("MCP tools/call, in-process direct dispatch (modern)", asyncio.run(bench_mcp(registry, ctx, repeat, "auto"))),
    ]
    print(f"median of {repeat} calls, trivial tool")
    for name, ms in rows:
        print(f"{name:70s} {ms:8.3f} ms")


if __name__ == "__main__":
    main()
