"""Koinly's universal CSV, read and written.

Columns (Koinly's "universal template", support.koinly.io "How to create a custom CSV file with your data"):
    Date,Sent Amount,Sent Currency,Received Amount,Received Currency,Fee Amount,Fee Currency,
    Net Worth Amount,Net Worth Currency,Label,Description,TxHash
Dates are UTC, "YYYY-MM-DD HH:MM UTC" (seconds and ISO forms are read too). The file names no venue:
rows land at `--venue` (default "koinly"). Rows map to the ledger by format_flows' rules.
"""

from __future__ import annotations

import re

from indexdesk.tools.portfolio import format_flows as flows
from indexdesk.tools.portfolio.rows import RowError

NAME = "koinly"
COLUMNS = ("Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency", "Fee Amount",
           "Fee Currency", "Net Worth Amount", "Net Worth Currency", "Label", "Description", "TxHash")
REQUIRED = ("Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency")
INCOME = {"reward", "staking", "airdrop", "fork", "mining", "income", "other income", "lending interest",
          "loan interest"}
FEES = {"cost", "fee"}
OUT = {"gift", "donation", "lost", "stolen", "to_pool"}
IN = {"from_pool"}
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(UTC|Z|[+-]\d{2}:?\d{2})?$")


def iso_date(text: str) -> str:
    raw = (text or "").strip()
    match = _DATE.match(raw)
    if match:
        zone = match.group(3) or "UTC"
        return f"{match.group(1)}T{match.group(2)}" + ("+00:00" if zone in ("UTC", "Z") else zone)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return raw
    raise RowError(f"Date {raw[:30]!r} is not YYYY-MM-DD HH:MM UTC")


def _flow(record: dict[str, str]) -> flows.Flow:
    worth_currency = (record.get("Net Worth Currency") or "").strip().upper()
    worth = flows.amount(record.get("Net Worth Amount"), "Net Worth Amount")
    return flows.Flow(
        date=iso_date(record.get("Date", "")),
        sent=flows.amount(record.get("Sent Amount"), "Sent Amount"),
        sent_currency=flows.currency(record.get("Sent Currency"), "Sent Currency"),
        received=flows.amount(record.get("Received Amount"), "Received Amount"),
        received_currency=flows.currency(record.get("Received Currency"), "Received Currency"),
        fee=flows.amount(record.get("Fee Amount"), "Fee Amount"),
        fee_currency=flows.currency(record.get("Fee Currency"), "Fee Currency"),
        label=(record.get("Label") or "").strip().lower(), note=(record.get("Description") or "").strip(),
        row_id=("koinly-" + record["TxHash"].strip())[:60] if (record.get("TxHash") or "").strip() else "",
        net_worth_usd=worth if worth_currency in flows.USD_LIKE else None)


def read(records: list[tuple[int, dict[str, str]]], venue: str = NAME):
    return flows.read_flows(records, _flow, venue=venue, income_labels=INCOME, fee_labels=FEES, out_labels=OUT,
                            in_labels=IN)


def _row(tx, mapped) -> list:
    sent, sent_cur, got, got_cur, fee, fee_cur, role, worth = mapped
    label = {"income": "reward", "fee": "cost"}.get(role, "")
    return [tx.when.strftime("%Y-%m-%d %H:%M:%S UTC"), sent, sent_cur, got, got_cur, fee, fee_cur,
            worth, tx.currency if worth else "", label, tx.note, tx.tx_id]


def export(transactions) -> str:
    """Every transaction as Koinly universal rows (transfers between the user's own venues are left out:
    inside one Koinly wallet they change nothing). Amounts are exact decimals; TxHash is the ledger id."""
    return flows.write_flows(transactions, COLUMNS, _row)
