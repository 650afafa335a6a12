"""One transaction row, checked: the native CSV, the venue importers and `record_transaction` all end here.

A row is a mapping of native column names to text; `check_row` returns a ledger `Tx` or raises
`RowError` with the reason. Names are resolved against the catalogue and the market universe
(did-you-mean on a miss); quantities must be positive (the kind gives the direction); dates may
not lie in the future.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, datetime, timezone
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from indexdesk.memory.ledger.ids import content_key, content_key_of, id_problem, numbered, plain
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
# One set of limits on both databases. NUMERIC(38, 18) holds 20 integer digits: a quantity or a price
# below 1e15 and their product (a lot's basis, a sale's proceeds) below 1e18 always fit, exactly.
MAX_AMOUNT = Decimal("1e15")
MAX_VALUE = Decimal("1e18")
MAX_SYMBOL = 40  # the symbol column holds 64; the tools' symbol argument takes 40
MAX_VENUE = 64
MAX_LOT_ID = 160
FIRST_YEAR, LAST_YEAR = 1970, 2200  # checked before any time-zone offset is applied


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


# The file's convention (`--decimal-comma`) while one import is read: the venue readers that parse
# their own amounts (Koinly, CoinTracker, Kraken) see it without threading a flag through each.
DECIMAL_COMMA: ContextVar[bool] = ContextVar("indexdesk_decimal_comma", default=False)


def parse_decimal(text: str | None, what: str, *, required: bool = False,
                  decimal_comma: bool | None = None) -> Decimal | None:
    """The one strict amount parser every import format uses: `text` in column `what`.

    Decimal point by default: `1234.5`, `1,234.5` and `1,234,567` (comma thousands) read; a decimal
    comma (`0,5`, `42.000,50`, `61000,5`) or a lone comma group that could be either (`1,234`) is
    refused with both readings. `decimal_comma=True` reads European files: `0,5`, `42.000,50`,
    `1 234,5`; a decimal point there (`1.5`) is refused the same way. Bounded: |value| < 1e15,
    at most 18 decimal places (NUMERIC(38, 18) holds every value and product)."""
    if decimal_comma is None:  # not said by the caller: the convention of the file being read
        decimal_comma = DECIMAL_COMMA.get()
    raw = (text or "").strip()
    if not raw:
        if required:
            raise RowError(f"{what} is empty")
        return None
    return _decimal(raw, what, decimal_comma)


_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$")
_POINT_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.5
_COMMA_PLAIN = re.compile(r"^[+-]?\d*,\d+$")  # 0,5  61000,5
_COMMA_GROUPED = re.compile(r"^[+-]?\d{1,3}([. \u00a0\u202f']\d{3})+(,\d+)?$")  # 42.000,50  1 234,5


def _readings(raw: str) -> str:
    """Both ways a number with commas can be read, for the refusal."""
    as_point = raw.replace(",", "")
    as_comma = raw.replace(".", "").replace(" ", "").replace(",", ".")
    return f"{as_comma} with a decimal comma, or {as_point} with the comma as a thousands separator"


@lru_cache(maxsize=65536)  # quantities, prices and fees recur across the rows of a large file
def _decimal(raw: str, what: str, decimal_comma: bool = False) -> Decimal:
    body = raw[1:].strip() if raw.startswith("$") else raw
    if decimal_comma:
        if _COMMA_PLAIN.match(body) or _COMMA_GROUPED.match(body):
            cleaned = re.sub(r"[. \u00a0\u202f']", "", body).replace(",", ".")
        elif _PLAIN.match(body) and "." not in body:
            cleaned = body
        elif _PLAIN.match(body) or _POINT_GROUPED.match(body):
            raise RowError(f"{what} {raw[:30]!r} has a decimal point, but the file is read with a decimal comma "
                           f"(--decimal-comma): it reads as {body.replace(',', '')} with a decimal point, or "
                           f"{body.replace('.', '')} with the point as a thousands separator; write it with a comma")
        else:
            raise RowError(f"{what} {raw[:30]!r} is not a number")
    elif _PLAIN.match(body):
        cleaned = body
    elif _POINT_GROUPED.match(body) and not re.match(r"^[+-]?\d{1,3},\d{3}$", body):
        cleaned = body.replace(",", "")
    elif _POINT_GROUPED.match(body) or _COMMA_PLAIN.match(body) or _COMMA_GROUPED.match(body):
        raise RowError(f"{what} {raw[:30]!r} is ambiguous: it reads as {_readings(body)}; give --decimal-comma "
                       "for a file written with decimal commas, or write the number with a decimal point")
    else:
        raise RowError(f"{what} {raw[:30]!r} is not a number")
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
    return value + 0 if value.as_tuple().exponent >= 0 else value  # 1E+3 -> 1000: no exponent is stored


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
    # Bounded before the offset is applied: year 1 or 9999 ± a few hours overflows.
    if when.year > LAST_YEAR:
        raise RowError(f"date {raw[:30]} is in the future")
    if when.year < FIRST_YEAR:
        raise RowError(f"date {raw[:30]} is before {FIRST_YEAR}")
    if when.tzinfo is not None:  # stored as naive UTC
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


def stable_id(tx: Tx, occurrence: int = 1) -> str:
    """An id from the transaction's meaning (memory/ledger/ids.py), numbered by how many identical
    transactions came before it in the file, so a re-import — even of a re-saved file — finds the same ids."""
    return numbered(content_key(tx), occurrence)


def given_id(fields: dict[str, str]) -> str:
    """The row's own id ('' when it has none); RowError when it cannot be stored as it is."""
    given = (fields.get("id") or "").strip()
    problem = id_problem(given) if given else None
    if problem:
        raise RowError(problem)
    return given


