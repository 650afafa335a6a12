"""Cold start of the CLI, whole process, as a user meets it.

1. `indexdesk --help` (target: median ≤ 0.4 s) and what its parser imports.
2. `indexdesk ask "how did defi do over 90 days"` with no model configured (the direct offline path;
   target: median ≤ 0.8 s), and in the same run, alternating with it, the bare
   `indexdesk tools call get_index_performance '{"indices":["defi"],"window":"90d"}'` as the peer.
   Wall time and CPU time (user + sys of the child) per run: CPU time says what the process costs
   when other work shares the machine, wall time what the user waits.

    python bench/bench_cli_startup.py [--runs 15] [--ask-runs 9] [--skip-help] [--skip-ask]

Each command runs in a fresh temporary INDEXDESK_HOME and INDEXDESK_CACHE_DIR (warmed by one
uncounted run of each: the flag snapshot and the tool vectors are built once per install), with
OPENAI_API_KEY / OPENAI_BASE_URL removed and bytecode writing allowed (an installed package has
its .pyc files).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = ("pandas", "langchain", "langchain_core", "chromadb", "numpy", "openai", "langgraph")
ASK = ["ask", "how did defi do over 90 days"]
CALL = ["tools", "call", "get_index_performance", '{"indices":["defi"],"window":"90d"}']


def _env(home: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PYTHONDONTWRITEBYTECODE")}
    env.update(INDEXDESK_HOME=os.path.join(home, "home"), INDEXDESK_CACHE_DIR=os.path.join(home, "cache"))
    return env


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds user + sys) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def _row(label: str, samples: list[tuple[float, float]], target: str = "") -> str:
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    return (f"{label:<34} wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}) · "
            f"CPU median {statistics.median(cpus):.2f} s{target}")


def bench_help(exe: str, runs: int) -> None:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    probe = ("import sys, indexdesk.agent.cli as c; c.build_parser(); "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.strip()
    print(f"indexdesk --help: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms over {runs} runs (target ≤ 400 ms)")
    print(f"heavy modules imported by the parser: {loaded or 'none'}")


def bench_ask(exe: str, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="indexdesk-bench-ask-") as home:
        env = _env(home)
        timed([exe, *CALL], env)  # warm: flag snapshot, bytecode, OS file cache
        timed([exe, *ASK], env)  # warm: the tool vectors of the router's ranking
        asks, calls = [], []
        for _ in range(runs):  # alternating, so both meet the same load
            asks.append(timed([exe, *ASK], env))
            calls.append(timed([exe, *CALL], env))
    print(f"{runs} runs each, alternating")
    print(_row("indexdesk ask (offline, no model)", asks, "; target ≤ 0.8 s"))
    print(_row("peer: indexdesk tools call", calls))
    ratio = statistics.median(a[0] for a in asks) / statistics.median(c[0] for c in calls)
    print(f"ask / tools call (wall medians): {ratio:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of --help")
    parser.add_argument("--ask-runs", type=int, default=9, help="runs of ask and of tools call")
    parser.add_argument("--skip-help", action="store_true")
    parser.add_argument("--skip-ask", action="store_true")
    parser.add_argument("--exe", help="the indexdesk executable to time (default: this environment's)")
    args = parser.parse_args()
    exe = args.exe or shutil.which("indexdesk") or os.path.join(os.path.dirname(sys.executable), "indexdesk")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")
    if not args.skip_help:
        bench_help(exe, args.runs)
    if not args.skip_ask:
        bench_ask(exe, args.ask_runs)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")


if __name__ == "__main__":
    main()
