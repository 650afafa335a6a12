"""CSV formats the ledger reads: native, Binance spot trade history, Coinbase transaction history, and
Koinly, CoinTracker and Kraken (each in its own module, format_<name>.py, registered in EXTRA).

Each reader turns a file's rows into native rows (column -> text) with their physical line numbers,
or a per-line reason when a row cannot be read. docs/ledger.md documents every format.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from indexdesk.memory.ledger.lots import LEDGER_CONTEXT
from indexdesk.tools.portfolio import format_cointracker, format_koinly, format_kraken
from indexdesk.tools.portfolio.rows import (DECIMAL_COMMA, NATIVE_COLUMNS, REQUIRED, RowError, format_decimal,
                                          parse_decimal)

# Formats in their own modules: NAME, COLUMNS (the header names them), read(records) -> (rows, errors, notes).
EXTRA = {module.NAME: module for module in (format_koinly, format_cointracker, format_kraken)}
FORMATS = ("native", "binance", "coinbase", *EXTRA)
THIRD_ASSET_FEE = "_third_asset_fee"  # marks a Binance fee row paid in a third asset (BNB): --fee-mode cost folds it
DEFAULT_VENUE = "_default_venue"  # marks a row whose venue is the format's default: --venue replaces it
# Stablecoin quotes are read as USD at par (the ledger's currency); documented in docs/ledger.md.
USD_QUOTES = ("USDT", "USDC", "BUSD", "FDUSD", "TUSD", "USDP", "DAI", "USD")
OTHER_QUOTES = ("EUR", "GBP", "TRY", "BRL", "BTC", "ETH", "BNB")
BINANCE_COLUMNS = ("Date(UTC)", "Pair", "Side", "Price", "Executed", "Amount", "Fee")
COINBASE_COLUMNS = ("Timestamp", "Transaction Type", "Asset", "Quantity Transacted")


@dataclass
class ParsedFile:
    format: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, native fields)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line, what was read but records nothing)
    records: int = 0  # the file's data rows (one may become several ledger rows, several one trade)


class FormatError(ValueError):
    """The file as a whole cannot be read (unknown format, wrong columns)."""


def detect(header: list[str]) -> str | None:
    cells = {c.strip() for c in header}
    lowered = {c.lower() for c in cells}
    if set(BINANCE_COLUMNS) <= cells:
        return "binance"
    if set(COINBASE_COLUMNS) <= cells:
        return "coinbase"
    for name, module in EXTRA.items():
        if set(module.REQUIRED) <= cells:
            return name
    if set(REQUIRED) <= lowered:
        return "native"
    return None


def _header_index(lines: list[list[str]]) -> int:
    """Coinbase reports start with a few lines of preamble; the header is the first row naming the columns."""
    for i, row in enumerate(lines[:20]):
        if detect(row) is not None:
            return i
    return 0


def _table(text: str) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """The file's rows with their physical line numbers, and the lines csv itself cannot read
    (a field over the csv module's 131,072-character limit) as row errors."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    table: list[tuple[int, list[str]]] = []
    broken: list[tuple[int, str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return table, broken
        except csv.Error as error:
            limit = csv.field_size_limit()
            reason = (f"a field is longer than {limit:,} characters" if "field larger" in str(error)
                      else f"not readable as CSV ({str(error)[:80]})")
            broken.append((reader.line_num, reason))
            continue
        table.append((reader.line_num, row))


def parse(text: str, fmt: str | None = None, *, decimal_comma: bool = False) -> ParsedFile:
    """Read a file's text: its format, native rows and per-line errors. `decimal_comma` is handed
    to the one amount parser (rows.parse_decimal) for every amount of every format."""
    table, broken = _table(text)
    if not table:
        raise FormatError("the file is empty")
    start = _header_index([row for _, row in table])
    header_line, header = table[start]
    found = detect(header)
    if fmt and fmt != found:
        if fmt not in FORMATS:
            raise FormatError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
        missing = _missing(fmt, header)
        raise FormatError(f"line {header_line}: not a {fmt} file: missing columns {', '.join(missing)}")
    if found is None:
        raise FormatError(f"line {header_line}: unknown columns {', '.join(c.strip() for c in header)[:200]}; "
                          f"native needs {', '.join(REQUIRED)} (docs/ledger.md), or give a Binance, Coinbase, Koinly, "
                          "CoinTracker or Kraken ledger export")
    keys = [h.strip().lower() if found == "native" else h.strip() for h in header]
    records = [(line, dict(zip(keys, row))) for line, row in table[start + 1:] if "".join(row).strip()]
    unreadable = [(line, reason) for line, reason in broken if line > header_line]  # rows csv cannot read
    if found in EXTRA:
        parsed = ParsedFile(found, records=len(records) + len(unreadable))
        token = DECIMAL_COMMA.set(decimal_comma)  # the readers' amounts go through parse_decimal
        try:
            parsed.rows, parsed.errors, parsed.notes = EXTRA[found].read(records)
        finally:
            DECIMAL_COMMA.reset(token)
        parsed.errors = unreadable + parsed.errors
        for _, fields in parsed.rows:
            fields[DEFAULT_VENUE] = "1"
        return parsed
    reader_fn = {"native": _native, "binance": _binance, "coinbase": _coinbase}[found]
    parsed = ParsedFile(found, errors=unreadable, records=len(records) + len(unreadable))
    if found == "native":
        unknown = [c for c in header if c.strip().lower() not in NATIVE_COLUMNS]
        if unknown:
            raise FormatError(f"line {header_line}: unknown column(s) {', '.join(unknown)[:120]}; native columns are "
                              f"{', '.join(NATIVE_COLUMNS)}")
    for line, record in records:
        try:
            for fields in reader_fn(record, decimal_comma):
                parsed.rows.append((line, fields))
        except RowError as error:
            parsed.errors.append((line, error.reason))
    return parsed


def _missing(fmt: str, header: list[str]) -> list[str]:
    cells = {c.strip() for c in header}
    wanted = {"native": REQUIRED, "binance": BINANCE_COLUMNS, "coinbase": COINBASE_COLUMNS,
              **{name: module.REQUIRED for name, module in EXTRA.items()}}[fmt]
    if fmt == "native":
        cells = {c.lower() for c in cells}
    return [c for c in wanted if c not in cells] or ["(columns present but the header is ambiguous)"]


# ------------------------------------------------------------------ native

def _native(record: dict[str, str], decimal_comma: bool = False) -> list[dict[str, str]]:
    return [record]  # keys were lower-cased once from the header; amounts are parsed by check_row


# ------------------------------------------------------------------ Binance spot trade history
# Date(UTC),Pair,Side,Price,Executed,Amount,Fee
# 2024-03-01 10:00:00,BTCUSDT,BUY,61000,0.01000000BTC,610.00000000USDT,0.00001000BTC

_AMOUNT = re.compile(r"^\s*([0-9][0-9., ]*)\s*([A-Z][A-Z0-9]*)\s*$")


def _exact(value: Decimal) -> str:
    """A derived amount (a price from subtotal / quantity) at the stored precision, 18 decimal places."""
    with localcontext() as context:
        context.prec = 60
        return format_decimal(value.quantize(Decimal("1e-18")))


def _amount(text: str, what: str, decimal_comma: bool) -> tuple[Decimal, str]:
    match = _AMOUNT.match(text or "")
    if not match:
        raise RowError(f"{what} {text[:30]!r} is not an amount with its asset, e.g. 0.01BTC")
    return parse_decimal(match.group(1), what, required=True, decimal_comma=decimal_comma), match.group(2)


def _split_pair(pair: str) -> tuple[str, str]:
    pair = pair.strip().upper()
    for quote in USD_QUOTES + OTHER_QUOTES:
        if pair.endswith(quote) and len(pair) > len(quote):
            return pair[: -len(quote)], quote
    raise RowError(f"pair {pair[:20]!r}: quote currency not recognised")


def _binance(record: dict[str, str], decimal_comma: bool = False) -> list[dict[str, str]]:
    with localcontext(LEDGER_CONTEXT):  # Executed × Price exactly, whatever the digits
        return _binance_rows(record, decimal_comma)


def _binance_rows(record: dict[str, str], decimal_comma: bool) -> list[dict[str, str]]:
    base, quote = _split_pair(record.get("Pair", ""))
    if quote not in USD_QUOTES:
        raise RowError(f"pair {base}{quote} is quoted in {quote}: only USD and USD stablecoin pairs are read "
                       "(the ledger keeps one currency)")
    side = (record.get("Side") or "").strip().lower()
    if side not in ("buy", "sell"):
        raise RowError(f"side {side[:10]!r} is not BUY or SELL")
    executed, executed_asset = _amount(record.get("Executed", ""), "Executed", decimal_comma)
    if executed_asset != base:
        raise RowError(f"Executed is in {executed_asset}, the pair's base is {base}")
    amount, _ = _amount(record.get("Amount", ""), "Amount", decimal_comma)
    price = parse_decimal(record.get("Price"), "Price", required=True, decimal_comma=decimal_comma)
    fee_amount, fee_asset = (_amount(record.get("Fee", ""), "Fee", decimal_comma) if (record.get("Fee") or "").strip()
                             else (Decimal(0), quote))
    when = (record.get("Date(UTC)") or "").strip().replace(" ", "T") + "+00:00"
    common = {"date": when, "venue": "binance", "currency": "USD", "note": f"binance {base}{quote}"}
    rows: list[dict[str, str]] = []
    quantity, fee_money = executed, Decimal(0)
    if fee_asset in USD_QUOTES:
        fee_money = fee_amount
    elif fee_asset == base and side == "buy":
        # The fee was taken from the coins bought: fewer units arrive, the cost is the whole amount.
        quantity, fee_money = executed - fee_amount, fee_amount * price
    elif fee_asset == base:
        fee_money = fee_amount * price
    elif fee_amount:
        rows.append({**common, "kind": "fee", "symbol": fee_asset, "quantity": format_decimal(fee_amount),
                     "note": f"binance fee on {base}{quote}", THIRD_ASSET_FEE: "1"})
    rows.insert(0, {**common, "kind": side, "symbol": base, "quantity": format_decimal(quantity),
                    "price": format_decimal(price), "fee": _exact(fee_money) if fee_money else ""})
    if abs(executed * price - amount) > max(Decimal("0.01"), amount * Decimal("0.001")):
        raise RowError(f"Executed × Price ({executed * price}) does not match Amount ({amount})")
    return rows


# ------------------------------------------------------------------ Coinbase transaction history
# (preamble lines…)
# ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,
#   Total (inclusive of fees and/or spread),Fees and/or Spread,Notes
# Older reports: Spot Price Currency / Spot Price at Transaction and no ID column.

_CONVERT = re.compile(r"Converted\s+([0-9][0-9.,]*)\s+(\w+)\s+to\s+([0-9][0-9.,]*)\s+(\w+)", re.IGNORECASE)
COINBASE_KINDS = {"buy": "buy", "advanced trade buy": "buy", "sell": "sell", "advanced trade sell": "sell",
                  "rewards income": "income", "staking income": "income", "learning reward": "income",
                  "inflation reward": "income", "coinbase earn": "income", "send": "withdrawal",
                  "receive": "deposit", "deposit": "deposit", "withdrawal": "withdrawal", "convert": "convert"}


def _coinbase(record: dict[str, str], decimal_comma: bool = False) -> list[dict[str, str]]:
    with localcontext(LEDGER_CONTEXT):
        return _coinbase_rows(record, decimal_comma)


def _coinbase_rows(record: dict[str, str], decimal_comma: bool) -> list[dict[str, str]]:
    kind_text = (record.get("Transaction Type") or "").strip().lower()
    kind = COINBASE_KINDS.get(kind_text)
    if kind is None:
        raise RowError(f"Coinbase transaction type {kind_text[:30]!r} is not read "
                       f"(read: {', '.join(sorted(COINBASE_KINDS))})")
    currency = (record.get("Price Currency") or record.get("Spot Price Currency") or "USD").strip().upper()
    if currency not in USD_QUOTES:
        raise RowError(f"prices in {currency}: only USD reports are read (the ledger keeps one currency)")
    price = parse_decimal(record.get("Price at Transaction") or record.get("Spot Price at Transaction"),
                          "Price at Transaction", decimal_comma=decimal_comma)
    fee = parse_decimal(record.get("Fees and/or Spread"), "Fees and/or Spread", decimal_comma=decimal_comma) or Decimal(0)
    quantity = parse_decimal(record.get("Quantity Transacted"), "Quantity Transacted", required=True,
                             decimal_comma=decimal_comma)
    asset = (record.get("Asset") or "").strip().upper()
    common = {"id": ("cb-" + record["ID"].strip()) if (record.get("ID") or "").strip() else "",
              "date": (record.get("Timestamp") or "").strip().replace(" UTC", "+00:00").replace(" ", "T"),
              "venue": "coinbase", "currency": "USD", "note": (record.get("Notes") or "").strip()[:200]}
    if kind == "convert":
        match = _CONVERT.search(record.get("Notes") or "")
        if not match:
            raise RowError("a Convert row needs notes like 'Converted 1 ETH to 0.05 BTC'")
        subtotal = parse_decimal(record.get("Subtotal"), "Subtotal", required=True, decimal_comma=decimal_comma)
        sold, sold_asset = parse_decimal(match.group(1), "Notes", decimal_comma=decimal_comma), match.group(2).upper()
        bought, bought_asset = (parse_decimal(match.group(3), "Notes", decimal_comma=decimal_comma),
                                match.group(4).upper())
        for amount, asset in ((sold, sold_asset), (bought, bought_asset)):
            if not amount or amount <= 0:
                raise RowError(f"Notes: a Convert of {format_decimal(amount)} {asset} has no price to carry "
                               "(both amounts must be positive)")
        base_id = common["id"]
        return [{**common, "id": base_id and base_id + "-out", "kind": "sell", "symbol": sold_asset,
                 "quantity": format_decimal(sold), "price": _exact(subtotal / sold), "fee": format_decimal(fee)},
                {**common, "id": base_id and base_id + "-in", "kind": "buy", "symbol": bought_asset,
                 "quantity": format_decimal(bought), "price": _exact(subtotal / bought)}]
    if asset in USD_QUOTES and kind in ("deposit", "withdrawal"):
        asset = "USD"
    return [{**common, "kind": kind, "symbol": asset, "quantity": format_decimal(abs(quantity)),
             "price": format_decimal(price) if kind != "withdrawal" else "", "fee": format_decimal(fee) if fee else ""}]


def native_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(NATIVE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
