"""Pairing a withdrawal at one venue with the deposit of the same coin at another into one transfer.

Exchange files see only their own side: Coinbase's `Send` is a withdrawal, the Binance or Kraken
deposit a fresh zero-basis lot. A pair is a withdrawal W and a deposit D of the same symbol at
another venue, D no more than `window_hours` after W (an hour earlier is allowed for clock skew),
and D's quantity at most W's and short of it by no more than the network fee (`fee_tolerance`, a
fraction of W). Applying a pair replaces W and D by a `transfer` of D's quantity from W's venue to
D's venue (the lots keep their basis and acquisition dates) plus, when less arrived than left, a
`fee` row of the difference at W's venue (the network fee). The store logs it as `reconcile`.

A pair is unambiguous when W has one candidate D and D one candidate W; anything else is listed,
never guessed.

A withdrawal or deposit that repeats a `transfer` already recorded (the user wrote the native transfer
row, then imported the venue's file: the coins would leave twice) is a **duplicate**: same coin, the
transfer's source venue (withdrawal) or destination (deposit), within the window, the quantity within
the network fee. Applying it removes the repeated row (a withdrawal's surplus over the transfer stays as
the network `fee`). Rows with a duplicate candidate are not paired with each other.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Iterable

from indexdesk.memory.ledger import Tx

DEFAULT_WINDOW_HOURS = 72.0
DEFAULT_FEE_TOLERANCE = Decimal("0.02")
SKEW = timedelta(hours=1)


@dataclass(frozen=True)
class Pair:
    withdrawal: Tx
    deposit: Tx

    @property
    def network_fee(self) -> Decimal:
        return self.withdrawal.quantity - self.deposit.quantity

    @property
    def key(self) -> str:
        return f"{self.withdrawal.tx_id}:{self.deposit.tx_id}"

    @property
    def remove_ids(self) -> list[str]:
        return [self.withdrawal.tx_id, self.deposit.tx_id]

    def transfer_rows(self) -> list[Tx]:
        """The transfer (and network fee) that replace the two rows."""
        w, d = self.withdrawal, self.deposit
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:20]
        when = min(w.when, d.when)
        note = f"reconciled: {w.venue} withdrawal {w.tx_id} + {d.venue} deposit {d.tx_id}"[:200]
        rows = [Tx(f"x{digest}", "transfer", w.symbol, d.quantity, when, None, Decimal(0), w.currency, w.venue,
                   d.venue, "", w.sleeve or d.sleeve, note, w.seq)]
        if self.network_fee > 0:
            rows.append(Tx(f"x{digest}-fee", "fee", w.symbol, self.network_fee, when, None, Decimal(0), w.currency,
                           w.venue, "", "", w.sleeve, f"network fee of the transfer {w.venue} -> {d.venue}", w.seq))
        return rows


@dataclass(frozen=True)
class Duplicate:
    """A withdrawal or deposit that repeats a transfer already recorded."""

    row: Tx
    transfer: Tx

    @property
    def key(self) -> str:
        return f"{self.row.tx_id}:{self.transfer.tx_id}"

    @property
    def remove_ids(self) -> list[str]:
        return [self.row.tx_id]

    def transfer_rows(self) -> list[Tx]:
        surplus = self.row.quantity - self.transfer.quantity
        if self.row.kind != "withdrawal" or surplus <= 0:
            return []
        w = self.row
        return [Tx(f"{w.tx_id[:56]}-netfee", "fee", w.symbol, surplus, w.when, None, Decimal(0), w.currency, w.venue,
                   "", "", w.sleeve, f"network fee of transfer {self.transfer.tx_id}"[:200], w.seq)]


@dataclass
class Candidates:
    unambiguous: list = field(default_factory=list)  # Pair | Duplicate, each applied on its own when asked
    ambiguous: list = field(default_factory=list)  # every candidate of a tangled group


def _matches(w: Tx, d: Tx, window: timedelta, tolerance: Decimal) -> bool:
    if d.symbol != w.symbol or not w.venue or not d.venue or d.venue == w.venue:
        return False
    if not (w.when - SKEW <= d.when <= w.when + window):
        return False
    return d.quantity <= w.quantity and w.quantity - d.quantity <= w.quantity * tolerance


def find_pairs(transactions: Iterable[Tx], *, window_hours: float = DEFAULT_WINDOW_HOURS,
               fee_tolerance: Decimal = DEFAULT_FEE_TOLERANCE) -> Candidates:
    """Candidate pairs among the coin withdrawals and deposits (the base currency is cash, never paired)."""
    window = timedelta(hours=window_hours)
    withdrawals, deposits, transfers = [], {}, []
    for tx in transactions:
        if tx.symbol == tx.currency:
            continue
        if tx.kind == "withdrawal":
            withdrawals.append(tx)
        elif tx.kind == "deposit":
            deposits.setdefault(tx.symbol, []).append(tx)
        elif tx.kind == "transfer":
            transfers.append(tx)
    found = Candidates()
    if transfers:
        repeated = _duplicates(withdrawals, [d for rows in deposits.values() for d in rows], transfers, window,
                               fee_tolerance, found)
        withdrawals = [w for w in withdrawals if w.tx_id not in repeated]
        deposits = {symbol: [d for d in rows if d.tx_id not in repeated] for symbol, rows in deposits.items()}
    of_withdrawal: dict[str, list[Tx]] = {}
    of_deposit: dict[str, list[Tx]] = {}
    times: dict[str, list] = {}
    for symbol, rows in deposits.items():  # by time, so each withdrawal looks only inside its window
        rows.sort(key=lambda tx: tx.sort_key)
        times[symbol] = [tx.when for tx in rows]
    for w in withdrawals:
        rows = deposits.get(w.symbol, [])
        start = bisect_left(times.get(w.symbol, []), w.when - SKEW)
        for d in rows[start:bisect_right(times.get(w.symbol, []), w.when + window)]:
            if _matches(w, d, window, fee_tolerance):
                of_withdrawal.setdefault(w.tx_id, []).append(d)
                of_deposit.setdefault(d.tx_id, []).append(w)
    for w in withdrawals:
        for d in of_withdrawal.get(w.tx_id, []):
            pair = Pair(w, d)
            if len(of_withdrawal[w.tx_id]) == 1 and len(of_deposit[d.tx_id]) == 1:
                found.unambiguous.append(pair)
            else:
                found.ambiguous.append(pair)
    return found


def _duplicates(withdrawals, deposits, transfers, window, tolerance, found: Candidates) -> set[str]:
    """Rows repeating a recorded transfer, sorted into found; the ids of every row with such a candidate."""
    def near(a: Tx, b: Tx) -> bool:
        return abs(a.when - b.when) <= window

    def within(small: Decimal, large: Decimal) -> bool:
        return small <= large and large - small <= large * tolerance

    def by_place(rows: list[Tx]) -> dict[tuple[str, str], tuple[list, list[Tx]]]:
        out: dict[tuple[str, str], list[Tx]] = {}
        for row in rows:
            out.setdefault((row.symbol, row.venue), []).append(row)
        return {key: ([r.when for r in sorted(v, key=lambda r: r.when)], sorted(v, key=lambda r: r.when))
                for key, v in out.items()}

    def around(index, key: tuple[str, str], t: Tx) -> list[Tx]:  # rows at that place within the window
        times, rows = index.get(key, ([], []))
        return rows[bisect_left(times, t.when - window):bisect_right(times, t.when + window)]

    outs, ins = by_place(withdrawals), by_place(deposits)
    candidates: list[Duplicate] = []
    for t in transfers:
        candidates += [Duplicate(w, t) for w in around(outs, (t.symbol, t.venue), t)
                       if near(w, t) and within(t.quantity, w.quantity)]
        candidates += [Duplicate(d, t) for d in around(ins, (t.symbol, t.to_venue), t)
                       if near(d, t) and within(d.quantity, t.quantity)]
    per_row: dict[str, int] = {}
    per_side: dict[tuple[str, str], int] = {}
    for c in candidates:
        per_row[c.row.tx_id] = per_row.get(c.row.tx_id, 0) + 1
        per_side[(c.transfer.tx_id, c.row.kind)] = per_side.get((c.transfer.tx_id, c.row.kind), 0) + 1
    for c in candidates:
        clear = per_row[c.row.tx_id] == 1 and per_side[(c.transfer.tx_id, c.row.kind)] == 1
        (found.unambiguous if clear else found.ambiguous).append(c)
    return set(per_row)


def describe(pair) -> str:
    if isinstance(pair, Duplicate):
        r, t = pair.row, pair.transfer
        return (f"{r.symbol}: the {r.kind} of {r.quantity.normalize():f} at {r.venue} on {r.when:%Y-%m-%d %H:%M} "
                f"repeats the transfer {t.venue} -> {t.to_venue} of {t.quantity.normalize():f} ({t.tx_id})")
    w, d = pair.withdrawal, pair.deposit
    fee = f", network fee {pair.network_fee.normalize():f}" if pair.network_fee else ""
    return (f"{w.symbol}: {w.quantity.normalize():f} out of {w.venue} on {w.when:%Y-%m-%d %H:%M} -> "
            f"{d.quantity.normalize():f} into {d.venue} on {d.when:%Y-%m-%d %H:%M}{fee}")


def apply_pairs(store, chosen: list, command: str) -> tuple[list[Tx], list[Tx], list[str]]:
    """Apply pairs one by one (each its own audited step): (removed, added, skipped with the reason).
    A pair the history cannot carry (the coins were spent at the destination before they left the
    source) is skipped, never forced."""
    from indexdesk.memory.ledger import LedgerConflict

    removed: list[Tx] = []
    added: list[Tx] = []
    skipped: list[str] = []
    for pair in chosen:
        try:
            out, into = store.rewrite(remove=pair.remove_ids, add=pair.transfer_rows(), action="reconcile",
                                      command=command)
        except (LedgerConflict, KeyError) as error:
            skipped.append(f"{pair.key}: not applied ({getattr(error, 'reason', error)})")
            continue
        removed += out
        added += into
    return removed, added, skipped
