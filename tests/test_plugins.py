"""A tool is one module, or a plugin: from its spec alone it reaches every surface.

The plugin here is a real installed distribution as far as Python can tell: a package and a
`*.dist-info` folder with `entry_points.txt` on `sys.path` (PYTHONPATH), found through
importlib.metadata like any pip-installed plugin. Beside the good plugin sit a broken one (its
module fails to import) and one whose tool takes a built-in tool's name: both are reported and
skipped, and the CLI keeps working.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel

from indexdesk.tools.context import ToolContext

PLUGIN_TOOLS = textwrap.dedent('''
    """A third party's tools: what a contributor writes, and nothing else."""

    from __future__ import annotations

    from pydantic import BaseModel

    from indexdesk.toolkit import Count, Fraction, ToolContext, ToolError, tool


    class Drawdown(BaseModel):
        rank: Count
        depth: Fraction


    class DrawdownTable(BaseModel):
        name: str
        drawdowns: list[Drawdown]
        warnings: list[str] = []


    @tool(category="market", examples=("worst drawdowns of BTC", "show me the deepest drawdown table for defi",
                                       "list the biggest peak to trough falls"))
    def max_drawdown_table(ctx: ToolContext, name: str, top: int = 3) -> DrawdownTable:
        """The deepest peak-to-trough falls of an index or asset, deepest first.

        Args:
            name: catalogue index or asset symbol.
            top: how many drawdowns to list (1-10).
        """
        if not 1 <= top <= 10:
            raise ToolError(f"top must be 1-10, not {top}", hint="try top=3")
        levels = [100.0, 80.0, 90.0, 45.0, 60.0, 30.0][: 3 + top]
        peak, depths = levels[0], []
        for level in levels:
            peak = max(peak, level)
            depths.append(level / peak - 1)
        ranked = sorted(set(depths))[:top]
        return DrawdownTable(name=name, drawdowns=[Drawdown(rank=i + 1, depth=d) for i, d in enumerate(ranked)])
''')

CLASHING = textwrap.dedent('''
    from indexdesk.toolkit import ToolContext, tool


    @tool(category="market")
    def get_index_performance(ctx: ToolContext, name: str) -> dict:
        """A plugin trying to replace a built-in tool.

        Args:
            name: anything.
        """
        return {}
