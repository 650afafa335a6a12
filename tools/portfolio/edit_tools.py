"""Tools that change the ledger's history — delete, amend, reconcile transfers — and the audit log that
remembers every change. The writes are state-changing: the agent asks before it calls them.

Every change goes through the store's audited methods: replayed against the whole history first, so a
change that would make the history impossible (a sell of more than is held) is refused with the
transaction and the reason, and the book is left as it was.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.portfolio.edit_models import (AuditLine, ChangeResult, HistoryResult, PairLine, TransferCandidates,
                                                   TxLine)
from indexdesk.tools.registry import tool

TxId = Annotated[str, Field(min_length=1, max_length=64)]
AMENDABLE = ("date", "kind", "symbol", "quantity", "price", "fee", "venue", "to_venue", "lot_id", "sleeve", "note")
MAX_PAIRS_SHOWN = 30
MAX_HISTORY = 200


def _store(ctx: ToolContext):
    from indexdesk.tools.portfolio.holdings import ledger_or_none

    store = ledger_or_none(ctx)
    if store is None or not store.count():
        raise ToolError("the ledger holds no transactions yet",
                        hint="import a history (`indexdesk portfolio import FILE`) or record_transaction")
    return store


def resolve_id(store, given: str) -> str:
    """A stored id from the id or its first characters (at least 4, and only one match)."""
    text = given.strip()
    if store.transaction(text) is not None:
        return text
    matches = store.find_ids(text) if len(text) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ToolError(f"id {text[:64]!r} matches several transactions: {', '.join(matches)}",
                        hint="give more characters of the id", field="ids")
    raise ToolError(f"no transaction with id {text[:64]!r}",
                    hint="ids are in the id column of `indexdesk portfolio export` and in `portfolio history`",
                    field="ids")


def _line(tx) -> TxLine:
    from indexdesk.tools.portfolio.rows import format_decimal

    return TxLine(id=tx.tx_id, day=tx.when.date(), kind=tx.kind, symbol=tx.symbol,
                  quantity=format_decimal(tx.quantity), price=format_decimal(tx.price),
                  fee=format_decimal(tx.fee) if tx.fee else "", venue=tx.venue, to_venue=tx.to_venue)


def describe(tx) -> str:
    line = _line(tx)
    price = f" at {line.price}" if line.price else ""
    where = f" {line.venue}->{line.to_venue}" if line.to_venue else (f" at {line.venue}" if line.venue else "")
    return f"{line.day} {line.kind} {line.quantity} {line.symbol}{price}{where} (id {tx.tx_id})"


def refusal(store, error, fix: str, amended=None) -> ToolError:
    """The store refused a change: name the transaction that could not stand (as amended, when it is the
    one amended), why, and the fix."""
    conflict = error.conflicts[0] if getattr(error, "conflicts", None) else error
    tx = amended if amended is not None and amended.tx_id == conflict.tx_id else store.transaction(conflict.tx_id)
    which = describe(tx) if tx is not None else conflict.tx_id
    if amended is not None and amended.tx_id != conflict.tx_id:
        which += f", once {amended.tx_id} is amended,"
    more = f" (and {len(error.conflicts) - 1} more)" if len(getattr(error, "conflicts", [])) > 1 else ""
    return ToolError(f"refused, the ledger is unchanged: {which}: {conflict.reason}{more}", hint=fix)


def _changed(store, action: str, removed, added, summary: str, warnings: list[str] | None = None) -> ChangeResult:
    return ChangeResult(action=action, removed=[_line(t) for t in removed], added=[_line(t) for t in added],
                        summary=summary, open_lots=len(store.book().lots), warnings=warnings or [])


@tool(state_changing=True, category="portfolio", examples=(
    'delete that transaction from the ledger',
    'remove the duplicate buy I imported',
    'undo the trade I recorded by mistake',
    'delete ledger rows r3f2a and r9c41',
))
def delete_transactions(ctx: ToolContext, ids: Annotated[list[TxId], Field(min_length=1, max_length=50)]) -> ChangeResult:
    """Delete ledger transactions by id; lots and gains rebuild, the audit log keeps the old rows.

    Args:
        ids: transaction ids (or their first characters).
    """
    from indexdesk.memory.ledger import LedgerConflict

    store = _store(ctx)
    wanted = list(dict.fromkeys(resolve_id(store, given) for given in ids))
    try:
        removed = store.delete(wanted, command=f"delete_transactions {' '.join(wanted)}")
    except LedgerConflict as error:
        raise refusal(store, error, "delete or amend the later transactions that need these first "
                                    "(sells and transfers of the same coin), then delete these") from None
    return _changed(store, "delete", removed, [], f"deleted {len(removed)} transaction(s); lots rebuilt")


def _assignments(changes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for change in changes:
        name, sep, value = change.partition("=")
        name = name.strip().lower()
        if not sep:
            raise ToolError(f"{change[:60]!r} is not FIELD=VALUE", hint="e.g. quantity=0.5 or price=61000",
                            field="changes")
        if name not in AMENDABLE:
            from indexdesk.tools.errors import close_matches

            guesses = close_matches(name, AMENDABLE)
            raise ToolError(f"{name[:30]!r} is not a field that can be amended"
                            + (f"; did you mean {guesses[0]!r}?" if guesses else ""), valid=AMENDABLE,
                            field="changes")
        out[name] = value.strip()
    return out


@tool(state_changing=True, category="portfolio", examples=(
    'correct the quantity of that sell',
    'the price on that ledger row is wrong',
    'change the date of transaction r3f2a to 2024-03-01',
    'amend a ledger row',
    'that deposit was really at kraken, not binance',
))
def amend_transaction(ctx: ToolContext, tx_id: TxId,
                      changes: Annotated[list[Annotated[str, Field(max_length=220)]],
                                         Field(min_length=1, max_length=11)]) -> ChangeResult:
    """Correct fields of one ledger transaction; refused, book unchanged, when the history would be impossible.

    Args:
        tx_id: the transaction's id (or its first characters).
        changes: FIELD=VALUE, e.g. ["quantity=0.5", "price=61000"]; fields: date, kind, symbol, quantity, price, fee, venue, to_venue, lot_id, sleeve, note.
    """
    from indexdesk.memory.ledger import LedgerConflict
    from indexdesk.tools.portfolio.rows import Names, RowError, check_row, native_fields

    store = _store(ctx)
    tx_id = resolve_id(store, tx_id)
    old = store.transaction(tx_id)
    updates = _assignments(changes)
    fields = {**native_fields(old), **updates}
    try:
        new = check_row(fields, Names.of(ctx, store.currency() or "USD"), tx_id=old.tx_id, seq=old.seq)
    except RowError as error:
        raise ToolError(f"refused, the ledger is unchanged: {describe(old)}: {error.reason}",
                        hint="give a valid value for that field", field="changes") from None
    if new == old:
        return _changed(store, "amend", [], [], "nothing to change: the values are the ones stored")
    command = f"amend_transaction {tx_id} " + " ".join(f"{k}={v}" for k, v in updates.items())
    try:
        store.amend(new, command=command[:500])
    except LedgerConflict as error:
        raise refusal(store, error, "amend to a quantity no larger than what is held then, or record the "
                                    "missing buy, deposit or transfer first", amended=new) from None
    return _changed(store, "amend", [old], [new], f"amended {describe(new)}; lots rebuilt")


def _candidates(ctx: ToolContext, store):
    from indexdesk.tools.portfolio.reconcile import find_pairs

    window = float(ctx.settings.transfer_window_hours)
    tolerance = Decimal(str(ctx.settings.transfer_fee_tolerance))
    return find_pairs(store.transactions(), window_hours=window, fee_tolerance=tolerance), window, tolerance


@tool(category="portfolio", examples=(
    'which withdrawals and deposits are the same transfer',
    'did I record this transfer twice',
    'show unmatched transfers between my exchanges',
    'pair my Coinbase sends with Binance deposits',
    'reconcile venues',
))
def find_transfers(ctx: ToolContext) -> TransferCandidates:
    """Withdrawals matching a deposit of the same coin at another venue, and rows repeating a recorded transfer."""
    from indexdesk.tools.portfolio.reconcile import describe as describe_pair

    store = _store(ctx)
    found, window, tolerance = _candidates(ctx, store)
    warnings = []
    if len(found.unambiguous) + len(found.ambiguous) > MAX_PAIRS_SHOWN:
        warnings.append(f"{len(found.unambiguous) + len(found.ambiguous)} candidate pairs: the first "
                        f"{MAX_PAIRS_SHOWN} shown")
    pairs = [PairLine(pair=p.key, description=describe_pair(p)) for p in found.unambiguous]
    tangled = [PairLine(pair=p.key, description=describe_pair(p)) for p in found.ambiguous]
    if tangled:
        warnings.append("ambiguous pairs are never applied on their own: choose one per withdrawal by its pair id")
    return TransferCandidates(unambiguous=pairs[:MAX_PAIRS_SHOWN], ambiguous=tangled[:MAX_PAIRS_SHOWN],
                              window_hours=window, fee_tolerance=float(tolerance), warnings=warnings)


@tool(state_changing=True, category="portfolio", examples=(
    'apply the transfer pairs',
    'merge the Coinbase send and the Binance deposit into one transfer',
    'reconcile my transfers between exchanges',
    'link withdrawal r3f2 with deposit r9c4',
))
def reconcile_transfers(ctx: ToolContext,
                        pairs: Annotated[list[Annotated[str, Field(max_length=130)]] | None,
                                         Field(max_length=50)] = None) -> ChangeResult:
    """Turn withdrawal + deposit pairs into transfers that keep basis and dates; default every unambiguous pair.

    Args:
        pairs: ids from find_transfers (WITHDRAWAL_ID:DEPOSIT_ID); needed for ambiguous ones.
    """
    store = _store(ctx)
    found, _, _ = _candidates(ctx, store)
    every = {p.key: p for p in found.unambiguous + found.ambiguous}
    if pairs:
        chosen, used = [], set()
        for given in pairs:
            w_text, sep, d_text = given.partition(":")
            if not sep:
                raise ToolError(f"{given[:60]!r} is not WITHDRAWAL_ID:DEPOSIT_ID", field="pairs",
                                hint="take pair ids from find_transfers (`indexdesk portfolio reconcile`)")
            key = f"{resolve_id(store, w_text)}:{resolve_id(store, d_text)}"
            if key not in every:
                raise ToolError(f"{given[:60]} is not a candidate pair (same coin, other venue, within the window "
                                "and the network fee)", field="pairs", valid=list(every)[:20],
                                hint="list the candidates with find_transfers")
            pair = every[key]
            if set(pair.remove_ids) & used:
                raise ToolError(f"{given[:60]} reuses a withdrawal or deposit already chosen", field="pairs",
                                hint="choose one deposit per withdrawal")
            used |= set(pair.remove_ids)
            chosen.append(pair)
        command = "reconcile_transfers " + " ".join(p.key for p in chosen)
    else:
        chosen, command = found.unambiguous, "reconcile_transfers (every unambiguous pair)"
    warnings = [f"{len(found.ambiguous)} ambiguous pair(s) left: choose them by id"] if found.ambiguous and not pairs else []
    if not chosen:
        return _changed(store, "reconcile", [], [], "no pair to apply", warnings)
    from indexdesk.tools.portfolio.reconcile import apply_pairs

    removed, added, skipped = apply_pairs(store, chosen, command[:500])
    transfers = sum(1 for tx in added if tx.kind == "transfer")
    repeats = sum(1 for pair in chosen if not hasattr(pair, "withdrawal") and pair.key not in " ".join(skipped))
    summary = f"{transfers} transfer(s) recorded; basis and acquisition dates kept; lots rebuilt"
    if repeats:
        summary = f"{repeats} row(s) repeating a recorded transfer removed; " + summary
    return _changed(store, "reconcile", removed, added, summary, warnings + skipped)


def _change_text(old: dict | None, new: dict | None) -> str:
    if old is None and new is not None and "count" in new:
        return f"{new['count']} transaction(s) added"
    if old is None and new is not None:
        return f"added {new.get('date', '')[:10]} {new.get('kind')} {new.get('quantity')} {new.get('symbol')}"
    if new is None and old is not None:
        return f"removed {old.get('date', '')[:10]} {old.get('kind')} {old.get('quantity')} {old.get('symbol')}"
    diffs = [f"{k}: {old.get(k) or '∅'} -> {new.get(k) or '∅'}" for k in sorted(new) if (old or {}).get(k) != new.get(k)]
    return "; ".join(diffs) or "no change"


@tool(category="portfolio", examples=(
    'what did I change in the ledger',
    'show the ledger audit log',
    'history of edits to my transactions',
    'when was that ledger row amended',
    'recent edits made to the ledger',
    'audit trail of one transaction',
))
def ledger_history(ctx: ToolContext, tx_id: Annotated[str | None, Field(max_length=64)] = None,
                   limit: Annotated[int, Field(ge=1, le=MAX_HISTORY)] = 20) -> HistoryResult:
    """The ledger's audit log, newest first: when, what, old and new values, which command.

    Args:
        tx_id: one transaction's entries; default all.
        limit: entries shown.
    """
    from indexdesk.tools.portfolio.holdings import ledger_or_none

    store = ledger_or_none(ctx)
    if store is None:
        return HistoryResult(entries=[], shown=0, total=0, warnings=["no ledger yet: nothing has changed"])
    entries, total = store.history(tx_id=tx_id.strip() if tx_id else None, limit=limit)
    lines = [AuditLine(at=e.at, action=e.action, tx_id=e.tx_id, change=_change_text(e.old, e.new)[:300],
                       command=e.command[:200]) for e in entries]
    warnings = [] if lines or not tx_id else [f"no audit entries for {tx_id[:64]!r}"]
    return HistoryResult(entries=lines, shown=len(lines), total=total, warnings=warnings)
