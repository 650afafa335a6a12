"""`indexdesk chat` (the conversation) and `indexdesk eval` (score the configured model on the eval set)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options

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
    from indexdesk.agent.cli import make_context

    ctx = make_context(args)
    if getattr(args, "model", None):
        ctx.settings = ctx.settings.model_copy(update={"model": args.model})
    return ctx


def _log_to_file(home) -> None:
    """Keep log lines (a tool's traceback) out of the conversation: they go to HOME/chat.log."""
    import logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(home / "chat.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


def cmd_chat(args: argparse.Namespace) -> int:
    from indexdesk.agent.chat import run_chat

    ctx = _context(args)
    if not args.verbose:
        _log_to_file(ctx.settings.ensure_home())
    return run_chat(ctx, session_id=args.session, auto_confirm=args.yes)


def _harness():
    """bench/agent_eval.py of the source tree: the harness and its eval set live with the benchmarks."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "agent_eval.py"
    if not path.exists():
        raise SystemExit("indexdesk eval needs the source checkout (bench/agent_eval.py); it is not in the wheel")
    spec = importlib.util.spec_from_file_location("indexdesk_agent_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    harness = _harness()
    report = harness.evaluate(_context(args), path=args.file)
    print(json.dumps(report, indent=2, default=str) if args.json else harness.format_report(report))
    return 0
