"""`serve mcp` run by hand in a terminal: it says it is waiting and how to stop, counts the tools
tools/list will list, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

INDEXDESK = shutil.which("indexdesk") or str(Path(sys.executable).with_name("indexdesk"))


@pytest.mark.parametrize("writes", [False, True])
def test_serve_mcp_in_a_terminal_announces_itself_and_stops_on_ctrl_c(tmp_path, writes):
    pexpect = pytest.importorskip("pexpect")
    from indexdesk.tools.adapters.mcp_server import tool_names
    from indexdesk.tools.toolbox import default_registry

    argv = ["serve", "mcp"] + (["--allow-writes"] if writes else [])
    child = pexpect.spawn(INDEXDESK, argv, env=dict(os.environ, INDEXDESK_HOME=str(tmp_path / "home")),
                          encoding="utf-8", timeout=120)
    try:
        child.expect(r"Ctrl-C to stop")
        announced = int(re.search(r"(\d+) tools", child.before).group(1))
        assert "Waiting for an MCP client" in child.before
        assert announced == len(tool_names(default_registry(), allow_writes=writes))
        time.sleep(0.5)
        child.sendintr()
        child.expect("stopped")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
