"""`indexdesk chat` (the conversation) and `indexdesk eval` (score the configured model on the eval set)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from agent.cli import add_source_options

    p = subparsers.add_parser("chat", help="talk to the assistant in the terminal (works offline too)",
                              description="Ask in plain words; tools run and the answer shows their numbers. "
                                          "Without OPENAI_API_KEY or OPENAI_BASE_URL an offline router answers "
                                          "(see docs/offline_router.md).")
    add_source_options(p)
    p.add_argument("--session", default="default", help="conversation to resume or start (default: default)")
    p.add_argument("--yes", action="store_true", help="run state-changing tools (journal writes) without asking")
    p.add_argument("--model", help="model name for this chat (default: INDEXDESK_MODEL)")
    p.set_defaults(func=cmd_chat)

    p = subparsers.add_parser("eval", help="score the configured model's tool calls on the agent eval set")
    add_source_options(p)
    p.add_argument("--file", help="JSONL eval set (default: bench/agent_eval_set.jsonl)")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--model", help="model name to evaluate (default: INDEXDESK_MODEL)")
    p.set_defaults(func=cmd_eval)


def _context(args: argparse.Namespace):
    from agent.cli import make_context

    ctx = make_context(args)
    if getattr(args, "model", None):
        ctx.settings = ctx.settings.model_copy(update={"model": args.model})
    return ctx


def cmd_chat(args: argparse.Namespace) -> int:
    from agent.chat import run_chat

    return run_chat(_context(args), session_id=args.session, auto_confirm=args.yes)


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from agent.eval_harness import evaluate, format_report

    report = evaluate(_context(args), path=args.file)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0
