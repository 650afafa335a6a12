"""Kraken's ledger export (History > Export > Ledgers), read.

Columns (support.kraken.com "How to interpret Ledger history fields"):
    "txid","refid","time","type","subtype","aclass","asset","amount","fee","balance"
(newer exports add "wallet" and "amountusd"; extra columns are ignored). One row is one change of one
asset's balance: balance = old balance + amount − fee, amounts signed, the fee in the row's asset.

* trade / spend / receive: the rows sharing a `refid` are one trade: USD (or a USD stablecoin) out and a
  coin in is a buy, the reverse a sell; price = the USD leg / the coin leg; fees in USD are the trade's
  fee, a fee in the coin is taken from the coins (as in the Binance reader). Coin-for-coin trades are
  refused (the ledger keeps one currency).
* deposit: the net amount that arrived (amount − fee); withdrawal: everything that left (|amount| + fee),
  so the pairing with the other venue's deposit sees the network fee.
* staking, earn rewards, invite bonus, transfer (airdrops, forks): income (no price in the file).
* moves inside Kraken (earn allocation/deallocation, spot<->staking transfers) change no holding: read
  and reported, nothing recorded.
Assets: Kraken's X/Z codes (XXBT, XETH, ZUSD, XXDG, …) become BTC, ETH, USD, DOGE; a staked balance
suffix (.S, .M, .F, .B, .P) reads as the asset itself.
"""

from __future__ import annotations

from decimal import Decimal

from indexdesk.tools.portfolio import format_flows as flows
from indexdesk.tools.portfolio.rows import RowError, format_decimal, parse_decimal

NAME = "kraken"
COLUMNS = ("txid", "refid", "time", "type", "asset", "amount", "fee")
REQUIRED = COLUMNS
ASSETS = {"XXBT": "BTC", "XBT": "BTC", "XETH": "ETH", "XXDG": "DOGE", "XDG": "DOGE", "ZUSD": "USD", "XXRP": "XRP",
          "XLTC": "LTC", "XXLM": "XLM", "XETC": "ETC", "XZEC": "ZEC", "XXMR": "XMR", "XREP": "REP", "XMLN": "MLN",
          "ZEUR": "EUR", "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD", "ZCHF": "CHF", "ETH2": "ETH"}
TRADES = ("trade", "spend", "receive")
INCOME = ("staking", "reward", "invite bonus", "transfer", "earn")
INTERNAL_SUBTYPES = ("allocation", "deallocation", "spottostaking", "stakingfromspot", "stakingtospot",
                     "spotfromstaking", "autoallocation", "migration", "spottofutures", "spotfromfutures")


def asset(code: str) -> str:
    text = (code or "").strip().upper()
    if not text:
        raise RowError("asset is empty")
    base = text.split(".", 1)[0] if "." in text else text
    return ASSETS.get(base, base)


def _when(text: str) -> str:
    raw = (text or "").strip()
    if len(raw) < 10:
        raise RowError(f"time {raw[:30]!r} is not YYYY-MM-DD HH:MM:SS")
    return raw.replace(" ", "T", 1) + ("+00:00" if "+" not in raw[10:] and not raw.endswith("Z") else "")


