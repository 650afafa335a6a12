"""`indexdesk checkup [--json] [--as-of DATE]`: the weekly routine on one page (the `checkup` tool).

Text: one block per section — its status, one-line summary, the few numbers behind it (formatted
from the result model's declared units) and the one suggested command. Nothing is executed. Lines
fit the terminal, 80 columns when piped, at most 100. `--json` prints the tool's result as is.
Only the standard library is imported here; the tool and the renderer load inside the handler.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap

S = argparse.SUPPRESS
from indexdesk.agent.checkup_view import MARK  # noqa: E402 - stdlib-only module
MAX_ROWS = 6


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.tool_args import add_tool_arguments

    p = subparsers.add_parser("checkup", help="the weekly routine: regime, rebalance, rotation, tax, limits, "
                                              "journal — what to do now (nothing is executed)")
    add_source_options(p)
    add_tool_arguments(p, "checkup", flags={"as_of": "--as-of"})
    p.add_argument("--json", action="store_true", help="print the tool's JSON result (every number, with units)")
    p.set_defaults(func=cmd_checkup)


def width() -> int:
    if not sys.stdout.isatty():
        return 80
    return max(60, min(100, shutil.get_terminal_size((80, 24)).columns))


def cmd_checkup(args: argparse.Namespace) -> int:
    from indexdesk.agent.commands.run import run_tool

    run = run_tool(args, "checkup", progress="running the checkup")  # the one CLI path: errors and --json
    if run.done:
        return run.code
    print(render(run.result, width()))
    return 0


def _rows(section: str, result: dict) -> list[str]:
    """The numbers behind a section's summary, each formatted by its declared unit."""
    from indexdesk.agent.render import unit_formatter

    fmt = unit_formatter("checkup")
    body = result[section]
    if section == "regime":
        return [f"{t['tier']:<12} now {fmt('regime.tiers.current', t['current']):>7}  target "
                f"{fmt('regime.tiers.target', t['target']):>7}  range {fmt('regime.tiers.low', t['low'])}-"
                f"{fmt('regime.tiers.high', t['high'])}" for t in body.get("tiers", [])]
    if section in ("rebalance", "rotation"):
        rows = [f"{t['name']:<14} {fmt(section + '.trades.trade', t['trade']):>8}  "
                f"{fmt(section + '.trades.amount', t['amount']):>13}" for t in body.get("trades", [])]
        if section == "rebalance" and body.get("policy"):
            rows.append(f"policy from {body['policy_from']}; lots: {body['lot_method']}; {body['holding_rule']}")
        if section == "rotation" and body.get("backtest"):
            rows += [f"backtest: {body['backtest']}", f"out of sample: {body['verdict']}"]
        return rows + [f"limit: {b}" for b in body.get("limit_breaches", [])]
    if section == "tax":
        rows = [f"{h['symbol']:<8} {fmt('tax.harvestable.quantity', h['quantity'])} loss "
                f"{fmt('tax.harvestable.loss', h['loss'])}, replacement {h['replacement'] or '-'}"
                for h in body.get("harvestable", [])]
        return rows + [f"wait: {s['symbol']} lot {s['lot_id'][:10]} turns long-term on {s['long_term_on']} "
                       f"(in {fmt('tax.turning_long_term.days_left', s['days_left'])} days)"
                       for s in body.get("turning_long_term", [])]
    if section == "risk":
        return [f"{'BREACH' if c['breached'] else 'ok':<6} {c['name']:<15} "
                f"{fmt('risk.checks.value', c['value'], record=c) if c['value'] is not None else 'n/a':>7} / limit "
                f"{fmt('risk.checks.limit', c['limit'], record=c)}  {c['detail']}" for c in body.get("checks", [])]
    if section == "journal":
        rows = [f"not journaled: {u['when']} {u['kind']} {fmt('journal.undocumented.quantity', u['quantity'])} "
                f"{u['symbol']}" for u in body.get("undocumented", [])]
        return rows + [f"review due: {d['decided']} {d['action']} (review date {d['review_date']})"
                       for d in body.get("due_reviews", [])]
    return []


def render(result: dict, columns: int = 80) -> str:
    """The checkup as text lines of at most `columns` characters."""
    from indexdesk.agent.render import unit_formatter

    fmt = unit_formatter("checkup")
    wrap = textwrap.TextWrapper(width=columns, subsequent_indent="      ", break_long_words=True)
    lines = wrap.wrap(f"Checkup as of {result['as_of']} — {result['holdings']} holdings, "
                      f"{fmt('portfolio_value', result['portfolio_value'])}, from {result['holdings_from']}")
    lines += wrap.wrap(f"{result['actions']} section(s) suggest an action; nothing has been executed.")
    for key in ("regime", "rebalance", "rotation", "tax", "risk", "journal"):
        body = result[key]
        lines.append("")
        head = f"[{MARK.get(body['status'], body['status'])}] {body['title']}"
        tools = ", ".join(body.get("tools") or [])
        lines += wrap.wrap(head + (f"  ({tools})" if tools else ""))
        lines += wrap.wrap("      " + body["summary"])
        rows = _rows(key, result)
        for row in rows[:MAX_ROWS]:
            lines += wrap.wrap("      " + row)
        if len(rows) > MAX_ROWS:
            lines.append(f"      … {len(rows) - MAX_ROWS} more (--json for all)")
        if body.get("action"):
            action = body["action"]
            lines += wrap.wrap(f"  ->  {action['command']}" + ("  (a write: asks first)" if action["writes"] else ""))
            if action.get("why"):
                lines += wrap.wrap("      " + action["why"])
    lines.append("")
    lines += wrap.wrap(f"source {result['source']}")
    for warning in result.get("warnings") or []:
        lines += wrap.wrap("note: " + warning)
    return "\n".join(lines)


