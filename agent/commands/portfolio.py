"""`indexdesk portfolio …`: the ledger from the command line.

    indexdesk portfolio [--as-of 2025-06-30]
    indexdesk portfolio import trades.csv [--format binance] [--skip-bad]
    indexdesk portfolio export > ledger.csv
    indexdesk portfolio targets [set defi=0.1,large_cap=0.35,... --range core=0.5:0.6 --band 0.05]
    indexdesk portfolio lots [BTC]
    indexdesk portfolio gains 2025
    indexdesk portfolio rows | delete ID… | amend ID --set field=value | reconcile | history   (portfolio_edit.py)

Only the standard library is imported here; the tools load when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys

WIDTH = 80


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.tool_args import add_tool_arguments

    # Flags of the tool-backed subcommands come from each tool's parameters (agent/commands/tool_args.py).
    p = subparsers.add_parser("portfolio", help="the ledger: holdings, import/export, targets, lots, gains")
    add_source_options(p)
    add_tool_arguments(p, "get_portfolio")
    p.add_argument("--json", action="store_true", help="print the tool's JSON result")
    p.set_defaults(func=cmd_show)
    sub = p.add_subparsers(dest="portfolio_command", metavar="SUBCOMMAND")

    q = sub.add_parser("import", help="import a transaction CSV (native, Binance, Coinbase, Koinly, CoinTracker, "
                                      "Kraken ledger)")
    add_source_options(q)
    q.add_argument("file", help="CSV file")
    q.add_argument("--format", choices=["native", "binance", "coinbase", "koinly", "cointracker", "kraken"],
                   default=None, help="file format (default: recognised from the header)")
    q.add_argument("--skip-bad", action="store_true", help="import the good rows and list the rejected ones")
    q.add_argument("--decimal-comma", action="store_true",
                   help="amounts are written with decimal commas (0,5 or 42.000,50); without it they are refused")
    q.add_argument("--fee-mode", choices=["asset", "cost"], default="asset",
                   help="a fee paid in a third asset (BNB): asset = a disposal of it (default); cost = its value "
                        "that day added to the trade's cost")
    q.add_argument("--venue", default=None, help="venue of rows whose file names none (Koinly, CoinTracker, native)")
    q.set_defaults(func=cmd_import)

    q = sub.add_parser("lot-method", help="show the book's lot method and its history, or change it (recorded)")
    add_source_options(q)
    q.add_argument("method", nargs="?", choices=["fifo", "lifo", "hifo"], help="the new method (omit to show)")
    q.add_argument("--yes", action="store_true", help="change without asking")
    q.set_defaults(func=cmd_lot_method)

    q = sub.add_parser("export", help="every transaction as CSV: native (default), koinly or cointracker")
    add_source_options(q)
    q.add_argument("--output", "-o", default=None, help="file to write (default stdout)")
    q.add_argument("--format", choices=["native", "koinly", "cointracker"], default="native",
                   help="native round-trips exactly; koinly/cointracker for those tools")
    q.set_defaults(func=cmd_export)

    q = sub.add_parser("targets", help="show or set index targets, tier ranges and the rebalancing band")
    add_source_options(q)
    q.add_argument("action", nargs="?", choices=["set"], help="set: change the targets")
    q.add_argument("indices", nargs="?", default=None, help="NAME=WEIGHT,… for every index (sums to 1 or 100)")
    q.add_argument("--range", action="append", default=None, metavar="TIER=LOW:HIGH", help="e.g. core=0.5:0.6")
    add_tool_arguments(q, "set_targets", skip=("indices", "tier_ranges"))  # those two: NAME=… syntax above
    q.add_argument("--json", action="store_true", help="print the tool's JSON result")
    q.set_defaults(func=cmd_targets)

    q = sub.add_parser("lots", help="open tax lots")
    add_source_options(q)
    add_tool_arguments(q, "tax_lots", positional="symbol")
    q.add_argument("--json", action="store_true", help="print the tool's JSON result")
    q.set_defaults(func=cmd_lots)

    q = sub.add_parser("gains", help="realised gains of a year, short and long term")
    add_source_options(q)
    add_tool_arguments(q, "realized_gains", positional="year")
    q.add_argument("--json", action="store_true", help="print the tool's JSON result")
    q.set_defaults(func=cmd_gains)

    from indexdesk.agent.commands import portfolio_edit

    portfolio_edit.register(sub)


def _call(args: argparse.Namespace, tool_name: str, arguments: dict) -> tuple[dict | None, int]:
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.portfolio import tools as portfolio_tools
    from indexdesk.tools.registry import Registry, is_error, spec_of

    registry = Registry([spec_of(getattr(portfolio_tools, tool_name))])
    result = registry.call(tool_name, arguments, make_context(args))
    if is_error(result):
        print(f"error: {result['error']}", file=sys.stderr)
        if result.get("hint"):
            print(f"hint: {result['hint']}", file=sys.stderr)
        return None, 1  # a tool error (README "Exit codes"); 2 is for usage errors
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return None, 0
    return result, 0


def _given(args: argparse.Namespace) -> dict:
    """The tool arguments the user typed; the tool's own defaults apply to the rest."""
    from indexdesk.agent.commands.tool_args import tool_arguments

    return tool_arguments(args)


