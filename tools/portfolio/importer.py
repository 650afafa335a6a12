"""Import and export of transaction files: all or nothing, every rejected row named by line and reason.

`--skip-bad` imports the good rows and lists the rest. Each row has a stable id (its `id` column,
the venue's id, or a hash of its content), so importing the same file twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from indexdesk.tools.errors import ToolError
from indexdesk.tools.portfolio import formats
from indexdesk.tools.portfolio.rows import Names, RowError, check_row, native_fields, stable_id

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

MAX_BYTES = 200 * 1024 * 1024


@dataclass
class ImportReport:
    format: str
    rows: int
    added: int = 0
    already: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), by line
    applied: bool = False

    @property
    def ok(self) -> bool:
        return self.applied and not self.rejected


def read_file(path: str | Path) -> str:
    file = Path(path)
    if not file.is_file():
        raise ToolError(f"no such file: {str(path)[:200]}", hint="give the path of a CSV file")
    if file.stat().st_size > MAX_BYTES:
        raise ToolError(f"{file.name} is larger than {MAX_BYTES // 2**20} MB", hint="split the file")
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return file.read_text(encoding="latin-1")


def import_text(ctx: "ToolContext", text: str, fmt: str | None = None, *, skip_bad: bool = False,
                decimal_comma: bool = False) -> ImportReport:
    """Import a file's text. `decimal_comma` reads amounts written with decimal commas (European
    spreadsheets); without it such amounts are refused with both readings, never guessed."""
    import gc

    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of live row objects: cyclic GC passes would dominate a large import
    try:
        return _import_text(ctx, text, fmt, skip_bad=skip_bad, decimal_comma=decimal_comma)
    finally:
        if collecting:
            gc.enable()


def _import_text(ctx: "ToolContext", text: str, fmt: str | None, *, skip_bad: bool,
                 decimal_comma: bool = False) -> ImportReport:
    from dataclasses import replace

    from indexdesk.memory.ledger import LedgerRejected

    try:
        parsed = formats.parse(text, fmt, decimal_comma=decimal_comma)
    except formats.FormatError as error:
        raise ToolError(str(error), hint="see docs/ledger.md for the formats read", field="format") from None
    store = ctx.ledger_store()
    names = Names.of(ctx, store.currency() or "USD")
    report = ImportReport(parsed.format, rows=len(parsed.rows) + len(parsed.errors))
    rejected = list(parsed.errors)
    transactions = []
    line_of: dict[str, int] = {}
    seen_content: dict[str, int] = {}
    # Venue readers hand over amounts already read by the same parser (with the same option) and
    # written back with a decimal point; only native rows still hold the file's own text.
    comma = decimal_comma and parsed.format == "native"
    for line, fields in parsed.rows:
        try:
            tx = check_row(fields, names, tx_id=None, seq=line, decimal_comma=comma)
        except RowError as error:
            rejected.append((line, error.reason))
            continue
        if (fields.get("id") or "").strip():
            if tx.tx_id in line_of:
                rejected.append((line, f"duplicate id {tx.tx_id!r} (first on line {line_of[tx.tx_id]})"))
                continue
        else:  # an id from the row's meaning; identical rows of one file are numbered
            seen_content[tx.tx_id] = seen_content.get(tx.tx_id, 0) + 1
            if seen_content[tx.tx_id] > 1:
                tx = replace(tx, tx_id=stable_id(tx, seen_content[tx.tx_id]))
        transactions.append(tx)
        line_of[tx.tx_id] = line
    if rejected and not skip_bad:
        report.rejected = sorted(rejected)
        return report
    try:
        result = store.add_transactions(transactions, skip_bad=skip_bad)
    except LedgerRejected as error:
        report.rejected = sorted(rejected + [(line_of.get(c.tx_id, 0), c.reason) for c in error.conflicts])
        return report
    report.rejected = sorted(rejected + [(line_of.get(c.tx_id, 0), c.reason) for c in result.rejected])
    report.added, report.already, report.applied = len(result.added), len(result.already), True
    return report


def export_text(ctx: "ToolContext") -> str:
    """Every transaction as the native CSV, in time order (import it back for the same ledger)."""
    from indexdesk.tools.portfolio.holdings import ledger_or_none

    store = ledger_or_none(ctx)
    transactions = store.transactions() if store is not None else []
    return formats.native_csv([native_fields(tx) for tx in transactions])
