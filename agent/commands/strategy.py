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
import json
import sys

S = argparse.SUPPRESS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Flags come from each tool's parameters (agent/commands/tool_args.py): its defaults, choices and help."""
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.tool_args import PREFIX, add_tool_arguments

    p = subparsers.add_parser("rotate", help="rotation proposal for today, with trades, costs and its backtest")
    add_source_options(p)
    add_tool_arguments(p, "propose_rotation", positional="strategy")
    _json(p)
    p.set_defaults(func=cmd_rotate)

    p = subparsers.add_parser("rebalance", help="whether to rebalance today, the trades and their tax")
    add_source_options(p)
    add_tool_arguments(p, "check_rebalance", positional="policy")
    _json(p)
    p.set_defaults(func=cmd_rebalance)

    p = subparsers.add_parser("backtest", help="daily backtest of a rule vs static targets; --sweep a grid")
    add_source_options(p)
    add_tool_arguments(p, "backtest", positional="strategy", skip=("sweep",))
    # A grid is several words (`lookback=30:180:30 tilt=0.05,0.1`); tool_arguments joins them back.
    p.add_argument("--sweep", nargs="+", dest=PREFIX + "sweep", default=S, metavar="KEY=VALUES",
                   help="e.g. lookback=30:180:30 tilt=0.05,0.1 cadence=weekly,monthly (or: default)")
    p.add_argument("--plot", metavar="PNG", help="draw the equity curves to this PNG file")
    _json(p)
    p.set_defaults(func=cmd_backtest)

    p = subparsers.add_parser("attribution", help="return split into beta, selection, timing and cost drag")
    add_source_options(p)
    add_tool_arguments(p, "attribute_performance")
    _json(p)
    p.set_defaults(func=cmd_attribution)

    p = subparsers.add_parser("tiers", help="market regime and the core/satellite/speculative targets for it")
    add_source_options(p)
    add_tool_arguments(p, "tier_allocation")
    _json(p)
    p.set_defaults(func=cmd_tiers)

    p = subparsers.add_parser("harvest", help="ledger lots with losses worth harvesting")
    add_source_options(p)
    add_tool_arguments(p, "harvest_losses")
    _json(p)
    p.set_defaults(func=cmd_harvest)


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the tool's JSON result")


def _arguments(args: argparse.Namespace) -> dict:
    from indexdesk.agent.commands.tool_args import tool_arguments

    return tool_arguments(args)


def _call(args: argparse.Namespace, tool_name: str):
    """(ctx, result as the model sees it) or (None, None) after printing an error or the JSON."""
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.registry import Registry, dumps, is_error, spec_of
    from indexdesk.tools.strategy import backtest_tools, harvest, tools

    module = next(m for m in (tools, backtest_tools, harvest) if hasattr(m, tool_name))
    ctx = make_context(args)
    result = Registry([spec_of(getattr(module, tool_name))]).call(tool_name, _arguments(args), ctx)
    if is_error(result):
        print(f"error: {result['error']}", file=sys.stderr)
        if result.get("hint"):
            print(f"hint: {result['hint']}", file=sys.stderr)
        return None, None
    text = dumps(result)
    if args.json:
        print(text)
        return ctx, None
    return ctx, json.loads(text)


def _pct(value, signed: bool = False) -> str:
    if value is None:
        return "–"
    if abs(value) >= 10:
        return f"x{1 + value:,.0f}"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def _console():
    from rich.console import Console

    return Console(width=80) if not sys.stdout.isatty() else Console()


def _table(title: str, columns: list[str], caption: str | None = None):
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, caption=caption)
    for column in columns:
        table.add_column(column, justify="left" if column in ("name", "tier", "note", "lot", "why", "config")
                         else "right", overflow="fold")
    return table


