"""`indexdesk`: the command line. Start-up stays light: only argparse and the stdlib here.

Each area adds commands in `agent/commands/<area>.py` through `register(subparsers)`; handlers
import what they need when they run, so `indexdesk --help` never loads pandas, langchain or chromadb.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Any

# Exit codes, the same for every command (README "Exit codes"): 0 success; 1 a tool or result error
# (including a write the user declined in `ask`); 2 a usage error (bad flags or arguments).
EXIT_OK, EXIT_TOOL_ERROR, EXIT_USAGE = 0, 1, 2

COMMAND_MODULES: tuple[str, ...] = (
    "indexdesk.agent.commands.tools",
    "indexdesk.agent.commands.chat",
    "indexdesk.agent.commands.ask",
    "indexdesk.agent.commands.risk",
    "indexdesk.agent.commands.market",
    "indexdesk.agent.commands.serve",
    "indexdesk.agent.commands.data",
    "indexdesk.agent.commands.journal",
    "indexdesk.agent.commands.review",
    "indexdesk.agent.commands.strategy",
    "indexdesk.agent.commands.portfolio",
    "indexdesk.agent.commands.checkup",
    "indexdesk.agent.commands.stores",
    "indexdesk.agent.commands.config",
    "indexdesk.agent.commands.completion",
)

EXAMPLES = """examples:
  indexdesk indices list
  indexdesk perf defi layer1 large_cap --window 90d
  indexdesk tools call get_index_performance '{"indices":["defi"],"window":"90d"}'
  indexdesk chat
"""


class UsageError(Exception):
    """A command used wrongly (a flag value it cannot use): exit code 2, like argparse's own errors."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """Let a subcommand take `--source`/`--home` after its name too (`indexdesk perf defi --source binance`).

    SUPPRESS keeps a subcommand from overwriting a value given before the subcommand's name.
    """
    parser.add_argument("--source", default=argparse.SUPPRESS,
                        help="price source: sample | csv:PATH | coingecko | binance | tokenmetrics")
    parser.add_argument("--home", default=argparse.SUPPRESS, help="data home")


def _version() -> str:
    from indexdesk import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="indexdesk",
        description="Crypto index portfolio assistant: typed tools, a journal, and an agent that answers with real numbers.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", help="price source for this command: sample | csv:PATH | coingecko | binance | tokenmetrics "
                                         "(default: INDEXDESK_SOURCE or sample)")
    parser.add_argument("--home", help="data home (default: INDEXDESK_HOME or the platform data dir)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    parser.add_argument("--version", action="version", version=f"indexdesk {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # an area not yet installed must not break the others
            if exc.name != module_name:
                raise
            continue
        module.register(subparsers)
    return parser


def make_context(args: argparse.Namespace, **overrides: Any):
    """The ToolContext for a command: settings from the environment, then `--home` / `--source`."""
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    updates: dict[str, Any] = {}
    if getattr(args, "home", None):
        updates["home"] = args.home
    if getattr(args, "source", None):
        updates["source"] = args.source
    settings = Settings(**updates)
    return ToolContext(settings=settings, **overrides)


def closed_pipe() -> int:
    """The reader went away (`indexdesk … --json | head`): stop quietly, as `cat` does.

    stdout is pointed at /dev/null so the interpreter's final flush does not raise again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing to silence
        pass
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    handler = getattr(args, "func", None)
    if handler is None:
        parser.print_help()
        return 0
    from indexdesk.memory.integrity import StoreError
    from indexdesk.tools.errors import ToolError

    try:
        return int(handler(args) or 0)
    except UsageError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_USAGE
    except (ToolError, StoreError) as exc:  # StoreError: a damaged or missing store, with its fix
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_TOOL_ERROR
    except BrokenPipeError:
        return closed_pipe()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for the user
        if args.verbose:
            logging.exception("command failed")
        from indexdesk.tools.call_limits import public_error_text  # never SQL or its parameters

        print(f"error: {public_error_text(exc)} (run with -v for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
