"""`indexdesk portfolio delete | amend | reconcile | history | rows`: undoing mistakes, pairing transfers,
and the audit log. Writes show what they will change and ask first (`--yes` skips the question; without
a terminal only `--yes` writes). Only the standard library is imported here.
"""

from __future__ import annotations

import sys


def register(sub) -> None:
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.run import add_json_flag
    from indexdesk.agent.commands.tool_args import add_tool_arguments

    q = sub.add_parser("rows", help="the ledger's transactions with their ids (newest last)")
    add_source_options(q)
    q.add_argument("symbol", nargs="?", default=None, help="one asset or index")
    q.add_argument("--last", type=int, default=30, help="how many (default 30)")
    add_json_flag(q)
    q.set_defaults(func=cmd_rows)

    # The tool-backed subcommands take their arguments from the tools' parameters (tool_args.py).
    def tool_command(name: str, help: str, func, tool: str, positional: str, *, skip: tuple[str, ...] = (),
                     yes: str | None = None, extra=None) -> None:
        q = sub.add_parser(name, help=help)
        add_source_options(q)
        add_tool_arguments(q, tool, positional=positional, skip=skip)
        if extra is not None:
            extra(q)
        if yes:
            q.add_argument("--yes", "-y", action="store_true", help=yes)
        add_json_flag(q)
        q.set_defaults(func=func)

    def set_flag(q) -> None:
        # Not the generated list flag: that one splits on commas, and a note or a price may hold one.
        q.add_argument("--set", dest="changes", action="append", required=True, metavar="FIELD=VALUE",
                       help="e.g. --set quantity=0.5 --set price=61000")

    tool_command("delete", "delete transactions by id (lots rebuild; the audit log keeps them)", cmd_delete,
                 "delete_transactions", "ids", yes="delete without asking")
    tool_command("amend", "correct fields of one transaction (refused if the history would be impossible)", cmd_amend,
                 "amend_transaction", "tx_id", skip=("changes",), yes="amend without asking", extra=set_flag)
    tool_command("reconcile", "pair withdrawals with deposits at another venue into transfers", cmd_reconcile,
                 "reconcile_transfers", "pairs", yes="apply the unambiguous pairs (or the pairs given)")
    tool_command("history", "the audit log: every change to the ledger, newest first", cmd_history,
                 "ledger_history", "tx_id")


def _call(args, name: str, arguments: dict | None = None):
    """The tool through the one CLI path (run_tool): `.done` after an error or `--json` was printed
    (exit `.code`), else `.result` to show."""
    from indexdesk.agent.commands.run import run_tool

    return run_tool(args, name, arguments)


