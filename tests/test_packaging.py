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


def test_import_indexdesk_toolkit_works_in_a_fresh_process(tmp_path):
    """Both spellings reach the one module: `import indexdesk.toolkit` and `from indexdesk import toolkit`."""
    code = ("import indexdesk.toolkit as a; from indexdesk import toolkit as b; import indexdesk.tools.toolkit as c;"
            "print(a is b is c, callable(a.http_app))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True True"


def test_provider_tests_skip_rather_than_fail_without_shared_data(tmp_path):
    """The README promises real-data tests skip without ../shared: a fixture read in the server thread
    used to raise pytest's Skip there (a 500 to the client, so the test failed)."""
    env = {**__import__("os").environ, "INDEXDESK_SHARED_DATA": str(tmp_path / "absent")}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                          str(REPO / "tests" / "test_providers.py")], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:]
    assert " failed" not in out.stdout and "skipped" in out.stdout
