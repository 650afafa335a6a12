"""CLI flags generated from a tool's parameters, so no default or choice list is typed twice.

    from indexdesk.agent.commands.tool_args import add_tool_arguments, tool_arguments

    p = subparsers.add_parser("var", help=...)
    add_tool_arguments(p, "compute_var", flags={"horizon_days": "--horizon", "portfolio_value": "--value"})
    ...
    result = registry.call("compute_var", tool_arguments(args), ctx)

Every parameter of the tool becomes `--name` (or the flag given in `flags`, the generated name
stays as an alias); `positional` makes one of them positional. Flags default to
`argparse.SUPPRESS`: only what the user typed reaches the tool, whose own defaults apply to the
rest; `--help` shows the tool's description and default. Types follow the schema: numbers,
integers, booleans (`--flag` / `--no-flag`), enums (choices), lists (several values or commas),
weights/shocks (`NAME=VALUE,…`, passed as a mapping the tool accepts).

`indexdesk --help` must stay light, so the parameters are read from a snapshot of the registry's
schemas (stdlib only at parse time). The snapshot is generated, never kept by hand: on first use it
is built from the live registry (built-in tools and plugins) and cached under the user's cache
directory, keyed by a fingerprint of the installed tool modules and the plugins' entry points, so a
changed or added tool is picked up by the next command. `python -m indexdesk.agent.commands.tool_args`
builds it ahead of time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

PREFIX = "tool__"


def cache_dir() -> Path:
    """Where generated artefacts live: INDEXDESK_CACHE_DIR, else the user's cache directory."""
    explicit = os.environ.get("INDEXDESK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "indexdesk"


def fingerprint() -> str:
    """Changes whenever a tool can have changed: the package version, every tool module's size and
    modification time, the installed distributions (a plugin arrives or leaves with one), and the
    module files of plugins installed in editable mode (their code changes without their dist-info).

    Read with os.scandir only — importlib.metadata alone would cost more than the rest of start-up."""
    import sys

    import indexdesk

    digest = hashlib.sha256(getattr(indexdesk, "__version__", "").encode())
    tools_root = os.path.join(os.path.dirname(indexdesk.__file__), "tools")
    _digest_tree(digest, tools_root)
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                installed = sorted((e.name, e.stat().st_mtime_ns, e.path) for e in found
                                   if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        if installed:  # folders without distributions (the working directory) do not count
            digest.update(repr((os.path.abspath(entry or "."), [i[:2] for i in installed])).encode())
        for _name, _mtime, path in installed:
            for module in _editable_plugin_modules(path):
                digest.update(f"plugin {module}\n".encode())
                for root in _module_files(module):
                    _digest_tree(digest, root)
    return digest.hexdigest()[:16]


def _digest_tree(digest: Any, root: str) -> None:
    """Size and modification time of a module file, or of every .py file under a package folder."""
    if os.path.isfile(root):
        stat = os.stat(root)
        digest.update(f"{root}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder[len(root):]}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())


def _editable_plugin_modules(dist_info: str) -> list[str]:
    """The modules a distribution's `indexdesk.tools` entry points name, when it is installed in editable
    mode (direct_url.json: dir_info.editable); [] otherwise. Most distributions have no direct_url.json,
    so the common case costs one failed open."""
    try:
        with open(os.path.join(dist_info, "direct_url.json"), encoding="utf-8") as f:
            editable = bool(json.load(f).get("dir_info", {}).get("editable"))
        if not editable:
            return []
        with open(os.path.join(dist_info, "entry_points.txt"), encoding="utf-8") as f:
            text = f.read()
    except (OSError, ValueError, AttributeError):
        return []
    modules, group = [], None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
        elif group == "indexdesk.tools" and "=" in line:
            modules.append(line.split("=", 1)[1].split(":", 1)[0].split("[", 1)[0].strip())
    return sorted({m for m in modules if m})


def _module_files(module: str) -> list[str]:
    """Where a plugin's code lives, found without importing it: the folder(s) of its top-level package
    (a tool module imports its siblings), or the file of a top-level module. find_spec of a top-level
    name imports nothing; [] when it cannot be found (the plugin will report itself when loaded)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module.split(".", 1)[0])
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return sorted(str(p) for p in spec.submodule_search_locations)
    return [spec.origin] if spec.origin and os.path.isfile(spec.origin) else []


def install_key() -> str:
    """A short name for this install (its interpreter prefix and package folder): snapshots of other
    installs sharing the cache directory are never removed."""
    import sys

    import indexdesk

    where = f"{os.path.abspath(sys.prefix)}\0{os.path.dirname(os.path.abspath(indexdesk.__file__))}"
    return hashlib.sha256(where.encode()).hexdigest()[:8]


def _remove_older(path: Path, prefix: str) -> None:
    """Remove this install's earlier PREFIX snapshots (keys changed); other installs' stay."""
    for old in path.parent.glob(f"{prefix}-{install_key()}-*.json"):
        if old != path:
            old.unlink(missing_ok=True)


def cached_snapshot(prefix: str, build: Callable[[], Any]) -> Any:
    """JSON that `build()` derives from the tools, kept in the cache directory as
    PREFIX-INSTALL-FINGERPRINT.json (the same key as the flag snapshot: a changed tool module or plugin
    builds it again), this install's older ones removed; built in memory each time when the cache directory cannot be written."""
    path = cache_dir() / f"{prefix}-{install_key()}-{fingerprint()}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(value, default=str), encoding="utf-8")
        os.replace(partial, path)  # concurrent first uses never read half a file
        _remove_older(path, prefix)
    except OSError:
        pass
    return json.loads(json.dumps(value, default=str))  # the same JSON values as a read would give


def snapshot_path() -> Path:
    return cache_dir() / f"tool_params-{install_key()}-{fingerprint()}.json"


@lru_cache(maxsize=1)
def _snapshot() -> dict[str, dict]:
    path = snapshot_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    try:
        write_snapshot(path)
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:  # a read-only cache directory: describe the registry in memory for this process
        return json.loads(json.dumps(describe_registry(), default=str))


def tool_params(tool: str) -> dict[str, dict]:
    """{param: {type, description, default?, choices?, required, item?}} of one tool, from the snapshot,
    falling back to the live registry (slower) when the snapshot does not know the tool yet."""
    found = _snapshot().get(tool)
    if found is None:
        found = describe_registry([tool]).get(tool, {"params": {}})
    return found["params"]


# ---------------------------------------------------------------- the snapshot

def _non_null(schema: dict) -> dict:
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        if len(branches) == 1:
            return {**branches[0], **{k: v for k, v in schema.items() if k not in ("anyOf",)}}
    return schema


def _describe_param(name: str, schema: dict, required: bool, defs: dict) -> dict:
    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    inner = resolve(_non_null(resolve(schema)))
    kind = inner.get("type", "string")
    out: dict[str, Any] = {"description": schema.get("description", ""), "required": required}
    if "default" in schema:
        out["default"] = schema["default"]
    if "enum" in inner:
        out["choices"] = [c for c in inner["enum"] if c is not None]
    if kind == "array":
        item = resolve(_non_null(resolve(inner.get("items", {}))))
        if item.get("type") == "object" or "properties" in item:
            props = item.get("properties", {})
            numeric = [k for k, v in props.items() if _non_null(resolve(v)).get("type") in ("number", "integer")]
            out["type"] = "pairs"  # NAME=VALUE,…  (weights, shocks)
            out["value_key"] = numeric[0] if numeric else "value"
        else:
            out["type"] = "list"
            out["item"] = item.get("type", "string")
            if "enum" in item:
                out["choices"] = [c for c in item["enum"] if c is not None]
    elif kind == "object":
        out["type"] = "pairs"
    else:
        out["type"] = kind if kind in ("string", "number", "integer", "boolean") else "string"
    return out


def describe_registry(names: list[str] | None = None) -> dict[str, dict]:
    """The snapshot's content for the default registry (or some of its tools)."""
    from indexdesk.tools.toolbox import default_registry

    registry = default_registry()
    out = {}
    for spec in registry:
        if names and spec.name not in names:
            continue
        schema = spec.params_model.model_json_schema()
        defs = schema.get("$defs", {})
        required = set(schema.get("required", []))
        out[spec.name] = {"description": spec.description, "params": {
            name: _describe_param(name, prop, name in required, defs) for name, prop in schema.get("properties", {}).items()}}
    return out


def write_snapshot(path: Path | None = None) -> Path:
    """Build the snapshot from the live registry and write it atomically (older snapshots removed)."""
    path = path or snapshot_path()
    described = describe_registry()
    # Tools by name; parameters in signature order (the order --help lists them).
    ordered = {name: described[name] for name in sorted(described)}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(ordered, indent=1, default=str) + "\n", encoding="utf-8")
    os.replace(partial, path)  # concurrent first uses (parallel tests) never read half a file
    _remove_older(path, "tool_params")
    _snapshot.cache_clear()
    return path


# ---------------------------------------------------------------- argparse

def _pairs(text: str) -> dict[str, float]:
    """`BTC=0.6,defi=0.4` → {"BTC": 0.6, "defi": 0.4}; percentages allowed (`BTC=60%`)."""
    out: dict[str, float] = {}
    for part in [p for p in text.replace(";", ",").split(",") if p.strip()]:
        if "=" not in part:
            raise argparse.ArgumentTypeError(f"{part.strip()!r} is not NAME=NUMBER (e.g. BTC=0.6,defi=0.4)")
        name, value = part.split("=", 1)
        value = value.strip()
        try:
            number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number (in {part.strip()!r})") from None
        out[name.strip()] = number
    if not out:
        raise argparse.ArgumentTypeError("give at least one NAME=VALUE")
    return out


# Number parameters that are not shares of something: a `%` on them is a mistake, not a fraction.
_NOT_FRACTIONS = ("bps", "days", "value", "amount", "price", "quantity", "year", "seed", "min_loss", "fee")


def _number_or_percent(text: str) -> float:
    """`0.4` or `40%` (= 0.4): every percentage flag takes the sign people type (`size --target 40%`)."""
    value = text.strip()
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (e.g. 0.4 or 40%)") from None


def _help(info: dict) -> str:
    text = info.get("description", "")
    if "default" in info and info["default"] is not None:
        text += f" (default {info['default']})"
    return text.replace("%", "%%")


def add_tool_arguments(parser: argparse.ArgumentParser, tool: str, *, flags: dict[str, str] | None = None,
                       positional: str | None = None, skip: tuple[str, ...] = ()) -> None:
    """Add one flag per parameter of `tool` (see the module docstring)."""
    flags = flags or {}
    parser.set_defaults(**{PREFIX + "_tool": tool})
    for name, info in tool_params(tool).items():
        if name in skip:
            continue
        dest = PREFIX + name
        kind = info.get("type", "string")
        kwargs: dict[str, Any] = {"dest": dest, "default": argparse.SUPPRESS, "help": _help(info),
                                  "metavar": name.upper()}
        if kind == "boolean":
            kwargs["action"] = argparse.BooleanOptionalAction
            del kwargs["metavar"]
        elif kind == "integer":
            kwargs["type"] = int
        elif kind == "number":
            kwargs["type"] = float if name.endswith(_NOT_FRACTIONS) else _number_or_percent
        elif kind == "pairs":
            kwargs["type"] = _pairs
            kwargs["metavar"] = f"NAME={info.get('value_key', 'VALUE').upper()},…"
        elif kind == "list":
            kwargs["nargs"] = "+"
            kwargs["action"] = "extend"  # `--tag a --tag b` and `--tag a b` both work
            if info.get("item") == "integer":
                kwargs["type"] = int
            elif info.get("item") == "number":
                kwargs["type"] = float
        if info.get("choices") and kind != "boolean":
            kwargs["choices"] = info["choices"]
            kwargs.pop("metavar", None)
        if name == positional:
            del kwargs["dest"]
            kwargs.pop("metavar", None)
            kwargs.pop("action", None)
            if kind in ("list", "string"):  # a string positional takes the rest of the words: `journal add trimmed BTC`
                kwargs["nargs"] = "+" if info.get("required") else "*"
            parser.add_argument(dest, metavar=name.upper(), **kwargs)
            continue
        names = [flags[name]] if name in flags else []
        generated = "--" + name.replace("_", "-")
        if generated not in names:
            names.append(generated)
        if info.get("required") and kind != "boolean":
            kwargs["required"] = True
            kwargs.pop("default")
        parser.add_argument(*names, **kwargs)


def tool_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The tool arguments the user gave, split back out of the namespace (lists of commas split)."""
    out: dict[str, Any] = {}
    params = tool_params(getattr(args, PREFIX + "_tool", "")) if hasattr(args, PREFIX + "_tool") else {}
    for key, value in vars(args).items():
        if not key.startswith(PREFIX) or key == PREFIX + "_tool":
            continue
        if params and key[len(PREFIX):] not in params:
            continue  # a parent parser's flag (`portfolio --as-of … lots`) that this tool does not take
        kind = params.get(key[len(PREFIX):], {}).get("type")
        if kind == "string" and isinstance(value, list):
            value = " ".join(value)
            if not value:
                continue  # an optional positional left out: the tool's default applies
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = [part for v in value for part in (p.strip() for p in v.split(",")) if part]
        if isinstance(value, list) and not value:
            continue
        out[key[len(PREFIX):]] = value
    return out


if __name__ == "__main__":  # python -m indexdesk.agent.commands.tool_args
    print(f"wrote {write_snapshot()}")
