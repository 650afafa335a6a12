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
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.run import add_output_flags
    from indexdesk.agent.commands.tool_args import add_tool_arguments

    # Flags of the tool-backed subcommands come from each tool's parameters (agent/commands/tool_args.py).
    p = subparsers.add_parser("portfolio", help="the ledger: holdings, import/export, targets, lots, gains")
    add_source_options(p)
    add_tool_arguments(p, "get_portfolio")
    add_output_flags(p)
    p.add_argument("--plot", metavar="PNG", help="draw each holding's drift from its target to this PNG file")
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
    q.add_argument("--json", action="store_true", help="print the method and its history as JSON")
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
    add_output_flags(q)
    q.set_defaults(func=cmd_targets)

    q = sub.add_parser("lots", help="open tax lots")
    add_source_options(q)
    add_tool_arguments(q, "tax_lots", positional="symbol")
    add_output_flags(q)
    q.set_defaults(func=cmd_lots)

    q = sub.add_parser("gains", help="realised gains of a year, short and long term")
    add_source_options(q)
    add_tool_arguments(q, "realized_gains", positional="year")
    add_output_flags(q)
    q.set_defaults(func=cmd_gains)

    from indexdesk.agent.commands import portfolio_edit

    portfolio_edit.register(sub)


def _call(args: argparse.Namespace, tool_name: str, arguments: dict) -> tuple[dict | None, int]:
    """The one CLI path (agent/commands/run.py): (result to render, or None when done; exit code)."""
    from indexdesk.agent.commands.run import run_tool

    run = run_tool(args, tool_name, arguments)
    return run.result, run.code


def _given(args: argparse.Namespace) -> dict:
    """The tool arguments the user typed; the tool's own defaults apply to the rest."""
    from indexdesk.agent.commands.tool_args import tool_arguments

    return tool_arguments(args)


def _render(result: dict, tool: str, view: str | object, args: argparse.Namespace) -> int:
    from indexdesk.agent import terminal_views
    from indexdesk.agent.terminal import render

    render(result, tool, getattr(terminal_views, view) if isinstance(view, str) else view,
           wide=bool(getattr(args, "wide", False)))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    result, code = _call(args, "get_portfolio", _given(args))
    if getattr(args, "plot", None) and (result is not None or code == 0):
        _plot_drift(args, result)
    if result is None:
        return code
    return _render(result, "get_portfolio", "PORTFOLIO", args)


def _plot_drift(args: argparse.Namespace, result: dict | None) -> None:
    """Each holding's weight against its target and band, as a picture."""
    if result is None:  # --json printed it
        import json

        from indexdesk.agent.cli import make_context
        from indexdesk.tools.registry import dumps
        from indexdesk.tools.toolbox import default_registry

        result = json.loads(dumps(default_registry().call("get_portfolio", _given(args), make_context(args))))
    from indexdesk.tools.charts import drift_chart

    positions = [p for p in result.get("positions") or [] if p.get("weight") is not None]
    labels = [f"{p['name']} ({p['venue']})" if p.get("venue") else p["name"] for p in positions]
    path = drift_chart(labels, [p["weight"] for p in positions], [p.get("target") for p in positions],
                       result.get("band") or 0.0, args.plot, f"drift from targets, as of {result.get('as_of')}")
    print(f"chart: {path}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import UsageError, make_context
    from indexdesk.tools.errors import ToolError
    from indexdesk.tools.portfolio.importer import import_text, read_file

    try:
        text = read_file(args.file)
    except ToolError as exc:  # a file argument that is not a readable file: a usage error (exit 2)
        raise UsageError(exc.message, hint=exc.hint) from None
    from indexdesk.agent.progress import progress

    try:
        with progress(f"importing {args.file}"):  # a spinner in a terminal; silent when piped
            report = import_text(make_context(args), text, args.format, skip_bad=args.skip_bad,
                                 fee_mode=args.fee_mode, decimal_comma=args.decimal_comma, venue=args.venue,
                                 command=f"portfolio import {args.file}"[:300])
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
    if args.json and not args.method:
        from indexdesk.agent.commands.run import print_json

        print_json({"method": store.method, "history": store.method_history()})
        return 0
    for change in store.method_history():
        print(f"{change['since']}: {change['method']}" + (f" (was {change['previous']})" if change["previous"] else "")
              + f" - {change['why']}")
    if not args.method or args.method == store.method:
        print(f"the book's lot method is {store.method}")
        return 0
    if not args.yes:
        from indexdesk.agent.confirm import ask_at_terminal

        if not sys.stdin.isatty() or not ask_at_terminal(
                f"replay the whole history under {args.method} (realised gains of past years change)?",
                input, print):
            print("unchanged (pass --yes to change it without a terminal)")
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
    from indexdesk.agent.cli import make_context
    from indexdesk.agent.terminal_views import targets_view
    from indexdesk.tools.portfolio.targets_view import targets_view as read_targets

    return _render(result, "set_targets", targets_view(read_targets(make_context(args), sync=False).index_tiers), args)


def cmd_lots(args: argparse.Namespace) -> int:
    result, code = _call(args, "tax_lots", _given(args))
    if result is None:
        return code
    return _render(result, "tax_lots", "LOTS", args)


def cmd_gains(args: argparse.Namespace) -> int:
    result, code = _call(args, "realized_gains", _given(args))
    if result is None:
        return code
    return _render(result, "realized_gains", "GAINS", args)
