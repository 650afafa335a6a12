"""What tax tools' universal CSVs share (Koinly, CoinTracker): a row is what was sent, what was received
and a fee, each an amount and a currency, with a label. This module turns one such row into native
ledger rows and a ledger transaction back into one, so each format module only maps its columns.

Reading (docs/ledger.md, "Koinly and CoinTracker"):
* sent USD + received coin = buy; sent coin + received USD = sell (price = the USD side / the coin side);
  coin for coin = a sell and a buy valued by the row's USD net worth (refused without one: the ledger
  keeps one currency);
* received only = deposit (income when the label says reward, staking, airdrop, mining, …: priced by
  the net worth when given); sent only = withdrawal (a fee when the label says cost or fee);
* a fee in USD is the trade's fee; a fee in a coin is a `fee` row of that coin at the venue.
Stablecoins (USDT, USDC, …) are USD at par, as in the Binance reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from indexdesk.tools.portfolio.rows import RowError, format_decimal, parse_decimal

USD_LIKE = ("USD", "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "USDP", "DAI")


@dataclass
class Flow:
    """One row of a sent/received CSV, amounts already read."""

    date: str  # ISO text
    sent: Decimal | None
    sent_currency: str
    received: Decimal | None
    received_currency: str
    fee: Decimal | None
    fee_currency: str
    label: str  # lower case, "" for none
    note: str
    row_id: str = ""
    net_worth_usd: Decimal | None = None


def exact(value: Decimal) -> str:
    with localcontext() as context:
        context.prec = 60
        return format_decimal(value.quantize(Decimal("1e-18")))


def amount(text: str | None, what: str) -> Decimal | None:
    value = parse_decimal(text, what)
    if value is not None and value < 0:
        raise RowError(f"{what} {value} is negative: give the amount sent in the sent columns, as a positive number")
    return value if value else None


def currency(text: str | None, what: str) -> str:
    value = (text or "").strip().upper()
    if value.startswith("ID:") or (value and not value.replace(".", "").isalnum()):
        raise RowError(f"{what} {value[:20]!r} is not a currency symbol (e.g. BTC, USD)")
    return value


def _usd(code: str) -> bool:
    return code in USD_LIKE


def to_native(flow: Flow, *, venue: str, income_labels: set[str], fee_labels: set[str],
              out_labels: set[str], in_labels: set[str]) -> list[dict[str, str]]:
    """Native rows for one flow (see the module's rules); RowError when it cannot be read."""
    label = flow.label
    known = income_labels | fee_labels | out_labels | in_labels | {""}
    if label not in known:
        raise RowError(f"label {label[:30]!r} is not read (read: {', '.join(sorted(known - {''}))}, or none)")
    common = {"date": flow.date, "venue": venue, "currency": "USD", "note": flow.note[:200]}
    sent = (flow.sent, flow.sent_currency) if flow.sent else None
    got = (flow.received, flow.received_currency) if flow.received else None
    for side, what in ((sent, "sent"), (got, "received")):
        if side and not side[1]:
            raise RowError(f"the {what} amount has no currency")
    rows: list[dict[str, str]] = []
    rid = flow.row_id
    fee_money = Decimal(0)
    fee_row = None
    if flow.fee:
        if not flow.fee_currency:
            raise RowError("the fee amount has no currency")
        if _usd(flow.fee_currency) and sent and got:
            fee_money = flow.fee
        else:
            fee_row = {**common, "id": rid and rid + "-fee", "kind": "fee",
                       "symbol": "USD" if _usd(flow.fee_currency) else flow.fee_currency,
                       "quantity": format_decimal(flow.fee)}
    if sent and got:
        (s_amount, s_code), (r_amount, r_code) = sent, got
        if _usd(s_code) and _usd(r_code):
            raise RowError(f"{s_code} for {r_code}: a currency exchange, not a trade the ledger reads")
        if _usd(s_code):
            rows.append({**common, "id": rid, "kind": "buy", "symbol": r_code, "quantity": format_decimal(r_amount),
                         "price": exact(s_amount / r_amount), "fee": format_decimal(fee_money) if fee_money else ""})
        elif _usd(r_code):
            rows.append({**common, "id": rid, "kind": "sell", "symbol": s_code, "quantity": format_decimal(s_amount),
                         "price": exact(r_amount / s_amount), "fee": format_decimal(fee_money) if fee_money else ""})
        else:
            if flow.net_worth_usd is None:
                raise RowError(f"a swap of {s_code} for {r_code} needs its value in USD (the net worth columns): "
                               "the ledger keeps one currency")
            value = flow.net_worth_usd
            rows.append({**common, "id": rid and rid + "-out", "kind": "sell", "symbol": s_code,
                         "quantity": format_decimal(s_amount), "price": exact(value / s_amount),
                         "fee": format_decimal(fee_money) if fee_money else ""})
            rows.append({**common, "id": rid and rid + "-in", "kind": "buy", "symbol": r_code,
                         "quantity": format_decimal(r_amount), "price": exact(value / r_amount)})
    elif got:
        r_amount, r_code = got
        if label in out_labels | fee_labels:
            raise RowError(f"label {label!r} is for amounts sent, this row only receives")
        kind = "income" if label in income_labels and not _usd(r_code) else "deposit"
        price = ""
        if kind == "income" and flow.net_worth_usd is not None:
            price = exact(flow.net_worth_usd / r_amount)
        rows.append({**common, "id": rid, "kind": kind, "symbol": "USD" if _usd(r_code) else r_code,
                     "quantity": format_decimal(r_amount), "price": price})
    elif sent:
        s_amount, s_code = sent
        if label in income_labels | in_labels:
            raise RowError(f"label {label!r} is for amounts received, this row only sends")
        kind = "fee" if label in fee_labels else "withdrawal"
        rows.append({**common, "id": rid, "kind": kind, "symbol": "USD" if _usd(s_code) else s_code,
                     "quantity": format_decimal(s_amount)})
    elif fee_row is None:
        raise RowError("nothing sent, received or paid: the row is empty of amounts")
    if fee_row is not None:
        rows.append(fee_row)
    return rows


def from_tx(tx) -> tuple[str, str, str, str, str, str, str, str] | None:
    """(sent amount, sent currency, received amount, received currency, fee amount, fee currency,
    role, net worth) of a ledger transaction; role = buy | sell | deposit | income | withdrawal | fee.
    None for a transfer between the user's own venues (inside one file it changes nothing)."""
    cur = tx.currency
    qty = format_decimal(tx.quantity)
    value = exact(tx.quantity * tx.price) if tx.price is not None else ""
    fee = format_decimal(tx.fee) if tx.fee else ""
    if tx.kind == "transfer":
        return None
    if tx.kind == "buy":
        return value, cur, qty, tx.symbol, fee, cur if fee else "", "buy", value
    if tx.kind == "sell":
        return qty, tx.symbol, value, cur, fee, cur if fee else "", "sell", value
    if tx.kind in ("deposit", "income"):
        return "", "", qty, tx.symbol, fee, cur if fee else "", tx.kind, value
    if tx.kind == "withdrawal":
        return qty, tx.symbol, "", "", fee, cur if fee else "", "withdrawal", value
    return qty, tx.symbol, "", "", "", "", "fee", value


def read_flows(records, flow_of, *, venue: str, income_labels: set[str], fee_labels: set[str],
               out_labels: set[str], in_labels: set[str]):
    """(rows, errors, []) of a flow-shaped file: each record made a Flow by the format's `flow_of`,
    then native rows by `to_native`; a row that cannot be read is an error by its line, never skipped."""
    rows, errors = [], []
    for line, record in records:
        try:
            for fields in to_native(flow_of(record), venue=venue, income_labels=income_labels,
                                    fee_labels=fee_labels, out_labels=out_labels, in_labels=in_labels):
                rows.append((line, fields))
        except RowError as error:
            errors.append((line, error.reason))
    return rows, errors, []


def write_flows(transactions, columns, row_of) -> str:
    """A flow-shaped file: the header, then `row_of(tx, from_tx(tx))` for every transaction that is
    not a transfer between the user's own venues."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for tx in transactions:
        mapped = from_tx(tx)
        if mapped is not None:
            writer.writerow(row_of(tx, mapped))
    return out.getvalue()
