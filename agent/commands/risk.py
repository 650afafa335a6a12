"""`indexdesk var|stress|corr|size`: the risk tools from the command line, printed as tables.

    indexdesk var --weights BTC=0.6,defi=0.4 --confidence 99% --horizon 30 --method monte_carlo
    indexdesk stress --weights BTC=0.5,LUNA=0.2 --scenarios luna_collapse_2022 exchange_failure
    indexdesk corr BTC ETH defi layer1 --window 180d --rolling BTC ETH [--plot corr.png]
    indexdesk size BTC ETH defi --target 40%

Each runs its tool through the one CLI path (agent/commands/run.py) and draws its view
(agent/terminal_views.py). Only the standard library is imported here.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    """Flags come from each tool's parameters (agent/commands/tool_args.py): its defaults, choices and help."""
    from indexdesk.agent.commands.run import tool_command

    tool_command(subparsers, "var", "compute_var", help="Value at Risk and CVaR of a portfolio, with each holding's part",
                 flags={"horizon_days": "--horizon", "portfolio_value": "--value"}, view="VAR",
                 progress="computing VaR")
    tool_command(subparsers, "stress", "stress_test", help="P&L in historical crises and hypothetical shocks",
                 flags={"portfolio_value": "--value"}, view="STRESS", progress="replaying the scenarios")
    p = tool_command(subparsers, "corr", "analyze_correlation", help="correlation matrix; pairs that are the same bet twice",
                     positional="indices", flags={"rolling_pair": "--rolling"}, handler=cmd_corr)
    p.add_argument("--plot", metavar="PNG", help="draw the rolling correlation of the --rolling pair to this PNG")
    tool_command(subparsers, "size", "size_positions", help="volatility-targeted position sizes", positional="indices",
                 flags={"target_volatility": "--target", "allow_leverage": "--leverage"}, view="SIZE")


def cmd_corr(args: argparse.Namespace) -> int:
    from indexdesk.agent.commands.run import run_tool

    run = run_tool(args, "analyze_correlation")
    if run.result is not None or run.code == 0:
        _plot_rolling(args, run)
    if run.done:
        return run.code
    from indexdesk.agent.terminal import render
    from indexdesk.agent.terminal_views import corr_view

    render(run.result, "analyze_correlation", corr_view(run.result), wide=args.wide)
    return 0


def _plot_rolling(args: argparse.Namespace, run) -> None:
    """The rolling correlation of the pair as a picture: where the pair moved together, and when."""
    if not getattr(args, "plot", None):
        return
    from indexdesk.agent.commands.tool_args import tool_arguments
    from indexdesk.tools.registry import dumps
    from indexdesk.tools.toolbox import default_registry

    result = run.result
    if result is None:  # --json printed it: compute it again for the picture (cheap: cached prices)
        import json

        result = json.loads(dumps(default_registry().call("analyze_correlation", tool_arguments(args), run.ctx)))
    rolling = result.get("rolling") if isinstance(result, dict) else None
    if not rolling:
        print("no chart: give the pair with --rolling A B", file=sys.stderr)
        return
    from indexdesk.tools.charts import rolling_correlation_chart

    path = rolling_correlation_chart(rolling["dates"], rolling["values"], args.plot,
                                     f"rolling {rolling['window_days']}-day correlation {'/'.join(rolling['pair'])}")
    print(f"chart: {path}", file=sys.stderr)
