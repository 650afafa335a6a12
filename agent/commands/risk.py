"""`indexdesk var|stress|corr|size`: the risk tools from the command line, printed as tables.

    indexdesk var --weights BTC=0.6,defi=0.4 --confidence 0.99 --horizon 30 --method monte_carlo
    indexdesk stress --weights BTC=0.5,LUNA=0.2 --scenarios luna_collapse_2022 exchange_failure
    indexdesk corr BTC ETH defi layer1 --window 180d --rolling BTC ETH
    indexdesk size BTC ETH defi --target 0.4

Only the standard library is imported here; the tools load when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    """Flags come from each tool's parameters (agent/commands/tool_args.py): its defaults, choices and help."""
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.tool_args import add_tool_arguments

    p = subparsers.add_parser("var", help="Value at Risk and CVaR of a portfolio, with each holding's part")
    add_source_options(p)
    add_tool_arguments(p, "compute_var", flags={"horizon_days": "--horizon", "portfolio_value": "--value"})
    p.add_argument("--json", action="store_true", help="print the tool's JSON result")
    p.set_defaults(func=cmd_var)

    p = subparsers.add_parser("stress", help="P&L in historical crises and hypothetical shocks")
    add_source_options(p)
    add_tool_arguments(p, "stress_test", flags={"portfolio_value": "--value"})
    p.add_argument("--json", action="store_true", help="print the tool's JSON result")
    p.set_defaults(func=cmd_stress)

    p = subparsers.add_parser("corr", help="correlation matrix; pairs that are the same bet twice")
    add_source_options(p)
    add_tool_arguments(p, "analyze_correlation", positional="indices", flags={"rolling_pair": "--rolling"})
    p.add_argument("--json", action="store_true", help="print the tool's JSON result")
    p.set_defaults(func=cmd_corr)

    p = subparsers.add_parser("size", help="volatility-targeted position sizes")
    add_source_options(p)
    add_tool_arguments(p, "size_positions", positional="indices",
                       flags={"target_volatility": "--target", "allow_leverage": "--leverage"})
    p.add_argument("--json", action="store_true", help="print the tool's JSON result")
    p.set_defaults(func=cmd_size)


def _call(args: argparse.Namespace, tool_name: str) -> tuple[dict | None, int]:
    """Run one risk tool with the arguments the user gave: (result to render, or None when done; exit code)."""
    from indexdesk.agent.cli import EXIT_TOOL_ERROR, make_context
    from indexdesk.agent.commands.tool_args import tool_arguments
    from indexdesk.tools.registry import Registry, is_error, spec_of
    from indexdesk.tools.risk import tools as risk_tools

    registry = Registry([spec_of(getattr(risk_tools, tool_name))])
    result = registry.call(tool_name, tool_arguments(args), make_context(args))
    if is_error(result):
        print(f"error: {result['error']}", file=sys.stderr)
        if result.get("hint"):
            print(f"hint: {result['hint']}", file=sys.stderr)
        return None, EXIT_TOOL_ERROR
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return None, 0
    return result, 0


def _footer(console, result: dict) -> None:
    origin = f"holdings: {result['origin']}; " if result.get("origin") else ""
    console.print(f"[dim]{origin}source {result['source']}, as of {result.get('as_of')}[/]")
    for warning in result.get("warnings") or []:
        console.print(f"[yellow]warning:[/] {warning}")


def cmd_var(args: argparse.Namespace) -> int:
    result, code = _call(args, "compute_var")
    if result is None:
        return code
    from rich.console import Console
    from rich.table import Table

    from indexdesk.agent.render import unit_formatter

    f = unit_formatter("compute_var")
    console = Console()
    title = (f"{result['method']} VaR, {result['confidence'] * 100:g}% confidence, {result['horizon_days']}-day horizon "
             f"({result['start']}..{result['end']})")
    table = Table(title=title)
    for column in ("holding", "weight", "VaR part", "CVaR part", "VaR amount", "share of VaR"):
        table.add_column(column, justify="left" if column == "holding" else "right")
    for c in result["components"]:
        table.add_row(c["name"], f("components.weight", c["weight"], 1), f("components.var", c["var"]),
                      f("components.cvar", c["cvar"]), f("components.var_amount", c["var_amount"], 0),
                      f("components.share_of_var", c["share_of_var"], 1))
    table.add_row("[bold]portfolio[/]", f("cash_weight", 1 - result["cash_weight"], 1), f"[bold]{f('var', result['var'])}[/]",
                  f"[bold]{f('cvar', result['cvar'])}[/]", f"[bold]{f('var_amount', result['var_amount'], 0)}[/]",
                  f("components.share_of_var", 1.0, 1))
    console.print(table)
    console.print(f"CVaR {f('cvar', result['cvar'])} = {f('cvar_amount', result['cvar_amount'], 0)}; "
                  f"tail ratio {result['tail_note']}")
    console.print(f"[dim]{result['method_notes']}[/]")
    _footer(console, result)
    return 0


