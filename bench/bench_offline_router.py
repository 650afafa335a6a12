"""Offline router speed: the two-stage plan per request (warm, in process) and `indexdesk ask` whole
process offline vs a bare `indexdesk tools call` of the same tool (issue 17 item 5).

    python bench/bench_offline_router.py [--runs 3]

The machine is shared: print the load average next to the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def plan_times() -> dict:
    sys.path.insert(0, str(HERE))
    from agent_eval import load_cases

    from indexdesk.agent.offline_grammar import Vocabulary
    from indexdesk.agent.offline_router import plan_request
    from indexdesk.tools.adapters.openai_schema import openai_tools
    from indexdesk.tools.toolbox import default_registry

    schemas = {t["function"]["name"]: t["function"] for t in openai_tools(default_registry())}
    vocab = Vocabulary.build()
    started = time.perf_counter()
    plan_request("how did defi do over 90 days", vocab, schemas)
    first = time.perf_counter() - started
    seconds = []
    for case in load_cases(HERE / "agent_eval_fresh.jsonl"):
        started = time.perf_counter()
        plan_request(case["request"], vocab, schemas)
        seconds.append(time.perf_counter() - started)
    return {"first_plan_s": round(first, 3), "median_plan_ms": round(1000 * statistics.median(seconds), 1),
            "p90_plan_ms": round(1000 * sorted(seconds)[int(0.9 * len(seconds))], 1)}


def whole_process(argv: list[str], runs: int) -> float:
    exe = Path(sys.executable).with_name("indexdesk")
    env = {**os.environ, "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(exe), *argv], capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    report = {"load_average": os.getloadavg(), **plan_times()}
    report["ask_s"] = whole_process(["ask", "how did defi do over 90 days"], args.runs)
    report["tools_call_s"] = whole_process(["tools", "call", "get_index_performance",
                                            '{"indices": ["defi"], "window": "90d"}'], args.runs)
    report["ask_over_tools_call"] = round(report["ask_s"] / report["tools_call_s"], 2)
    report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