def _header(console, result: dict) -> None:
    """Above the numbers: the sample-market warning (when valued at it) and where the prices come from."""
    from indexdesk.tools.price_provenance import header_lines

    sample, prices = header_lines(result)
    for line in sample:
        console.print(f"[bold red]{line}[/]", highlight=False)
    if prices:
        console.print(f"[dim]{prices}[/]", highlight=False)


def _footer(console, result: dict) -> None:
    from indexdesk.tools.price_provenance import SAMPLE_MARKER

    for warning in result.get("warnings") or []:
        if not warning.startswith(SAMPLE_MARKER):  # already in the header
            console.print(f"[yellow]note:[/] {warning}", highlight=False)


def _weights_table(title: str, result: dict, with_signal: bool):
    columns = ["name", "tier", "now", "target", "trade"] + (["signal", "note"] if with_signal else ["note"])
    table = _table(title, columns, caption=f"holdings: {result['origin']}")
    for line in result["lines"]:
        cells = [line["name"], line["tier"], _pct(line["current"]), _pct(line["target"]), _pct(line["trade"], True)]
        if with_signal:
            cells.append(_pct(line["signal"], True))
        cells.append(line["note"])
        table.add_row(*cells)
    return table


def cmd_rotate(args: argparse.Namespace) -> int:
    _, result = _call(args, "propose_rotation")
    if result is None:
        return 0 if args.json and _ else 1
    console = _console()
    _header(console, result)
    console.print(_weights_table(f"{result['strategy']} rotation, lookback {result['lookback']}d, "
                                 f"tilt {result['tilt']:.1%}", result, True))
    console.print(f"turnover {_pct(result['turnover'])}, estimated cost {_pct(result['estimated_cost'])} "
                  f"({result['estimated_cost_amount']:,.2f})", highlight=False)
    console.print(f"backtest: {result['backtest']}", highlight=False)
    _footer(console, result)
    return 0


def cmd_rebalance(args: argparse.Namespace) -> int:
    _, result = _call(args, "check_rebalance")
    if result is None:
        return 0 if args.json and _ else 1
    console = _console()
    _header(console, result)
    verdict = "[bold red]rebalance[/]" if result["act"] else "[bold green]hold[/]"
    console.print(f"{result['policy']}: {verdict} — {result['reason']}", highlight=False)
    console.print(_weights_table("trades" if result["act"] else "weights", result, False))
    if result["sells"]:
        table = _table("tax-aware sells", ["lot", "symbol", "quantity", "gain", "term", "why"])
        for s in result["sells"]:
            table.add_row(s["lot_id"], s["symbol"], f"{s['quantity']:.6g}", f"{s['gain']:,.2f}",
                          "long" if s["long_term"] else "short", s["reason"])
        console.print(table)
        console.print(f"realised gain {result['realised_gain']:,.2f}, estimated tax {result['estimated_tax']:,.2f}")
    console.print(f"backtest: {result['backtest']}", highlight=False)
    _footer(console, result)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    ctx, result = _call(args, "backtest")
    if ctx is not None and args.plot:
        _plot(ctx, args)
    if result is None:
        return 0 if args.json and ctx else 1
    console = _console()
    _header(console, result)
    table = _table(f"{result['strategy']} {result['start']} → {result['end']} ({result['days']} days)",
                   ["name", "total", "CAGR", "vol", "Sharpe", "max DD"], caption=result["params"])
    for s in result["stats"]:
        table.add_row(s["name"], _pct(s["total_return"], True), _pct(s["annual_return"], True),
                      _pct(s["annual_volatility"]), "–" if s["sharpe_ratio"] is None else f"{s['sharpe_ratio']:.2f}",
                      _pct(s["max_drawdown"], True))
    console.print(table)
    console.print(f"{result['trades']} trades, turnover {_pct(result['turnover_per_year'])}/yr, "
                  f"cost drag {_pct(result['cost_drag_per_year'], True)}/yr; holdings: {result['origin']}", highlight=False)
    sweep = result.get("sweep")
    if sweep:
        table = _table(f"sweep of {sweep['configurations']} configurations (in-sample edge vs static)",
                       ["config", "edge/yr"])
        for line in sweep["top"]:
            table.add_row(line["config"], _pct(line["edge"], True))
        console.print(table)
        console.print(f"best {sweep['best']}: in sample {_pct(sweep['in_sample_edge'], True)}/yr, held back from "
                      f"{sweep['held_back_from']} {_pct(sweep['out_of_sample_edge'], True)}/yr, walk-forward "
                      f"{_pct(sweep['walk_forward_edge'], True)}/yr — {sweep['verdict']}", highlight=False)
    _footer(console, result)
    return 0


