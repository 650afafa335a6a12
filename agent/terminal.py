"""The one terminal renderer: a tool result as tables that fit the terminal, numbers from declared units.

    from indexdesk.agent.terminal import render
    render(result, "compute_var")                 # generic: facts, one table per list of records
    render(result, "compute_var", VIEWS["var"])   # a laid-out view (agent/terminal_views.py)

Rules every table follows:
* every number is formatted by `indexdesk.tools.units.format_value` from the unit its result model
  declares (money with its currency, fractions as percentages, no `-0`);
* every cell is a `rich.text.Text`: stored text (venues, notes, journal text) is data, never markup;
* numbers, dates and ids are never cut: number columns do not wrap, and a table that cannot fit
  the terminal even with its text columns wrapped is printed as stacked rows (one block per row,
  `column value` pairs wrapped between pairs);
* one footer: `holdings: … · source … · as of …` dim, then `warning: …` per warning.

Rich is imported inside the functions (this module loads only when a command renders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LEFT_UNITS = {None, "label"}


MAX_WIDTH = 80  # tables are laid out for 80 columns by design; --wide lifts the limit


def console(width: int | None = None, *, wide: bool = False):
    """The console every command prints through: at most 80 columns (a readable line; the layouts are
    made for it), the terminal's width when narrower, unlimited layout with --wide."""
    from rich.console import Console

    if width is None and not wide:
        width = min(MAX_WIDTH, Console().width or MAX_WIDTH)
    return Console(highlight=False, width=width)


class Fmt:
    """Formats values of one tool's result by their declared units (dotted paths)."""

    def __init__(self, tool: str | None, result: dict | None = None):
        from indexdesk.agent.render import units_for

        self.units = units_for(tool) or {}
        self.currency = str((result or {}).get("currency") or "USD")

    def unit(self, path: str, record: dict | None = None) -> str | None:
        from indexdesk.agent.render import unit_at

        return unit_at(self.units, path, record)

    def __call__(self, path: str, value: Any, digits: int | None = None, *, signed: bool = False,
                 record: dict | None = None) -> str:
        from indexdesk.tools.units import format_value

        if value is None:
            return "–"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if not isinstance(value, (int, float)):
            return str(value)
        return format_value(value, self.unit(path, record), self.currency, digits, signed=signed)


@dataclass
class Col:
    """One column of a laid-out table: header, the record's field (or a function of the record)."""

    header: str
    key: str | Callable[[dict, Fmt], str]
    digits: int | None = None
    signed: bool = False
    numeric: bool | None = None  # None: numeric when the field declares a number unit
    aside: bool = False  # a sentence (a note): printed under the table, keyed by the row's first cell, when narrow
    style: Callable[[dict], str | None] | None = None
    short: str | None = None  # the header when the table is too wide for the full one (named in the legend)


# Short forms of column headers; a table that uses one names it in a legend line under it.
ABBREVIATIONS = {
    "CAGR": "compound annual growth rate",
    "vol": "annualised volatility",
    "max DD": "maximum drawdown",
    "corr": "correlation",
    "edge/yr": "annual return over the static targets",
}


def legend(abbreviations: list[tuple[str, str]]) -> Any:
    """One dim line naming each abbreviation a table used (`short = meaning`), or None when it used none."""
    from rich.text import Text

    named = dict(abbreviations)
    if not named:
        return None
    return Text(" · ".join(f"{short} = {meaning}" for short, meaning in named.items()), style="dim")


def used_abbreviations(headers: list[str]) -> list[tuple[str, str]]:
    """The ABBREVIATIONS among these headers, in table order."""
    return [(h, ABBREVIATIONS[h]) for h in headers if h in ABBREVIATIONS]


@dataclass
class TableView:
    """A list of records in the result drawn as a table."""

    key: str  # the result field holding the records ("components")
    columns: list[Col]
    title: str | Callable[[dict, Fmt], str] = ""
    total: Callable[[dict, Fmt], list[str]] | None = None  # a bold last row
    caption: str | Callable[[dict, Fmt], str] | None = None


@dataclass
class View:
    """How one command lays out its tool's result: a heading, tables, summary lines."""

    tables: list[TableView] = field(default_factory=list)
    heading: Callable[[dict, Fmt], str | None] | None = None
    summary: Callable[[dict, Fmt], list[str]] | None = None
    footer_extra: Callable[[dict, Fmt], list[str]] | None = None
    prepare: Callable[[dict], None] | None = None  # adds a derived list to draw (e.g. a matrix's rows)


def _text(value: Any, style: str | None = None):
    from rich.text import Text

    return value if isinstance(value, Text) else Text(str(value), style=style or "")


