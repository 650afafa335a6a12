"""The tool registry: a tool is a plain typed function; registering it attaches a spec.

    @tool(category="market")
    def get_index_performance(ctx: ToolContext, indices: list[str], window: str = "90d") -> PerformanceResult:
        '''Performance metrics for indices or single assets over a window.

        Args:
            indices: catalogue index names or asset symbols, e.g. ["defi", "BTC"].
            window: 30d, 90d, 180d, 1y, ytd, all, or "YYYY-MM-DD:YYYY-MM-DD".
        '''

The function's name is the tool name, the docstring's first paragraph the description, the
`Args:` entries the parameter descriptions. A first parameter annotated `ToolContext` receives
the dependencies and never appears in a schema. Every adapter (LangChain, OpenAI, MCP, HTTP) is
generated from the `ToolSpec`; none is written per tool. The CLI commands generate their flags
from each tool's parameters (agent/commands/tool_args.py) and keep only their own renderers.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import math
import re
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from indexdesk.memory.integrity import StoreError
from indexdesk.tools.call_limits import TOO_DEEP, json_depth_exceeds, public_error_text, text_depth_exceeds
from indexdesk.tools.call_notes import collecting, merge
from indexdesk.tools.errors import ToolError, shorten, unknown_name

log = logging.getLogger("indexdesk.tools")

SPEC_ATTRIBUTE = "__indexdesk_tool__"


@dataclass(frozen=True)
class ToolSpec:
    """Everything an adapter needs to expose one tool."""

    name: str
    description: str
    func: Callable[..., Any]
    params_model: type[BaseModel]
    result_model: type[BaseModel] | None
    takes_context: bool
    state_changing: bool = False
    category: str = ""
    param_descriptions: dict[str, str] = field(default_factory=dict)
    writes_files: bool = False  # writes files (a report) but not the journal/ledger: not read-only, no confirmation
    # Example requests in a user's words: the per-call selector, the offline router and the docs read
    # them, so a new tool (or a plugin's) is understood from its spec alone.
    examples: tuple[str, ...] = ()
    # Where the tool comes from: "indexdesk" for the built-in tools, "plugin NAME (distribution)" for
    # a tool registered through the `indexdesk.tools` entry-point group.
    origin: str = "indexdesk"
    # Words users say for a parameter's values: {"strategy": {"buy the dip": "mean_reversion"}}. Read by
    # the offline router (and listed in docs); schemas and --help keep listing the values themselves.
    synonyms: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def read_only(self) -> bool:
        """Neither changes state nor writes files: safe to expose on a server without `--allow-writes`."""
        return not (self.state_changing or self.writes_files)

    def json_schema(self) -> dict:
        """The plain JSON schema of the parameters (pydantic's, titles removed)."""
        return _strip_titles(self.params_model.model_json_schema())


# ---------------------------------------------------------------- docstrings

_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Returns|Raises|Yields|Examples?|Notes?):\s*$")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """(description, {param: description}) from a Google-style docstring."""
    doc = inspect.cleandoc(doc or "")
    lines = doc.splitlines()
    description_lines: list[str] = []
    params: dict[str, str] = {}
    section = None
    current = None
    for line in lines:
        m = _SECTION.match(line)
        if m:
            section = m.group(1)
            current = None
            continue
        if section is None:
            if not line.strip() and description_lines:
                section = "body"  # only the first paragraph is the description
            elif line.strip():
                description_lines.append(line.strip())
            continue
        if section in ("Args", "Arguments", "Parameters"):
            pm = re.match(r"^\s{0,8}(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$", line)
            if pm and (len(line) - len(line.lstrip())) <= 8 and not line.startswith(" " * 9):
                current = pm.group(1).lstrip("*")
                params[current] = pm.group(3).strip()
            elif current and line.strip():
                params[current] = (params[current] + " " + line.strip()).strip()
    return " ".join(description_lines), params


# ---------------------------------------------------------------- registration

def _is_context_annotation(annotation: Any) -> bool:
    """The first parameter receives the context when it is annotated with `ToolContext` (or a subclass)."""
    from indexdesk.tools.context import ToolContext

    return isinstance(annotation, type) and issubclass(annotation, ToolContext)


# The categories the built-in tools use (a host's own tools may name others).
CATEGORIES: tuple[str, ...] = ("market", "risk", "journal", "review", "portfolio", "strategy")


def _examples(tool_name: str, examples: Iterable[str]) -> tuple[str, ...]:
    if isinstance(examples, str):
        raise TypeError(f"tool {tool_name!r}: examples= takes a list of requests, not one string")
    found = tuple(e.strip() for e in examples)
    if any(not e for e in found):
        raise TypeError(f"tool {tool_name!r}: an empty example request")
    return found


def _synonyms(tool_name: str, synonyms: dict | None, params: Iterable[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for param, words in (synonyms or {}).items():
        if param not in params:
            raise TypeError(f"tool {tool_name!r}: synonyms= names {param!r}, which is not a parameter")
        if not isinstance(words, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in words.items()):
            raise TypeError(f"tool {tool_name!r}: synonyms[{param!r}] maps phrases to values, e.g. "
                            '{"buy the dip": "mean_reversion"}')
        out[param] = {k.strip().lower(): v for k, v in words.items() if k.strip()}
    return out


def build_spec(func: Callable[..., Any], *, name: str | None = None, state_changing: bool = False,
               category: str | None = None, writes_files: bool = False,
               examples: Iterable[str] = (), synonyms: dict | None = None) -> ToolSpec:
    """Build the ToolSpec of a typed function (used by `@tool`)."""
    description, param_docs = parse_docstring(func.__doc__)
    tool_name = name or func.__name__
    if not isinstance(category, str) or not category.strip():
        raise TypeError(f"tool {tool_name!r} needs an explicit category: @tool(category=...), "
                        f"one of {', '.join(CATEGORIES)} (or a name of your own)")
    if not description:
        raise TypeError(f"tool {tool_name!r} needs a docstring: its first line is the LLM description")
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    fields: dict[str, Any] = {}
    takes_context = False
    for index, (pname, param) in enumerate(signature.parameters.items()):
        annotation = hints.get(pname, Any)
        if index == 0 and _is_context_annotation(annotation):
            takes_context = True
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {tool_name!r}: *args/**kwargs cannot be described to a model")
        if pname not in param_docs:
            raise TypeError(f"tool {tool_name!r}: parameter {pname!r} has no description under Args:")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (annotation, Field(default, description=param_docs[pname]))
    params_model = create_model(
        f"{tool_name}_params",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=False),
        **fields,
    )
    result = hints.get("return")
    result_model = result if inspect.isclass(result) and issubclass(result, BaseModel) else None
    return ToolSpec(
        name=tool_name,
        description=description,
        func=func,
        params_model=params_model,
        result_model=result_model,
        takes_context=takes_context,
        state_changing=state_changing,
        category=category.strip(),
        examples=_examples(tool_name, examples),
        synonyms=_synonyms(tool_name, synonyms, fields),
        param_descriptions={k: v for k, v in param_docs.items() if k in fields},
        writes_files=writes_files,
    )


def tool(func: Callable[..., Any] | None = None, *, name: str | None = None, state_changing: bool = False,
         category: str | None = None, writes_files: bool = False, examples: Iterable[str] = (),
         synonyms: dict[str, dict[str, str]] | None = None):
    """Register a typed function as a tool: attaches its ToolSpec and returns the same function.

    `category` is required (market, risk, journal, review, portfolio, strategy, …): hosts select
    tools by it. `state_changing=True` writes the journal/ledger (confirmation first);
    `writes_files=True` writes files only (e.g. a report) — not read-only, but no confirmation.
    `examples` are requests in a user's words that this tool answers (selector, router, docs);
    `synonyms` maps users' words to a parameter's values ({"strategy": {"buy the dip": "mean_reversion"}}).
    """

    def attach(f: Callable[..., Any]) -> Callable[..., Any]:
        setattr(f, SPEC_ATTRIBUTE, build_spec(f, name=name, state_changing=state_changing, category=category,
                                              writes_files=writes_files, examples=examples, synonyms=synonyms))
        return f

    return attach(func) if func is not None else attach


def specs_in_module(module: Any) -> list[ToolSpec]:
    """The `@tool` functions defined in `module` (not those it imports), in definition order."""
    return [spec for value in vars(module).values()
            if (spec := getattr(value, SPEC_ATTRIBUTE, None)) is not None
            and getattr(value, "__module__", None) == module.__name__]


def spec_of(func: Callable[..., Any]) -> ToolSpec:
    spec = getattr(func, SPEC_ATTRIBUTE, None)
    if spec is None:
        raise TypeError(f"{func!r} is not a registered tool")
    return spec


# ---------------------------------------------------------------- results

def sanitize(value: Any, warnings: list[str], path: str = "") -> Any:
    """JSON-safe copy of `value`: NaN/inf become null and each one is reported in `warnings`."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            warnings.append(f"{path or 'value'} is not defined for this data (too little data?); reported as null")
            return None
        return value
    if isinstance(value, dict):
        return {k: sanitize(v, warnings, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitize(v, warnings, f"{path}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return sanitize(value.item(), warnings, path)
    return value


def _to_plain(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="python")
    return result


def _collapse_warnings(warnings: list[str], limit: int = 6) -> list[str]:
    if len(warnings) <= limit:
        return warnings
    return warnings[:limit] + [f"… and {len(warnings) - limit} more values reported as null"]


def format_validation_error(spec: ToolSpec, err: ValidationError) -> dict:
    """A validation error the model can act on: the field, what was wrong, what is allowed."""
    problems = []
    fields = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e.get("loc", ())) or "arguments"
        fields.append(loc)
        msg = shorten(e.get("msg", "invalid"), 200)  # a validator's message may quote the whole input
        if e.get("type") == "extra_forbidden":
            top = str(e["loc"][0]) if e.get("loc") else loc
            valid = list(spec.params_model.model_fields)
            problems.append(unknown_name("argument", top, valid).message)
            continue
        got = e.get("input")
        if e.get("type") in ("string_too_long", "too_long") and hasattr(got, "__len__"):
            unit = "characters" if isinstance(got, str) else "items"
            problems.append(f"argument {loc!r}: {msg} (got {len(got):,} {unit})")
            continue
        shown = json.dumps(got, default=str)[:80] if got is not None else None
        problems.append(f"argument {loc!r}: {msg}" + (f" (got {shown})" if shown and e.get("type") != "missing" else ""))
    params = ", ".join(
        f"{n}{'' if f.is_required() else '?'}" for n, f in spec.params_model.model_fields.items()
    )
    if len(problems) > 5:  # a list of 5,000 bad items is one problem said 5,000 times
        problems = problems[:5] + [f"… and {len(problems) - 5} more problems"]
        fields = fields[:5]
    return {
        "error": "; ".join(problems),
        "hint": f"call {spec.name} again with corrected arguments; parameters: {params}",
        "field": fields[0] if fields else None,
    }


_SURROGATE = re.compile("[\ud800-\udfff]")


def first_invalid_text(value: Any, path: str = "") -> tuple[str, int] | None:
    """(argument path, character index) of the first string holding a lone surrogate, else None.

    Python hands such strings over from undecodable bytes (a CLI argument with a Latin-1 byte);
    they cannot be encoded as UTF-8, so storing or echoing them would fail later, far from the cause.
    """
    if isinstance(value, str):
        match = _SURROGATE.search(value)
        return (path or "arguments", match.start()) if match else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_invalid_text(key, path or "arguments") if isinstance(key, str) else None
            found = found or first_invalid_text(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = first_invalid_text(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _arguments_object(args: Any) -> tuple[dict, dict | None]:
    """(the call's arguments as a dict, None) or ({}, an `{"error", "hint"}` saying why they are not one)."""
    if args is None:
        return {}, None
    if isinstance(args, (str, bytes, bytearray)):
        if text_depth_exceeds(args):
            return {}, dict(TOO_DEEP)
        try:
            args = json.loads(args)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = f": {exc.msg} at position {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
            return {}, {"error": f"arguments are not valid JSON{where}", "hint": "send the arguments as one JSON object"}
    elif json_depth_exceeds(args):
        return {}, dict(TOO_DEEP)
    if not isinstance(args, dict):
        return {}, {"error": "arguments must be a JSON object",
                    "hint": f"got {type(args).__name__}; send {{\"name\": value, ...}}"}
    return dict(args), None


# ---------------------------------------------------------------- the registry

class Registry:
    """An immutable set of tools with one call path that every adapter goes through."""

    def __init__(self, specs: Iterable[ToolSpec], problems: Iterable[str] = ()):
        # What could not be registered (a plugin that failed to load or broke a rule), said by
        # `indexdesk tools list` and `indexdesk doctor`; the tools that loaded still work.
        self.problems: tuple[str, ...] = tuple(problems)
        self._specs: dict[str, ToolSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"two tools are named {spec.name!r}")
            self._specs[spec.name] = spec

    @classmethod
    def from_modules(cls, modules: Iterable[str]) -> "Registry":
        """Collect every function registered with `@tool` in the named modules, in definition order."""
        return cls(spec for module_name in modules for spec in specs_in_module(importlib.import_module(module_name)))

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    @property
    def names(self) -> list[str]:
        return list(self._specs)

    def get(self, name: str) -> ToolSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise unknown_name("tool", name, self._specs) from None

    def subset(self, names: Iterable[str]) -> "Registry":
        return Registry(self.get(n) for n in names)

    # The single call path. Adapters call this and nothing else.
    def call(self, name: str, args: dict | str | None, ctx: Any) -> dict:
        """Validate, run, and return a JSON-safe dict; errors come back as `{"error", "hint"}`.

        Nothing raises out of here: odd names, arguments that are not an object, text that is not
        valid Unicode and bugs in a tool all come back as structured errors.
        """
        try:
            return self._call(name, args, ctx)
        except Exception as exc:  # noqa: BLE001 - the boundary itself must never leak an exception
            log.exception("registry call %s failed", shorten(name))
            return {"error": f"internal error calling {shorten(name)}: {type(exc).__name__}",
                    "hint": "this is a bug, not your arguments; try other arguments or another tool",
                    "internal": True}

    def _call(self, name: Any, args: Any, ctx: Any) -> dict:
        if not isinstance(name, str):
            return {"error": f"the tool name must be text, got {type(name).__name__}",
                    "hint": "valid tools: " + ", ".join(self._specs)}
        try:
            spec = self.get(name)
        except ToolError as exc:
            return exc.to_dict()
        arguments, problem = _arguments_object(args)
        if problem is not None:
            return problem
        bad_text = first_invalid_text(arguments)
        if bad_text is not None:
            where, position = bad_text
            return {"error": f"argument {where!r} holds text that is not valid Unicode (a lone surrogate at "
                             f"character {position}, e.g. a byte that is not UTF-8)",
                    "hint": "send the text as UTF-8", "field": where}
        # Strict-mode models send null for an optional argument they mean to leave out.
        fields = spec.params_model.model_fields
        arguments = {k: v for k, v in arguments.items() if not (v is None and k in fields and not fields[k].is_required())}
        try:
            params = spec.params_model.model_validate(arguments)
        except ValidationError as exc:
            return format_validation_error(spec, exc)
        kwargs = {n: getattr(params, n) for n in fields}
        try:
            with collecting() as data_notes:
                result = spec.func(ctx, **kwargs) if spec.takes_context else spec.func(**kwargs)
        except (ToolError, StoreError) as exc:  # StoreError: a damaged or missing store, with its fix
            return exc.to_dict()
        except Exception as exc:  # noqa: BLE001 - the adapter boundary: a bug must not reach the user as a traceback
            log.exception("tool %s failed", name)
            return {"error": f"internal error in {name}: {public_error_text(exc)}",
                    "hint": "this is a bug in the tool, not in your arguments; try other arguments or another tool",
                    "internal": True}
        warnings: list[str] = []
        plain = sanitize(_to_plain(result), warnings)
        if data_notes and isinstance(plain, dict):  # coverage gaps, holes, suspect prices behind the numbers
            plain["warnings"] = merge(plain.get("warnings"), data_notes)
        if warnings:
            if isinstance(plain, dict):
                plain["warnings"] = list(plain.get("warnings") or []) + _collapse_warnings(warnings)
            else:
                plain = {"result": plain, "warnings": _collapse_warnings(warnings)}
        if not isinstance(plain, dict):
            plain = {"result": plain}
        return plain

    def call_json(self, name: str, args_json: str | dict | None, ctx: Any) -> str:
        """`call` with a JSON string out: compact, no NaN."""
        return dumps(self.call(name, args_json, ctx))


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str)


ERROR_KEYS = frozenset({"error", "hint", "field", "valid", "internal"})


def is_error(result: dict) -> bool:
    """A structured error (tool error, validation error or internal error) rather than a result."""
    return isinstance(result, dict) and "error" in result and not set(result) - ERROR_KEYS


def is_internal_error(result: dict) -> bool:
    """An exception the tool did not expect (a bug), as opposed to an error in the arguments."""
    return is_error(result) and result.get("internal") is True


def _strip_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_titles(v) for k, v in schema.items() if k != "title" or not isinstance(v, str)}
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema
