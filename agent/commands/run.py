"""One CLI path: every command runs its tool through `run_tool` and prints through one renderer.

A command that shows a tool's result needs only the tool's name and how its flags read::

    from indexdesk.agent.commands.run import tool_command

    def register(subparsers):
        tool_command(subparsers, "checkup", "run_checkup", help="…")              # generic table from units
        tool_command(subparsers, "var", "compute_var", help="…", view=VAR_VIEW,    # or a laid-out view
                     flags={"horizon_days": "--horizon"})

`run_tool` calls the default registry with the flags the user typed (the tool's defaults apply to
the rest), prints an error the one way (`error:` / `hint:` on stderr, exit 1) and `--json` the one
way (indented, UTF-8, `print_json`); otherwise it hands back the JSON-shaped result, as the model
sees it, to `agent/terminal.py`, which formats every number from the units the result model declares.

Only the standard library is imported at top level: `indexdesk --help` stays light.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any, Callable

JSON_INDENT = 2  # one --json format for every command: indented, UTF-8, keys in the result's order


def print_json(value: Any) -> None:
    """The one `--json` format (also used by `tools call`, `journal`, `data`)."""
    print(json.dumps(value, indent=JSON_INDENT, ensure_ascii=False, default=str))


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON (indented)")


def add_output_flags(parser: argparse.ArgumentParser) -> None:
    """`--json` and `--wide`: what every command that draws a tool's result takes."""
    add_json_flag(parser)
    parser.add_argument("--wide", action="store_true", help="one table row per record, however wide the terminal")


def print_error(result: dict) -> None:
    """A tool's structured error, the one way: `error:` and `hint:` lines on stderr."""
    print(f"error: {result['error']}", file=sys.stderr)
    if result.get("hint"):
        print(f"hint: {result['hint']}", file=sys.stderr)


@dataclass
class ToolRun:
    """What `run_tool` hands back: the context (for pictures drawn from the same data), the result
    as the model sees it (dates as strings) or None when the command is done, and the exit code."""

    ctx: Any
    result: dict | None
    code: int

    @property
    def done(self) -> bool:
        return self.result is None


def run_tool(args: argparse.Namespace, tool: str, arguments: dict | None = None, *, ctx: Any = None,
             progress: str | None = None) -> ToolRun:
    """Call one tool with the arguments the user gave; print its error or its JSON, or return it.

    `arguments` defaults to the tool flags the user typed (agent/commands/tool_args.py);
    `progress` names a spinner shown while the tool runs in a terminal (silent when piped or --json).
    """
    from indexdesk.agent.cli import EXIT_TOOL_ERROR, make_context
    from indexdesk.agent.commands.tool_args import tool_arguments
    from indexdesk.agent.progress import progress as spinner
    from indexdesk.tools.registry import dumps, is_error
    from indexdesk.tools.toolbox import default_registry

    if arguments is None:
        arguments = tool_arguments(args)
    ctx = ctx if ctx is not None else make_context(args)
    as_json = bool(getattr(args, "json", False))
    if progress:
        with spinner(progress, quiet=as_json):
            result = default_registry().call(tool, arguments, ctx)
    else:
        result = default_registry().call(tool, arguments, ctx)
    if is_error(result):
        print_error(result)
        return ToolRun(ctx, None, EXIT_TOOL_ERROR)
    shaped = json.loads(dumps(result))  # dates as strings, NaN already null: what the model sees
    if as_json:
        print_json(shaped)
        return ToolRun(ctx, None, 0)
    return ToolRun(ctx, shaped, 0)


def render_tool(args: argparse.Namespace, tool: str, view: Any = None, arguments: dict | None = None,
                progress: str | None = None) -> int:
    """`run_tool` then the one renderer: the view's layout when given, else the generic tables."""
    run = run_tool(args, tool, arguments, progress=progress)
    if run.done:
        return run.code
    from indexdesk.agent.terminal import render

    if isinstance(view, str):
        from indexdesk.agent import terminal_views

        view = getattr(terminal_views, view)
    render(run.result, tool, view, wide=bool(getattr(args, "wide", False)))
    return 0


def tool_command(subparsers: argparse._SubParsersAction, name: str, tool: str, *, help: str,
                 positional: str | None = None, flags: dict[str, str] | None = None, skip: tuple[str, ...] = (),
                 view: Any = None, handler: Callable[[argparse.Namespace], int] | None = None,
                 progress: str | None = None) -> argparse.ArgumentParser:
    """A subcommand for one tool: its flags generated from the tool's parameters, `--json`, `--wide`,
    `--source`/`--home`; rendered by `view` (a name of a view in agent/terminal_views.py, or None for the
    generic renderer) unless a `handler` does more (a picture, a second call)."""
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.tool_args import add_tool_arguments

    parser = subparsers.add_parser(name, help=help)
    add_source_options(parser)
    add_tool_arguments(parser, tool, positional=positional, flags=flags, skip=skip)
    add_output_flags(parser)
    if handler is None:
        def handler(args: argparse.Namespace, _tool=tool, _view=view, _progress=progress) -> int:
            return render_tool(args, _tool, _view, progress=_progress)
    parser.set_defaults(func=handler)
    return parser