def fit(con: Any, headers: list[str], rows: list[list[Any]], numeric: list[bool], *, title: str = "",
        caption: str = "", total: list[Any] | None = None, wide: bool = False) -> Any:
    """A table that fits the console, or its stacked form when it cannot (numbers never cut)."""
    from rich import box
    from rich.measure import Measurement
    from rich.table import Table

    def build() -> Table:
        table = Table(caption=_text(caption) if caption else None, box=box.SIMPLE_HEAD, pad_edge=False,
                      caption_justify="left")
        for i, (header, is_number) in enumerate(zip(headers, numeric)):
            # Numbers, and text columns of single words (ids, symbols, dates), never break: Rich narrows the
            # columns that wrap between words instead (a lot id split over two lines reads as two ids).
            whole = is_number or all(" " not in str(row[i]).strip() for row in rows)
            table.add_column(_text(header), justify="right" if is_number else "left", no_wrap=whole,
                             overflow="fold")
        for row in rows:
            table.add_row(*(_text(c) for c in row))
        if total:
            table.add_row(*(_text(c, "bold") for c in total), end_section=False)
        return table

    from rich.console import Group
    from rich.text import Text

    table = build()
    # The title is a line of its own (wrapped at the terminal's width, never squeezed to the table's).
    titled = (lambda t: Group(Text(title, style="bold"), t)) if title else (lambda t: t)
    if wide:
        return titled(table)
    measure = Measurement.get(con, con.options.update_width(10_000), table)
    if measure.maximum <= con.width:
        return titled(table)
    # Text columns may wrap between words; numbers may not: fits when the narrowest layout fits.
    if measure.minimum <= con.width and _words_fit(con, table, headers, rows, numeric):
        return titled(table)
    return stacked(con, headers, rows + ([total] if total else []), title=title, caption=caption)


def _words_fit(con: Any, table: Any, headers: list[str], rows: list[list[Any]], numeric: list[bool]) -> bool:
    """Numbers at full width plus each text column's longest word, plus the gaps: within the console."""
    need = 0
    for i, (header, is_number) in enumerate(zip(headers, numeric)):
        cells = [str(r[i]) for r in rows] + [header]
        if is_number:
            need += max(len(c) for c in cells)
        else:
            need += max(max((len(w) for w in c.split()), default=0) for c in cells)
        need += 2
    return need <= con.width


def stacked(con: Any, headers: list[str], rows: list[list[Any]], *, title: str = "", caption: str = "") -> Any:
    """Each row as a block: its first cell in bold, then `header value` pairs wrapped between pairs."""
    import textwrap

    from rich.console import Group
    from rich.text import Text

    width = max(20, con.width)
    out: list[Any] = []
    if title:
        out.append(Text(title, style="bold"))
    for row in rows:
        out.append(Text(str(row[0]), style="bold"))
        pieces = [f"{h} {c}" if h else str(c) for h, c in zip(headers[1:], row[1:]) if str(c) not in ("", "–")]
        line = ""
        for piece in pieces:
            candidate = f"{line} · {piece}" if line else piece
            if len("  " + candidate) <= width:
                line = candidate
                continue
            if line:
                out.append(Text("  " + line))
            if len("  " + piece) <= width:
                line = piece
            else:  # a long text value: wrapped between its words
                parts = textwrap.wrap(piece, width - 4, break_long_words=False, break_on_hyphens=False)
                out += [Text("  " + parts[0])] + [Text("    " + p) for p in parts[1:-1]]
                line = parts[-1] if len(parts) > 1 else ""
        if line:
            out.append(Text("  " + line))
    if caption:
        out.append(Text(caption, style="dim"))
    return Group(*out)