def _trade(legs: list[tuple[int, dict[str, str]]], venue: str) -> dict[str, str]:
    refid = legs[0][1].get("refid", "").strip()
    if len(legs) != 2:
        raise RowError(f"trade {refid[:30]} has {len(legs)} rows in the file; a trade is two (what left, what came)")
    read = []
    for _, record in legs:
        read.append((asset(record.get("asset", "")), parse_decimal(record.get("amount"), "amount", required=True),
                     parse_decimal(record.get("fee"), "fee") or Decimal(0)))
    usd = [leg for leg in read if leg[0] in flows.USD_LIKE]
    coin = [leg for leg in read if leg[0] not in flows.USD_LIKE]
    if len(usd) != 1 or len(coin) != 1:
        names = " for ".join(leg[0] for leg in read)
        raise RowError(f"trade {refid[:30]} is {names}: only trades against USD (or a USD stablecoin) are read "
                       "(the ledger keeps one currency)")
    (_, usd_amount, usd_fee), (symbol, coin_amount, coin_fee) = usd[0], coin[0]
    if (usd_amount < 0) == (coin_amount < 0) or not usd_amount or not coin_amount:
        raise RowError(f"trade {refid[:30]}: one leg must leave (negative) and the other arrive (positive)")
    price = abs(usd_amount) / abs(coin_amount)
    common = {"id": f"kraken-{refid}"[:64], "date": _when(legs[0][1].get("time", "")), "venue": venue,
              "currency": "USD", "symbol": symbol, "price": flows.exact(price), "note": f"kraken trade {refid}"[:200]}
    if coin_amount > 0:  # a buy: a coin fee comes out of the coins received
        quantity, fee = coin_amount - coin_fee, usd_fee + coin_fee * price
        kind = "buy"
    else:  # a sell: the coins that left include a coin fee
        quantity, fee = abs(coin_amount) + coin_fee, usd_fee + coin_fee * price
        kind = "sell"
    return {**common, "kind": kind, "quantity": format_decimal(quantity), "fee": flows.exact(fee) if fee else ""}


def read(records: list[tuple[int, dict[str, str]]], venue: str = NAME):
    """Native rows and per-line errors; the rows of one trade are read together (by refid)."""
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[tuple[int, str]] = []
    notes: list[tuple[int, str]] = []
    trades: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, record in records:
        kind = (record.get("type") or "").strip().lower()
        if kind in TRADES:
            refid = (record.get("refid") or "").strip()
            if not refid:
                errors.append((line, f"a {kind} row without a refid cannot be matched to its other side"))
            else:
                trades.setdefault(refid, []).append((line, record))
            continue
        try:
            rows += [(line, fields) for fields in _single(line, record, kind, venue, notes)]
        except RowError as error:
            errors.append((line, error.reason))
    for legs in trades.values():
        try:
            fields = _trade(legs, venue)
        except RowError as error:
            errors += [(line, error.reason) for line, _ in legs]
            continue
        rows.append((legs[0][0], fields))
    rows.sort(key=lambda item: item[0])
    return rows, errors, notes


def _single(line: int, record: dict[str, str], kind: str, venue: str, notes: list) -> list[dict[str, str]]:
    subtype = (record.get("subtype") or "").strip().lower()
    code = asset(record.get("asset", ""))
    amount = parse_decimal(record.get("amount"), "amount", required=True)
    fee = parse_decimal(record.get("fee"), "fee") or Decimal(0)
    symbol = "USD" if code in flows.USD_LIKE else code
    common = {"id": f"kraken-{(record.get('txid') or '').strip()}"[:64] if (record.get("txid") or "").strip() else "",
              "date": _when(record.get("time", "")), "venue": venue, "currency": "USD", "symbol": symbol,
              "note": f"kraken {kind}{' ' + subtype if subtype else ''}"[:200]}
    if subtype in INTERNAL_SUBTYPES or (kind == "earn" and subtype != "reward"):
        notes.append((line, f"kraken {kind} {subtype or ''}: a move inside Kraken, no holding changes"))
        return []
    if kind == "deposit":
        if amount <= 0:
            raise RowError(f"a deposit of {amount}: expected a positive amount")
        return [{**common, "kind": "deposit", "quantity": format_decimal(amount - fee)}]
    if kind == "withdrawal":
        if amount >= 0:
            raise RowError(f"a withdrawal of {amount}: expected a negative amount")
        return [{**common, "kind": "withdrawal", "quantity": format_decimal(abs(amount) + fee)}]
    if kind in INCOME:
        if amount <= 0:
            raise RowError(f"a {kind} of {amount}: expected a positive amount")
        return [{**common, "kind": "deposit" if symbol == "USD" else "income", "quantity": format_decimal(amount - fee)}]
    raise RowError(f"Kraken ledger type {kind[:20]!r} is not read (read: deposit, withdrawal, trade, spend, receive, "
                   "staking, earn, transfer, invite bonus); margin trading is outside the ledger")