def _bounded(fields: dict[str, str], key: str, limit: int) -> str:
    value = (fields.get(key) or "").strip()
    if len(value) > limit:
        raise RowError(f"{key} {value[:30]!r}… is longer than {limit} characters")
    return value


def check_row(fields: dict[str, str], names: Names, *, tx_id: str | None = None, seq: int = 0,
              decimal_comma: bool = False) -> Tx:
    """A native row (column -> text) as a checked Tx; RowError with the reason otherwise. Without
    `tx_id` the row's own id, else one from its meaning (`stable_id`)."""
    kind_text = (fields.get("kind") or "").strip().lower()
    kind = KIND_ALIASES.get(kind_text, kind_text)
    if kind not in KINDS:
        guesses = close_matches(kind_text, KINDS)
        raise RowError(f"kind {kind_text[:20]!r} is not one of {', '.join(KINDS)}"
                       + (f"; did you mean {guesses[0]!r}?" if guesses else ""))
    sleeve = (fields.get("sleeve") or "").strip().lower()
    if sleeve not in SLEEVES:
        raise RowError(f"sleeve {sleeve[:20]!r} is not one of {', '.join(s for s in SLEEVES if s)}")
    quantity = parse_decimal(fields.get("quantity"), "quantity", required=True, decimal_comma=decimal_comma)
    if quantity <= 0:
        raise RowError(f"quantity {fields.get('quantity', '').strip()[:30]} must be positive (the kind gives the direction)")
    price = parse_decimal(fields.get("price"), "price", decimal_comma=decimal_comma)
    if price is not None and price < 0:
        raise RowError(f"price {price} is negative")
    fee = parse_decimal(fields.get("fee"), "fee", decimal_comma=decimal_comma) or Decimal(0)
    if fee < 0:
        raise RowError(f"fee {fee} is negative")
    currency = (fields.get("currency") or "").strip().upper() or names.currency
    if currency != names.currency:
        raise RowError(f"currency {currency[:10]} differs from the ledger's {names.currency} (mixed currencies); "
                       "convert the amounts or keep one ledger per currency")
    if price is not None:
        if quantity * price + fee >= MAX_VALUE:  # both below 1e15: the 28-digit product is within 1e-27 of exact
                raise RowError(f"quantity × price ({plain(quantity)} × {plain(price)}) is {MAX_VALUE:.0e} or more: "
                               "more than a ledger amount holds")
    symbol = names.resolve(_bounded(fields, "symbol", MAX_SYMBOL), sleeve)
    venue = _bounded(fields, "venue", MAX_VENUE).lower()
    to_venue = _bounded(fields, "to_venue", MAX_VENUE).lower()
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
    lot_id = _bounded(fields, "lot_id", MAX_LOT_ID)
    if lot_id and kind not in ("sell", "withdrawal", "fee", "transfer"):
        raise RowError(f"lot_id names the lot a sell closes; a {kind} opens its own")
    given = given_id(fields) if tx_id is None else tx_id
    when = parse_when(fields.get("date"), names.now)
    note = (fields.get("note") or "").strip()[:MAX_TEXT]
    if not given:
        given = content_key_of(when, kind, symbol, quantity, price, fee, currency, venue, to_venue, lot_id, sleeve,
                               note)
    return Tx(tx_id=given, kind=kind, symbol=symbol, quantity=quantity, when=when, price=price, fee=fee,
              currency=currency, venue=venue, to_venue=to_venue, lot_id=lot_id, sleeve=sleeve, note=note, seq=seq)


format_decimal = plain  # plain decimal text without trailing zeros or exponent ('1.5', '100', '0.00000001')


def format_when(when: datetime) -> str:
    return when.date().isoformat() if when.time() == datetime.min.time() else when.isoformat(timespec="seconds")


def native_fields(tx: Tx) -> dict[str, str]:
    return {"id": tx.tx_id, "date": format_when(tx.when), "kind": tx.kind, "symbol": tx.symbol,
            "quantity": format_decimal(tx.quantity), "price": format_decimal(tx.price),
            "fee": format_decimal(tx.fee) if tx.fee else "", "currency": tx.currency, "venue": tx.venue,
            "to_venue": tx.to_venue, "lot_id": tx.lot_id, "sleeve": tx.sleeve, "note": tx.note}
