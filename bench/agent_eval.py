"""Agent eval: does the configured model call the right tool with the right arguments?

Each line of the eval set (bench/agent_eval_set.jsonl) is a request, the tool expected as the
turn's first call (a name, {"regex": ...} when the name is not fixed yet, or null for "no tool"),
and constraints on its arguments. The model sees the system prompt, the registry's tools and
the request, and its first tool call is scored; no tool runs, so nothing is written anywhere.
Requests whose tool is not registered are skipped and counted as such.

    python bench/agent_eval.py [--file F] [--json]        # or: indexdesk eval [--file F] [--json]

Constraints on an argument (a bare value means "equals"; strings compare case-insensitively):
    {"approx": 0.99, "tol": 0.001}    number within tol (default 1e-6 relative)
    {"set": [...]}                    list with exactly these items, any order
    {"contains": [...]}               list holding at least these items
    {"one_of": [...]}                 one of these values
    {"regex": "..."}                  string matching the pattern (re.search)
    {"text_contains": "..."}          string containing this text
    {"names": [...]}                  weights/shocks naming exactly these (list of {name, ...} or a mapping)
    {"present": true} / {"absent": true}
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

EVAL_SET = Path(__file__).with_name("agent_eval_set.jsonl")


def load_cases(path: str | Path | None = None) -> list[dict]:
    cases = []
    for number, line in enumerate(Path(path or EVAL_SET).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            case = json.loads(line)
            case.setdefault("args", {})
            case["line"] = number
            cases.append(case)
    return cases


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().lower() == b.strip().lower()
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _names(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                out.append(str(next((item[k] for k in ("name", "index", "asset", "symbol") if k in item), "")))
            else:
                out.append(str(item))
        return out
    return []


def check(value: Any, constraint: Any) -> bool:
    """Does one argument value satisfy one constraint (see the module docstring)?"""
    if not isinstance(constraint, dict):
        return value is not None and _same(value, constraint)
    if constraint.get("absent"):
        return value is None
    if value is None:
        return False
    if "approx" in constraint:
        target = constraint["approx"]
        tol = constraint.get("tol", 1e-6 * max(1.0, abs(target)))
        return isinstance(value, (int, float)) and abs(value - target) <= tol
    if "set" in constraint:
        items = value if isinstance(value, list) else [value]
        return sorted(str(v).lower() for v in items) == sorted(str(v).lower() for v in constraint["set"])
    if "contains" in constraint:
        items = [str(v).lower() for v in (value if isinstance(value, list) else [value])]
        return all(str(v).lower() in items for v in constraint["contains"])
    if "one_of" in constraint:
        return any(_same(value, v) for v in constraint["one_of"])
    if "regex" in constraint:
        return isinstance(value, str) and re.search(constraint["regex"], value, re.I) is not None
    if "text_contains" in constraint:
        return isinstance(value, str) and constraint["text_contains"].lower() in value.lower()
    if "names" in constraint:
        return sorted(n.lower() for n in _names(value)) == sorted(n.lower() for n in constraint["names"])
    if constraint.get("present"):
        return True
    raise ValueError(f"unknown constraint {constraint!r}")


def expected_tool(case: dict, tool_names: list[str]) -> tuple[bool, str | None]:
    """(scorable, tool name): a regex expectation resolves to the registered tool it matches."""
    want = case.get("tool")
    if want is None:
        return True, None
    if isinstance(want, dict):
        match = next((n for n in tool_names if re.search(want["regex"], n)), None)
        return match is not None, match
    return want in tool_names, want


def score_case(case: dict, call: dict | None, tool: str | None) -> dict:
    """Pass/fail of one case given the model's first tool call ({name, args} or None)."""
    got_name = call["name"] if call else None
    failures = []
    if got_name != tool:
        failures.append(f"tool: expected {tool or 'no tool call'}, got {got_name or 'no tool call'}")
    elif call:
        args = call.get("args") or {}
        for name, constraint in case["args"].items():
            if not check(args.get(name), constraint):
                failures.append(f"{name}: {json.dumps(args.get(name), default=str)[:120]} fails {json.dumps(constraint)}")
    return {"request": case["request"], "tool_ok": got_name == tool, "ok": not failures, "failures": failures,
            "call": call}


def first_tool_call(bound_model: Any, system_prompt: str, request: str) -> dict | None:
    from langchain_core.messages import HumanMessage, SystemMessage

    reply = bound_model.invoke([SystemMessage(system_prompt), HumanMessage(request)])
    calls = getattr(reply, "tool_calls", None) or []
    return {"name": calls[0]["name"], "args": calls[0].get("args") or {}} if calls else None


def evaluate(ctx: Any, path: str | Path | None = None, *, model: Any = None, model_info: Any = None,
             registry: Any = None) -> dict:
    """Score the configured model (or `model`) on the eval set; returns the report as a dict."""
    from indexdesk.agent.model import make_chat_model
    from indexdesk.prompts import load_prompt
    from indexdesk.tools.adapters.langchain import langchain_tools

    if registry is None:
        from indexdesk.tools.toolbox import default_registry

        registry = default_registry()
    if model is None:
        model, model_info = make_chat_model(ctx.settings, tool_names=registry.names)
    bound = model.bind_tools(langchain_tools(registry, ctx))
    system_prompt = load_prompt("system")
    results, skipped, seconds = [], [], []
    for case in load_cases(path):
        scorable, tool = expected_tool(case, registry.names)
        if not scorable:
            skipped.append({"request": case["request"], "reason": f"tool {case['tool']} is not registered"})
            continue
        started = time.perf_counter()
        try:
            call = first_tool_call(bound, system_prompt, case["request"])
        except Exception as exc:  # noqa: BLE001 - a failed request scores zero and the run goes on
            call = {"name": f"<error: {type(exc).__name__}: {str(exc)[:120]}>", "args": {}}
        seconds.append(time.perf_counter() - started)
        results.append(score_case(case, call, tool))
    scored = len(results)
    return {
        "model": getattr(model_info, "name", None) or type(model).__name__,
        "offline": bool(getattr(model_info, "offline", False)),
        "eval_set": str(path or EVAL_SET),
        "cases": scored + len(skipped),
        "scored": scored,
        "skipped": skipped,
        "passed": sum(r["ok"] for r in results),
        "score": round(sum(r["ok"] for r in results) / scored, 4) if scored else None,
        "tool_accuracy": round(sum(r["tool_ok"] for r in results) / scored, 4) if scored else None,
        "median_seconds_per_request": round(statistics.median(seconds), 4) if seconds else None,
        "failures": [r for r in results if not r["ok"]],
    }


def format_report(report: dict) -> str:
    lines = [f"model: {report['model']}{' (offline router)' if report['offline'] else ''}",
             f"score: {report['passed']}/{report['scored']} = {report['score']} · right tool: {report['tool_accuracy']}"
             f" · median {report['median_seconds_per_request']} s/request",
             f"skipped: {len(report['skipped'])} (tool not registered)"]
    for item in report["skipped"]:
        lines.append(f"  - {item['request']!r}: {item['reason']}")
    for failure in report["failures"]:
        lines.append(f"FAIL {failure['request']!r}")
        lines += [f"     {reason}" for reason in failure["failures"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", help="JSONL eval set (default: bench/agent_eval_set.jsonl)")
    parser.add_argument("--json", action="store_true", help="machine-readable report")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from indexdesk.tools.context import ToolContext

    report = evaluate(ToolContext.from_settings(), args.file)
    print(json.dumps(report, indent=2, default=str) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
