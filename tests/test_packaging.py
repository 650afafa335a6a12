"""The folders install as one namespace, `indexdesk.*`: every package folder is listed in pyproject."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("agent", "tools", "memory", "prompts")


def declared_packages() -> set[str]:
    return set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_declared():
    on_disk = {"indexdesk"} | {
        "indexdesk." + ".".join(init.parent.relative_to(REPO).parts)
        for folder in FOLDERS for init in (REPO / folder).rglob("__init__.py")
        if "__pycache__" not in init.parts}
    assert on_disk - declared_packages() == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert declared_packages() - on_disk == set(), "pyproject lists packages with no folder"


def test_console_script_points_into_the_namespace():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"indexdesk": "indexdesk.agent.cli:main"}


def test_bare_top_level_names_do_not_resolve_outside_the_checkout(tmp_path):
    """Installed, only `indexdesk` is importable: `import tools` belongs to the host project."""
    code = ("import importlib.util as u, indexdesk.tools.registry as r;"
            "print([n for n in ('tools','agent','memory','prompts') if u.find_spec(n)]);"
            "print(r.__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "indexdesk.tools.registry"]
