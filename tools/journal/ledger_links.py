"""A journal decision and the ledger: link the entry to the transaction it describes, or propose one.

`match_transaction` is pure: it takes transaction objects with `tx_id, kind, symbol, quantity,
price, when` (the ledger store's `transactions()` rows) and finds the one a journal position
describes — same symbol, same direction (buy ↔ buy, sell ↔ sell), within ±3 days, and a quantity
within 10 % when the entry states one (units, or money ÷ price). `ledger_for_entry` asks the
ledger lazily: no ledger (nothing on disk, the ledger package missing, a read failing) means no
link and no proposal, never an error — the journal entry is written either way.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable

from pydantic import BaseModel, Field

from indexdesk.tools.units import OptionalMoney, OptionalPrice, OptionalQuantity
from indexdesk.tools import calendar

log = logging.getLogger("indexdesk.journal")
MATCH_DAYS = 3
QUANTITY_TOLERANCE = 0.10  # a journal line rounds ("about 0.5 ETH"); the ledger has the exact fill


class ProposedTransaction(BaseModel):
    """The ledger transaction a journal decision describes, for the user to confirm (nothing is written)."""

    kind: str = Field(description="buy or sell")
    symbol: str
    quantity: OptionalQuantity = Field(None, description="units, when the entry states them (or money ÷ price)")
    price: OptionalPrice = None
    amount: OptionalMoney = Field(None, description="currency amount, when the entry states one")
    when: date


_day = calendar.day_or_none


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return None


def stated_quantity(position) -> float | None:
    """Units the entry implies: stated units, or a stated money amount at a stated price."""
    if position.quantity:
        return position.quantity
    if position.amount and position.price:
        return position.amount / position.price
    return None


def transaction_matches(position, day: date, tx, days: int = MATCH_DAYS) -> bool:
    """Same symbol, same direction, within ±`days`, quantity close when the entry states one."""
    if position.action not in ("buy", "sell") or str(getattr(tx, "kind", "")).lower() != position.action:
        return False
    if str(getattr(tx, "symbol", "")).upper() != position.name.upper():
        return False
    when = _day(getattr(tx, "when", None))
    if when is None or abs((when - day).days) > days:
        return False
    wanted, quantity = stated_quantity(position), _float(getattr(tx, "quantity", None))
    if wanted is None:
        return True
    if quantity is None:
        return False
    return abs(abs(quantity) - wanted) <= QUANTITY_TOLERANCE * wanted


def match_transaction(position, day: date, transactions: Iterable, taken: frozenset[str] = frozenset()):
    """The closest matching transaction (fewest days away, then closest quantity), or None."""
    wanted = stated_quantity(position)
    candidates = [tx for tx in transactions if str(tx.tx_id) not in taken and transaction_matches(position, day, tx)]
    if not candidates:
        return None

    def distance(tx) -> tuple[int, float]:
        gap = abs((_day(tx.when) - day).days)
        quantity = _float(tx.quantity)
        return gap, abs(abs(quantity) - wanted) if wanted is not None and quantity is not None else 0.0

    return min(candidates, key=distance)


def propose_transaction(position, day: date) -> ProposedTransaction | None:
    """The ledger transaction a bought/sold asset position describes (indices are not ledger symbols)."""
    if position.action not in ("buy", "sell") or not position.name.isupper():
        return None
    return ProposedTransaction(kind=position.action, symbol=position.name, quantity=stated_quantity(position),
                               price=position.price, amount=position.amount, when=day)


def _transactions(ctx, start: date, end: date) -> list | None:
    """The ledger's transactions around the entry, or None when there is no ledger to read."""
    configured = getattr(ctx.settings, "database_url", None)  # a PostgreSQL ledger (ledger branch setting)
    if ctx.ledger is None and not configured and not (ctx.settings.home / "ledger.sqlite").exists():
        return None  # opening would create an empty ledger: journaling never does that
    try:
        return list(ctx.ledger_store().transactions(symbol=None, start=start, end=end))
    except Exception as exc:  # noqa: BLE001 - a ledger that cannot be read must never lose the journal entry
        log.info("ledger not readable for journal linking: %s: %s", type(exc).__name__, exc)
        return None


