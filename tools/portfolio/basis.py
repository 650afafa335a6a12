"""Lots whose cost basis the ledger does not know: coins that arrived by a deposit with no price and
no matching withdrawal elsewhere (an exchange file sees only its own side of a transfer).

Their zero basis is not a real cost: lots, gains and the review flag them "basis unknown" instead of
reporting a fictitious gain. The flag is derived from the data — a lot's id starts with the id of the
transaction that opened it (`<opener>` or `<opener>><transfer>` once part of it moved) — so the lot
engine carries nothing extra.
"""

from __future__ import annotations

FIX = ("pair the deposit with its withdrawal (`indexdesk portfolio reconcile`), or give it the price you paid "
       "(`indexdesk portfolio amend ID --set price=…`)")


def unknown_openers(store) -> set[str]:
    """Ids of the coin deposits recorded without a price (their lots have no known basis)."""
    return {tx.tx_id for tx in store.transactions(kind="deposit") if tx.price is None and tx.symbol != tx.currency}


def opener_of(lot_id: str) -> str:
    return lot_id.split(">", 1)[0]


def is_unknown(lot_id: str, openers: set[str]) -> bool:
    return bool(openers) and opener_of(lot_id) in openers


def warning(symbols: list[str]) -> str:
    return (f"basis unknown for {', '.join(sorted(set(symbols)))[:120]}: deposited coins without a price count "
            f"at zero cost, so their gains are overstated; {FIX}")


def review_warning(store) -> str | None:
    """The review's line when open or closed lots rest on an unknown basis, else None."""
    if store is None:
        return None
    openers = unknown_openers(store)
    if not openers:
        return None
    book = store.book()
    symbols = [lot.symbol for lot in book.lots if is_unknown(lot.lot_id, openers)]
    symbols += [c.symbol for c in book.closings if c.proceeds is not None and is_unknown(c.lot_id, openers)]
    return warning(symbols) if symbols else None
