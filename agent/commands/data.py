"""`indexdesk data sync|status`: download remote prices into the local cache, and show what it holds."""

from __future__ import annotations

import argparse
import sys

REMOTE = ("coingecko", "binance", "tokenmetrics")


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options

    parser = subparsers.add_parser("data", help="download prices into the local cache; show what is cached")
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    p = sub.add_parser("sync", help="fetch new daily prices (only days after the last cached day)",
                       description="Download daily prices from a remote source into the cache under the data "
                                   "home. Only days after each symbol's last cached day are fetched, unless "
                                   "--days asks for a window again.")
    add_source_options(p)
    p.add_argument("--symbols", nargs="+", metavar="SYM", help="only these symbols (default: the source's universe)")
    p.add_argument("--days", type=int, metavar="N", help="(re)download the last N days instead of only new days")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("status", help="per source: symbols, first/last day, rows, last sync time")
    add_source_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_status)


def _remote_source_name(args: argparse.Namespace, configured: str) -> str:
    from indexdesk.agent.cli import UsageError

    name = (getattr(args, "source", None) or configured or "").split(":", 1)[0].lower()
    if name not in REMOTE:
        raise UsageError(f"nothing to sync for source {name or 'sample'!r}: only {', '.join(REMOTE)} download data",
                        hint="e.g. indexdesk data sync --source binance --symbols BTC ETH")
    return name


def cmd_sync(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from indexdesk.agent.cli import make_context
    from indexdesk.tools.market.sources import open_source

    ctx = make_context(args)
    name = _remote_source_name(args, ctx.settings.source)
    if args.days is not None and args.days < 1:
        from indexdesk.agent.cli import UsageError

        raise UsageError("--days must be 1 or more", hint="e.g. --days 365")
    source = open_source(name, ctx.settings)
    console = Console(stderr=args.json)
    tasks: dict[str, int] = {}
    with Progress(TextColumn("[bold]{task.fields[symbol]:<10}"), BarColumn(), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=console, disable=args.json) as progress:

        def on_progress(symbol: str, result) -> None:
            if result is None:
                tasks[symbol] = progress.add_task("downloading…", total=1, symbol=symbol)
                return
            if result.error:
                status = f"[red]{result.error[:70]}"
            elif result.new_rows:
                status = f"[green]+{result.new_rows} days to {result.last_day}"
            else:
                status = "up to date"
            progress.update(tasks[symbol], completed=1, description=status)

        report = source.sync(args.symbols, days=args.days, progress=on_progress)
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json({"source": name, "new_rows": report.new_rows, "unreachable": report.unreachable,
                    "symbols": [{"symbol": r.symbol, "new_rows": r.new_rows, "last_day": r.last_day,
                                 "error": r.error} for r in report.results]})
    else:
        failed = len(report.failed)
        done = len(report.results) - failed
        console.print(f"{name}: {report.new_rows} new rows for {done} symbol{'' if done == 1 else 's'}"
                      + (f"; [red]{failed} failed[/]" if failed else ""))
        for result in report.failed:
            console.print(f"  [red]{result.symbol}[/]: {result.error}", highlight=False)
        if report.unreachable:
            console.print(f"[yellow]{name} could not be reached: {report.unreachable}[/]")
    return 1 if report.failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.market.remote import open_cache

    ctx = make_context(args)
    cache = open_cache(ctx.settings)
    if cache.recovered:
        print(f"note: {cache.recovered}", file=sys.stderr)
    only = getattr(args, "source", None)
    sources = [s for s in cache.status() if only is None or s.source == only]
    symbols = cache.symbol_status(only) if only else []
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json({"cache": str(cache.path), "sources": [vars(s) for s in sources],
                    "symbols": [vars(s) for s in symbols]})
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not sources:
        console.print(f"the price cache at {cache.path} is empty; fill it with "
                      "`indexdesk data sync --source coingecko|binance|tokenmetrics`")
        return 0
    table = Table(title=f"price cache {cache.path}")
    for column in ("source", "symbols", "first day", "last day", "rows", "last sync (UTC)"):
        table.add_column(column, justify="right" if column in ("symbols", "rows") else "left")
    for s in sources:
        table.add_row(s.source, str(s.symbols), str(s.first_day), str(s.last_day), f"{s.rows:,}",
                      s.last_sync.strftime("%Y-%m-%d %H:%M") if s.last_sync else "never")
    console.print(table)
    if symbols:
        detail = Table(title=f"{only} by symbol")
        for column in ("symbol", "first day", "last day", "rows", "last sync (UTC)"):
            detail.add_column(column)
        for s in symbols:
            detail.add_row(s.symbol, str(s.first_day), str(s.last_day), str(s.rows),
                           s.synced_at.strftime("%Y-%m-%d %H:%M") if s.synced_at else "never")
        console.print(detail)
    return 0
