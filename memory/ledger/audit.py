"""The ledger's audit log: every change to the history, append-only (rows are inserted, never altered).

An entry says when, what (add / delete / amend / reconcile), which transaction, its fields before and
after (JSON; null when it did not exist before or does not exist after) and the command that made it.
A transaction deleted or replaced by a reconciliation stays out of the ledger when a file holding it
is imported again: the log remembers it (`removed_ids`), so an undo is never silently undone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, insert, select

from indexdesk.memory.ledger.lots import Tx
from indexdesk.memory.ledger.models import AuditRow

ACTIONS = ("add", "delete", "amend", "reconcile")
MAX_COMMAND = 500


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    action: str
    tx_id: str
    old: dict | None
    new: dict | None
    command: str


def tx_fields(tx: Tx) -> dict[str, str]:
    """A transaction's fields as text (the exact decimals, never floats)."""
    def text(value) -> str:
        if value is None:
            return ""
        plain = format(value, "f")  # PostgreSQL's NUMERIC(38, 18) hands back 18 decimals: drop the zeros
        return plain.rstrip("0").rstrip(".") if "." in plain else plain

    return {"date": tx.when.isoformat(timespec="seconds"), "kind": tx.kind, "symbol": tx.symbol,
            "quantity": text(tx.quantity), "price": text(tx.price), "fee": text(tx.fee), "currency": tx.currency,
            "venue": tx.venue, "to_venue": tx.to_venue, "lot_id": tx.lot_id, "sleeve": tx.sleeve, "note": tx.note}


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def record(connection, entries: list[tuple[str, str, dict | None, dict | None]], command: str) -> None:
    """Append (action, tx_id, old, new) entries, all stamped with the same time and command."""
    if not entries:
        return
    at = now()
    rows = [{"at": at, "action": action, "tx_id": tx_id[:64], "command": (command or "")[:MAX_COMMAND],
             "old": None if old is None else json.dumps(old, sort_keys=True),
             "new": None if new is None else json.dumps(new, sort_keys=True)}
            for action, tx_id, old, new in entries]
    connection.execute(insert(AuditRow), rows)


def removed_ids(connection) -> set[str]:
    """Transactions the user deleted or a reconciliation replaced (they do not come back on re-import)."""
    query = select(AuditRow.tx_id).where(and_(AuditRow.action.in_(("delete", "reconcile")), AuditRow.new.is_(None)))
    return {row[0] for row in connection.execute(query)}


def entries(connection, *, tx_id: str | None = None, limit: int = 50) -> tuple[list[AuditEntry], int]:
    """The newest `limit` entries (optionally of one transaction), newest first, and how many there are."""
    from sqlalchemy import func

    query = select(AuditRow)
    counting = select(func.count()).select_from(AuditRow)
    if tx_id:
        query = query.where(AuditRow.tx_id == tx_id)
        counting = counting.where(AuditRow.tx_id == tx_id)
    total = int(connection.execute(counting).scalar() or 0)
    rows = connection.execute(query.order_by(AuditRow.id.desc()).limit(limit)).all()
    return [AuditEntry(r.id, r.at, r.action, r.tx_id, None if r.old is None else json.loads(r.old),
                       None if r.new is None else json.loads(r.new), r.command) for r in rows], total
