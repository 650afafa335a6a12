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
    removed: int = 0  # rows deleted or reconciled before: not added again (the audit log remembers them)
    transfers: list[str] = field(default_factory=list)  # withdrawal + deposit pairs made transfers
    ambiguous: int = 0  # candidate pairs left for `portfolio reconcile`
    notes: list[str] = field(default_factory=list)

    @property
    def rejected_lines(self) -> int:
        """Rejected rows of the file (a row may carry more than one reason)."""
        return len({line for line, _ in self.rejected})

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


FEE_MODES = ("asset", "cost")
THIRD_ASSET_ADVICE = ("the fee was paid in {asset}, which the ledger does not hold at {venue} then: import the "
                      "{asset} you held first (its buy or deposit at {venue}), or import with --fee-mode cost to book "
                      "the fee's value at that day's price as a cost of the trade")


def import_text(ctx: "ToolContext", text: str, fmt: str | None = None, *, skip_bad: bool = False,
                decimal_comma: bool = False, fee_mode: str = "asset", venue: str | None = None,
                command: str = "") -> ImportReport:
    """Import a file's text. `decimal_comma` reads amounts written with decimal commas (European
    spreadsheets); without it such amounts are refused with both readings, never guessed.
    `fee_mode` cost: a fee paid in a third asset (BNB on Binance) is booked as a cost of its trade at
    that day's price instead of a disposal of the asset. `venue` names the venue of formats that carry none."""
    import gc

    if fee_mode not in FEE_MODES:
        raise ToolError(f"fee mode {fee_mode!r} is not one of {', '.join(FEE_MODES)}", valid=FEE_MODES, field="fee_mode")
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of live row objects: cyclic GC passes would dominate a large import
    try:
        return _import_text(ctx, text, fmt, skip_bad=skip_bad, decimal_comma=decimal_comma, fee_mode=fee_mode,
                            venue=venue, command=command)
    finally:
        if collecting:
            gc.enable()


def _fees_as_cost(ctx: "ToolContext", parsed) -> None:
    """Fold each third-asset fee row into its trade's fee at the asset's price that day (in place)."""
    from decimal import Decimal

    from indexdesk.tools.portfolio.holdings import price_on
    from indexdesk.tools.portfolio.rows import format_decimal, parse_decimal, parse_when

    kept: list[tuple[int, dict[str, str]]] = []
    for line, fields in parsed.rows:
        if not fields.get(formats.THIRD_ASSET_FEE):
            kept.append((line, fields))
            continue
        trade = next((f for ln, f in reversed(kept) if ln == line), None)
        try:
            day = parse_when(fields.get("date")).date()
            quantity = parse_decimal(fields.get("quantity"), "fee", required=True)
        except RowError as error:
            parsed.errors.append((line, error.reason))
            continue
        price, _ = price_on(ctx, fields["symbol"].upper(), day)
        if price is None or trade is None:
            parsed.errors.append((line, f"no price of {fields['symbol']} on {day} to book the fee as a cost: import "
                                        f"the {fields['symbol']} you held at {fields.get('venue') or 'the venue'} "
                                        "instead (its buy or deposit), without --fee-mode cost"))
            continue
        value = quantity * Decimal(repr(price))
        trade["fee"] = format_decimal((parse_decimal(trade.get("fee"), "fee") or Decimal(0)) + value.quantize(Decimal("1e-8")))
        trade["note"] = (trade.get("note", "") + f"; fee {fields['quantity']} {fields['symbol']} at {price:g} booked as cost")[:200]
    parsed.rows = kept


