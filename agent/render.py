"""Tool results as readable tables: Markdown for answers, Rich for the terminal.

Works on any tool's JSON result: scalar fields become a field/value table, lists of records and
mappings of records become tables with one row each, a labelled matrix (correlation) becomes a
square table. Numbers are formatted from the units the tool's result model declares
(`indexdesk.tools.units`, read by `units_for(tool)`): fractions as percentages, ratios and scores
plain, money with its currency, days and counts as integers. A result without declared units (a
tool outside the registry) falls back to reading field names. Rounding never changes what the
grounding check accepts (agent/grounding.py reads rounded figures and percentages of fractions).
Only the standard library is imported at top level; Rich is imported by the functions that draw with it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from indexdesk.tools.text import md_escape

# Fields every result carries; shown as a footer line, not as table rows.
META_FIELDS = ("source", "as_of", "warnings", "notes")
MAX_ROWS = 25
MAX_INLINE_LIST = 6


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    hidden_rows: int = 0


@dataclass
class Tabulated:
    """A result broken into what a reader sees: short facts, tables, footer lines."""

    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def format_number(value: float) -> str:
    """A number as the result has it, rounded to 4 significant digits (2 decimals from 1,000 up).

    Rounding only, never rescaling: the grounding check reads "0.0812" as 0.081234 shown at its
    precision, and the full value stays one `/last` away.
    """
    if isinstance(value, int) or not math.isfinite(value):
        return json.dumps(value)
    if value == 0 or value.is_integer():
        return str(int(value))
    magnitude = abs(value)
    decimals = 2 if magnitude >= 1000 else min(10, 3 - math.floor(math.log10(magnitude)))
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Fields whose numbers are fractions a person reads as percentages (0.123 -> 12.30%). The grounding
# check reads a percentage as the fraction it came from, so rescaling these keeps answers grounded.
_PERCENT_FIELD = re.compile(
    r"(^|_)(returns?|volatility|vol|drawdowns?|depth|var|cvar|pnl|weights?|share|loss|confidence|contributions?|"
    r"hit_rate|cash|shock|target)$")


def is_percent_field(key: str | None) -> bool:
    return bool(key) and bool(_PERCENT_FIELD.search(str(key).rsplit(".", 1)[-1].lower()))


def format_percent(value: float) -> str:
    """A fraction as a percentage in the one style (`format_value`'s, 0.1 %)."""
    from indexdesk.tools.units import format_value

    return format_value(value, "fraction")


# Set while one result is being drawn: its declared units by dotted path and its currency.
_UNITS: list[tuple[dict[str, str] | None, str]] = [(None, "USD")]
_EXPANDED: list[bool] = [False]
_MARKDOWN: list[bool] = [True]


def format_money(value: float, currency: str = "USD", digits: int = 2) -> str:
    from indexdesk.tools.units import format_value

    return format_value(value, "currency", currency, digits)


def format_unit(value: float, unit: str, currency: str = "USD", digits: int | None = None) -> str:
    """A number in its declared unit: `indexdesk.tools.units.format_value`, the one formatter."""
    from indexdesk.tools.units import format_value

    return format_value(value, unit, currency, digits)


def unit_at(units: dict[str, str], path: str, record: dict | None = None) -> str | None:
    """The declared unit of a dotted path ("results.annual_volatility", "scenarios.contributions.BTC")."""
    unit = units.get(path)
    if unit is None and "." in path:
        unit = units.get(path.rsplit(".", 1)[0] + ".*")
    if unit == "per_row":
        unit = str((record or {}).get("unit") or "ratio")
    return unit


def cell(value: Any, key: str | None = None, path: str | None = None, record: dict | None = None) -> str:
    """A value for a table cell: numbers in their declared unit (or, for a result without declared
    units, fractions of named fields as percentages), null as n/a."""
    units, currency = _UNITS[-1]
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if units is not None:
            unit = unit_at(units, path or key or "", record)
            return format_unit(value, unit, currency) if unit else format_number(value)
        if isinstance(value, float) and math.isfinite(value) and is_percent_field(key):
            return format_percent(value)
        return format_number(value)
    if isinstance(value, str):
        return md_escape(value) if _MARKDOWN[-1] else value.replace("\n", " ")
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        if len(value) <= MAX_INLINE_LIST or _EXPANDED[-1]:
            return ", ".join(cell(v, key, path, record) for v in value)
        return (f"{cell(value[0], key, path, record)}, {cell(value[1], key, path, record)}, … "
                f"{cell(value[-1], key, path, record)} ({len(value)} values; /expand shows all)")
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text if _EXPANDED[-1] else text[:120]


def unit_formatter(tool: str, currency: str = "USD"):
    """`fmt(path, value, digits=None)` formatting by the tool's declared units: for hand-laid CLI tables."""
    units = units_for(tool) or {}

    def fmt(path: str, value: Any, digits: int | None = None, record: dict | None = None) -> str:
        unit = unit_at(units, path, record)
        if unit is None:
            return "–" if value is None else (format_number(value) if isinstance(value, (int, float)) else str(value))
        return format_unit(value, unit, currency, digits)

    return fmt


def units_of(spec: Any) -> dict[str, str] | None:
    """Declared units of a tool's result (dotted paths) from its spec, or None when it declares none."""
    from indexdesk.tools.units import units_in_schema

    model = getattr(spec, "result_model", None)
    return units_in_schema(model.model_json_schema()) if model is not None else None


class _DefaultUnits:
    """Units of the default registry's tools by name, read once each (building the registry costs more
    than rendering). Only what was found is kept: a failed lookup is tried again next time. A caller
    with its own registry passes the units it read (`units_of`) instead."""

    def __init__(self) -> None:
        self._found: dict[str, dict[str, str] | None] = {}

    def get(self, tool_name: str) -> dict[str, str] | None:
        if tool_name not in self._found:
            try:
                from indexdesk.tools.toolbox import default_registry

                self._found[tool_name] = units_of(default_registry().get(tool_name))
            except Exception:  # noqa: BLE001 - an unknown tool is drawn with the field-name fallback
                return None
        return self._found[tool_name]


_DEFAULT_UNITS = _DefaultUnits()


def units_for(tool_name: str | None) -> dict[str, str] | None:
    """Declared units of a default-registry tool's result (dotted paths), or None when it declares none."""
    return _DEFAULT_UNITS.get(tool_name) if tool_name else None


def humanize(key: str) -> str:
    return str(key).replace("_", " ")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_scalar(v) for v in value)


