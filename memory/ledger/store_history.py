"""Changing the ledger's history: delete and amend (and reconcile, through `rewrite`), each one
replayed strictly, backed up first and written to the append-only audit log; reading that log."""

from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import delete, select

from indexdesk.memory.ledger import audit
from indexdesk.memory.ledger.lots import LedgerConflict, LedgerRejected, Tx
from indexdesk.memory.ledger.models import LotClosingRow, LotRow, TransactionRow
from indexdesk.memory.ledger.schema import write_transaction
from indexdesk.memory.ledger.store_io import _bulk_insert, _guarded, _guarded_write, _tx_from_row, _tx_values


class HistoryEditing:
    """The LedgerStore's audited edits (mixed into it): every method runs under the store's guards."""

    def delete(self, tx_ids: Iterable[str], *, command: str = "") -> list[Tx]:
        """Delete transactions; lots and closings rebuild from what remains. Refused (LedgerRejected,
        nothing changed) when the rest of the history cannot stand without them; KeyError names ids not stored."""
        return self.rewrite(remove=tx_ids, add=(), action="delete", command=command)[0]

    def amend(self, changed: Tx, *, command: str = "") -> tuple[Tx, Tx]:
        """Replace the stored transaction with the same tx_id by `changed`: (old, new). Refused like `delete`
        when the amended history is impossible (a sell of more than held)."""
        old, _ = self.rewrite(remove=[changed.tx_id], add=[changed], action="amend", command=command)
        return old[0], changed

    def delete_transactions(self, tx_ids: Iterable[str]) -> int:
        return len(self.delete(tx_ids, command="delete_transactions"))

    @_guarded_write
    def rewrite(self, *, remove: Iterable[str], add: Sequence[Tx], action: str,
                command: str = "") -> tuple[list[Tx], list[Tx]]:
        """Remove some transactions and add others in one step, replayed strictly, logged under `action`
        (delete | amend | reconcile): (removed, added). Nothing changes when any step fails."""
        ids = list(dict.fromkeys(remove))
        self.backup_before(action)  # every change of the history (delete, amend, reconcile) is restorable
        with write_transaction(self.engine) as connection:
            self._follow_method(connection)
            existing = self._stored(connection)
            by_id = {tx.tx_id: tx for tx in existing}
            missing = [i for i in ids if i not in by_id]
            if missing:
                raise KeyError(", ".join(missing))
            gone = set(ids)
            clash = [tx.tx_id for tx in add if tx.tx_id in by_id and tx.tx_id not in gone]
            if clash:
                raise LedgerConflict(clash[0], "a transaction with this id is already stored")
            history = [tx for tx in existing if tx.tx_id not in gone] + list(add)
            book = self._replay(history, skip_bad=True)
            if book.rejected:
                raise LedgerRejected(book.rejected)
            if add:
                self._check_currency(connection, list(add))
            connection.execute(delete(LotClosingRow))
            connection.execute(delete(LotRow))
            for start in range(0, len(ids), 500):
                connection.execute(delete(TransactionRow).where(TransactionRow.tx_id.in_(ids[start:start + 500])))
            _bulk_insert(connection, TransactionRow.__table__, [_tx_values(tx) for tx in add])
            self._materialise(connection, book)
            self._bump(connection)
            removed = [by_id[i] for i in ids]
            added = {tx.tx_id: tx for tx in add}
            log = []
            for tx in removed:
                after = added.pop(tx.tx_id, None)
                log.append((action, tx.tx_id, audit.tx_fields(tx), None if after is None else audit.tx_fields(after)))
            log += [(action, tx.tx_id, None, audit.tx_fields(tx)) for tx in added.values()]
            audit.record(connection, log, command)
        return removed, list(add)

    @_guarded
    def history(self, tx_id: str | None = None, limit: int = 50) -> tuple[list[audit.AuditEntry], int]:
        """The audit log, newest first (optionally of one transaction), and its length."""
        with self.engine.connect() as connection:
            return audit.entries(connection, tx_id=tx_id, limit=limit)

    @_guarded
    def transaction(self, tx_id: str) -> Tx | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(TransactionRow).where(TransactionRow.tx_id == tx_id)).first()
        return None if row is None else _tx_from_row(row)

    @_guarded
    def find_ids(self, prefix: str, limit: int = 5) -> list[str]:
        """Stored ids starting with `prefix` (an id may be given by its first characters)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self.engine.connect() as connection:
            return list(connection.execute(select(TransactionRow.tx_id).where(
                TransactionRow.tx_id.like(escaped + "%", escape="\\")).order_by(TransactionRow.tx_id)
                .limit(limit)).scalars())
