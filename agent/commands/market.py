"""`indexdesk indices list` and `indexdesk perf NAMES…`: the catalogue and index performance.

Stdlib only at module level: pandas, rich and the tools load inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options

    indices = subparsers.add_parser("indices", help="the index catalogue (built-in and your indices.toml)")
    actions = indices.add_subparsers(dest="indices_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every index by tier: rule, weighting, rebalance")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    add_source_options(listing)
    listing.set_defaults(func=cmd_indices_list)

    perf = subparsers.add_parser("perf", help="performance of indices or assets over a window")
    perf.add_argument("names", nargs="+", metavar="NAME", help="catalogue indices or asset symbols")
    perf.add_argument("--window", default="90d", help="30d, 90d, 180d, 1y, 3y, ytd, all, or START:END (default 90d)")
    perf.add_argument("--benchmark", default="BTC", help="index or asset for beta/correlation; 'none' to skip")
    perf.add_argument("--json", action="store_true", help="print the tool's JSON result")
    perf.add_argument("--plot", metavar="PNG", help="also draw the cumulative returns over the window to this PNG file")
    add_source_options(perf)
    perf.set_defaults(func=cmd_perf)


def cmd_indices_list(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.indices import series
    from indexdesk.tools.indices.definitions import TIERS

    book = series.load(make_context(args))
    ordered = sorted(book.indices.values(), key=lambda d: (TIERS.index(d.tier), d.name))
    if args.json:
        print(json.dumps([d.model_dump(mode="json") for d in ordered], indent=2))
        return 0
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(ordered)} indices", box=box.SIMPLE_HEAD)
    for column in ("name", "title", "tier", "category", "rule", "weighting", "rebalance"):
        wraps = column in ("title", "rule", "weighting")
        table.add_column(column, style="bold" if column == "name" else None, no_wrap=not wraps,
                         min_width={"title": 10, "rule": 18, "weighting": 12}.get(column))
    previous_tier = None
    for d in ordered:
        if previous_tier is not None and d.tier != previous_tier:
            table.add_section()
        previous_tier = d.tier
        name = d.name + (f" ({'/'.join(d.aliases)})" if d.aliases else "")
        table.add_row(name, d.title, d.tier, d.category, d.constituents_text(), d.weighting_text(), d.rebalance)
    Console().print(table)
    return 0


def _percent(value) -> str:
    if value is None:
        return "–"
    if value >= 10:  # beyond +1000% a multiple reads better
        return f"x{1 + value:,.0f}"
    return f"{value:+.1%}"


def _number(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def cmd_perf(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.registry import dumps, is_error
    from indexdesk.tools.toolbox import default_registry

    arguments = {"indices": args.names, "window": args.window, "benchmark": args.benchmark}
    ctx = make_context(args)
    result = default_registry().call("get_index_performance", arguments, ctx)
    if is_error(result):
        print(f"error: {result['error']}", file=sys.stderr)
        if result.get("hint"):
            print(f"hint: {result['hint']}", file=sys.stderr)
        return 2
    text = dumps(result)
    if args.plot:
        _plot(ctx, args.plot, result)
    if args.json:
        print(text)
        return 0
    result = json.loads(text)  # dates as strings, as the model sees them
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console()
    wide = console.width >= 110  # the drawdown trough date and Sortino only when they fit
    benchmark = result.get("benchmark")
    table = Table(title=f"Performance {result['start']} → {result['end']} ({result['window']})", box=box.SIMPLE_HEAD,
                  caption=f"source: {result['source']} · as of {result['as_of']}"
                          + (f" · beta/corr vs {benchmark}" if benchmark else ""))
    columns = ["#", "name", "total", "CAGR", "vol", "Sharpe"] + (["Sortino"] if wide else []) + ["max DD"]
    columns += (["trough"] if wide else []) + ["Calmar"] + (["beta", "corr"] if benchmark else [])
    for column in columns:
        table.add_column(column, justify="left" if column in ("name", "trough") else "right",
                         no_wrap=column != "name", min_width=9 if column == "name" else None)
    for row in sorted(result["results"], key=lambda r: r["rank"] or 10**6):
        cells = {"#": str(row["rank"] or "–"), "name": row["name"], "total": _percent(row["total_return"]),
                 "CAGR": _percent(row["annual_return"]), "vol": "–" if row["annual_volatility"] is None else f"{row['annual_volatility']:.1%}",
                 "Sharpe": _number(row["sharpe_ratio"]), "Sortino": _number(row["sortino_ratio"]),
                 "max DD": _percent(row["max_drawdown"]), "trough": row["drawdown_trough"] or "–",
                 "Calmar": _number(row["calmar_ratio"]), "beta": _number(row["beta"]),
                 "corr": _number(row["correlation"])}
        table.add_row(*(cells[c] for c in columns))
    console.print(table)
    for warning in result.get("warnings", []):
        console.print(f"[yellow]note:[/] {warning}", highlight=False)
    return 0


def _plot(ctx, out: str, result: dict) -> None:
    """The window's cumulative returns as a PNG: the picture behind the table's numbers.

    Drawn on the same context as the table, so the market and index levels are not loaded twice.
    """
    from indexdesk.tools.charts import cumulative_return_chart
    from indexdesk.tools.indices.series import level_panel

    names = [row["name"] for row in result["results"]]
    levels, _market = level_panel(ctx, names, result["start"], result["end"])
    title = f"Cumulative return {result['start']} → {result['end']} ({result['source']})"
    path = cumulative_return_chart(levels, out, title)
    print(f"chart: {path}", file=sys.stderr)
