"""`indexdesk review 2026Q3 [--out DIR] [--narrate]`: the quarterly review as a report folder.

Writes review.md, review.json and equity/drawdown/allocation PNGs into HOME/reports/<quarter>/ (or
--out). With --narrate and a configured model, the model's narrative goes at the top of the report;
without a model the report is complete, only without the narrative.

Only the standard library is imported here; the review loads when the command runs.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options

    p = subparsers.add_parser("review", help="quarterly review: performance, contributions, decisions, risk, lessons")
    add_source_options(p)
    from indexdesk.agent.commands.tool_args import add_tool_arguments

    add_tool_arguments(p, "quarterly_review", positional="quarter")  # its default ("last") is the tool's
    p.add_argument("--out", default=None, help="report folder (default: HOME/reports/<quarter>)")
    p.add_argument("--narrate", action="store_true", help="add the model's narrative (needs a configured model)")
    p.add_argument("--value", type=float, default=None, help="portfolio value, for P&L amounts of decisions")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_review)


def _narrate(args: argparse.Namespace, ctx, review, summary):
    """The summary with a narrative added, or unchanged (with a message) when no model is usable."""
    from indexdesk.agent.model import describe_model_error, make_chat_model
    from indexdesk.tools.review.markdown import render_markdown
    from indexdesk.tools.review.tools import add_narrative, narrate

    model, info = make_chat_model(ctx.settings, tool_names=[])
    if info.offline:
        print("narration skipped: no model is configured (the report is complete without it).", file=sys.stderr)
        if info.how_to_configure:
            print(info.how_to_configure, file=sys.stderr)
        return summary
    try:
        text = narrate(model, render_markdown(review))
    except Exception as exc:  # noqa: BLE001 - a failed narration must not lose the report already written
        message = describe_model_error(exc, info, ctx.settings.request_timeout) or f"{type(exc).__name__}: {exc}"
        print(f"narration failed: {message} (the report is written without it)", file=sys.stderr)
        return summary
    if not text:
        print("narration skipped: the model returned no text", file=sys.stderr)
        return summary
    return add_narrative(review, summary, text)


def cmd_review(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.agent.commands.tool_args import tool_arguments, tool_params
    from indexdesk.agent.progress import progress
    from indexdesk.tools.review.tools import write_report

    ctx = make_context(args)
    quarter = tool_arguments(args).get("quarter") or tool_params("quarterly_review")["quarter"].get("default")
    with progress(f"building the {quarter} review (prices, risk, journal, charts)", quiet=args.json):
        summary, review = write_report(ctx, quarter, args.out, args.value)
    if args.narrate:
        summary = _narrate(args, ctx, review, summary)
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json(summary.model_dump(mode="json"))
        return 0
    _print(summary)
    return 0


def _print(summary) -> None:
    from indexdesk.tools.review.lessons import pct, pp
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    from indexdesk.agent.terminal import print_header

    print_header(console, {"source": summary.source, "as_of": summary.as_of, "warnings": summary.warnings})
    title = f"{summary.quarter}: {summary.first_day} – {summary.end}" + (" (in progress)" if summary.in_progress else "")
    table = Table(title=title)
    for column in ("", "return", "portfolio minus it"):
        table.add_column(column, justify="left" if not column else "right")
    from rich.text import Text

    table.add_row(Text("targets, rebalanced", style="bold"), Text(pct(summary.portfolio_return), style="bold"), "")
    for b in summary.benchmarks:
        table.add_row(Text(b.name), pct(b.total_return), pp(b.excess))
    console.print(table)
    for line in summary.lessons:
        console.print(f"• {line}", markup=False, highlight=False)
    narrated = " (with narrative)" if summary.narrated else ""
    console.print(Text(f"\nreport{narrated}: {summary.report_path}/review.md  ({', '.join(summary.files[2:])})"))
    from indexdesk.agent.terminal import print_footer

    print_footer(console, {"source": summary.source, "as_of": summary.as_of, "warnings": summary.warnings})

