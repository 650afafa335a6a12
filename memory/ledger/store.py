"""The ledger store: transactions in, lots/closings/targets out, on SQLite or PostgreSQL.

Every write is one database transaction under the writer lock: the new rows are checked against
the whole history (a replay through the lot engine), inserted, and the materialised lots and
closings rebuilt — all or nothing. Re-adding a transaction whose `tx_id` is already stored is a
no-op, so importing a file twice (or from two processes at once) lands each row exactly once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Iterable, Sequence

from sqlalchemy import Engine, delete, func, insert, select

from indexdesk.memory.ledger import audit
from indexdesk.memory.ledger import lots as engine_lots
from indexdesk.memory.ledger.lots import Book, Closing, LedgerConflict, LedgerRejected, Lot, Tx
from indexdesk.memory.ledger.models import LotClosingRow, LotRow, MetaRow, TargetRow, TransactionRow
from indexdesk.memory.ledger.schema import database_url, make_engine, migrate, write_transaction

_TX_COLUMNS = ("tx_id", "kind", "symbol", "quantity", "price", "fee", "currency", "venue", "to_venue",
               "timestamp", "lot_id", "sleeve", "note", "seq")
_CHUNK = 5_000


@dataclass
class AddResult:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    rejected: list[LedgerConflict] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # deleted or reconciled before: not added again


@dataclass(frozen=True)
class TargetEntry:
    kind: str  # tier | index | band
    name: str
    tier: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
    target: Decimal | None = None


def _end_of(day: date | datetime | None) -> datetime | None:
    if day is None or isinstance(day, datetime):
        return day
    return datetime.combine(day, time.max)


def _start_of(day: date | datetime | None) -> datetime | None:
    if day is None or isinstance(day, datetime):
        return day
    return datetime.combine(day, time.min)


def _tx_from_row(row) -> Tx:
    return Tx(tx_id=row.tx_id, kind=row.kind, symbol=row.symbol, quantity=row.quantity, when=row.timestamp,
              price=row.price, fee=row.fee, currency=row.currency, venue=row.venue, to_venue=row.to_venue,
              lot_id=row.lot_id, sleeve=row.sleeve, note=row.note, seq=row.seq)


def _bulk_insert(connection, table, rows: list[dict]) -> None:
    """executemany on the driver with values bound by each column's own type: the ORM's per-row
    compilation costs more than the database itself on large imports."""
    if not rows:
        return
    dialect = connection.dialect
    columns = [c for c in table.columns if c.name in rows[0]]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) VALUES ({marks})"
    values = []
    for column, process in zip(columns, processors):
        cells = [row[column.name] for row in rows]
        if process is not None:
            # Memoise per distinct value: the same prices, fees and days recur across thousands of rows.
            seen: dict = {}
            cells = [None if v is None else (seen[v] if v in seen else seen.setdefault(v, process(v))) for v in cells]
        values.append(cells)
    tuples = list(zip(*values))
    if dialect.name == "postgresql" and len(tuples) > 100:
        # COPY streams the rows in one statement: several times faster than executemany on PostgreSQL.
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(c.name for c in columns)}) FROM STDIN") as copy:
            for row in tuples:
                copy.write_row(row)
        return
    for start in range(0, len(tuples), _CHUNK):
        connection.exec_driver_sql(sql, tuples[start:start + _CHUNK])


def _tx_values(tx: Tx) -> dict:
    return {"tx_id": tx.tx_id, "kind": tx.kind, "symbol": tx.symbol, "quantity": tx.quantity, "price": tx.price,
            "fee": tx.fee, "currency": tx.currency, "venue": tx.venue, "to_venue": tx.to_venue,
            "timestamp": tx.when, "lot_id": tx.lot_id, "sleeve": tx.sleeve, "note": tx.note, "seq": tx.seq}


class LedgerStore:
    """One ledger database. Thread-safe for reads; writes serialise on the database's writer lock."""

    def __init__(self, engine: Engine, *, method: str = "fifo", holding_days: int = 365) -> None:
        self.engine = engine
        self.method = method
        self.holding_days = holding_days
        self._cache: tuple[str, Book] | None = None
        migrate(engine)
        self._sync_settings()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ meta
    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as connection:
            value = connection.execute(select(MetaRow.value).where(MetaRow.key == key)).scalar()
        return default if value is None else value

    @staticmethod
    def _set_meta(connection, key: str, value: str) -> None:
        connection.execute(delete(MetaRow).where(MetaRow.key == key))
        connection.execute(insert(MetaRow).values(key=key, value=value))

    def _sync_settings(self) -> None:
        """Rebuild the lots when the lot method or holding period differs from the one they were built with."""
        wanted = f"{self.method}/{self.holding_days}"
        if self.meta("lot_rules") == wanted:
            return
        with write_transaction(self.engine) as connection:
            existing = [_tx_from_row(r) for r in connection.execute(select(TransactionRow))]
            book = engine_lots.replay(existing, self.method, self.holding_days, skip_bad=True)
            self._materialise(connection, book)
            self._set_meta(connection, "lot_rules", wanted)

    def currency(self) -> str | None:
        return self.meta("currency")

    def version(self) -> str:
        return self.meta("version", "0") or "0"

    # ------------------------------------------------------------------ transactions
    def transactions(self, symbol: str | None = None, start: date | datetime | None = None,
                     end: date | datetime | None = None, kind: str | None = None) -> list[Tx]:
        """Transactions in time order, optionally of one symbol, one kind and within [start, end] (dates inclusive)."""
        query = select(TransactionRow).order_by(TransactionRow.timestamp, TransactionRow.seq, TransactionRow.tx_id)
        if symbol:
            query = query.where(TransactionRow.symbol == symbol)
        if kind:
            query = query.where(TransactionRow.kind == kind)
        if start is not None:
            query = query.where(TransactionRow.timestamp >= _start_of(start))
        if end is not None:
            query = query.where(TransactionRow.timestamp <= _end_of(end))
        with self.engine.connect() as connection:
            return [_tx_from_row(row) for row in connection.execute(query)]

    def first_transaction_time(self, symbol: str) -> datetime | None:
        """When the ledger first saw a symbol (any kind of transaction), or None."""
        with self.engine.connect() as connection:
            return connection.execute(select(func.min(TransactionRow.timestamp))
                                      .where(TransactionRow.symbol == symbol)).scalar()

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(TransactionRow)).scalar() or 0)

    def add_transactions(self, transactions: Sequence[Tx], *, skip_bad: bool = False, command: str = "") -> AddResult:
        """Add transactions atomically. A conflict (sell beyond holdings, unknown lot) raises
        LedgerConflict and nothing lands — unless `skip_bad`, which leaves the conflicting new rows out.
        A transaction the audit log says was deleted or reconciled away is not added again."""
        result = AddResult()
        with write_transaction(self.engine) as connection:
            existing = [_tx_from_row(r) for r in connection.execute(select(TransactionRow))]
            known = {tx.tx_id for tx in existing}
            removed = audit.removed_ids(connection) - known
            fresh: list[Tx] = []
            for tx in transactions:
                if tx.tx_id in removed:
                    result.removed.append(tx.tx_id)
                elif tx.tx_id in known:
                    result.already.append(tx.tx_id)
                else:
                    known.add(tx.tx_id)
                    fresh.append(tx)
            if not fresh:
                return result
            currency = self._check_currency(connection, fresh)
            book = engine_lots.replay(existing + fresh, self.method, self.holding_days, skip_bad=True)
            fresh_ids = {tx.tx_id for tx in fresh}
            old_broken = [c for c in book.rejected if c.tx_id not in fresh_ids]
            if old_broken:  # a back-dated disposal among the new rows broke a stored one
                raise LedgerRejected(old_broken)
            if book.rejected and not skip_bad:
                raise LedgerRejected(book.rejected)
            result.rejected = list(book.rejected)
            dropped = {c.tx_id for c in book.rejected}
            kept = [tx for tx in fresh if tx.tx_id not in dropped]
            _bulk_insert(connection, TransactionRow.__table__, [_tx_values(tx) for tx in kept])
            self._materialise(connection, book)
            if self.meta_in(connection, "currency") is None:
                self._set_meta(connection, "currency", currency)
            self._bump(connection)
            result.added = [tx.tx_id for tx in kept]
            if kept:
                audit.record(connection, [("add", kept[0].tx_id, None, {"count": str(len(kept)),
                                                                         "last": kept[-1].tx_id})], command)
        return result

    # ------------------------------------------------------------------ changing the history (audited)
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

    def rewrite(self, *, remove: Iterable[str], add: Sequence[Tx], action: str,
                command: str = "") -> tuple[list[Tx], list[Tx]]:
        """Remove some transactions and add others in one step, replayed strictly, logged under `action`
        (delete | amend | reconcile): (removed, added). Nothing changes when any step fails."""
        ids = list(dict.fromkeys(remove))
        with write_transaction(self.engine) as connection:
            existing = [_tx_from_row(r) for r in connection.execute(select(TransactionRow))]
            by_id = {tx.tx_id: tx for tx in existing}
            missing = [i for i in ids if i not in by_id]
            if missing:
                raise KeyError(", ".join(missing))
            gone = set(ids)
            clash = [tx.tx_id for tx in add if tx.tx_id in by_id and tx.tx_id not in gone]
            if clash:
                raise LedgerConflict(clash[0], "a transaction with this id is already stored")
            history = [tx for tx in existing if tx.tx_id not in gone] + list(add)
            book = engine_lots.replay(history, self.method, self.holding_days, skip_bad=True)
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

    def history(self, tx_id: str | None = None, limit: int = 50) -> tuple[list[audit.AuditEntry], int]:
        """The audit log, newest first (optionally of one transaction), and its length."""
        with self.engine.connect() as connection:
            return audit.entries(connection, tx_id=tx_id, limit=limit)

    def transaction(self, tx_id: str) -> Tx | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(TransactionRow).where(TransactionRow.tx_id == tx_id)).first()
        return None if row is None else _tx_from_row(row)

    def find_ids(self, prefix: str, limit: int = 5) -> list[str]:
        """Stored ids starting with `prefix` (an id may be given by its first characters)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self.engine.connect() as connection:
            return list(connection.execute(select(TransactionRow.tx_id).where(
                TransactionRow.tx_id.like(escaped + "%", escape="\\")).order_by(TransactionRow.tx_id)
                .limit(limit)).scalars())

    @staticmethod
    def meta_in(connection, key: str) -> str | None:
        return connection.execute(select(MetaRow.value).where(MetaRow.key == key)).scalar()

    def _check_currency(self, connection, fresh: list[Tx]) -> str:
        currency = self.meta_in(connection, "currency") or fresh[0].currency
        for tx in fresh:
            if tx.currency != currency:
                raise LedgerConflict(tx.tx_id, f"currency {tx.currency} differs from the ledger's {currency}")
        return currency

    def _bump(self, connection) -> None:
        version = int(self.meta_in(connection, "version") or 0) + 1
        self._set_meta(connection, "version", str(version))

    def _materialise(self, connection, book: Book) -> None:
        connection.execute(delete(LotClosingRow))
        connection.execute(delete(LotRow))
        lots = [{"lot_id": lot.lot_id, "symbol": lot.symbol, "venue": lot.venue, "quantity": lot.quantity,
                 "cost_basis": lot.cost_basis, "acquired": lot.acquired, "opened_by": lot.opened_by,
                 "sleeve": lot.sleeve} for lot in book.lots]
        closings = [{"lot_id": c.lot_id, "tx_id": c.tx_id, "kind": c.kind, "symbol": c.symbol, "venue": c.venue,
                     "quantity": c.quantity, "cost_basis": c.cost_basis, "proceeds": c.proceeds,
                     "acquired": c.acquired, "closed": c.closed, "long_term": int(c.long_term)}
                    for c in book.closings]
        _bulk_insert(connection, LotRow.__table__, lots)
        _bulk_insert(connection, LotClosingRow.__table__, closings)
        cash = {f"{venue}\t{currency}": str(amount) for (venue, currency), amount in book.cash.items()}
        self._set_meta(connection, "cash", json.dumps(cash, sort_keys=True))
        self._set_meta(connection, "deposits", str(book.deposits))

    # ------------------------------------------------------------------ reading the book
    def book(self, as_of: date | datetime | None = None) -> Book:
        """Open lots, closings and cash — now (from the materialised tables, cached per write) or
        at the end of `as_of` (replayed)."""
        if as_of is not None:
            return engine_lots.replay(self.transactions(end=as_of), self.method, self.holding_days, skip_bad=True)
        with self.engine.connect() as connection:
            version = self.meta_in(connection, "version") or "0"
            if self._cache is not None and self._cache[0] == version:
                return self._cache[1]
            book = Book()
            for r in connection.execute(select(LotRow).order_by(LotRow.acquired, LotRow.lot_id)):
                book.lots.append(Lot(r.lot_id, r.symbol, r.venue, r.quantity, r.cost_basis, r.acquired, r.opened_by,
                                     r.sleeve))
            for r in connection.execute(select(LotClosingRow).order_by(LotClosingRow.id)):
                book.closings.append(Closing(r.lot_id, r.tx_id, r.kind, r.symbol, r.venue, r.quantity, r.cost_basis,
                                             r.proceeds, r.acquired, r.closed, bool(r.long_term)))
            cash = json.loads(self.meta_in(connection, "cash") or "{}")
            book.cash = {tuple(key.split("\t", 1)): Decimal(value) for key, value in cash.items()}
            book.deposits = Decimal(self.meta_in(connection, "deposits") or "0")
        self._cache = (version, book)
        return book

    # ------------------------------------------------------------------ targets
    def targets(self) -> list[TargetEntry]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(TargetRow).order_by(TargetRow.kind, TargetRow.name)).all()
        return [TargetEntry(r.kind, r.name, r.tier, r.low, r.high, r.target) for r in rows]

    def replace_targets(self, entries: Iterable[TargetEntry], source: str = "") -> None:
        """Replace every target at once (the targets are one document)."""
        with write_transaction(self.engine) as connection:
            connection.execute(delete(TargetRow))
            rows = [{"kind": e.kind, "name": e.name, "tier": e.tier, "low": e.low, "high": e.high,
                     "target": e.target} for e in entries]
            if rows:
                connection.execute(insert(TargetRow), rows)
            self._set_meta(connection, "targets_source", source or "set")
            self._bump(connection)


def open_ledger(url_or_path, *, method: str = "fifo", holding_days: int = 365) -> LedgerStore:
    """The ledger at a SQLAlchemy URL (postgresql+psycopg://…, sqlite:///…) or a SQLite file path,
    migrated to the current schema."""
    return LedgerStore(make_engine(database_url(url_or_path)), method=method, holding_days=holding_days)
