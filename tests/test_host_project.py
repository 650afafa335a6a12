"""The built wheel in a host project, as a user embedding indexdesk meets it.

A fresh venv gets the wheel (not editable, `--no-deps`); the dependencies already installed in
this venv are made visible by a `.pth` line naming our site-packages — a plain path line, so the
editable finder of the dev install is NOT activated there (checked: `indexdesk.__file__` lies in
the new venv). The host project has its own `tools/` package and `agent.py`, imports
`indexdesk.toolkit`, lists and calls a tool, and still imports its own `tools`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _source_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line and (REPO / line).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout (the build leaves no build/ or egg-info in the repo)."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the sources")
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    for name in _source_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(root / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    [built] = (root / "dist").glob("indexdesk-*.whl")
    return built


def test_the_wheel_holds_only_the_indexdesk_namespace(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    outside = [n for n in names if not n.startswith("indexdesk/") and not n.split("/", 1)[0].endswith(".dist-info")]
    assert outside == []
    assert "indexdesk/__init__.py" in names and "indexdesk/tools/toolkit.py" in names
    assert "indexdesk/tools/indices/catalogue.toml" in names
    assert any(n.startswith("indexdesk/prompts/") and n.endswith(".md") for n in names)
    assert not any(n.startswith(("indexdesk/tests/", "indexdesk/docs/", "indexdesk/bench/")) for n in names)


HOST_AGENT = '''
import json, sys
import tools                      # the host's own package, same name as our folder
from tools.context import HOST_CONTEXT
import agent_helpers
import indexdesk
from indexdesk import toolkit

names = toolkit.tool_names(groups=["market"])
result = toolkit.call("get_index_performance", {"indices": ["defi"], "window": "30d"})
print(json.dumps({"indexdesk_file": indexdesk.__file__, "tools_file": tools.__file__,
                  "host_context": HOST_CONTEXT, "helper": agent_helpers.HELPER, "names": names,
                  "all_names": toolkit.tool_names(), "result_names": [r["name"] for r in result.get("results", [])],
                  "error": result.get("error"), "editable_finders": [type(f).__name__ for f in sys.meta_path
                                                                     if "editable" in type(f).__module__.lower()]}))
'''


def test_a_host_project_with_its_own_tools_package_uses_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                              "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-3000:]
    new_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies of this venv, as a plain path: its .pth files (the editable finder) are not run.
    (new_site / "zz_dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    host = tmp_path / "host"
    (host / "tools").mkdir(parents=True)
    (host / "tools" / "__init__.py").write_text("NAME = 'host tools'\n")
    (host / "tools" / "context.py").write_text("HOST_CONTEXT = 'the host context'\n")
    (host / "agent_helpers.py").write_text("HELPER = 'host helper'\n")
    (host / "agent.py").write_text(HOST_AGENT)
    env = {"PATH": str(venv / "bin"), "HOME": str(tmp_path), "INDEXDESK_HOME": str(tmp_path / "indexdesk-home"),
           "INDEXDESK_SOURCE": "sample"}
    out = subprocess.run([str(python), "agent.py"], cwd=host, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])

    assert Path(seen["indexdesk_file"]).is_relative_to(venv), seen["indexdesk_file"]  # the wheel, not the checkout
    assert seen["editable_finders"] == []
    assert Path(seen["tools_file"]).is_relative_to(host) and seen["host_context"] == "the host context"
    assert seen["helper"] == "host helper"
    assert "get_index_performance" in seen["names"] and len(seen["all_names"]) >= len(seen["names"])
    assert seen["error"] is None and seen["result_names"] == ["defi"]
    console = subprocess.run([str(venv / "bin" / "indexdesk"), "tools", "list", "--json"], cwd=host, env=env,
                             capture_output=True, text=True, timeout=300)
    assert console.returncode == 0 and [t["name"] for t in json.loads(console.stdout)] == seen["all_names"]