''')


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    package = site / "demo_plugin"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "drawdowns.py").write_text(PLUGIN_TOOLS)
    (package / "clash.py").write_text(CLASHING)
    (package / "broken.py").write_text("import a_module_that_is_not_installed\n")
    dist = site / "demo_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[indexdesk.tools]\ndrawdowns = demo_plugin.drawdowns\nbroken = demo_plugin.broken\nclash = demo_plugin.clash\n")
    return site


@pytest.fixture
def plugin_env(plugin_site, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INDEXDESK_")}
    env.update(PYTHONPATH=str(plugin_site), INDEXDESK_HOME=str(tmp_path / "home"),
               INDEXDESK_CACHE_DIR=str(tmp_path / "cache"))
    return env


def _cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "indexdesk.agent.cli", *args], env=env, capture_output=True,
                         text=True, timeout=180)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def test_the_cli_lists_the_plugin_tool_with_its_origin_and_reports_bad_plugins(plugin_env):
    out = _cli(plugin_env, "tools", "list", "--json")
    listed = {t["name"]: t for t in json.loads(out.stdout)}
    assert listed["max_drawdown_table"]["origin"] == "plugin drawdowns (demo-plugin 0.1)"
    assert listed["max_drawdown_table"]["examples"][0] == "worst drawdowns of BTC"
    assert listed["get_index_performance"]["origin"] == "indexdesk"  # the clash did not replace ours
    assert "plugin broken (demo-plugin 0.1): could not load" in out.stderr
    assert "a_module_that_is_not_installed" in out.stderr
    assert "plugin clash (demo-plugin 0.1): tool 'get_index_performance' skipped: its name is already taken" in out.stderr


def test_the_generic_cli_calls_the_plugin_tool_with_generated_flags(plugin_env):
    out = _cli(plugin_env, "tools", "call", "max_drawdown_table", "--name", "BTC", "--top", "2")
    result = json.loads(out.stdout)
    assert result["name"] == "BTC"
    # levels 100, 80, 90, 45, 60: below the 100 peak by -20 %, -10 %, -55 %, -40 %; the two deepest
    assert [round(d["depth"], 4) for d in result["drawdowns"]] == [-0.55, -0.4]
    help_text = _cli(plugin_env, "tools", "call", "max_drawdown_table", "--help").stdout
    assert "--top" in help_text and "how many drawdowns to list" in help_text
    refused = _cli(plugin_env, "tools", "call", "max_drawdown_table", "--name", "BTC", "--top", "11", check=False)
    assert refused.returncode == 1 and "top must be 1-10" in json.loads(refused.stdout)["error"]


SURFACES = textwrap.dedent('''
    import asyncio, json, sys
    from fastapi.testclient import TestClient
    from mcp import Client

    from indexdesk import toolkit
    from indexdesk.agent.tool_selection import ToolSelector
    from indexdesk.tools.adapters.openai_schema import check_strict
    from indexdesk.tools.toolbox import default_registry

    out = {}
    registry = default_registry()
    out["problems"] = len(registry.problems)
    schema = toolkit.openai_tools(include="max_drawdown_table")[0]["function"]
    out["openai_strict"] = schema["strict"] and check_strict(schema["parameters"]) == []
    out["openai_description"] = schema["description"]
    lc = toolkit.langchain_tools(include="max_drawdown_table")[0]
    out["langchain"] = json.loads(lc.invoke({"name": "defi", "top": 1}))["drawdowns"][0]["depth"]
    out["call"] = toolkit.call("max_drawdown_table", {"name": "defi"})["name"]

    async def mcp_tools():
        async with Client(toolkit.mcp_server(include=["max_drawdown_table", "compute_var"])) as client:
            listed = {t.name: t for t in (await client.list_tools()).tools}
            called = await client.call_tool("max_drawdown_table", {"name": "ETH", "top": 1})
            return sorted(listed), listed["max_drawdown_table"].output_schema is not None, called.structured_content
    names, has_output_schema, structured = asyncio.run(mcp_tools())
    out["mcp"] = names
    out["mcp_output_schema"] = has_output_schema
    out["mcp_result"] = structured["name"]

    with TestClient(toolkit.http_app(include="max_drawdown_table"), base_url="http://127.0.0.1") as client:
        out["http"] = client.post("/tools/max_drawdown_table", json={"name": "SOL", "top": 2}).json()["name"]

    selector = ToolSelector(registry, embedder=None, max_tools=4)
    out["selected"] = selector.select("what were the worst drawdowns of BTC").names
    print(json.dumps(out))
''')


def test_every_adapter_and_the_selector_serve_the_plugin_tool(plugin_env):
    out = subprocess.run([sys.executable, "-c", SURFACES], env=plugin_env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["problems"] == 2  # the broken and the clashing plugin, skipped
    assert seen["openai_strict"] is True
    assert seen["openai_description"] == "The deepest peak-to-trough falls of an index or asset, deepest first."
    assert seen["langchain"] == pytest.approx(-0.55)
    assert seen["call"] == "defi"
    assert seen["mcp"] == ["compute_var", "max_drawdown_table"]
    assert seen["mcp_output_schema"] is True and seen["mcp_result"] == "ETH"
    assert seen["http"] == "SOL"
    assert "max_drawdown_table" in seen["selected"]


def test_a_registry_without_plugins_and_a_bad_spec_is_refused_at_registration():
    from indexdesk.tools.registry import tool
    from indexdesk.tools.toolbox import default_registry

    assert all(spec.origin == "indexdesk" for spec in default_registry(plugins=False))
    with pytest.raises(TypeError, match="examples= takes a list"):
        @tool(category="market", examples="one string")
        def lonely(name: str) -> dict:
            """Doc.

            Args:
                name: a name.
            """
            return {}


class MyContext(ToolContext):
    """A host's own context with more dependencies: still the context."""


class ToolContextLookalike(BaseModel):
    """Named like the context, but an ordinary parameter model (matched by name, it vanished from the schema)."""

    region: str = "eu"


def test_the_context_parameter_is_found_by_its_type_not_its_name():
    from indexdesk.tools.registry import build_spec

    def by_subclass(ctx: MyContext, name: str) -> dict:
        """Doc.

        Args:
            name: a name.
        """
        return {}

    def by_name_only(ctx: ToolContextLookalike, name: str) -> dict:
        """Doc.

        Args:
            ctx: not a context, whatever its type is called.
            name: a name.
        """
        return {}

    assert build_spec(by_subclass, category="market").takes_context is True
    spec = build_spec(by_name_only, category="market")
    assert spec.takes_context is False and "ctx" in spec.params_model.model_fields
