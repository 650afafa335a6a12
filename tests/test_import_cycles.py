"""No import circles between our modules, lazy (function-level) imports included.

A circle hidden by a function-level import still means two modules that cannot be understood (or
moved) apart. The graph counts every import of an `indexdesk.` module at any depth of a file,
except those under `if TYPE_CHECKING:` (annotations only, never executed).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "tools", "memory", "prompts")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["indexdesk", *parts])


def _modules() -> dict[str, Path]:
    found = {"indexdesk": REPO / "__init__.py"}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, known: dict[str, Path]) -> set[str]:
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                out.add(submodule if submodule in known else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in out if m in known}


def import_graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(ast.parse(path.read_text()), known) - {name} for name, path in known.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def connect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found)


def test_the_detector_finds_a_circle_through_a_lazy_import():
    tree_a = ast.parse("def f():\n    from indexdesk.tools import b\n")
    tree_b = ast.parse("from indexdesk.tools.a import x\nif TYPE_CHECKING:\n    from indexdesk.tools import c\n")
    known = dict.fromkeys(["indexdesk.tools", "indexdesk.tools.a", "indexdesk.tools.b", "indexdesk.tools.c"], Path())
    graph = {"indexdesk.tools.a": _imports(tree_a, known), "indexdesk.tools.b": _imports(tree_b, known)}
    assert graph["indexdesk.tools.b"] == {"indexdesk.tools.a"}  # the TYPE_CHECKING import does not count
    assert circles(graph) == [["indexdesk.tools.a", "indexdesk.tools.b"]]


def test_no_import_circles():
    found = circles(import_graph())
    assert found == [], "import circles (lazy imports included):\n" + "\n".join(" ↔ ".join(c) for c in found)