def _records_table(con: Any, result: dict, view: TableView, f: Fmt, wide: bool) -> Any | None:
    records = result.get(view.key) or []
    if not records and view.total is None:
        return None
    headers = [c.header for c in view.columns]
    numeric = []
    for c in view.columns:
        if c.numeric is not None:
            numeric.append(c.numeric)
        elif isinstance(c.key, str):
            numeric.append(f.unit(f"{view.key}.{c.key}") not in LEFT_UNITS)
        else:
            numeric.append(False)
    rows = []
    for record in records:
        row = []
        for c in view.columns:
            if callable(c.key):
                text = c.key(record, f)
            else:
                text = f(f"{view.key}.{c.key}", record.get(c.key), c.digits, signed=c.signed, record=record)
            style = c.style(record) if c.style else None
            row.append(_text(text, style))
        rows.append(row)
    title = view.title(result, f) if callable(view.title) else view.title
    caption = view.caption(result, f) if callable(view.caption) else (view.caption or "")
    total = view.total(result, f) if view.total else None
    # A column with nothing in any row (no targets set, no signals) says nothing: left out.
    empty = [i for i in range(len(headers)) if all(str(r[i]) in ("", "–") for r in rows)
             and not (total and str(total[i]) not in ("", "–"))]
    if empty and rows and not wide:
        keep = [i for i in range(len(headers)) if i not in empty]
        headers, numeric = [headers[i] for i in keep], [numeric[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
        total = [total[i] for i in keep] if total else None
        view = TableView(view.key, [view.columns[i] for i in keep], view.title, view.total, view.caption)
    shorts = [c.short or c.header for c in view.columns]
    if not wide and shorts != headers and not _fits(con, headers, rows, numeric):
        # Too wide with the full headers: the short ones, named under the table.
        headers = shorts
    key = legend([(h, ABBREVIATIONS.get(h) or c.header) for h, c in zip(headers, view.columns)
                  if h in ABBREVIATIONS or h != c.header])
    table = _laid_out(con, view, headers, rows, numeric, title, caption, total, wide)
    if key is None:
        return table
    from rich.console import Group

    return Group(table, key)


def _laid_out(con: Any, view: TableView, headers: list[str], rows: list[list[Any]], numeric: list[bool],
              title: str, caption: str, total: list[Any] | None, wide: bool) -> Any:
    aside = [i for i, c in enumerate(view.columns) if c.aside]
    if aside and not wide and not _fits(con, headers, rows, numeric):
        # Notes step out of the table rather than wrap every row onto three lines.
        from rich.console import Group
        from rich.text import Text

        keep = [i for i in range(len(headers)) if i not in aside]
        notes = [Text(f"{row[0]}: " + "; ".join(str(row[i]) for i in aside if str(row[i]) not in ("", "–")))
                 for row in rows if any(str(row[i]) not in ("", "–") for i in aside)]
        table = fit(con, [headers[i] for i in keep], [[row[i] for i in keep] for row in rows],
                    [numeric[i] for i in keep], title=title, caption=caption,
                    total=[total[i] for i in keep] if total else None)
        return Group(table, *notes)
    return fit(con, headers, rows, numeric, title=title, caption=caption, total=total, wide=wide)


def _fits(con: Any, headers: list[str], rows: list[list[Any]], numeric: list[bool]) -> bool:
    """Every cell on one line within the console (padding and a rule between columns: 3 each)."""
    need = sum(max(len(str(c)) for c in [h] + [r[i] for r in rows]) + 3 for i, h in enumerate(headers))
    return need <= con.width


SAMPLE_MARKER = "SAMPLE PRICES"  # = tools.price_provenance.SAMPLE_MARKER (the footer needs no tools import)


def footer_lines(result: dict, extra: list[str] | None = None) -> list[tuple[str, str]]:
    """(style, text) lines: provenance, then one `warning:` line per warning (the one way)."""
    parts = list(extra or [])
    if result.get("origin"):
        parts.append(f"holdings: {result['origin']}")
    if result.get("source"):
        parts.append(f"source {result['source']}")
    if result.get("as_of"):
        parts.append(f"as of {result['as_of']}")
    lines = [("dim", " · ".join(parts))] if parts else []
    for warning in list(result.get("warnings") or []):
        if not str(warning).startswith(SAMPLE_MARKER):  # said above the numbers (print_header)
            lines.append(("yellow", f"warning: {warning}"))
    return lines


def print_header(con: Any, result: dict) -> None:
    """Above the numbers: a ledger valued at the sample market says so first (with the fix), then where
    the prices come from and how old they are."""
    from indexdesk.tools.price_provenance import header_lines
    from rich.text import Text

    sample, prices = header_lines(result)
    for line in sample:
        con.print(Text(line, style="bold red"))
    if prices and (sample or result.get("price_age_days") is not None):
        con.print(Text(prices, style="dim"))


def print_footer(con: Any, result: dict, extra: list[str] | None = None) -> None:
    from rich.text import Text

    for style, line in footer_lines(result, extra):
        con.print(Text(line, style=style))


def render(result: dict, tool: str, view: View | None = None, *, con: Any = None, wide: bool = False) -> None:
    """Print one tool result: the view's layout, or the generic tables (see the module docstring)."""
    from rich.text import Text

    con = con or console(wide=wide)
    f = Fmt(tool, result)
    print_header(con, result)
    if view is None:
        render_generic(con, result, tool, wide=wide)
        return
    if view.prepare:
        view.prepare(result)
    heading = view.heading(result, f) if view.heading else None
    if heading:
        con.print(Text(heading, style="bold"))
    for table_view in view.tables:
        table = _records_table(con, result, table_view, f, wide)
        if table is not None:
            con.print(table)
    for line in (view.summary(result, f) if view.summary else []):
        if line:
            con.print(Text(line))
    print_footer(con, result, view.footer_extra(result, f) if view.footer_extra else None)


def render_generic(con: Any, result: dict, tool: str, *, wide: bool = False) -> None:
    """Any tool's result from its declared units: facts, a table per list of records, footer."""
    from indexdesk.agent.render import tabulate, units_for
    from rich.text import Text

    shape = tabulate(result, units=units_for(tool), markdown=False)
    if shape.facts:
        con.print(Text(" · ".join(f"{k}: {v}" for k, v in shape.facts)))
    for table in shape.tables:
        numeric = [bool(table.rows) and all(_looks_numeric(r[i]) for r in table.rows) for i in range(len(table.columns))]
        con.print(fit(con, table.columns, table.rows, numeric, title=table.title, wide=wide))
        if table.hidden_rows:
            con.print(Text(f"… {table.hidden_rows} more rows (--json shows every row)", style="dim"))
    print_footer(con, result)


def _looks_numeric(text: str) -> bool:
    """A formatted number (12.3%, -$1,234.00, 1,234.00 EUR, 5 pp) or an empty mark."""
    import re

    text = str(text).strip()
    return text in ("–", "n/a") or bool(re.fullmatch(r"[-+]?\$?[\d,]+(\.\d+)?(%| pp| bps| [A-Z]{3})?", text))
