"""Per-call tool selection on the eval set: is the right tool in the selected set, how fast, how many tokens.

    python bench/bench_tool_selection.py [--file F] [--doubled] [--json]

For every eval request whose expected tool is registered, the selector (agent/tool_selection.py)
picks the tools one model call would see. Reported: recall (expected tool selected), selection
time (p50/p95/max, after a warm-up), schema tokens per call (o200k_base over the selected strict
schemas), the largest call, and the total of all schemas (what the model would see without selection).
`--doubled` adds a synthetic twin of every tool (renamed, same schema) to check the budget holds
when the registry doubles.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_eval import EVAL_SET, load_cases  # noqa: E402
from bench_tokens import count, o200k_encoding  # noqa: E402


def doubled_registry(registry):
    """Every tool twice: the twin has another name and a reworded description, the same schema."""
    from indexdesk.tools.registry import Registry

    twins = [replace(spec, name=f"{spec.name}_alt", description="Alternative: " + spec.description) for spec in registry]
    return Registry([*registry, *twins])


def expected_names(case: dict, names: list[str]) -> list[str]:
    tool = case.get("tool")
    if isinstance(tool, str):
        return [tool] if tool in names else []
    if isinstance(tool, dict) and "regex" in tool:
        return [n for n in names if re.search(tool["regex"], n)]
    return []


def run(path=None, doubled: bool = False, registry=None) -> dict:
    from indexdesk.agent.tool_selection import ToolSelector
    from indexdesk.tools.adapters.openai_schema import openai_tool
    from indexdesk.tools.toolbox import default_registry

    registry = registry or default_registry()
    if doubled:
        registry = doubled_registry(registry)
    encoding = o200k_encoding()
    started = time.perf_counter()
    selector = ToolSelector(list(registry))
    build_ms = (time.perf_counter() - started) * 1000
    schemas = {spec.name: openai_tool(spec) for spec in registry}
    cases = load_cases(path)
    selector.select("warm up the embedder")
    hits, misses, times, tokens = 0, [], [], []
    scored = 0
    for case in cases:
        selection = selector.select(case["request"])
        times.append(selection.milliseconds)
        if encoding is not None:
            tokens.append(count(encoding, [schemas[n] for n in selection.names]))
        wanted = expected_names(case, registry.names)
        if not wanted:
            continue
        scored += 1
        # with twins, either the tool or its twin serves the request
        if any(w in selection.names or f"{w}_alt" in selection.names for w in wanted):
            hits += 1
        else:
            misses.append({"request": case["request"], "expected": wanted, "selected": selection.names})
    total = count(encoding, list(schemas.values())) if encoding is not None else None
    times.sort()
    return {"registry_tools": len(registry), "requests": len(cases), "scored": scored, "hits": hits,
            "recall": hits / scored if scored else None, "misses": misses,
            "selection_ms": {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
                             "max": times[-1]},
            "build_ms": build_ms, "embedder": getattr(selector.embedder, "model_id", None),
            "tokens_per_call": ({"mean": statistics.mean(tokens), "max": max(tokens)} if tokens else None),
            "all_schemas_tokens": total}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(EVAL_SET))
    parser.add_argument("--doubled", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.file, args.doubled)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"registry {report['registry_tools']} tools, embedder {report['embedder']}, built in {report['build_ms']:.0f} ms")
    print(f"recall {report['hits']}/{report['scored']} = {report['recall']:.1%}")
    ms = report["selection_ms"]
    print(f"selection ms p50 {ms['p50']:.1f} p95 {ms['p95']:.1f} max {ms['max']:.1f}")
    if report["tokens_per_call"]:
        t = report["tokens_per_call"]
        print(f"schema tokens per call: mean {t['mean']:.0f}, max {t['max']}; all schemas {report['all_schemas_tokens']}")
    for miss in report["misses"]:
        print(f"  MISS {miss['request']!r}: expected {miss['expected']}, selected {miss['selected']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