def _confirm(args, question: str) -> bool:
    """Only yes or no is an answer (agent/confirm.py); without a terminal only --yes writes."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        print("not applied: pass --yes to change the ledger without a terminal", file=sys.stderr)
        return False
    from indexdesk.agent.confirm import ask_at_terminal

    return ask_at_terminal(question, input, print)


def _store(args):
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.errors import ToolError
    from indexdesk.tools.portfolio.edit_tools import _store as store_of

    try:
        return store_of(make_context(args))
    except ToolError as error:
        print(f"error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return None


def _show_change(result: dict) -> None:
    for line in result["removed"]:
        print(f"  - {line['day']} {line['kind']} {line['quantity']} {line['symbol']} {line['venue']}"
              f"{'->' + line['to_venue'] if line['to_venue'] else ''} (id {line['id']})")
    for line in result["added"]:
        print(f"  + {line['day']} {line['kind']} {line['quantity']} {line['symbol']} {line['venue']}"
              f"{'->' + line['to_venue'] if line['to_venue'] else ''} (id {line['id']})")
    print(f"{result['summary']} ({result['open_lots']} open lots)")
    for warning in result.get("warnings") or []:
        print(f"warning: {warning}")


def cmd_rows(args) -> int:
    from indexdesk.tools.portfolio.edit_tools import describe

    store = _store(args)
    if store is None:
        return 1
    rows = store.transactions(args.symbol) if args.symbol else store.transactions()
    if args.symbol and not rows:  # symbols are stored upper case, index names as the catalogue spells them
        rows = store.transactions(args.symbol.upper())
    shown = rows[-max(1, args.last):]
    if args.json:
        from indexdesk.agent.commands.run import print_json
        from indexdesk.tools.portfolio.rows import native_fields

        print_json({"transactions": [native_fields(tx) for tx in shown], "shown": len(shown), "total": len(rows)})
        return 0
    for tx in shown:
        print(describe(tx))
    print(f"{len(shown)} of {len(rows)} transactions")
    return 0


def cmd_delete(args) -> int:
    from indexdesk.agent.commands.tool_args import tool_arguments
    from indexdesk.tools.errors import ToolError
    from indexdesk.tools.portfolio.edit_tools import describe, resolve_id

    store = _store(args)
    if store is None:
        return 1
    try:
        ids = [resolve_id(store, given) for given in tool_arguments(args)["ids"]]
    except ToolError as error:
        print(f"error: {error.message}\nhint: {error.hint}", file=sys.stderr)
        return 1
    for tx_id in ids:  # the question's context (stderr under --json, which prints only the result)
        print(f"delete {describe(store.transaction(tx_id))}", file=sys.stderr if args.json else sys.stdout)
    if not _confirm(args, f"delete {len(ids)} transaction(s)?"):
        return 1
    run = _call(args, "delete_transactions", {"ids": ids})
    if run.done:
        return run.code
    result = run.result
    _show_change(result)
    return 0


def cmd_amend(args) -> int:
    from indexdesk.agent.commands.tool_args import tool_arguments
    from indexdesk.tools.errors import ToolError
    from indexdesk.tools.portfolio.edit_tools import describe, resolve_id

    store = _store(args)
    if store is None:
        return 1
    try:
        tx_id = resolve_id(store, tool_arguments(args)["tx_id"])
    except ToolError as error:
        print(f"error: {error.message}\nhint: {error.hint}", file=sys.stderr)
        return 1
    print(f"amend {describe(store.transaction(tx_id))}: {', '.join(args.changes)}",
          file=sys.stderr if args.json else sys.stdout)
    if not _confirm(args, "amend it?"):
        return 1
    run = _call(args, "amend_transaction", {"tx_id": tx_id, "changes": args.changes})
    if run.done:
        return run.code
    result = run.result
    _show_change(result)
    return 0


def cmd_reconcile(args) -> int:
    from indexdesk.agent.commands.tool_args import tool_arguments

    chosen = tool_arguments(args).get("pairs") or []
    run = _call(args, "find_transfers", {})
    if run.done:
        return run.code
    found = run.result
    print(f"transfer pairs (deposit within {found['window_hours']:g} h, network fee up to "
          f"{found['fee_tolerance']:.1%} of the withdrawal):")
    for title, pairs in (("unambiguous", found["unambiguous"]), ("ambiguous: choose one per withdrawal (or "
                                                                 "per repeated row)", found["ambiguous"])):
        if pairs:
            print(f"{title}:")
            for pair in pairs:
                print(f"  {pair['pair']}\n    {pair['description']}")
    if not found["unambiguous"] and not found["ambiguous"]:
        print("  none: every withdrawal and deposit stands on its own")
        return 0
    if not chosen and not found["unambiguous"]:
        print("apply an ambiguous pair with `indexdesk portfolio reconcile WITHDRAWAL:DEPOSIT --yes`")
        return 0
    what = f"apply {len(chosen)} chosen pair(s)?" if chosen else \
        f"apply the {len(found['unambiguous'])} unambiguous pair(s)?"
    if not _confirm(args, what):
        return 1
    run = _call(args, "reconcile_transfers", {"pairs": chosen} if chosen else {})
    if run.done:
        return run.code
    result = run.result
    _show_change(result)
    return 0


def cmd_history(args) -> int:
    run = _call(args, "ledger_history")  # tx_id and --limit as the tool takes them
    if run.done:
        return run.code
    result = run.result
    for entry in result["entries"]:
        print(f"{str(entry['at'])[:19]}  {entry['action']:<9} {entry['tx_id'][:24]:<24} {entry['change']}")
        if entry["command"]:
            print(f"{'':<30}by: {entry['command'][:120]}")
    print(f"{result['shown']} of {result['total']} audit entries")
    for warning in result.get("warnings") or []:
        print(f"warning: {warning}")
    return 0
