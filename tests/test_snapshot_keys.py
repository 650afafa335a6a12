"""The snapshots `ask` and `serve mcp` start from (router_tools, mcp_tools, tool_params) are keyed so
that a changed tool is seen: an edited plugin installed in editable mode changes the key, and two
installs sharing one cache directory keep each other's snapshots."""

from __future__ import annotations

import json
import os
import sys

from indexdesk.agent.commands import tool_args


def _editable_plugin(tmp_path, *, editable: bool = True):
    """A plugin installed the way `pip install -e` leaves it: a dist-info on the path (with
    direct_url.json) and the code in the project folder, also on the path (as a .pth would put it)."""
    site, project = tmp_path / "site", tmp_path / "project"
    (project / "edit_plugin").mkdir(parents=True)
    (project / "edit_plugin" / "__init__.py").write_text("")
    (project / "edit_plugin" / "helpers.py").write_text("SCALE = 1\n")
    (project / "edit_plugin" / "tools.py").write_text("from edit_plugin.helpers import SCALE\n")
    dist = site / "edit_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: edit-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[console_scripts]\nx = edit_plugin.cli:main\n\n"
                                           "[indexdesk.tools]\nscaled = edit_plugin.tools\n")
    (dist / "direct_url.json").write_text(json.dumps(
        {"url": project.as_uri(), "dir_info": {"editable": True} if editable else {}}))
    return site, project / "edit_plugin"


def _touch_later(path):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_editing_an_editable_plugins_code_changes_the_fingerprint(tmp_path, monkeypatch):
    site, package = _editable_plugin(tmp_path)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(package.parent))
    before = tool_args.fingerprint()
    _touch_later(package / "tools.py")  # the entry point's own module
    after_tool = tool_args.fingerprint()
    assert after_tool != before
    (package / "helpers.py").write_text("SCALE = 2  # a helper the tool module imports\n")
    _touch_later(package / "helpers.py")
    assert tool_args.fingerprint() not in (before, after_tool)
    assert "edit_plugin" not in sys.modules  # found without importing the plugin


def test_a_plugin_installed_normally_is_keyed_by_its_dist_info_only(tmp_path, monkeypatch):
    site, package = _editable_plugin(tmp_path, editable=False)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(package.parent))
    before = tool_args.fingerprint()
    _touch_later(package / "tools.py")
    assert tool_args.fingerprint() == before  # a wheel's files change only with a reinstall (a new dist-info)


def test_installs_sharing_the_cache_directory_keep_each_others_snapshots(tmp_path, monkeypatch):
    monkeypatch.setenv("INDEXDESK_CACHE_DIR", str(tmp_path / "cache"))
    assert tool_args.cached_snapshot("mcp_tools", lambda: {"from": "first"}) == {"from": "first"}
    first = list((tmp_path / "cache").glob("mcp_tools-*.json"))
    # A second install (another venv): another interpreter prefix and other distributions on its path.
    other_site = tmp_path / "other_venv_site"
    (other_site / "something-1.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "other_venv"))
    monkeypatch.syspath_prepend(str(other_site))
    assert tool_args.cached_snapshot("mcp_tools", lambda: {"from": "second"}) == {"from": "second"}
    assert len(first) == 1 and first[0].exists()  # the first install's snapshot is still there
    assert len(list((tmp_path / "cache").glob("mcp_tools-*.json"))) == 2
    # The same install's older snapshot goes when its key changes.
    (other_site / "another-2.0.dist-info").mkdir()
    assert tool_args.cached_snapshot("mcp_tools", lambda: {"from": "second, again"}) == {"from": "second, again"}
    names = sorted(p.name for p in (tmp_path / "cache").glob("mcp_tools-*.json"))
    assert len(names) == 2 and first[0].name in names