def cmd_stress(args: argparse.Namespace) -> int:
    result, code = _call(args, "stress_test")
    if result is None:
        return code
    from rich.console import Console
    from rich.table import Table

    from indexdesk.agent.render import unit_formatter

    f = unit_formatter("stress_test")
    console = Console()
    table = Table(title=f"stress test, portfolio {f('portfolio_value', result['portfolio_value'], 0)}")
    table.add_column("scenario", no_wrap=True)
    for column in ("window", "P&L", "amount", "max DD", "worst"):
        table.add_column(column, justify="right" if column in ("P&L", "amount", "max DD") else "left")
    for s in result["scenarios"]:
        end = str(s.get("end"))
        window = (f"{s['start']}→{end[5:] if end[:4] == str(s['start'])[:4] else end}" if s.get("start")
                  else "instant")
        style = "red" if (s["pnl"] or 0) < 0 else "green"
        table.add_row(s["scenario"], window, f"[{style}]{f('scenarios.pnl', s['pnl'], 1)}[/]",
                      f("scenarios.pnl_amount", s["pnl_amount"], 0), f("scenarios.max_drawdown", s["max_drawdown"], 1),
                      s.get("worst_contributor") or "–")
    console.print(table)
    for s in result["scenarios"]:
        for note in s.get("notes") or []:
            console.print(f"[dim]{s['scenario']}: {note}[/]")
    _footer(console, result)
    return 0


def cmd_corr(args: argparse.Namespace) -> int:
    result, code = _call(args, "analyze_correlation")
    if result is None:
        return code
    from rich.console import Console
    from rich.table import Table

    console = Console()
    names = result["names"]
    table = Table(title=f"correlation of daily returns {result['start']}..{result['end']} "
                        f"(average {result['average_correlation']})")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right")
    for name, row in zip(names, result["matrix"]):
        cells = ["–" if v is None else (f"[red]{v:.2f}[/]" if v >= 0.9 and n != name else f"{v:.2f}")
                 for n, v in zip(names, row)]
        table.add_row(name, *cells)
    console.print(table)
    for line in result["suggestions"]:
        console.print(f"• {line}")
    rolling = result.get("rolling")
    if rolling:
        points = ", ".join(f"{d[5:]} {v:.2f}" for d, v in zip(rolling["dates"], rolling["values"]))
        console.print(f"rolling {rolling['window_days']}d {'/'.join(rolling['pair'])}: latest {rolling['latest']}, "
                      f"range {rolling['low']}..{rolling['high']}\n[dim]{points}[/]")
    _footer(console, result)
    return 0


def cmd_size(args: argparse.Namespace) -> int:
    result, code = _call(args, "size_positions")
    if result is None:
        return code
    from rich.console import Console
    from rich.table import Table

    from indexdesk.agent.render import unit_formatter

    f = unit_formatter("size_positions")
    console = Console()
    table = Table(title=f"volatility target {f('target_volatility', result['target_volatility'], 0)} "
                        f"({result['start']}..{result['end']})")
    for column in ("holding", "volatility", "base weight", "new weight", "change"):
        table.add_column(column, justify="left" if column == "holding" else "right")
    for p in result["positions"]:
        table.add_row(p["name"], f("positions.volatility", p["volatility"], 1), f("positions.base_weight", p["base_weight"], 1),
                      f("positions.weight", p["weight"], 1),
                      ("+" if (p["change"] or 0) > 0 else "") + f("positions.change", p["change"], 1))
    table.add_row("cash", "", "", f("cash", result["cash"], 1), "")
    console.print(table)
    for note in result["notes"]:
        console.print(f"• {note}")
    _footer(console, result)
    return 0
