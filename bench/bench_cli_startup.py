"""Cold start of `indexdesk --help` (target: median ≤ 0.4 s) and what it imports.

    python bench/bench_cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HEAVY = ("pandas", "langchain", "langchain_core", "chromadb", "numpy", "openai", "langgraph")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("indexdesk") or os.path.join(os.path.dirname(sys.executable), "indexdesk")
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    probe = ("import sys, agent.cli; agent.cli.build_parser(); "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.strip()
    print(f"indexdesk --help: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms over {args.runs} runs (target ≤ 400 ms)")
    print(f"heavy modules imported by the parser: {loaded or 'none'}")


if __name__ == "__main__":
    main()
