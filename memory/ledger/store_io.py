"""The ledger store's plumbing: failures turned into StoreErrors, rows to and from `Tx`, bulk inserts.

Kept apart from `store.py` so the store reads as what it does with the ledger, and the history
editing (`store_history.py`) shares the same guards.
"""

from __future__ import annotations

import functools
import sqlite3
from datetime import date, datetime, time
from decimal import InvalidOperation

from sqlalchemy import DateTime
from sqlalchemy.exc import SQLAlchemyError

from indexdesk.memory import integrity
from indexdesk.memory.ledger.lots import LedgerConflict, Tx

_TX_COLUMNS = ("tx_id", "kind", "symbol", "quantity", "price", "fee", "currency", "venue", "to_venue",
               "timestamp", "lot_id", "sleeve", "note", "seq")
_CHUNK = 5_000
# What a damaged file raises underneath SQLAlchemy (driver errors) or while rows are converted.
_DAMAGE = (SQLAlchemyError, sqlite3.Error, InvalidOperation, ValueError, TypeError, OverflowError)


class UnknownLotMethod(ValueError):
    """A lot method that does not exist: the caller's input, not a damaged store."""


def _guarded(method, failures: tuple = _DAMAGE):
    """A database failure inside a store method becomes a StoreError naming the file and the fix."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (LedgerConflict, integrity.StoreError, UnknownLotMethod):
            raise
        except failures as exc:
            raise self.damaged(exc) from None
    return run


def _guarded_write(method):
    """As `_guarded`, for writes: only database errors (a ValueError there may be the caller's input)."""
    return _guarded(method, (SQLAlchemyError, sqlite3.Error))


def changes_history(reason: str):
    """Decorate a LedgerStore method that changes the history (delete, amend): a backup is taken first."""
    def decorate(method):
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            self.backup_before(reason)
            return method(self, *args, **kwargs)
        return run
    return decorate


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
    processors = [_fast_datetime if dialect.name == "sqlite" and isinstance(c.type, DateTime)
                  else c.type._cached_bind_processor(dialect) for c in columns]
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


def _fast_datetime(value: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME storage format ("YYYY-MM-DD HH:MM:SS.ffffff") for a naive
    datetime, by the C isoformat: the per-row Python formatting dominated large imports."""
    return value.isoformat(" ", "microseconds")


def _tx_values(tx: Tx) -> dict:
    return {"tx_id": tx.tx_id, "kind": tx.kind, "symbol": tx.symbol, "quantity": tx.quantity, "price": tx.price,
            "fee": tx.fee, "currency": tx.currency, "venue": tx.venue, "to_venue": tx.to_venue,
            "timestamp": tx.when, "lot_id": tx.lot_id, "sleeve": tx.sleeve, "note": tx.note, "seq": tx.seq}
