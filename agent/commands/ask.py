"""`indexdesk ask "…"`: one question to the agent, for scripts and quick looks.

Without `--session` the conversation is not saved; with it, the question continues (or starts)
that session, like `indexdesk chat --session`. `--json` prints the answer and every tool call.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ask", help="ask the agent one question (one-shot; --json for scripts)")
    from indexdesk.agent.cli import add_source_options

    add_source_options(parser)
    parser.add_argument("question", nargs="+", help="the question, e.g. \"how did defi do over 90 days?\"")
    parser.add_argument("--json", action="store_true",
                        help="print {answer, tool_calls: [{name, arguments, result}], ungrounded, usage, model}")
    parser.add_argument("--yes", action="store_true", help="run state-changing tools (journal writes) without asking")
    parser.add_argument("--session", help="continue or start this saved session (default: not saved)")
    parser.add_argument("--model-note", action="store_true",
                        help="print how to configure a model even if this shell has seen the note already")
    parser.set_defaults(func=cmd_ask)


def _confirm_on_terminal(name: str, arguments: dict) -> bool:
    """Ask on the terminal; without one (a script), decline: only --yes lets a script write."""
    if not sys.stdin.isatty():
        print(f"declined {name}: not a terminal; pass --yes to allow state-changing tools", file=sys.stderr)
        return False
    shown = json.dumps(arguments, ensure_ascii=False)
    print(f"{name} wants to run with {shown}", file=sys.stderr)
    from indexdesk.agent.confirm import ask_at_terminal

    return ask_at_terminal("allow?", input, lambda text: print(text, file=sys.stderr))


def cmd_ask(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context

    ctx = make_context(args)
    question = " ".join(args.question)
    result, model_info = _run(ctx, args, question)
    from indexdesk.agent.cli import EXIT_OK, EXIT_TOOL_ERROR

    failed = failed_calls(result.tool_calls)
    # Without a model, an answer with no tool call means the offline router could not map the request.
    unmapped = model_info.offline and not result.tool_calls and not result.error
    code = EXIT_TOOL_ERROR if (result.error or failed or unmapped) else EXIT_OK
    if args.json:
        out = result.to_dict()
        out["model"] = model_info.describe()
        out["session"] = args.session
        from indexdesk.agent.commands.run import print_json

        print_json(out)
        return code
    if result.error:
        print(f"error: {result.error}", file=sys.stderr)
        return code
    for call in result.tool_calls:
        print(f"· {call['name']}({json.dumps(call['arguments'], ensure_ascii=False)})", file=sys.stderr)
    print_answer(result.answer)
    if result.ungrounded:
        print("⚠ not found in any tool result: " + ", ".join(result.ungrounded), file=sys.stderr)
    for line in failed:
        print(line, file=sys.stderr)
    return code


def _run(ctx, args: argparse.Namespace, question: str):
    """The turn's result and the model's description. With no model configured and no session to keep,
    the direct offline path (agent/offline_turn.py: router → registry → answer, no agent graph);
    otherwise an agent session."""
    from indexdesk.agent.model import model_configured, offline_model_info

    if not args.session and not model_configured(ctx.settings):
        from indexdesk.agent.commands.tool_args import cached_snapshot
        from indexdesk.agent.offline_turn import offline_turn, router_tools
        from indexdesk.agent.tool_selection import quick_start
        from indexdesk.tools.adapters.runner import ModuleRegistry
        from indexdesk.tools.toolbox import default_registry

        info = offline_model_info()
        _model_note(info, ctx, args)
        # What the router reads of every tool comes from a snapshot; only the called tool's module imports.
        tools = cached_snapshot("router_tools", lambda: router_tools(default_registry()))
        registry = ModuleRegistry({name: item["module"] for name, item in tools.items() if item["module"]},
                                  default_registry)
        with quick_start():  # one request to embed in this turn: the model that loads fastest
            return offline_turn(ctx, registry, question, auto_confirm=args.yes, confirm=_confirm_on_terminal,
                                tools=tools), info
    from indexdesk.agent.runtime import AgentSession

    session = AgentSession(ctx, session_id=args.session or "ask", auto_confirm=args.yes,
                           persist=bool(args.session))
    try:
        _model_note(session.model_info, ctx, args)
        return session.run_turn(question, confirm=_confirm_on_terminal), session.model_info
    finally:
        session.close()


def _model_note(info, ctx, args: argparse.Namespace) -> None:
    if info.offline and not args.json and (args.model_note or _first_in_this_shell(ctx)):
        print(f"note: {info.how_to_configure}", file=sys.stderr)


def failed_calls(calls: list[dict]) -> list[str]:
    """One line per tool call that failed or was declined: these make `ask` exit 1."""
    from indexdesk.agent.graph import DECLINED
    from indexdesk.tools.registry import is_error

    out = []
    for call in calls:
        result = call.get("result")
        if result is None or result == DECLINED or (isinstance(result, str) and "declined" in result.lower()):
            out.append(f"not run: {call['name']} (declined)")
        elif isinstance(result, dict) and is_error(result):
            out.append(f"failed: {call['name']}: {result['error']}")
    return out


def print_answer(answer: str) -> None:
    """Markdown drawn for a terminal (tables fitted, emphasis shown); plain text when piped."""
    from rich.console import Console

    from indexdesk.agent.chat_view import answer_renderable

    if sys.stdout.isatty():
        console = Console(highlight=False)
        console.print(answer_renderable(answer, console))
        return
    # The same layout without colour, control codes or padding: text a script or a file can read.
    import io

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, color_system=None, highlight=False, width=80)
    console.print(answer_renderable(answer, console))
    print("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n"))


def _first_in_this_shell(ctx) -> bool:
    """True once per shell session: the no-model note is long, and the same every time. The session's
    key is kept in the data home; `--model-note` prints it again."""
    marker = ctx.settings.ensure_home() / ".ask_model_note_shell"
    shell = _shell_session()
    try:
        if marker.read_text(encoding="utf-8").strip() == shell:
            return False
    except OSError:
        pass
    try:
        marker.write_text(shell, encoding="utf-8")
    except OSError:
        pass
    return True


def _shell_session() -> str:
    """The terminal session this command runs in: its session id, which `time ask …`, xargs and pipelines
    keep (the parent pid changes under them), with the session leader's start time where /proc has it
    (a reused id is another session). The parent pid where there are no sessions (Windows)."""
    import os

    try:
        sid = os.getsid(0)
    except (AttributeError, OSError):
        return f"ppid:{os.getppid()}"
    try:
        with open(f"/proc/{sid}/stat", encoding="utf-8") as stat:
            started = stat.read().rsplit(")", 1)[1].split()[19]  # field 22, starttime
    except (OSError, IndexError):
        started = ""
    return f"sid:{sid}:{started}"