def _plot(ctx, args: argparse.Namespace) -> None:
    """Equity curves of the rule, the static targets and buy-and-hold, from the same context."""
    import pandas as pd

    from indexdesk.tools.charts import cumulative_return_chart
    from indexdesk.tools.strategy import backtest_math as bm
    from indexdesk.tools.strategy import runs
    from indexdesk.tools.strategy.backtest_tools import prepare
    from indexdesk.tools.strategy.universe import btc_volatility

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
    path = cumulative_return_chart(curves, args.plot, f"{rule} vs static targets ({universe.source})")
    print(f"chart: {path}", file=sys.stderr)


def cmd_attribution(args: argparse.Namespace) -> int:
    _, result = _call(args, "attribute_performance")
    if result is None:
        return 0 if args.json and _ else 1
    console = _console()
    _header(console, result)
    table = _table(f"attribution {result['start']} → {result['end']} ({result['strategy']})", ["name", "return"],
                   caption=f"holdings: {result['origin']}")
    for key in ("beta", "index_selection", "timing", "cost_drag"):
        table.add_row(key.replace("_", " "), _pct(result[key], True))
    table.add_row("[bold]total[/]", f"[bold]{_pct(result['total'], True)}[/]")
    console.print(table)
    console.print(f"[dim]{result['explanation']}[/]", highlight=False)
    _footer(console, result)
    return 0


def cmd_tiers(args: argparse.Namespace) -> int:
    _, result = _call(args, "tier_allocation")
    if result is None:
        return 0 if args.json and _ else 1
    console = _console()
    _header(console, result)
    console.print(f"regime: [bold]{result['regime']}[/] — BTC {result['btc_price']:,.0f} vs 200-day average "
                  f"{result['btc_200d_average']:,.0f}, 30-day volatility {_pct(result['btc_volatility_30d'])}",
                  highlight=False)
    table = _table("tier targets", ["tier", "target", "range"])
    for t in result["tiers"]:
        table.add_row(t["tier"], _pct(t["target"]), f"{_pct(t['low'])}–{_pct(t['high'])}")
    console.print(table)
    console.print(f"backtest: {result['backtest']}", highlight=False)
    console.print(f"[dim]rule: {result['rule']}[/]", highlight=False)
    _footer(console, result)
    return 0


def cmd_harvest(args: argparse.Namespace) -> int:
    _, result = _call(args, "harvest_losses")
    if result is None:
        return 0 if args.json and _ else 1
    console = _console()
    _header(console, result)
    table = _table(f"losses worth harvesting (≥ {result['min_loss']:,.0f})",
                   ["lot", "symbol", "loss", "tax saved", "term", "replacement"])
    for line in result["lots"]:
        table.add_row(line["lot_id"], line["symbol"], f"{line['loss']:,.2f}", f"{line['tax_saved']:,.2f}",
                      "long" if line["long_term"] else "short",
                      f"{line['replacement'] or '–'} ({line['replacement_correlation'] or 0:.2f})")
    console.print(table)
    console.print(f"total loss {result['total_loss']:,.2f}, tax saved {result['total_tax_saved']:,.2f} at "
                  f"{_pct(result['tax_rate'])}", highlight=False)
    _footer(console, result)
    return 0