def _console():
    from rich.console import Console

    return Console(width=min(WIDTH, Console().width or WIDTH))


def _pct(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def _money(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _units(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"


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

    if not result.get("source") and result.get("as_of"):
        console.print(f"[dim]as of {result['as_of']}[/]")
    for warning in result.get("warnings") or []:
        if not warning.startswith(SAMPLE_MARKER):  # already in the header
            console.print(f"[yellow]warning:[/] {warning}", soft_wrap=False)


def cmd_show(args: argparse.Namespace) -> int:
    result, code = _call(args, "get_portfolio", _given(args))
    if result is None:
        return code
    from rich.table import Table

    console = _console()
    _header(console, result)
    if not result["positions"] and not result["cash"]:  # an empty ledger: an empty portfolio, not an error
        console.print("portfolio: empty (no holdings)")
        _footer(console, result)
        return 0
    table = Table(title=f"portfolio {_money(result['total_value'])} {result['currency']}, "
                        f"P&L {_money(result['unrealized_pnl'])}", pad_edge=False, padding=(0, 1))
    for column in ("holding", "venue", "units", "value", "weight", "target", "drift", "P&L"):
        table.add_column(column, justify="left" if column in ("holding", "venue") else "right",
                         overflow="ellipsis", no_wrap=True, max_width={"venue": 10, "holding": 12}.get(column))
    for p in result["positions"]:
        drift = p.get("drift")
        flag = "[red]" if drift is not None and abs(drift) > result["band"] else ""
        table.add_row(p["name"], p["venue"], _units(p["units"]), _money(p["value"]), _pct(p["weight"]),
                      _pct(p["target"]), f"{flag}{_pct(drift)}" + ("[/]" if flag else ""), _money(p["unrealized_pnl"]))
    if result["cash"]:
        share = result["cash"] / result["total_value"] if result["total_value"] else None
        table.add_row("cash", "", "", _money(result["cash"]), _pct(share), "", "", "")
    console.print(table)
    tiers = "  ".join(f"{t['tier']} {_pct(t['weight'], 0)}"
                      + (f" ({_pct(t['low'], 0)}-{_pct(t['high'], 0)}, {t['status']})" if t.get("low") is not None else "")
                      for t in result["tiers"])
    console.print(f"tiers: {tiers}")
    if result.get("sleeves"):
        console.print("sleeves: " + "  ".join(f"{k} {_pct(v, 0)}" for k, v in result["sleeves"].items()))
    if result["unpriced"]:
        console.print(f"[yellow]unpriced (not valued):[/] {', '.join(result['unpriced'])}")
    if result["out_of_band"]:
        console.print(f"beyond the {_pct(result['band'], 0)} band: {', '.join(result['out_of_band'])}")
    _footer(console, result)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import UsageError, make_context
    from indexdesk.tools.errors import ToolError
    from indexdesk.tools.portfolio.importer import import_text, read_file

    try:
        text = read_file(args.file)
    except ToolError as exc:  # a file argument that is not a readable file: a usage error (exit 2)
        raise UsageError(exc.message, hint=exc.hint) from None
    try:
        report = import_text(make_context(args), text, args.format, skip_bad=args.skip_bad, fee_mode=args.fee_mode,
                             decimal_comma=args.decimal_comma,
                             venue=args.venue, command=f"portfolio import {args.file}"[:300])
    except ToolError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 1
    for line, reason in report.rejected[:200]:
        print(f"line {line}: {reason}", file=sys.stderr)
    if len(report.rejected) > 200:
        print(f"… and {len(report.rejected) - 200} more rejected rows", file=sys.stderr)
    if not report.applied:
        print(f"nothing imported: {report.rejected_lines} of {report.rows} rows rejected "
              "(fix them, or --skip-bad to import the rest)", file=sys.stderr)
        return 1
    print(f"{report.format}, {report.rows} rows: {report.added} added, {report.already} already in the ledger"
          + (f", {report.removed} deleted before (see `portfolio history`)" if report.removed else "")
          + (f", {report.rejected_lines} rejected" if report.rejected else ""))
    for transfer in report.transfers:
        print(f"reconciled: {transfer}")
    for note in report.notes:
        print(f"note: {note}")
    if report.ambiguous:
        print(f"{report.ambiguous} withdrawal(s) or deposit(s) match more than one other side: choose with "
              "`indexdesk portfolio reconcile`")
    return 1 if report.rejected else 0


def cmd_lot_method(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.memory.ledger import LedgerRejected

    store = make_context(args).ledger_store()
    for change in store.method_history():
        print(f"{change['since']}: {change['method']}" + (f" (was {change['previous']})" if change["previous"] else "")
              + f" - {change['why']}")
    if not args.method or args.method == store.method:
        print(f"the book's lot method is {store.method}")
        return 0
    if not args.yes:
        answer = input(f"replay the whole history under {args.method} (realised gains of past years change)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("unchanged")
            return 1
    try:
        store.set_lot_method(args.method)
    except LedgerRejected as refused:
        print(f"refused: under {args.method} these transactions cannot be replayed (the book is unchanged):",
              file=sys.stderr)
        for conflict in refused.conflicts[:50]:
            print(f"  {conflict.tx_id}: {conflict.reason}", file=sys.stderr)
        print("a sell naming a lot that only exists under the current method: amend its lot_id first",
              file=sys.stderr)
        return 1
    print(f"the book's lot method is now {args.method} (recorded)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.portfolio.importer import export_text

    text = export_text(make_context(args), args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    out = []
    for part in [p for p in text.replace(";", ",").split(",") if p.strip()]:
        name, sep, value = part.partition("=")
        if not sep:
            raise SystemExit(f"error: {what} {part.strip()!r} is not NAME=VALUE")
        out.append((name.strip(), value.strip()))
    return out


def cmd_targets(args: argparse.Namespace) -> int:
    arguments: dict = {}
    if args.action != "set" and _given(args):
        print("error: --band changes the targets: use `portfolio targets set --band …`", file=sys.stderr)
        return 2
    if args.action == "set":
        arguments.update(_given(args))  # --band
        if args.indices:
            arguments["indices"] = [{"name": n, "weight": float(v)} for n, v in _pairs(args.indices, "index weight")]
        ranges = []
        for text in args.range or []:
            for tier, span in _pairs(text, "range"):
                low, _, high = span.partition(":")
                ranges.append({"tier": tier, "low": float(low), "high": float(high or low)})
        if ranges:
            arguments["tier_ranges"] = ranges
        if not arguments:
            print("error: targets set needs index weights, --range or --band", file=sys.stderr)
            return 2
    result, code = _call(args, "set_targets", arguments)
    if result is None:
        return code
    from rich.table import Table

    console = _console()
    table = Table(title=f"targets ({result['origin']})")
    for column in ("tier", "target", "range", "holdings"):
        table.add_column(column, justify="right" if column == "target" else "left")
    by_tier: dict[str, list[str]] = {}
    tiers_of = {}
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.portfolio.targets_view import targets_view

    tiers_of = targets_view(make_context(args), sync=False).index_tiers
    for item in result["indices"]:
        by_tier.setdefault(tiers_of.get(item["name"], "?"), []).append(f"{item['name']} {_pct(item['weight'], 0)}")
    for t in result["tiers"]:
        span = f"{_pct(t['low'], 0)}-{_pct(t['high'], 0)}" if t.get("low") is not None else "–"
        table.add_row(t["tier"], _pct(t["target"], 0), span, ", ".join(by_tier.get(t["tier"], [])))
    console.print(table)
    console.print(f"rebalancing band ±{_pct(result['band'], 1)}")
    _footer(console, result)
    return 0


def cmd_lots(args: argparse.Namespace) -> int:
    result, code = _call(args, "tax_lots", _given(args))
    if result is None:
        return code
    from rich.table import Table

    console = _console()
    _header(console, result)
    table = Table(title=f"open lots ({result['method']}, long term: {result['holding_rule']})")
    for column in ("symbol", "venue", "acquired", "units", "basis", "value", "P&L", "term"):
        table.add_column(column, justify="left" if column in ("symbol", "venue", "acquired", "term") else "right",
                         no_wrap=True, overflow="ellipsis", max_width=10 if column == "venue" else None)
    for lot in result["lots"]:
        basis = "unknown" if lot.get("basis_unknown") else _money(lot["cost_basis"])  # never a silent zero
        table.add_row(lot["symbol"], lot["venue"], str(lot["acquired"]), _units(lot["units"]), basis,
                      _money(lot["value"]), _money(lot["unrealized_pnl"]), "long" if lot["long_term"] else "short")
    console.print(table)
    console.print(f"{result['shown']} of {result['total']} lots; basis {_money(result['cost_basis'])}, "
                  f"unrealised {_money(result['unrealized_pnl'])}")
    _footer(console, result)
    return 0


def cmd_gains(args: argparse.Namespace) -> int:
    result, code = _call(args, "realized_gains", _given(args))
    if result is None:
        return code
    from rich.table import Table

    console = _console()
    table = Table(title=f"realised gains {result['year']} ({result['method']}, {result['currency']})")
    for column in ("symbol", "short term", "long term", "proceeds", "basis"):
        table.add_column(column, justify="left" if column == "symbol" else "right")
    for g in result["by_symbol"]:
        table.add_row(g["symbol"], _money(g["short_term"]), _money(g["long_term"]), _money(g["proceeds"]),
                      _money(g["cost_basis"]))
    table.add_row("[bold]total[/]", _money(result["short_term"]), _money(result["long_term"]),
                  _money(result["proceeds"]), _money(result["cost_basis"]))
    console.print(table)
    console.print(f"total {_money(result['total'])} from {result['closings']} lot closings")
    _footer(console, result)
    return 0
