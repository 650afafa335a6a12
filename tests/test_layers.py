"""Imports flow one way: agent → tools → memory. Pure math modules import no I/O, CLI or agent code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {"memory": ("tools", "agent"), "tools": ("agent",), "prompts": ("tools", "agent", "memory")}
PURE_MATH = ["tools/metrics.py", "tools/indices/engine.py", "tools/risk/var_math.py", "tools/risk/normal_math.py", "tools/risk/montecarlo_math.py",
             "tools/risk/stress_math.py", "tools/risk/correlation_math.py", "tools/risk/sizing_math.py",
             "tools/strategy/backtest_math.py", "tools/strategy/rules_math.py", "tools/strategy/evaluation_math.py",
             "tools/strategy/tax_math.py", "memory/ledger/holding.py"]
PURE_ALLOWED = {"numpy", "pandas", "scipy", "math", "dataclasses", "typing", "collections", "__future__",
                "functools", "datetime", "decimal", "statistics", "tools", "memory"}


def layer_of(module: str) -> str:
    """`indexdesk.tools.registry` -> `tools`; anything outside the namespace -> its top-level name."""
    parts = module.split(".")
    return parts[1] if parts[0] == "indexdesk" and len(parts) > 1 else parts[0]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package):
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        for module in imported_modules(path):
            if layer_of(module) in FORBIDDEN[package]:
                offenders.append(f"{path.relative_to(REPO)} imports {module}")
    assert offenders == []


@pytest.mark.parametrize("relative", PURE_MATH)
def test_pure_math_modules_import_no_io(relative):
    modules = imported_modules(REPO / relative)
    assert {layer_of(m) for m in modules} <= PURE_ALLOWED, relative
    pure_or_model = {"indexdesk." + p[:-3].replace("/", ".") for p in PURE_MATH} | {"indexdesk.tools.indices.definitions"}
    assert [m for m in modules if m.startswith("indexdesk.") and m not in pure_or_model] == [], relative


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_outside_the_namespace(package):
    """`import tools` would pick up a host project's own package: every import of ours is `indexdesk.…`."""
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        offenders += [f"{path.relative_to(REPO)} imports {m}" for m in imported_modules(path)
                      if m.split(".")[0] in ("tools", "agent", "memory", "prompts")]
    assert offenders == []
