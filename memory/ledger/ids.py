"""Transaction ids from meaning, not bytes.

A row without an id of its own gets one hashed from its *checked* values: the date as a moment,
the kind after aliases, the resolved symbol (upper case, or the catalogue's index name), decimal
values as numbers (0.1 = 0.10, a fee of 0 = no fee), venues lower case, the currency upper case.
So the same transactions re-saved by a spreadsheet — other column order, empty columns dropped,
`btc` for `BTC`, `0.10` for `0.1` — land on the same ids and import once.

User and venue ids never contain SPLIT ('>'): that character joins the lot ids the engine makes
when a transfer splits a lot, so a generated lot id cannot collide with a transaction's.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import lru_cache
from decimal import Decimal

from indexdesk.memory.ledger.lots import SPLIT, Tx

CONTENT_ID = re.compile(r"^r[0-9a-f]{20}(-\d+)?$")
MAX_ID = 64


@lru_cache(maxsize=65536)  # the same quantities and prices recur across a long history
def plain(value: Decimal | None) -> str:
    """A decimal as plain text without trailing zeros or exponent ('1.5', '100', '0.00000001')."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def content_key(tx: Tx) -> str:
    """The id a transaction's meaning gives it (before counting identical rows of one file)."""
    return content_key_of(tx.when, tx.kind, tx.symbol, tx.quantity, tx.price, tx.fee, tx.currency, tx.venue,
                          tx.to_venue, tx.lot_id, tx.sleeve, tx.note)


def content_key_of(when: datetime, kind: str, symbol: str, quantity: Decimal, price: Decimal | None, fee: Decimal,
                   currency: str, venue: str, to_venue: str, lot_id: str, sleeve: str, note: str) -> str:
    parts = (when.isoformat(), kind, symbol, plain(quantity), plain(price), plain(fee) if fee else "",
             currency.upper(), venue.lower(), to_venue.lower(), lot_id, sleeve, note)
    return "r" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def numbered(key: str, occurrence: int) -> str:
    """The n-th identical transaction of one file: r…, r…-2, r…-3."""
    return key if occurrence <= 1 else f"{key}-{occurrence}"


def id_problem(tx_id: str) -> str | None:
    """Why a given (user or venue) id cannot be stored, or None."""
    if len(tx_id) > MAX_ID:
        return f"id {tx_id[:30]!r}… is longer than {MAX_ID} characters"
    if SPLIT in tx_id:
        return f"id {tx_id[:30]!r} contains {SPLIT!r}, which the ledger keeps for lots split by transfers"
    return None