def _flatten(record: dict, prefix: str = "") -> dict[str, Any]:
    """One level of nesting folded into dotted keys, so a record stays one table row."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not prefix and all(_is_scalar(v) or _is_scalar_list(v) for v in value.values()):
            flat.update(_flatten(value, prefix=f"{name}."))
        else:
            flat[name] = value
    return flat


def _records_tables(title: str, records: list[dict], label_column: str | None = None,
                    labels: list[str] | None = None, path: str = "") -> list[Table]:
    """A table with a row per record; nested lists of records become their own tables after it.

    A wide table of few rows (one index, fourteen metrics) is turned on its side to stay readable.
    """
    flat = [_flatten(r) for r in records]
    nested: list[Table] = []
    for number, record in enumerate(flat):
        label = labels[number] if labels else next((v for v in record.values() if isinstance(v, str)), str(number + 1))
        for key, value in list(record.items()):
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                nested += _records_tables(f"{humanize(key)} — {label}", value, path=f"{path}.{key}" if path else key)
                del record[key]
    columns: list[str] = []
    for record in flat:
        for key in record:
            if key not in columns:
                columns.append(key)
    rows = [[cell(r.get(c), c, f"{path}.{c}" if path else c, r) for c in columns] for r in flat]
    keep = [i for i, c in enumerate(columns) if any(row[i] not in ("", "none") for row in rows)]
    columns, rows = [columns[i] for i in keep], [[row[i] for i in keep] for row in rows]
    if labels is not None:
        columns = [label_column or ""] + columns
        rows = [[label] + row for label, row in zip(labels, rows)]
    if len(columns) > 8 and 0 < len(rows) <= 4:
        header = [""] + [row[0] for row in rows]
        sideways = [[humanize(columns[i])] + [row[i] for row in rows] for i in range(1, len(columns))]
        return [Table(title=title, columns=header, rows=sideways)] + nested
    shown = rows[:MAX_ROWS]
    return [Table(title=title, columns=[humanize(c) for c in columns], rows=shown,
                  hidden_rows=len(rows) - len(shown))] + nested


def _matrix_table(title: str, matrix: list[list[Any]], labels: list[str] | None, path: str = "") -> Table:
    width = max((len(r) for r in matrix), default=0)
    header = labels if labels and len(labels) == width else [str(i + 1) for i in range(width)]
    row_labels = labels if labels and len(labels) == len(matrix) else [str(i + 1) for i in range(len(matrix))]
    rows = [[row_labels[i]] + [cell(v, None, path) for v in row] for i, row in enumerate(matrix)]
    return Table(title=title, columns=[""] + list(header), rows=rows[:MAX_ROWS],
                 hidden_rows=max(0, len(rows) - MAX_ROWS))


def _label_list(result: dict, length: int) -> list[str] | None:
    """A sibling list of names with the given length (e.g. `names` next to a `matrix`)."""
    for key in ("labels", "names", "indices", "assets", "symbols", "columns"):
        value = result.get(key)
        if isinstance(value, list) and len(value) == length and all(isinstance(v, str) for v in value):
            return value
    return None


def tabulate(result: Any, title: str = "", units: dict[str, str] | None = None, *, expanded: bool = False,
             markdown: bool = True) -> Tabulated:
    """Break a tool result into facts, tables and footer lines (see the module docstring).

    `markdown`: stored text is escaped for Markdown (`md_escape`); False for the terminal's Rich
    tables, whose cells are `Text` (never markup) and need no escaping."""
    if not isinstance(result, dict):
        result = {"result": result}
    _UNITS.append((units, str(result.get("currency") or "USD")))
    _EXPANDED.append(expanded)
    _MARKDOWN.append(markdown)
    try:
        return _tabulate(result)
    finally:
        _UNITS.pop()
        _EXPANDED.pop()
        _MARKDOWN.pop()


def _tabulate(result: dict) -> Tabulated:
    out = Tabulated()
    matrix_labels_used: set[str] = set()
    for key, value in result.items():
        if key in META_FIELDS:
            continue
        name = humanize(key)
        if _is_scalar(value):
            out.facts.append((name, cell(value, key)))
        elif _is_scalar_list(value) and value and all(isinstance(v, str) for v in value) \
                and any(len(v) > 40 for v in value):
            # Sentences (lessons, suggestions) read one per row, never joined or cut.
            out.tables.append(Table(title="", columns=[name], rows=[[cell(v)] for v in value]))
        elif _is_scalar_list(value):
            if key in matrix_labels_used:
                continue
            out.facts.append((name, cell(value, key) if value else "none"))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.tables += _records_tables(name, value, path=key)
        elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            labels = _label_list(result, len(value))
            out.tables.append(_matrix_table(name, value, labels, path=key))
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            out.tables += _records_tables(name, list(value.values()), label_column="", labels=list(value), path=key)
        elif isinstance(value, dict) and value and all(_is_scalar(v) or _is_scalar_list(v) for v in value.values()):
            out.tables.append(Table(title=name, columns=["", "value"],
                                    rows=[[humanize(k), cell(v, key if is_percent_field(key) else k, f"{key}.{k}")]
                                          for k, v in list(value.items())[:MAX_ROWS]],
                                    hidden_rows=max(0, len(value) - MAX_ROWS)))
        elif isinstance(value, (list, dict)) and not value:
            out.facts.append((name, "none"))
        else:
            out.lines.append(f"{name}: `{cell(value)}`")
    if len(out.facts) > 4:  # many scalars read better as a table than as a run-on line
        out.tables.insert(0, Table(title="", columns=["", "value"], rows=[[k, v] for k, v in out.facts]))
        out.facts = []
    source = result.get("source")
    as_of = result.get("as_of")
    if source or as_of:
        out.lines.append("source: " + " · ".join(str(p) for p in (source, f"as of {as_of}" if as_of else None) if p))
    for warning in (result.get("warnings") or []) + (result.get("notes") or []):
        out.lines.append(f"note: {warning}")
    return out


# ---------------------------------------------------------------- Markdown

def markdown_table(table: Table) -> str:
    if not table.columns:
        return ""
    lines = ["| " + " | ".join(c or " " for c in table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    if table.hidden_rows:
        lines.append(f"\n… {table.hidden_rows} more rows (`/last` shows the full JSON)")
    return "\n".join(lines)


def result_markdown(result: Any, heading: str = "", units: dict[str, str] | None = None, *,
                    tool: str | None = None, expanded: bool = False, units_given: bool = False) -> str:
    """One tool result as Markdown: heading, facts line, tables, footer lines. `units` are the tool's
    declared units (`units_of`); without them (and without `units_given`: the caller read the tool's
    declaration, which may be None) they are looked up by `tool` in the default registry."""
    if units is None and tool and not units_given:
        units = units_for(tool)
    special = special_markdown(result, tool, expanded)
    if special is not None:
        return (f"**{heading}**\n\n" if heading else "") + special
    if isinstance(result, dict) and "error" in result and len(result) <= 4:
        text = f"**{heading}** failed: {result['error']}" if heading else f"Error: {result['error']}"
        if result.get("hint"):
            text += f"\n\n_hint: {result['hint']}_"
        return text
    parts = [f"**{heading}**"] if heading else []
    shape = tabulate(result, units=units, expanded=expanded)
    if shape.facts:
        parts.append(" · ".join(f"{k}: **{v}**" for k, v in shape.facts))
    for table in shape.tables:
        if table.title:
            parts.append(f"_{table.title}_")
        parts.append(markdown_table(table))
    if shape.lines:
        parts.append("\n".join(f"- {line}" for line in shape.lines))
    return "\n\n".join(p for p in parts if p)


def compact_args(args: dict, limit: int = 100) -> str:
    """`name=value` pairs on one line, long values shortened: the one-line tool-call view."""
    parts = []
    for key, value in (args or {}).items():
        if value is None:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and len(value) > 3:
            shown = f"[{len(value)} items]"
        elif isinstance(value, str):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
        parts.append(f"{key}={shown}")
    text = ", ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- Rich

def rich_tables(result: Any, heading: str = "", units: dict[str, str] | None = None, *,
                tool: str | None = None, expanded: bool = False) -> list:
    """Rich renderables for one tool result (tables plus dim footer lines)."""
    from rich.table import Table as RichTable
    from rich.text import Text

    if isinstance(result, dict) and "error" in result and len(result) <= 4:
        message = Text(f"{heading + ': ' if heading else ''}{result['error']}", style="red")
        return [message] + ([Text(f"hint: {result['hint']}", style="dim")] if result.get("hint") else [])
    if units is None and tool:
        units = units_for(tool)
    special = special_markdown(result, tool, expanded)
    if special is not None:
        return [Text(special)]
    shape = tabulate(result, units=units, expanded=expanded)
    out: list = []
    if shape.facts:
        out.append(Text(" · ".join(f"{k}: {v}" for k, v in shape.facts)))
    for table in shape.tables:
        rich_table = RichTable(title=table.title or None, title_justify="left", show_edge=False)
        for column in table.columns:
            rich_table.add_column(column, overflow="fold")
        for row in table.rows:
            rich_table.add_row(*row)
        out.append(rich_table)
        if table.hidden_rows:
            out.append(Text(f"… {table.hidden_rows} more rows", style="dim"))
    out += [Text(line, style="dim") for line in shape.lines]
    return out


def highlight_ungrounded(answer: str, ungrounded: list[str]) -> tuple[str, str | None]:
    """The answer with each ungrounded number marked (bold red, †) and the footnote to print under it."""
    if not ungrounded:
        return answer, None
    import re

    marked = answer
    for number in sorted(set(ungrounded), key=len, reverse=True):
        pattern = r"(?<![\w.†])" + re.escape(number) + r"(?![\w†]|\.\d)"
        marked = re.sub(pattern, lambda m: f"**{m.group(0)}†**", marked)
    footnote = "† not found in any tool result: " + ", ".join(dict.fromkeys(ungrounded))
    return marked, footnote


# ---------------------------------------------------------------- results read as text

def special_markdown(result: Any, tool: str | None, expanded: bool = False) -> str | None:
    """Results a person reads as text rather than a table: a saved journal entry, a checkup (short list)."""
    if isinstance(result, dict) and "understood" in result and isinstance(result.get("entry"), dict):
        return journal_entry_text(result)
    if tool == "checkup" and isinstance(result, dict) and "journal" in result:
        from indexdesk.agent.checkup_view import expanded_markdown, short_list

        if expanded:
            return expanded_markdown(result, result_markdown, units_for("checkup") or {})
        return short_list(result, unit_formatter("checkup"))
    return None


def journal_entry_text(result: dict) -> str:
    """A saved journal entry: date, kind, the text, and what was understood (to confirm or correct)."""
    entry = result.get("entry") or {}
    when = str(entry.get("date") or entry.get("timestamp") or "")[:10]
    kind = entry.get("kind") or "entry"
    lines = [f"Saved {kind} {result.get('id', '')} ({when})".replace(" ()", "").strip() + "."]
    if str(entry.get("text") or "").strip():
        lines.append(f"> {str(entry['text']).strip()}")
    understood = result.get("understood") or []
    if understood:
        lines.append("Understood: " + "; ".join(str(u) for u in understood) + ".")
    for warning in result.get("warnings") or []:
        lines.append(f"note: {warning}")
    return "\n".join(lines)


# Text written for the model, not the person: never shown as is.
_MODEL_ADDRESSED = ("do not retry", "the user declined", "user rejected the tool call")


def user_facing(text: str) -> str:
    """A tool message as the user should read it: what happened, without instructions to the model."""
    low = text.lower()
    if any(marker in low for marker in _MODEL_ADDRESSED):
        return "not run: you declined it"
    return text


# ---------------------------------------------------------------- fitting the terminal

def fit_rich_table(console: Any, build: Any, columns: list[str], drop_order: list[str], *, wide: bool = False):
    """A Rich table that fits the console: the lowest-priority columns go first, and the caller says
    which (a note with `--wide`). `build(columns)` makes the table. Returns (table, dropped, width)."""
    kept = list(columns)
    dropped: list[str] = []
    while True:
        table = build(kept)
        from rich.measure import Measurement

        # The natural width: measured as if the terminal were unlimited (Rich would squeeze it to fit).
        needed = Measurement.get(console, console.options.update_width(10_000), table).maximum
        if wide:
            return table, dropped, max(console.width, needed)
        if needed <= console.width:
            return table, dropped, console.width
        victim = next((c for c in drop_order if c in kept), None)
        if victim is None:
            return table, dropped, console.width
        kept.remove(victim)
        dropped.append(victim)


def dropped_note(dropped: list[str]) -> str | None:
    if not dropped:
        return None
    return f"not shown at this width: {', '.join(dropped)} (--wide shows every column)"