def ledger_for_entry(ctx, positions: list, day: date) -> tuple[list[str], list[ProposedTransaction], list[str]]:
    """(linked tx ids, proposed transactions, one line per link/proposal) for a decision's positions."""
    traded = [p for p in positions if p.action in ("buy", "sell") and p.name.isupper()]
    if not traded:
        return [], [], []
    transactions = _transactions(ctx, day - timedelta(days=MATCH_DAYS), day + timedelta(days=MATCH_DAYS))
    if transactions is None:
        return [], [], []
    links: list[str] = []
    proposals: list[ProposedTransaction] = []
    lines: list[str] = []
    for position in traded:
        tx = match_transaction(position, day, transactions, frozenset(links))
        if tx is not None:
            links.append(str(tx.tx_id))
            lines.append(f"linked to tx {tx.tx_id} ({tx.kind} {_float(tx.quantity):g} {tx.symbol} on {_day(tx.when)})")
            continue
        proposal = propose_transaction(position, day)
        if proposal is not None:
            proposals.append(proposal)
            size = f"{proposal.quantity:g} " if proposal.quantity else (f"{proposal.amount:,.2f} of " if proposal.amount else "")
            price = f" at {proposal.price:g}" if proposal.price else ""
            lines.append(f"proposed transaction: {proposal.kind} {size}{proposal.symbol}{price} on {day}"
                         " (not in the ledger; add it with the ledger tools)")
    return links, proposals, lines


# ---------------------------------------------------------------- transfers (issue 20 item 7)

TRANSFER_KINDS = ("transfer", "withdrawal", "deposit")


def _venue_matches(written: str | None, venue: Any) -> bool:
    """A venue the entry names agrees with the ledger's ('Coinbase' ~ 'coinbase', 'my ledger' ~ 'Ledger');
    an unnamed venue agrees with any."""
    if not written:
        return True
    have = str(venue or "").lower().replace(" ", "")
    return not have or written.lower().replace(" ", "") in have or have in written.lower().replace(" ", "")


def transfer_matches(transfer, day: date, tx, days: int = MATCH_DAYS) -> bool:
    """A ledger transfer (or a withdrawal/deposit) of the same coin within ±`days`, its quantity within
    10 % of the one written (network fees), and the venues named in the entry agreeing."""
    kind = str(getattr(tx, "kind", "")).lower()
    if kind not in TRANSFER_KINDS or str(getattr(tx, "symbol", "")).upper() != transfer.name.upper():
        return False
    when = _day(getattr(tx, "when", None))
    if when is None or abs((when - day).days) > days:
        return False
    if transfer.quantity:
        quantity = _float(getattr(tx, "quantity", None))
        if quantity is None or abs(abs(quantity) - transfer.quantity) > QUANTITY_TOLERANCE * transfer.quantity:
            return False
    source, dest = getattr(tx, "venue", ""), getattr(tx, "to_venue", "")
    if kind == "transfer":
        return _venue_matches(transfer.from_venue, source) and _venue_matches(transfer.to_venue, dest)
    if kind == "withdrawal":
        return _venue_matches(transfer.from_venue, source)
    return _venue_matches(transfer.to_venue, source)  # a deposit's venue is where the coins arrived


def match_transfer(transfer, day: date, transactions: Iterable, taken: frozenset[str] = frozenset()):
    """The ledger row a journal transfer describes: a native transfer first, then the closest in days."""
    candidates = [tx for tx in transactions if str(tx.tx_id) not in taken and transfer_matches(transfer, day, tx)]
    if not candidates:
        return None
    return min(candidates, key=lambda tx: (str(tx.kind).lower() != "transfer", abs((_day(tx.when) - day).days)))


def link_transfers(ctx, transfers: list, day: date) -> tuple[list, list[str], list[str]]:
    """(transfers with `ledger_tx` set where one matches, linked tx ids, one line each). A transfer is
    never proposed as a trade: without a ledger row it stays a journal note of the move."""
    transactions = _transactions(ctx, day - timedelta(days=MATCH_DAYS), day + timedelta(days=MATCH_DAYS))
    out, links, lines = [], [], []
    for transfer in transfers:
        tx = match_transfer(transfer, day, transactions or [], frozenset(links)) if transfer.name.isupper() else None
        if tx is None:
            out.append(transfer)
            if transactions is not None:
                lines.append(f"transfer of {transfer.name}: no matching ledger transfer within {MATCH_DAYS} days "
                             "(nothing proposed: a transfer is not a trade)")
            continue
        links.append(str(tx.tx_id))
        out.append(transfer.model_copy(update={"ledger_tx": str(tx.tx_id)}))
        lines.append(f"linked to tx {tx.tx_id} ({tx.kind} {_float(tx.quantity):g} {tx.symbol} on {_day(tx.when)})")
    return out, links, lines
