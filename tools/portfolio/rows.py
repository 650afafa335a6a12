"""One transaction row, checked: the native CSV, the venue importers and `record_transaction` all end here.

A row is a mapping of native column names to text; `check_row` returns a ledger `Tx` or raises
`RowError` with the reason. Names are resolved against the catalogue and the market universe
(did-you-mean on a miss); quantities must be positive (the kind gives the direction); dates may
not lie in the future.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from indexdesk.memory.ledger.lots import KINDS, Tx
from indexdesk.tools.errors import close_matches

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

NATIVE_COLUMNS = ("id", "date", "kind", "symbol", "quantity", "price", "fee", "currency", "venue", "to_venue",
                  "lot_id", "sleeve", "note")
REQUIRED = ("date", "kind", "symbol", "quantity")
SLEEVES = ("", "index", "coin", "yield", "hedge", "stablecoin")
KIND_ALIASES = {"purchase": "buy", "trade_buy": "buy", "sale": "sell", "staking": "income", "reward": "income",
                "interest": "income", "airdrop": "income", "withdraw": "withdrawal", "send": "withdrawal",
                "receive": "deposit", "move": "transfer"}
MAX_TEXT = 200
MAX_AMOUNT = Decimal("1e15")  # NUMERIC(38, 18) holds 20 integer digits; no real quantity or price comes near
_HASHED = tuple(key for key in NATIVE_COLUMNS if key != "id")


class RowError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Names:
    """What a symbol may be: catalogue indices (with aliases) and asset symbols."""

    indices: dict[str, str]  # name or alias (lower) -> canonical index name
    symbols: set[str]
    currency: str
    now: datetime | None = None  # "the future" starts here (read once per import)

    @classmethod
    def of(cls, ctx: "ToolContext", currency: str = "USD") -> "Names":
        from indexdesk.tools.indices.series import _known_symbols, load

        book = load(ctx)
        indices = {name.lower(): book.lookup(name).name for name in book.names_and_aliases()}
        return cls(indices, _known_symbols(ctx), currency, _now())

    def resolve(self, given: str, sleeve: str) -> str:
        key = (given, sleeve)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = self._resolve(given, sleeve)
        return cache[key]

    def _resolve(self, given: str, sleeve: str) -> str:
        text = given.strip()
        if not text:
            raise RowError("symbol is empty")
        if text.lower() in self.indices:
            return self.indices[text.lower()]
        upper = text.upper()
        if upper in self.symbols or upper == self.currency or sleeve == "hedge":
            return upper
        guesses = close_matches(text, sorted(self.symbols) + sorted(set(self.indices.values())))
        hint = f"; did you mean {' or '.join(repr(g) for g in guesses)}?" if guesses else ""
        raise RowError(f"unknown symbol {text[:30]!r}{hint} (an asset symbol, a catalogue index, or the "
                       f"currency {self.currency}; options and other hedges need sleeve=hedge)")


def parse_decimal(text: str | None, what: str, *, required: bool = False) -> Decimal | None:
    raw = (text or "").strip()
    if not raw:
        if required:
            raise RowError(f"{what} is empty")
        return None
    return _decimal(raw, what)


@lru_cache(maxsize=65536)  # quantities, prices and fees recur across the rows of a large file
def _decimal(raw: str, what: str) -> Decimal:
    cleaned = raw.replace(",", "").replace("$", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(f"{what} {raw[:30]!r} is not a number") from None
    if not value.is_finite():
        raise RowError(f"{what} {raw[:30]!r} is not a finite number")
    if abs(value) >= MAX_AMOUNT:
        raise RowError(f"{what} {raw[:30]} is too large (at most {MAX_AMOUNT:.0e})")
    if value and value.normalize().as_tuple().exponent < -18:
        raise RowError(f"{what} {raw[:30]} has more than 18 decimal places (the stored precision, one wei)")
    return value


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@lru_cache(maxsize=4096)
def _parse_when_cached(raw: str) -> datetime:
    return _parse_when(raw)


def parse_when(text: str | None, now: datetime | None = None) -> datetime:
    when = _parse_when_cached((text or "").strip())
    if when > (now or _now()):
        raise RowError(f"date {(text or '').strip()[:30]} is in the future")
    return when


def _parse_when(raw: str) -> datetime:
    if not raw:
        raise RowError("date is empty")
    cleaned = raw.replace("Z", "+00:00").replace(" UTC", "+00:00")
    try:
        when = datetime.fromisoformat(cleaned)
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(raw[:10]), datetime.min.time()) if len(raw) == 10 else None
        except ValueError:
            when = None
        if when is None:
            raise RowError(f"date {raw[:30]!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS") from None
    if when.tzinfo is not None:  # stored as naive UTC
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


def stable_id(fields: dict[str, str], occurrence: int) -> str:
    """An id from the row's content (and how many identical rows came before it in the file), so a
    re-import of the same file finds the same ids."""
    canonical = "\x1f".join([(fields.get(key) or "").strip() for key in _HASHED])
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:20]
    return f"r{digest}" + (f"-{occurrence}" if occurrence > 1 else "")


def check_row(fields: dict[str, str], names: Names, *, tx_id: str, seq: int = 0) -> Tx:
    """A native row (column -> text) as a checked Tx; RowError with the reason otherwise."""
    kind_text = (fields.get("kind") or "").strip().lower()
    kind = KIND_ALIASES.get(kind_text, kind_text)
    if kind not in KINDS:
        guesses = close_matches(kind_text, KINDS)
        raise RowError(f"kind {kind_text[:20]!r} is not one of {', '.join(KINDS)}"
                       + (f"; did you mean {guesses[0]!r}?" if guesses else ""))
    sleeve = (fields.get("sleeve") or "").strip().lower()
    if sleeve not in SLEEVES:
        raise RowError(f"sleeve {sleeve[:20]!r} is not one of {', '.join(s for s in SLEEVES if s)}")
    quantity = parse_decimal(fields.get("quantity"), "quantity", required=True)
    if quantity <= 0:
        raise RowError(f"quantity {fields.get('quantity', '').strip()[:30]} must be positive (the kind gives the direction)")
    price = parse_decimal(fields.get("price"), "price")
    if price is not None and price < 0:
        raise RowError(f"price {price} is negative")
    fee = parse_decimal(fields.get("fee"), "fee") or Decimal(0)
    if fee < 0:
        raise RowError(f"fee {fee} is negative")
    currency = (fields.get("currency") or "").strip().upper() or names.currency
    if currency != names.currency:
        raise RowError(f"currency {currency[:10]} differs from the ledger's {names.currency} (mixed currencies); "
                       "convert the amounts or keep one ledger per currency")
    symbol = names.resolve(fields.get("symbol") or "", sleeve)
    venue = (fields.get("venue") or "").strip().lower()[:64]
    to_venue = (fields.get("to_venue") or "").strip().lower()[:64]
    if kind == "buy" and price is None and symbol != currency:
        raise RowError("a buy needs a price")
    if kind == "sell" and price is None:
        raise RowError("a sell needs a price")
    if kind == "transfer":
        if not venue or not to_venue:
            raise RowError("a transfer needs venue and to_venue")
        if venue == to_venue:
            raise RowError(f"a transfer from {venue} to itself")
    elif to_venue:
        raise RowError(f"to_venue is only for transfers (this row is a {kind})")
    lot_id = (fields.get("lot_id") or "").strip()[:160]
    if lot_id and kind not in ("sell", "withdrawal", "fee", "transfer"):
        raise RowError(f"lot_id names the lot a sell closes; a {kind} opens its own")
    return Tx(tx_id=tx_id, kind=kind, symbol=symbol, quantity=quantity, when=parse_when(fields.get("date"), names.now),
              price=price, fee=fee, currency=currency, venue=venue, to_venue=to_venue, lot_id=lot_id, sleeve=sleeve,
              note=(fields.get("note") or "").strip()[:MAX_TEXT], seq=seq)


def format_decimal(value: Decimal | None) -> str:
    """Plain decimal text without trailing zeros or exponent ('1.5', '100', '0.00000001')."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def format_when(when: datetime) -> str:
    return when.date().isoformat() if when.time() == datetime.min.time() else when.isoformat(timespec="seconds")


def native_fields(tx: Tx) -> dict[str, str]:
    return {"id": tx.tx_id, "date": format_when(tx.when), "kind": tx.kind, "symbol": tx.symbol,
            "quantity": format_decimal(tx.quantity), "price": format_decimal(tx.price),
            "fee": format_decimal(tx.fee) if tx.fee else "", "currency": tx.currency, "venue": tx.venue,
            "to_venue": tx.to_venue, "lot_id": tx.lot_id, "sleeve": tx.sleeve, "note": tx.note}
