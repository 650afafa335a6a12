"""The tax-lot engine: a replay of transactions into open lots, lot closings and cash. Pure, Decimal only.

Rules (docs/ledger.md):
* buy / income / deposit of a coin open a lot: basis = quantity × price + fee (an income or
  deposit without a price opens a zero-basis lot).
* sell closes lots at its venue by the method (fifo, lifo, hifo, or the specific `lot_id` given);
  proceeds = quantity × price − fee, shared pro rata over the closed pieces; gain = proceeds − basis,
  long term when held more than `holding_days` days.
* withdrawal and fee (of a coin) remove units the same way without a realised gain (their basis
  leaves the books and is reported as `basis_out`).
* transfer moves lots from `venue` to `to_venue`, keeping their basis and acquisition date; a fee
  on the transfer is added to the moved basis.
* The base currency (symbol == currency) is cash: deposits and withdrawals move it, buys spend,
  sells bring proceeds back. Cash is tracked per venue and may go negative (not every user records cash).

Conservation: units bought = units open + units closed; basis paid = basis open + basis closed.
A partial close takes a rounded share of the basis and leaves the exact remainder, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Iterable

METHODS = ("fifo", "lifo", "hifo")
KINDS = ("buy", "sell", "deposit", "withdrawal", "fee", "income", "transfer")
OPENING = ("buy", "income", "deposit")
CLOSING = ("sell", "withdrawal", "fee")
ZERO = Decimal(0)
BASIS_STEP = Decimal("1e-12")  # basis shares are rounded here; the remainder stays exact


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
    lot_id: str
    symbol: str
    venue: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: datetime
    opened_by: str
    sleeve: str = ""

    @property
    def unit_cost(self) -> Decimal:
        return self.cost_basis / self.quantity if self.quantity else ZERO


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
        return sum((lot.quantity for lot in self.lots if lot.symbol == symbol
                    and (venue is None or lot.venue == venue)), ZERO)


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 50
        return (amount * part / whole).quantize(BASIS_STEP, rounding=ROUND_HALF_EVEN)


def _order(candidates: list[Lot], method: str) -> list[Lot]:
    if method == "lifo":
        return list(reversed(candidates))
    if method == "hifo":
        # Highest unit cost first; ties: oldest first (stable sort over acquisition order).
        return sorted(candidates, key=lambda lot: -lot.unit_cost)
    return list(candidates)


def _is_cash(tx: Tx) -> bool:
    return tx.symbol == tx.currency


class Replay:
    """Applies transactions in time order to a Book."""

    def __init__(self, method: str = "fifo", holding_days: int = 365, *, skip_bad: bool = False) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown lot method {method!r}; valid: {', '.join(METHODS)}")
        self.method = method
        self.holding_days = holding_days
        self.skip_bad = skip_bad
        self.book = Book()
        self.open: dict[str, list[Lot]] = {}  # symbol -> open lots in acquisition order

    # -- cash -------------------------------------------------------------------------------
    def _cash(self, venue: str, currency: str, amount: Decimal) -> None:
        key = (venue, currency)
        self.book.cash[key] = self.book.cash.get(key, ZERO) + amount

    # -- lots -------------------------------------------------------------------------------
    def _take(self, tx: Tx, quantity: Decimal, venue: str | None) -> list[tuple[Lot, Decimal, Decimal]]:
        """Remove `quantity` units of tx.symbol from lots (at `venue`; any venue when None):
        [(lot as it was, units taken, basis taken)]. Raises LedgerConflict when not enough is held."""
        held_lots = self.open.get(tx.symbol, [])
        candidates = [lot for lot in held_lots if venue is None or lot.venue == venue]
        if tx.lot_id:
            candidates = [lot for lot in candidates if lot.lot_id == tx.lot_id]
            if not candidates:
                raise LedgerConflict(tx.tx_id, f"no open lot {tx.lot_id!r} of {tx.symbol}"
                                     + (f" at {venue}" if venue else ""))
        held = sum((lot.quantity for lot in candidates), ZERO)
        if quantity > held:
            where = f" at {venue}" if venue else ""
            raise LedgerConflict(tx.tx_id, f"{tx.kind} of {quantity} {tx.symbol}{where} is more than the "
                                           f"{held} held{where} on {tx.when.date()}")
        taken: list[tuple[Lot, Decimal, Decimal]] = []
        left = quantity
        emptied: set[int] = set()
        for lot in _order(candidates, self.method):
            if left <= 0:
                break
            units = min(lot.quantity, left)
            if units == lot.quantity:
                basis = lot.cost_basis
                emptied.add(id(lot))
            else:
                basis = _share(lot.cost_basis, units, lot.quantity)
                before = replace(lot)
                lot.quantity -= units
                lot.cost_basis -= basis
                lot = before
            taken.append((lot, units, basis))
            left -= units
        if emptied:
            self.open[tx.symbol] = [lot for lot in held_lots if id(lot) not in emptied]
        return taken

    def _open(self, tx: Tx, venue: str, basis: Decimal) -> None:
        self.open.setdefault(tx.symbol, []).append(Lot(tx.tx_id, tx.symbol, venue, tx.quantity, basis, tx.when,
                                                       tx.tx_id, tx.sleeve))

    def _held_long(self, acquired: datetime, closed: datetime) -> bool:
        return (closed.date() - acquired.date()).days > self.holding_days

    def finish(self) -> Book:
        """The book with every open lot, oldest first."""
        self.book.lots = sorted((lot for lots in self.open.values() for lot in lots),
                                key=lambda lot: (lot.acquired, lot.lot_id))
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
            total = sum((units for _, units, _ in moved), ZERO)
            fee_left = tx.fee
            for i, (lot, units, basis) in enumerate(moved):
                fee_part = fee_left if i == len(moved) - 1 else _share(tx.fee, units, total)
                fee_left -= fee_part
                # The moved part keeps its acquisition date; its id names where it came from.
                new_id = lot.lot_id if units == lot.quantity else f"{lot.lot_id}>{tx.tx_id}"
                self.open.setdefault(tx.symbol, []).append(Lot(new_id, lot.symbol, tx.to_venue, units,
                                                               basis + fee_part, lot.acquired, lot.opened_by,
                                                               lot.sleeve))
            self.open[tx.symbol].sort(key=lambda lot: lot.acquired)  # stable: same-day lots keep their order
            return
        if tx.kind in CLOSING:
            taken = self._take(tx, tx.quantity, tx.venue or None)
            proceeds_total = gross - tx.fee if tx.kind == "sell" else None
            left = proceeds_total
            for i, (lot, units, basis) in enumerate(taken):
                proceeds = None
                if proceeds_total is not None:
                    proceeds = left if i == len(taken) - 1 else _share(proceeds_total, units, tx.quantity)
                    left -= proceeds
                self.book.closings.append(Closing(lot.lot_id, tx.tx_id, tx.kind, tx.symbol, lot.venue, units, basis,
                                                  proceeds, lot.acquired, tx.when,
                                                  self._held_long(lot.acquired, tx.when)))
            if tx.kind == "sell":
                self._cash(tx.venue, tx.currency, gross - tx.fee)
            return
        raise LedgerConflict(tx.tx_id, f"unknown kind {tx.kind!r}")


def replay(transactions: Iterable[Tx], method: str = "fifo", holding_days: int = 365, *,
           until: datetime | None = None, skip_bad: bool = False) -> Book:
    """The book after every transaction (up to and including `until`), in time order."""
    import gc

    engine = Replay(method, holding_days, skip_bad=skip_bad)
    collecting = gc.isenabled()
    gc.disable()  # a long replay allocates only live objects: cyclic collection would rescan them again and again
    try:
        for tx in sorted(transactions, key=lambda t: (t.when, t.seq, t.tx_id)):
            if until is not None and tx.when > until:
                break
            engine.apply(tx)
        return engine.finish()
    finally:
        if collecting:
            gc.enable()
