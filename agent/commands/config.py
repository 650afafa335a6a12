"""`indexdesk config show|path`: the settings in effect, where each comes from, and the settings file.

    indexdesk config path            # the config.toml the settings are read from
    indexdesk config show [--json]   # every setting, its value (secrets masked) and its origin

Only the standard library is imported here; pydantic-settings loads when a command runs.
"""

from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.run import add_json_flag

    parser = subparsers.add_parser("config", help="the settings in effect and the settings file (config.toml)")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    p = sub.add_parser("show", help="every setting, its value (secrets masked) and where it comes from")
    add_source_options(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("path", help="the settings file (INDEXDESK_CONFIG, else config.toml in the config dir)")
    p.set_defaults(func=cmd_path)


def cmd_path(args: argparse.Namespace) -> int:
    from indexdesk.tools.settings import config_path

    path = config_path()
    print(path)
    return 0


def origins(settings, path) -> dict[str, str]:
    """Where each setting's value comes from: command line, environment, config file or default."""
    import tomllib

    try:
        in_file = set(tomllib.loads(path.read_text(encoding="utf-8"))) if path.is_file() else set()
    except (OSError, ValueError):
        in_file = set()
    out = {}
    for name, info in type(settings).model_fields.items():
        env_names = [f"INDEXDESK_{name.upper()}"]
        alias = info.validation_alias
        if alias is not None and hasattr(alias, "choices"):
            env_names += [str(c) for c in alias.choices]
        if any(os.environ.get(e) is not None for e in env_names):
            out[name] = "environment"
        elif name in in_file:
            out[name] = "config file"
        else:
            out[name] = "default"
    return out


def cmd_show(args: argparse.Namespace) -> int:
    from pydantic import SecretStr

    from indexdesk.agent.cli import make_context
    from indexdesk.tools.settings import config_path

    settings = make_context(args).settings
    path = config_path()
    where = origins(settings, path)
    for name in ("home", "source"):
        if getattr(args, name, None):
            where[name] = "command line"
    values = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr) or name == "api_token":
            value = "(set)" if value else None
        values[name] = None if value is None else str(value)
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json({"config_file": str(path), "config_file_exists": path.is_file(),
                    "settings": {n: {"value": values[n], "from": where[n]} for n in values}})
        return 0
    from indexdesk.agent.terminal import console, fit

    con = console()
    rows = [[n, "–" if values[n] is None else values[n], where[n]] for n in values]
    con.print(fit(con, ["setting", "value", "from"], rows, [False] * 3,
                  title=f"settings (file: {path}{'' if path.is_file() else ', not created yet'})"))
    return 0
