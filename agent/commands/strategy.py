"""`indexdesk rotate|rebalance|backtest|attribution|tiers|harvest`: the strategy tools as tables.

    indexdesk rotate momentum --tilt 0.075
    indexdesk rebalance asymmetric_bands --weights large_cap=0.3,defi=0.16,memecoins=0.1
    indexdesk backtest momentum --start 2021-01-01 --plot bt.png
    indexdesk backtest momentum --sweep lookback=30:180:30 tilt=0.05,0.075,0.1 cadence=weekly,monthly,quarterly
    indexdesk attribution --start 2025-07-01 --end 2025-09-30

Only the standard library is imported here; flags the user did not give are left out, so the
tools' own defaults apply.
"""

from __future__ import annotations

import argparse
import sys

S = argparse.SUPPRESS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Flags come from each tool's parameters (agent/commands/tool_args.py): its defaults, choices and help;
    each command runs its tool through the one CLI path (agent/commands/run.py) and draws its view."""
    from indexdesk.agent.commands.run import tool_command
    from indexdesk.agent.commands.tool_args import PREFIX

    tool_command(subparsers, "rotate", "propose_rotation", positional="strategy", view="ROTATE",
                 help="rotation proposal for today, with trades, costs and its backtest", progress="backtesting the rule")
    tool_command(subparsers, "rebalance", "check_rebalance", positional="policy", view="REBALANCE",
                 help="whether to rebalance today, the trades and their tax", progress="checking the bands")
    p = tool_command(subparsers, "backtest", "backtest", positional="strategy", skip=("sweep",), handler=cmd_backtest,
                     help="daily backtest of a rule vs static targets; --sweep a grid")
    # A grid is several words (`lookback=30:180:30 tilt=0.05,0.1`); tool_arguments joins them back.
    p.add_argument("--sweep", nargs="+", dest=PREFIX + "sweep", default=S, metavar="KEY=VALUES",
                   help="e.g. lookback=30:180:30 tilt=0.05,0.1 cadence=weekly,monthly (or: default)")
    p.add_argument("--plot", metavar="PNG", help="draw growth of 1 (log scale) and drawdowns to this PNG file")
    tool_command(subparsers, "attribution", "attribute_performance", view="ATTRIBUTION",
                 help="return split into beta, selection, timing and cost drag")
    tool_command(subparsers, "tiers", "tier_allocation", view="TIERS",
                 help="market regime and the core/satellite/speculative targets for it")
    tool_command(subparsers, "harvest", "harvest_losses", view="HARVEST", help="ledger lots with losses worth harvesting")


def _arguments(args: argparse.Namespace) -> dict:
    from indexdesk.agent.commands.tool_args import tool_arguments

    return tool_arguments(args)


def cmd_backtest(args: argparse.Namespace) -> int:
    from indexdesk.agent.commands.run import run_tool

    label = "sweeping the grid (walk-forward)" if _arguments(args).get("sweep") else "backtesting"
    run = run_tool(args, "backtest", progress=label)
    if run.code == 0 and args.plot:
        _plot(run.ctx, args)
    if run.done:
        return run.code
    from indexdesk.agent.terminal import render
    from indexdesk.agent.terminal_views import BACKTEST

    render(run.result, "backtest", BACKTEST, wide=args.wide)
    return 0


def _plot(ctx, args: argparse.Namespace) -> None:
    """Equity curves of the rule, the static targets and buy-and-hold, from the same context."""
    import pandas as pd

    from indexdesk.tools.charts import equity_drawdown_chart
    from indexdesk.tools.strategy import backtest_math as bm
    from indexdesk.tools.strategy import runs
    from indexdesk.tools.strategy.backtest_tools import prepare
    from indexdesk.tools.strategy.holdings_panel import btc_volatility

    from indexdesk.tools.registry import spec_of
    from indexdesk.tools.strategy.backtest_tools import backtest

    # The same validation the tool applies, so the chart reads the arguments exactly as the tool did.
    given = spec_of(backtest).params_model.model_validate(_arguments(args))
    warnings: list[str] = []
    rule, lookback, tilt, universe, start_pos, pair = prepare(
        ctx, given.strategy, given.lookback, given.tilt, given.weights, given.start, given.end, warnings)
    kind = given.policy
    trigger = (btc_volatility(ctx, universe.prices.index).to_numpy() > 0.8) if kind == "volatility_trigger" else None
    run = runs.backtest(universe, rule, lookback, tilt, bm.Policy(kind, given.cadence),
                        given.cost_bps, start_pos, pair, trigger)
    curves = pd.DataFrame({rule: run.net.equity, "static targets": run.static.equity,
                           "buy and hold": run.hold.equity}, index=run.dates)
    path = equity_drawdown_chart(curves, args.plot, f"{rule} vs static targets ({universe.source})")
    print(f"chart: {path}", file=sys.stderr)