def _import_text(ctx: "ToolContext", text: str, fmt: str | None, *, skip_bad: bool, fee_mode: str,
                 venue: str | None, command: str, decimal_comma: bool = False) -> ImportReport:
    from dataclasses import replace

    from indexdesk.memory.ledger import LedgerRejected

    try:
        parsed = formats.parse(text, fmt, decimal_comma=decimal_comma)
    except formats.FormatError as error:
        raise ToolError(str(error), hint="see docs/ledger.md for the formats read", field="format") from None
    if venue:
        for _, fields in parsed.rows:
            if not fields.get("venue") or fields.get(formats.DEFAULT_VENUE):
                fields["venue"] = venue
    # The file's own rows: one Binance line may become a trade and a fee row, two Kraken lines one trade.
    report = ImportReport(parsed.format, rows=parsed.records, notes=[f"line {line}: {text}" for line, text in parsed.notes])
    if fee_mode == "cost":
        _fees_as_cost(ctx, parsed)
    store = ctx.ledger_store()
    names = Names.of(ctx, store.currency() or "USD")
    rejected = list(parsed.errors)
    third_asset: dict[str, dict[str, str]] = {}
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
        if fields.get(formats.THIRD_ASSET_FEE):
            third_asset[tx.tx_id] = fields
    if rejected and not skip_bad:
        report.rejected = sorted(rejected)
        return report

    def reason(conflict) -> str:
        fields = third_asset.get(conflict.tx_id)
        if fields is None:
            return conflict.reason
        return conflict.reason + "; " + THIRD_ASSET_ADVICE.format(asset=fields["symbol"].upper(),
                                                                   venue=fields.get("venue") or "the venue")

    try:
        result = store.add_transactions(transactions, skip_bad=skip_bad, command=command or f"import {parsed.format}")
    except LedgerRejected as error:
        report.rejected = sorted(rejected + [(line_of.get(c.tx_id, 0), reason(c)) for c in error.conflicts])
        return report
    report.rejected = sorted(rejected + [(line_of.get(c.tx_id, 0), reason(c)) for c in result.rejected])
    report.added, report.already, report.applied = len(result.added), len(result.already), True
    report.removed = len(result.removed)
    movers = {tx.tx_id for tx in transactions
              if tx.kind in ("withdrawal", "deposit", "transfer") and tx.symbol != tx.currency}
    if movers & set(result.added):  # only new coin withdrawals, deposits or transfers can make new pairs
        _pair_transfers(ctx, store, movers & set(result.added), report)
    return report


def _pair_transfers(ctx: "ToolContext", store, fresh: set[str], report: ImportReport) -> None:
    """Pair the new withdrawals and deposits with their other side (in this file or stored before):
    unambiguous pairs become transfers now, the others wait for `portfolio reconcile`."""
    from decimal import Decimal

    from indexdesk.tools.portfolio.reconcile import apply_pairs, describe, find_pairs

    found = find_pairs(store.transactions(), window_hours=float(ctx.settings.transfer_window_hours),
                       fee_tolerance=Decimal(str(ctx.settings.transfer_fee_tolerance)))
    def ids(pair) -> set[str]:
        return set(pair.remove_ids) | ({pair.transfer.tx_id} if hasattr(pair, "transfer") else set())

    touching = [p for p in found.unambiguous if ids(p) & fresh]
    report.ambiguous = len({p.remove_ids[0] for p in found.ambiguous if ids(p) & fresh})
    if touching:
        _, _, skipped = apply_pairs(store, touching, f"import {report.format}: automatic transfer pairing")
        skipped_keys = {text.rsplit(": not applied", 1)[0] for text in skipped}
        report.transfers = [describe(p) for p in touching if p.key not in skipped_keys]
        report.notes += skipped


EXPORT_FORMATS = ("native", "koinly", "cointracker")


def export_text(ctx: "ToolContext", fmt: str = "native") -> str:
    """Every transaction in time order: the native CSV (import it back for the same ledger), or Koinly's
    or CoinTracker's CSV (for those tools; they carry no venue, see docs/ledger.md)."""
    from indexdesk.tools.portfolio.holdings import ledger_or_none

    if fmt not in EXPORT_FORMATS:
        raise ToolError(f"cannot export as {fmt!r}", valid=EXPORT_FORMATS, field="format")
    store = ledger_or_none(ctx)
    transactions = store.transactions() if store is not None else []
    if fmt != "native":
        return formats.EXTRA[fmt].export(transactions)
    return formats.native_csv([native_fields(tx) for tx in transactions])
