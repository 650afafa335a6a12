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


@dataclass
class Candidates:
    unambiguous: list[Pair] = field(default_factory=list)
    ambiguous: list[Pair] = field(default_factory=list)  # every candidate pair of a tangled group


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
    withdrawals, deposits = [], {}
    for tx in transactions:
        if tx.symbol == tx.currency:
            continue
        if tx.kind == "withdrawal":
            withdrawals.append(tx)
        elif tx.kind == "deposit":
            deposits.setdefault(tx.symbol, []).append(tx)
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
    found = Candidates()
    for w in withdrawals:
        for d in of_withdrawal.get(w.tx_id, []):
            pair = Pair(w, d)
            if len(of_withdrawal[w.tx_id]) == 1 and len(of_deposit[d.tx_id]) == 1:
                found.unambiguous.append(pair)
            else:
                found.ambiguous.append(pair)
    return found


def describe(pair: Pair) -> str:
    w, d = pair.withdrawal, pair.deposit
    fee = f", network fee {pair.network_fee.normalize():f}" if pair.network_fee else ""
    return (f"{w.symbol}: {w.quantity.normalize():f} out of {w.venue} on {w.when:%Y-%m-%d %H:%M} -> "
            f"{d.quantity.normalize():f} into {d.venue} on {d.when:%Y-%m-%d %H:%M}{fee}")


def apply_pairs(store, chosen: list[Pair], command: str) -> tuple[list[Tx], list[Tx], list[str]]:
    """Apply pairs one by one (each its own audited step): (removed, added, skipped with the reason).
    A pair the history cannot carry (the coins were spent at the destination before they left the
    source) is skipped, never forced."""
    from indexdesk.memory.ledger import LedgerConflict

    removed: list[Tx] = []
    added: list[Tx] = []
    skipped: list[str] = []
    for pair in chosen:
        try:
            out, into = store.rewrite(remove=[pair.withdrawal.tx_id, pair.deposit.tx_id], add=pair.transfer_rows(),
                                      action="reconcile", command=command)
        except (LedgerConflict, KeyError) as error:
            skipped.append(f"{pair.key}: not applied ({getattr(error, 'reason', error)})")
            continue
        removed += out
        added += into
    return removed, added, skipped
