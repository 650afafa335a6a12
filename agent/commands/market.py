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
    listing.add_argument("--wide", action="store_true", help="one table row per index, however wide the terminal")
    add_source_options(listing)
    listing.set_defaults(func=cmd_indices_list)

    from indexdesk.agent.commands.tool_args import add_tool_arguments

    perf = subparsers.add_parser("perf", help="performance of indices or assets over a window")
    add_tool_arguments(perf, "get_index_performance", positional="indices")
    perf.add_argument("--json", action="store_true", help="print the tool's JSON result")
    perf.add_argument("--wide", action="store_true", help="every column, however wide the terminal")
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
        from indexdesk.agent.commands.run import print_json

        print_json([d.model_dump(mode="json") for d in ordered])
        return 0
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console()

    def build(columns: list[str]):
        table = Table(title=f"{len(ordered)} indices", box=box.SIMPLE_HEAD)
        for column in columns:
            table.add_column(column, style="bold" if column == "name" else None, no_wrap=True)
        previous_tier = None
        for d in ordered:
            if previous_tier is not None and d.tier != previous_tier:
                table.add_section()
            previous_tier = d.tier
            cells = {"name": d.name + (f" ({'/'.join(d.aliases)})" if d.aliases else ""), "title": d.title,
                     "tier": d.tier, "category": d.category, "rule": d.constituents_text(),
                     "weighting": d.weighting_text(), "rebalance": d.rebalance}
            table.add_row(*(cells[c] for c in columns))
        return table

    from indexdesk.agent.render import fit_rich_table

    columns = ["name", "title", "tier", "category", "rule", "weighting", "rebalance"]
    table, dropped, width = fit_rich_table(console, build, columns, [], wide=args.wide)
    if args.wide or not dropped and width == console.width and _fits(console, table):
        Console(width=width).print(table)
        return 0
    _print_index_records(console, ordered)
    return 0


def _fits(console, table) -> bool:
    from rich.measure import Measurement

    return Measurement.get(console, console.options.update_width(10_000), table).maximum <= console.width


def _print_index_records(console, ordered) -> None:
    """A narrow terminal: each index as a short block, text wrapped between words (never inside one)."""
    import textwrap

    width = max(40, console.width)
    previous_tier = None
    for d in ordered:
        if d.tier != previous_tier:
            console.print(f"\n[bold underline]{d.tier}[/]", highlight=False)
            previous_tier = d.tier
        name = d.name + (f" ({'/'.join(d.aliases)})" if d.aliases else "")
        console.print(f"[bold]{name}[/] — {d.title} · {d.category}", highlight=False)
        for label, text in (("rule", d.constituents_text()), ("weighting", d.weighting_text()),
                            ("rebalance", d.rebalance)):
            lines = textwrap.wrap(f"{label}: {text}", width=width - 2, break_long_words=False,
                                  break_on_hyphens=False, subsequent_indent="    ")
            for line in lines:
                console.print("  " + line, highlight=False, markup=False, soft_wrap=True)
    console.print("\n[dim]--wide shows one table row per index[/]", highlight=False)


def cmd_perf(args: argparse.Namespace) -> int:
    from indexdesk.agent.commands.run import run_tool

    run = run_tool(args, "get_index_performance")
    if args.plot and run.code == 0:
        _plot(run.ctx, args.plot, run.result or _again(args, run.ctx))
    if run.done:
        return run.code
    result = run.result
    from indexdesk.agent.render import dropped_note, fit_rich_table
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    benchmark = result.get("benchmark")
    columns = ["#", "name", "total", "CAGR", "vol", "Sharpe", "Sortino", "max DD", "trough", "Calmar"]
    columns += ["beta", "corr"] if benchmark else []
    from indexdesk.agent.render import unit_formatter

    # Every number formatted from the unit the result model declares (fractions as %, ratios plain).
    f = unit_formatter("get_index_performance")
    numbers = {"total": "total_return", "CAGR": "annual_return", "vol": "annual_volatility", "Sharpe": "sharpe_ratio",
               "Sortino": "sortino_ratio", "max DD": "max_drawdown", "Calmar": "calmar_ratio", "beta": "beta",
               "corr": "correlation"}
    rows = []
    for row in sorted(result["results"], key=lambda r: r["rank"] or 10**6):
        cells = {"#": f("results.rank", row["rank"]), "name": Text(row["name"]),
                 "trough": row["drawdown_trough"] or "–"}
        # Percentages to 0.1 %, ratios to 2 decimals: a column lines up and the table stays within 80 columns.
        cells.update({column: f(f"results.{field}", row[field], 1 if field.endswith(("return", "volatility", "drawdown"))
                                else 2) for column, field in numbers.items()})
        rows.append(cells)

    def build(kept: list[str]):
        table = Table(title=f"Performance {result['start']} → {result['end']} ({result['window']})",
                      box=box.SIMPLE_HEAD, pad_edge=False,
                      caption=Text(f"source {result['source']} · as of {result['as_of']}"
                                   + (f" · beta/corr vs {benchmark}" if benchmark else ""), style="dim"))
        for column in kept:
            table.add_column(column, justify="left" if column in ("name", "trough") else "right",
                             no_wrap=column != "name", min_width=8 if column == "name" else None)
        for cells in rows:
            table.add_row(*(cells[c] for c in kept))
        return table

    # At 80 columns the trough date, then Calmar and CAGR step aside; correlation and Sortino stay.
    table, dropped, width = fit_rich_table(console, build, columns, ["trough", "Calmar", "CAGR", "beta"],
                                           wide=getattr(args, "wide", False))
    if width != console.width:
        console = Console(width=width)
    console.print(table)
    from indexdesk.agent.terminal import legend, used_abbreviations

    key = legend(used_abbreviations([c for c in columns if c not in dropped]))
    if key is not None:
        console.print(key)
    note = dropped_note(dropped)
    if note:
        console.print(f"[dim]{note}[/]", highlight=False)
    from indexdesk.agent.terminal import print_footer

    print_footer(console, {"warnings": result.get("warnings")})
    return 0


def _again(args: argparse.Namespace, ctx) -> dict:
    """The result `--json` printed, for the picture drawn beside it."""
    from indexdesk.agent.commands.tool_args import tool_arguments
    from indexdesk.tools.registry import dumps
    from indexdesk.tools.toolbox import default_registry

    return json.loads(dumps(default_registry().call("get_index_performance", tool_arguments(args), ctx)))


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
