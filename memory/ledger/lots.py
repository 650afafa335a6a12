"""The tax-lot engine: a replay of transactions into open lots, lot closings and cash. Pure, Decimal only.

Rules (docs/ledger.md):
* buy / income / deposit of a coin open a lot: basis = quantity × price + fee (an income or
  deposit without a price opens a zero-basis lot).
* sell closes lots at its venue by the method (fifo, lifo, hifo, or the specific `lot_id` given);
  proceeds = quantity × price − fee, shared pro rata over the closed pieces; gain = proceeds − basis,
  long term by the holding rule (`holding.HoldingRule`: more than one calendar year by default).
* withdrawal and fee (of a coin) remove units the same way without a realised gain (their basis
  leaves the books). A coin fee with a price is, by default (`fee_disposal`, US practice), a
  disposal at that market value: proceeds = quantity × price, so the coin's gain or loss is realised.
* transfer moves lots from `venue` to `to_venue`, keeping their basis and acquisition date; a fee
  on the transfer is added to the moved basis.
* The base currency (symbol == currency) is cash: deposits and withdrawals move it, buys spend,
  sells bring proceeds back. Cash is tracked per venue and may go negative (not every user records cash).

Conservation: units bought = units open + units closed; basis paid = basis open + basis closed.
A partial close takes a rounded share of the basis and leaves the exact remainder, so nothing is lost.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import Iterable

from indexdesk.memory.ledger.holding import HoldingRule, unit_cost

METHODS = ("fifo", "lifo", "hifo")
KINDS = ("buy", "sell", "deposit", "withdrawal", "fee", "income", "transfer")
OPENING = ("buy", "income", "deposit")
CLOSING = ("sell", "withdrawal", "fee")
ZERO = Decimal(0)
BASIS_STEP = Decimal("1e-12")  # basis shares are rounded here; the remainder stays exact
STORED_STEP = Decimal("1e-18")  # a value (quantity × price) is rounded here, the stored precision
# 38 significant digits is what NUMERIC(38, 18) stores; products and shares are worked at 60 so a
# stored quantity times a stored price is exact and nothing rounds before the final quantize.
LEDGER_CONTEXT = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
SPLIT = ">"  # joins a lot id and the transfer that split it; never part of a transaction id
MAX_LOT_ID = 160
_EPOCH = datetime(1, 1, 1)
_MICRO = timedelta(microseconds=1)


@dataclass(frozen=True)
class Tx:
    """One transaction as the engine reads it (the store's rows and the importers' rows both become this)."""

    tx_id: str
    kind: str
    symbol: str
    quantity: Decimal
    when: datetime
    price: Decimal | None = None
    fee: Decimal = ZERO
    currency: str = "USD"
    venue: str = ""
    to_venue: str = ""
    lot_id: str = ""  # a sell naming the lot it closes
    sleeve: str = ""
    note: str = ""
    seq: int = 0  # order among transactions at the same time

    @property
    def sort_key(self) -> tuple:
        return (self.when, self.seq, self.tx_id)


@dataclass(eq=False)  # lots are compared by identity: two lots with equal fields are still two lots
class Lot:
    """One open lot: units of a symbol (or index) at a venue, its total cost basis (fees included)
    and when it was acquired. The one Lot class: the engine, the store and every tool use it."""

    lot_id: str
    symbol: str
    venue: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: datetime  # a transfer keeps the original moment
    opened_by: str = ""
    sleeve: str = ""

    @property
    def unit_cost(self) -> Decimal:
        return unit_cost(self.cost_basis, self.quantity)


@dataclass(frozen=True)
class Closing:
    """A piece of a lot that left the books: by a sell (with proceeds and gain) or a withdrawal/fee."""

    lot_id: str
    tx_id: str
    kind: str
    symbol: str
    venue: str
    quantity: Decimal
    cost_basis: Decimal
    proceeds: Decimal | None
    acquired: datetime
    closed: datetime
    long_term: bool

    @property
    def gain(self) -> Decimal:
        return (self.proceeds - self.cost_basis) if self.proceeds is not None else ZERO


class LedgerConflict(ValueError):
    """A transaction the history cannot carry (a sell beyond holdings, an unknown lot)."""

    def __init__(self, tx_id: str, reason: str) -> None:
        super().__init__(f"{tx_id}: {reason}")
        self.tx_id = tx_id
        self.reason = reason


class LedgerRejected(LedgerConflict):
    """Several conflicts at once (an import that cannot land); `conflicts` lists every one."""

    def __init__(self, conflicts: list[LedgerConflict]) -> None:
        super().__init__(conflicts[0].tx_id, conflicts[0].reason)
        self.conflicts = conflicts


@dataclass
class Book:
    """The replayed state: open lots (in acquisition order), closings, cash by (venue, currency)."""

    lots: list[Lot] = field(default_factory=list)
    closings: list[Closing] = field(default_factory=list)
    cash: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    rejected: list[LedgerConflict] = field(default_factory=list)
    deposits: Decimal = ZERO  # cash deposited minus withdrawn (a cash flow, not a return)

    def units(self, symbol: str, venue: str | None = None) -> Decimal:
        return sum((lot.quantity for lot in self.positions() if lot.symbol == symbol
                    and (venue is None or lot.venue == venue)), ZERO)

    def positions(self) -> list[Lot]:
        """The open lots summed per (symbol, venue, sleeve): units and basis, the oldest acquisition."""
        return summarise(self.lots)


def summarise(lots: Iterable[Lot]) -> list[Lot]:
    grouped: dict[tuple[str, str, str], Lot] = {}
    with localcontext(LEDGER_CONTEXT):
        _sum_into(grouped, lots)
    return sorted(grouped.values(), key=lambda lot: (lot.acquired, lot.symbol, lot.venue, lot.sleeve))


def _sum_into(grouped: dict, lots: Iterable[Lot]) -> None:
    for lot in lots:
        key = (lot.symbol, lot.venue, lot.sleeve)
        held = grouped.get(key)
        if held is None:
            grouped[key] = Lot("", lot.symbol, lot.venue, lot.quantity, lot.cost_basis, lot.acquired, "", lot.sleeve)
        else:
            held.quantity += lot.quantity
            held.cost_basis += lot.cost_basis
            held.acquired = min(held.acquired, lot.acquired)


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return (amount * part / whole).quantize(BASIS_STEP, rounding=ROUND_HALF_EVEN)


def _is_cash(tx: Tx) -> bool:
    return tx.symbol == tx.currency


def _micros(when: datetime) -> int:
    if when.tzinfo is not None:  # an aware moment handed to the store directly: ordered as UTC
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return (when - _EPOCH) // _MICRO


class Replay:
    """Applies transactions in time order to a Book.

    Open lots live in one heap per (symbol, venue), keyed for the method — (acquired, arrival) for
    FIFO, the reverse for LIFO, (−unit cost, acquired, arrival) for HIFO — so a disposal costs
    O(log n) per lot it touches instead of a scan of every open lot. A heap rather than a deque
    even for FIFO/LIFO: a transfer brings lots with their old acquisition dates into another venue,
    which a deque could only take by a linear insert. Lots closed by a specific-lot sell stay in
    their heap until they surface (lazy deletion: an entry is live while `by_id` still maps to it).
    """

    def __init__(self, method: str = "fifo", rule: HoldingRule | int | None = None, *, skip_bad: bool = False,
                 fee_disposal: bool = True) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown lot method {method!r}; valid: {', '.join(METHODS)}")
        self.method = method
        self.rule = rule if isinstance(rule, HoldingRule) else HoldingRule.of(rule)
        self.skip_bad = skip_bad
        self.fee_disposal = fee_disposal
        self.book = Book()
        self.heaps: dict[str, dict[str, list]] = {}  # symbol -> venue -> heap of (key, lot)
        self.held: dict[tuple[str, str], Decimal] = {}  # (symbol, venue) -> units open
        self.by_id: dict[str, Lot] = {}  # open lots by id
        self._arrival = 0

    # -- cash -------------------------------------------------------------------------------
    def _cash(self, venue: str, currency: str, amount: Decimal) -> None:
        key = (venue, currency)
        self.book.cash[key] = self.book.cash.get(key, ZERO) + amount

    # -- lots -------------------------------------------------------------------------------
    def _key(self, lot: Lot) -> tuple:
        self._arrival += 1
        moment = _micros(lot.acquired)
        if self.method == "lifo":
            return (-moment, -self._arrival)
        if self.method == "hifo":
            # Highest unit cost first; ties: oldest first, then first arrived.
            return (-lot.unit_cost, moment, self._arrival)
        return (moment, self._arrival)

    def _push(self, lot: Lot) -> None:
        self.by_id[lot.lot_id] = lot
        heapq.heappush(self.heaps.setdefault(lot.symbol, {}).setdefault(lot.venue, []), (self._key(lot), lot))
        place = (lot.symbol, lot.venue)
        self.held[place] = self.held.get(place, ZERO) + lot.quantity

    def _top(self, heap: list):
        while heap and self.by_id.get(heap[0][1].lot_id) is not heap[0][1]:
            heapq.heappop(heap)  # closed (or moved) since it was pushed
        return heap[0] if heap else None

    def _next(self, heaps: list[list]) -> Lot:
        best = None
        for heap in heaps:
            top = self._top(heap)
            if top is not None and (best is None or top[0] < best[0]):
                best = top
        return best[1]

    def _take(self, tx: Tx, quantity: Decimal, venue: str | None) -> list[tuple[Lot, Decimal, Decimal, bool]]:
        """Remove `quantity` units of tx.symbol from lots (at `venue`; any venue when None):
        [(lot, units taken, basis taken, whole lot)]. Raises LedgerConflict (nothing changed) when
        not enough is held."""
        where = f" at {venue}" if venue else ""
        specific = None
        if tx.lot_id:
            specific = self.by_id.get(tx.lot_id)
            if specific is None or specific.symbol != tx.symbol or (venue is not None and specific.venue != venue):
                raise LedgerConflict(tx.tx_id, f"no open lot {tx.lot_id!r} of {tx.symbol}{where}")
            held = specific.quantity
        elif venue is None:
            held = sum((units for (symbol, _), units in self.held.items() if symbol == tx.symbol), ZERO)
        else:
            held = self.held.get((tx.symbol, venue), ZERO)
        if quantity > held:
            raise LedgerConflict(tx.tx_id, f"{tx.kind} of {quantity} {tx.symbol}{where} is more than the "
                                           f"{held} held{where} on {tx.when.date()}")
        venues = self.heaps.get(tx.symbol, {})
        heaps = list(venues.values()) if venue is None else [venues.get(venue, [])]
        taken: list[tuple[Lot, Decimal, Decimal, bool]] = []
        left = quantity
        while left > 0:
            lot = specific if specific is not None else self._next(heaps)
            units = min(lot.quantity, left)
            place = (lot.symbol, lot.venue)
            self.held[place] -= units
            if units == lot.quantity:
                del self.by_id[lot.lot_id]  # its heap entry is dropped when it surfaces
                taken.append((lot, units, lot.cost_basis, True))
            else:
                basis = _share(lot.cost_basis, units, lot.quantity)
                lot.quantity -= units
                lot.cost_basis -= basis
                taken.append((lot, units, basis, False))
            left -= units
        return taken

    def _open(self, tx: Tx, venue: str, basis: Decimal) -> None:
        self._push(Lot(tx.tx_id, tx.symbol, venue, tx.quantity, basis, tx.when, tx.tx_id, tx.sleeve))

    def finish(self) -> Book:
        """The book with every open lot, oldest first."""
        self.book.lots = sorted(self.by_id.values(), key=lambda lot: (lot.acquired, lot.lot_id))
        return self.book

    # -- one transaction --------------------------------------------------------------------
    def apply(self, tx: Tx) -> None:
        try:
            self._apply(tx)
        except LedgerConflict as conflict:
            if not self.skip_bad:
                raise
            self.book.rejected.append(conflict)

    def _apply(self, tx: Tx) -> None:
        price = tx.price if tx.price is not None else ZERO
        gross = tx.quantity * price
        if gross.as_tuple().exponent < -18:  # what NUMERIC(38, 18) keeps: both databases store the same basis
            gross = gross.quantize(STORED_STEP, rounding=ROUND_HALF_EVEN)
        if _is_cash(tx):
            sign = {"deposit": 1, "income": 1, "withdrawal": -1, "fee": -1}.get(tx.kind)
            if sign is None:
                raise LedgerConflict(tx.tx_id, f"a {tx.kind} of the base currency {tx.symbol} means nothing; "
                                               "record deposits and withdrawals of cash")
            self._cash(tx.venue, tx.currency, sign * tx.quantity - tx.fee)
            if tx.kind in ("deposit", "withdrawal"):
                self.book.deposits += sign * tx.quantity
            return
        if tx.kind in OPENING:
            self._open(tx, tx.venue, gross + tx.fee)
            if tx.kind == "buy":
                self._cash(tx.venue, tx.currency, -(gross + tx.fee))
            elif tx.fee:
                self._cash(tx.venue, tx.currency, -tx.fee)
            return
        if tx.kind == "transfer":
            moved = self._take(tx, tx.quantity, tx.venue)
            total = sum((units for _, units, _, _ in moved), ZERO)
            fee_left = tx.fee
            for i, (lot, units, basis, whole) in enumerate(moved):
                fee_part = fee_left if i == len(moved) - 1 else _share(tx.fee, units, total)
                fee_left -= fee_part
                # The moved part keeps its acquisition date; its id names where it came from.
                self._push(Lot(lot.lot_id if whole else split_lot_id(lot.lot_id, tx.tx_id), lot.symbol, tx.to_venue,
                               units, basis + fee_part, lot.acquired, lot.opened_by, lot.sleeve))
            return
        if tx.kind in CLOSING:
            taken = self._take(tx, tx.quantity, tx.venue or None)
            proceeds_total = None
            if tx.kind == "sell":
                proceeds_total = gross - tx.fee
            elif tx.kind == "fee" and self.fee_disposal and tx.price is not None:
                proceeds_total = gross  # a coin spent on a fee is disposed of at its market value
            left = proceeds_total
            for i, (lot, units, basis, _) in enumerate(taken):
                proceeds = None
                if proceeds_total is not None:
                    proceeds = left if i == len(taken) - 1 else _share(proceeds_total, units, tx.quantity)
                    left -= proceeds
                self.book.closings.append(Closing(lot.lot_id, tx.tx_id, tx.kind, tx.symbol, lot.venue, units, basis,
                                                  proceeds, lot.acquired, tx.when,
                                                  self.rule.is_long(lot.acquired, tx.when)))
            if tx.kind == "sell":
                self._cash(tx.venue, tx.currency, gross - tx.fee)
            return
        raise LedgerConflict(tx.tx_id, f"unknown kind {tx.kind!r}")


def split_lot_id(lot_id: str, tx_id: str) -> str:
    """The id of the part of `lot_id` a transfer `tx_id` moved. '>' never appears in a transaction id
    (rows refuse it), so these ids cannot collide with a lot a user's transaction opened."""
    new = f"{lot_id}{SPLIT}{tx_id}"
    if len(new) > MAX_LOT_ID:  # a lot split by many transfers: keep it within the column, still unique
        import hashlib

        new = f"{lot_id[:80]}{SPLIT}{hashlib.sha256(new.encode()).hexdigest()[:24]}{SPLIT}{tx_id}"[:MAX_LOT_ID]
    return new


def replay(transactions: Iterable[Tx], method: str = "fifo", rule: HoldingRule | int | None = None, *,
           until: datetime | None = None, skip_bad: bool = False, fee_disposal: bool = True) -> Book:
    """The book after every transaction (up to and including `until`), in time order."""
    import gc

    engine = Replay(method, rule, skip_bad=skip_bad, fee_disposal=fee_disposal)
    collecting = gc.isenabled()
    gc.disable()  # a long replay allocates only live objects: cyclic collection would rescan them again and again
    try:
        with localcontext(LEDGER_CONTEXT):
            for tx in sorted(transactions, key=lambda t: (t.when, t.seq, t.tx_id)):
                if until is not None and tx.when > until:
                    break
                engine.apply(tx)
            return engine.finish()
    finally:
        if collecting:
            gc.enable()
