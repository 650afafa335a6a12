"""CoinTracker's CSV, read and written.

Columns (support.cointracker.io "Convert your transaction history to CoinTracker CSV"; every column,
any order):
    Date,Received Quantity,Received Currency,Sent Quantity,Sent Currency,Fee Amount,Fee Currency,Tag
Dates are UTC, MM/DD/YYYY HH:MM:SS (time optional). Tags (CoinTracker's "Transaction category
definitions"): staking, airdrop, fork, mined, payment, interest, income on what is received; gift,
donation, lost, stolen, payment on what is sent. The file names no venue: rows land at `--venue`
(default "cointracker"). Rows map to the ledger by format_flows' rules.
"""

from __future__ import annotations

import re

from indexdesk.tools.portfolio import format_flows as flows
from indexdesk.tools.portfolio.rows import RowError

NAME = "cointracker"
COLUMNS = ("Date", "Received Quantity", "Received Currency", "Sent Quantity", "Sent Currency", "Fee Amount",
           "Fee Currency", "Tag")
REQUIRED = COLUMNS
INCOME = {"staking", "airdrop", "fork", "mined", "interest", "income", "payment"}
FEES = {"fee", "margin fee"}
OUT = {"gift", "donation", "lost", "stolen"}
IN: set[str] = set()
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def iso_date(text: str) -> str:
    raw = (text or "").strip()
    match = _DATE.match(raw)
    if not match:
        raise RowError(f"Date {raw[:30]!r} is not MM/DD/YYYY HH:MM:SS")
    month, day, year, hour, minute, second = match.groups()
    if not 1 <= int(month) <= 12 or not 1 <= int(day) <= 31:
        raise RowError(f"Date {raw[:30]!r} is not MM/DD/YYYY (month {month}, day {day})")
    return (f"{year}-{int(month):02d}-{int(day):02d}T{int(hour or 0):02d}:{minute or '00'}:{second or '00'}+00:00")


def _flow(record: dict[str, str]) -> flows.Flow:
    tag = (record.get("Tag") or "").strip().lower()
    received, sent = (flows.amount(record.get("Received Quantity"), "Received Quantity"),
                      flows.amount(record.get("Sent Quantity"), "Sent Quantity"))
    if tag == "payment":  # a payment received is income, a payment sent a disposal by withdrawal
        tag = "payment" if received and not sent else "gift"
    return flows.Flow(
        date=iso_date(record.get("Date", "")), sent=sent,
        sent_currency=flows.currency(record.get("Sent Currency"), "Sent Currency"), received=received,
        received_currency=flows.currency(record.get("Received Currency"), "Received Currency"),
        fee=flows.amount(record.get("Fee Amount"), "Fee Amount"),
        fee_currency=flows.currency(record.get("Fee Currency"), "Fee Currency"), label=tag, note=tag)


def read(records: list[tuple[int, dict[str, str]]], venue: str = NAME):
    return flows.read_flows(records, _flow, venue=venue, income_labels=INCOME, fee_labels=FEES, out_labels=OUT,
                            in_labels=IN)


def _row(tx, mapped) -> list:
    sent, sent_cur, got, got_cur, fee, fee_cur, role, _ = mapped
    if role == "fee":
        sent, sent_cur, fee, fee_cur = "", "", sent, sent_cur
    tag = "staking" if role == "income" else ""
    return [tx.when.strftime("%m/%d/%Y %H:%M:%S"), got, got_cur, sent, sent_cur, fee, fee_cur, tag]


def export(transactions) -> str:
    """Every transaction as CoinTracker rows. Coin-for-coin trades need no net worth column here; a fee
    row is a fee-only line; transfers between the user's own venues are left out (one wallet)."""
    return flows.write_flows(transactions, COLUMNS, _row)
