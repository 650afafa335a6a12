"""`indexdesk tools list|schema|call`: every registered tool, generated from the registry."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tools", help="list, describe and call the registered tools")
    sub = parser.add_subparsers(dest="tools_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="tool names and descriptions")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("schema", help="tool schemas for other agents")
    p.add_argument("--format", choices=["openai", "json", "langchain"], default="openai",
                   help="openai: strict function schemas; json: plain JSON schema; langchain: StructuredTool args")
    p.add_argument("names", nargs="*", help="only these tools")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("call", help="call a tool with JSON arguments or its own flags; prints its JSON result",
                       description="indexdesk tools call NAME '{\"param\": …}'  |  indexdesk tools call NAME - (JSON on "
                                   "stdin)  |  indexdesk tools call NAME --param VALUE …  (flags generated from the "
                                   "tool's parameters: `indexdesk tools call NAME --help` lists them)")
    from indexdesk.agent.cli import add_source_options

    add_source_options(p)
    p.add_argument("name", help="tool name")
    p.add_argument("arguments", nargs=argparse.REMAINDER,
                   help="a JSON object, - to read it from stdin, or the tool's own flags")
    p.add_argument("--yes", "-y", action="store_true",
                   help="run a tool that changes the journal or ledger without asking first")
    p.set_defaults(func=cmd_call)


def _registry(names: list[str] | None = None):
    from indexdesk.tools.toolbox import default_registry

    registry = default_registry()
    return registry.subset(names) if names else registry


def cmd_list(args: argparse.Namespace) -> int:
    registry = _registry()
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json([{"name": s.name, "description": s.description, "category": s.category, "origin": s.origin,
                     "state_changing": s.state_changing, "read_only": s.read_only,
                     "parameters": list(s.params_model.model_fields), "examples": list(s.examples)} for s in registry])
        for problem in registry.problems:  # stdout stays the JSON list; what was skipped goes to stderr
            print(f"warning: {problem}", file=sys.stderr)
        return 0
    from rich.text import Text

    from indexdesk.agent.terminal import console, fit

    con = console()
    rows = [[spec.name + (" (asks first)" if spec.state_changing else "")
             + ("" if spec.origin == "indexdesk" else f" [{spec.origin}]"), spec.category or "", spec.description,
             ", ".join(spec.params_model.model_fields)] for spec in registry]
    con.print(fit(con, ["tool", "category", "description", "parameters"], rows, [False] * 4,
                  title=f"{len(registry)} tools"))
    con.print(Text("call one: indexdesk tools call NAME --param VALUE … (or '{...}' JSON; NAME --help lists them)",
                   style="dim"))
    for problem in registry.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    registry = _registry(args.names)
    if args.format == "openai":
        from indexdesk.tools.adapters.openai_schema import openai_tools

        out = openai_tools(registry)
    elif args.format == "langchain":
        from indexdesk.tools.adapters.langchain import langchain_tools

        out = [{"name": t.name, "description": t.description, "args_schema": t.args_schema}
               for t in langchain_tools(registry, ctx=None)]
    else:
        out = [{"name": s.name, "description": s.description, "parameters": s.json_schema()} for s in registry]
    from indexdesk.agent.commands.run import print_json

    print_json(out)
    return 0


def _confirmed(name: str, raw: str, arguments_from_stdin: bool) -> bool:
    """Ask on the terminal; without one (a pipe, a script, arguments on stdin) the answer is no."""
    if arguments_from_stdin or not sys.stdin.isatty():
        print(f"{name} changes state: pass --yes to run it without a terminal", file=sys.stderr)
        return False
    from indexdesk.agent.confirm import ask_at_terminal

    print(f"{name} will change your journal or ledger with {raw[:200]}")
    return ask_at_terminal("Run it?", input, print)


def _flag_arguments(args: argparse.Namespace, words: list[str], *, tool_flags: bool = True) -> str:
    """The tool's own flags (`--window 90d --indices defi BTC`) read by a parser generated from its
    parameters; the command's options given after the tool's name (`--yes`, `--source`, `--home`) apply."""
    from indexdesk.agent.cli import UsageError, add_source_options
    from indexdesk.agent.commands.tool_args import add_tool_arguments, tool_arguments

    parser = argparse.ArgumentParser(prog=f"indexdesk tools call {args.name}", add_help=True)
    if tool_flags:
        add_tool_arguments(parser, args.name)
    add_source_options(parser)
    parser.add_argument("--yes", "-y", action="store_true", default=argparse.SUPPRESS)
    try:
        parsed = parser.parse_args(words)
    except SystemExit as exc:
        if exc.code:
            raise UsageError(f"could not read the flags of {args.name}",
                             hint=f"indexdesk tools call {args.name} --help") from None
        raise
    for option in ("yes", "source", "home"):
        if hasattr(parsed, option):
            setattr(args, option, getattr(parsed, option))
    return json.dumps(tool_arguments(parsed))


def cmd_call(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.agent.commands.run import print_json
    from indexdesk.tools.registry import dumps, is_error

    words = list(args.arguments or [])
    if words and words[0] == "--":
        words = words[1:]
    registry = _registry()
    known = args.name in registry
    from_stdin = words[:1] == ["-"]
    if words and (from_stdin or not words[0].startswith("-")):  # JSON (or - for stdin), then options
        if known:
            _flag_arguments(args, words[1:], tool_flags=False)
        raw = sys.stdin.read() if from_stdin else words[0]
    elif words and known:
        raw = _flag_arguments(args, words)
    else:
        raw = "{}"  # no arguments, or an unknown tool (the registry's answer names the close matches)
    args.arguments = "-" if from_stdin else raw
    spec = registry.get(args.name) if args.name in registry else None
    if spec is not None and spec.state_changing and not args.yes and not _confirmed(spec.name, raw, args.arguments == "-"):
        print_json({"error": f"{spec.name} changes the journal or ledger and was not confirmed",
                    "hint": "answer y at the prompt, or pass --yes"})
        return 1
    result = registry.call(args.name, raw, make_context(args))
    print_json(json.loads(dumps(result)))
    return 1 if is_error(result) else 0
