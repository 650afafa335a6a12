"""The ledger store: transactions in, lots/closings/targets out, on SQLite or PostgreSQL.

Every write is one database transaction under the writer lock: the new rows are checked against
the whole history (a replay through the lot engine), inserted, and the materialised lots and
closings rebuilt — all or nothing. Re-adding a transaction whose `tx_id` is already stored is a
no-op, so importing a file twice (or from two processes at once) lands each row exactly once.

A SQLite ledger is checked on open (memory/integrity.py: quick_check and its tables) and backed up
with the online backup API before every write that changes the history (`@changes_history`, or
`self.backup_before(...)` where the method first finds out whether anything changes) and at most
daily otherwise. A database that fails underneath a read or write is a `StoreError` naming the file
and the fix, never SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

from sqlalchemy import Engine, delete, func, insert, select

from indexdesk.memory import integrity
from indexdesk.memory.ledger import audit
from indexdesk.memory.ledger import lots as engine_lots
from indexdesk.memory.ledger.holding import HoldingRule
from indexdesk.memory.ledger.lots import Book, LedgerConflict, LedgerRejected, Lot, Tx
from indexdesk.memory.ledger.models import LotClosingRow, LotRow, MetaRow, TargetRow, TransactionRow
from indexdesk.memory.ledger.schema import database_url, make_engine, migrate, write_transaction
from indexdesk.memory.ledger.store_history import HistoryEditing
from indexdesk.memory.ledger.store_io import (  # noqa: F401 - UnknownLotMethod, changes_history: part of the store's API
    _DAMAGE, UnknownLotMethod, _bulk_insert, _end_of, _guarded, _guarded_write, _start_of, _tx_from_row, _tx_values,
    changes_history)
from indexdesk.memory.ledger.stored_book import StoredBook

LEDGER_TABLES = ("transactions", "lots", "lot_closings", "meta", "targets", "alembic_version")


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



class LedgerStore(HistoryEditing):
    """One ledger database. Thread-safe for reads; writes serialise on the database's writer lock."""

    def __init__(self, engine: Engine, *, method: str = "fifo", holding_days: int | None = None,
                 fee_disposal: bool = True, backup_keep: int = integrity.DEFAULT_KEEP,
                 home: Path | None = None) -> None:
        if method not in engine_lots.METHODS:
            raise UnknownLotMethod(f"unknown lot method {method!r}; valid: {', '.join(engine_lots.METHODS)}")
        self.engine = engine
        self.configured_method = method  # the setting: the method a NEW ledger starts with
        self.method = method  # until the recorded method is read below
        self.rule = HoldingRule.of(holding_days)
        self.fee_disposal = fee_disposal
        self.backup_keep = backup_keep
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.sqlite_path = Path(database) if database and database != ":memory:" else None
        self.home = home or (self.sqlite_path.parent if self.sqlite_path else None)
        self._cache: tuple[str, Book] | None = None
        self._what_if: dict[tuple[str, str], Book] = {}
        try:
            migrate(engine)
            self.method = self._recorded_method()
            self._sync_settings()
        except integrity.StoreError:
            engine.dispose()
            raise
        except _DAMAGE as exc:
            engine.dispose()
            raise self.damaged(exc) from None
        except Exception as exc:  # alembic: a schema revision this version does not know
            if type(exc).__module__.startswith("alembic"):
                engine.dispose()
                raise integrity.StoreError(
                    f"the ledger {self.sqlite_path or self.url} has a schema this indexdesk does not know "
                    f"(written by a newer version?): {type(exc).__name__}",
                    hint="upgrade indexdesk, or restore a backup written by this version (`indexdesk restore --list`)",
                    path=self.sqlite_path, store="ledger") from None
            raise
    def damaged(self, exc: BaseException) -> integrity.StoreError:
        where = f"file {self.sqlite_path}" if self.sqlite_path else f"database {self.url}"
        hint = integrity.fix_hint("ledger", self.home) if self.sqlite_path else \
            "check that the PostgreSQL server is up and the URL is right (`indexdesk doctor`)"
        return integrity.StoreError(f"the ledger {where} cannot be used: {type(exc).__name__} (damaged or unreachable)",
                                    hint=hint, path=self.sqlite_path, store="ledger")

    def backup_before(self, reason: str) -> integrity.Backup | None:
        """The hook every history-changing write calls: a rolling backup of a SQLite ledger (PostgreSQL: pg_dump)."""
        if self.sqlite_path is None:
            return None
        return integrity.backup(self.sqlite_path, "ledger", home=self.home, reason=reason, keep=self.backup_keep)

    @property
    def holding_days(self) -> int | None:
        """None under the calendar rule."""
        return self.rule.days

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ meta
    @_guarded
    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as connection:
            value = connection.execute(select(MetaRow.value).where(MetaRow.key == key)).scalar()
        return default if value is None else value

    @staticmethod
    def _set_meta(connection, key: str, value: str) -> None:
        connection.execute(delete(MetaRow).where(MetaRow.key == key))
        connection.execute(insert(MetaRow).values(key=key, value=value))

    def _rules(self) -> str:
        return f"{self.method}/{self.rule.key}/{'fee-disposal' if self.fee_disposal else 'fee-out'}"

    def _recorded_method(self) -> str:
        """The book's lot method: recorded with the ledger. A ledger from before the record keeps the
        method its lots were built with; a new one starts with the configured method."""
        recorded = self.meta("lot_method")
        if recorded in engine_lots.METHODS:
            return recorded
        built = (self.meta("lot_rules") or "").split("/")[0]
        method = built if built in engine_lots.METHODS else self.configured_method
        with write_transaction(self.engine) as connection:
            if self.meta_in(connection, "lot_method") is None:
                self._set_meta(connection, "lot_method", method)
                self._record_method_change(connection, None, method, "ledger created" if not built else "recorded")
            method = self.meta_in(connection, "lot_method")
        return method

    def _record_method_change(self, connection, old: str | None, new: str, why: str) -> None:
        history = json.loads(self.meta_in(connection, "lot_method_history") or "[]")
        history.append({"method": new, "previous": old, "since": datetime.utcnow().date().isoformat(), "why": why})
        self._set_meta(connection, "lot_method_history", json.dumps(history))

    def method_history(self) -> list[dict]:
        """Every recorded setting of the book's lot method: method, previous, since (date), why."""
        return json.loads(self.meta("lot_method_history") or "[]")

    @property
    def method_note(self) -> str | None:
        """A warning when the configured method differs from the book's (the setting only chooses a new
        ledger's method; changing the book's is an explicit, recorded step)."""
        if self.configured_method == self.method:
            return None
        return (f"the book's lot method is {self.method} (recorded {self.method_history()[-1]['since']}); "
                f"INDEXDESK_LOT_METHOD={self.configured_method} only chooses a new ledger's method. Change the "
                f"book's with `indexdesk portfolio lot-method {self.configured_method}`, or ask for a what-if "
                f"with method={self.configured_method}")

    def _sync_settings(self) -> None:
        """Rebuild the lots when the holding rule or the coin-fee treatment differs from the one they
        were built with (classification only: no transaction can fail). The method is not a setting
        read here: it changes only through `set_lot_method`."""
        wanted = self._rules()
        if self.meta("lot_rules") == wanted:
            return
        with write_transaction(self.engine) as connection:
            existing = self._stored(connection)
            book = self._replay(existing, skip_bad=True)
            if book.rejected and self.meta_in(connection, "lot_rules") is not None:
                return  # never drop a stored transaction: keep the book it has (doctor reports it)
            self._materialise(connection, book)
            self._set_meta(connection, "lot_rules", wanted)

    @_guarded
    def lots_agree(self) -> bool:
        """Whether the materialised lots and closings are what replaying the transactions gives (doctor)."""
        replayed = self._replay(self.transactions(), skip_bad=True)
        self._cache = None
        stored = self.book()
        key = lambda lot: (lot.lot_id, lot.symbol, lot.venue, lot.quantity, lot.cost_basis)  # noqa: E731
        return sorted(map(key, stored.lots)) == sorted(map(key, replayed.lots)) and \
            len(stored.closings) == len(replayed.closings)

    @_guarded_write
    def rebuild_lots(self) -> None:
        """Re-derive lots, closings and cash from the transactions (the lots are derived data)."""
        with write_transaction(self.engine) as connection:
            self._materialise(connection, self._replay(self._stored(connection), skip_bad=True))
            self._bump(connection)
        self._cache = None

    def _replay(self, transactions, method: str | None = None, *, skip_bad: bool = False,
                until: datetime | None = None) -> Book:
        return engine_lots.replay(transactions, method or self.method, self.rule, until=until, skip_bad=skip_bad,
                                  fee_disposal=self.fee_disposal)

    @staticmethod
    def _stored(connection) -> list[Tx]:
        return [_tx_from_row(r) for r in connection.execute(select(TransactionRow))]

    @_guarded_write
    def set_lot_method(self, method: str, why: str = "") -> Book:
        """Change the book's lot method: the whole history replayed under `method`, the change recorded
        with its date. Refused (LedgerRejected, every failing row; the old book kept) when a
        transaction cannot be replayed under the new method — a sell naming a lot that only exists
        under the old one (a lot split by a partial transfer)."""
        if method not in engine_lots.METHODS:
            raise UnknownLotMethod(f"unknown lot method {method!r}; valid: {', '.join(engine_lots.METHODS)}")
        if method != self.method:
            self.backup_before("lot-method")
        with write_transaction(self.engine) as connection:
            current = self.meta_in(connection, "lot_method") or self.method
            if method == current:
                self.method = method
                return self.book()
            book = self._replay(self._stored(connection), method, skip_bad=True)
            if book.rejected:
                raise LedgerRejected(book.rejected)
            self._materialise(connection, book)
            self._set_meta(connection, "lot_method", method)
            self._record_method_change(connection, current, method, why or "changed by the user")
            self.method = method
            self._set_meta(connection, "lot_rules", self._rules())
            self._bump(connection)
        return self.book()

    def currency(self) -> str | None:
        return self.meta("currency")

    def version(self) -> str:
        return self.meta("version", "0") or "0"

    # ------------------------------------------------------------------ transactions
    @_guarded
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

    @_guarded
    def first_transaction_time(self, symbol: str) -> datetime | None:
        """When the ledger first saw a symbol (any kind of transaction), or None."""
        with self.engine.connect() as connection:
            return connection.execute(select(func.min(TransactionRow.timestamp))
                                      .where(TransactionRow.symbol == symbol)).scalar()

    @_guarded
    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(TransactionRow)).scalar() or 0)

    @_guarded_write
    def add_transactions(self, transactions: Sequence[Tx], *, skip_bad: bool = False, command: str = "") -> AddResult:
        """Add transactions atomically. A conflict (sell beyond holdings, unknown lot) raises
        LedgerConflict and nothing lands — unless `skip_bad`, which leaves the conflicting new rows out.
        A transaction the audit log says was deleted or reconciled away is not added again."""
        result = AddResult()
        with write_transaction(self.engine) as connection:
            self._follow_method(connection)
            existing = self._stored(connection)
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
            self.backup_before("import" if len(fresh) > 1 else "add")  # inside the lock: nothing lands between
            currency = self._check_currency(connection, fresh)
            book = self._replay(existing + fresh, skip_bad=True)
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

    def _follow_method(self, connection) -> None:
        """Another process may have changed the book's method since this store opened."""
        recorded = self.meta_in(connection, "lot_method")
        if recorded in engine_lots.METHODS:
            self.method = recorded

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
        # Open lots summed per (symbol, venue, sleeve): a cold read of the holdings is one small row,
        # not every lot of a long dollar-cost-averaging history.
        positions = [[p.symbol, p.venue, p.sleeve, str(p.quantity), str(p.cost_basis), p.acquired.isoformat()]
                     for p in book.positions()]
        self._set_meta(connection, "positions", json.dumps(positions))
        cash = {f"{venue}\t{currency}": str(amount) for (venue, currency), amount in book.cash.items()}
        self._set_meta(connection, "cash", json.dumps(cash, sort_keys=True))
        self._set_meta(connection, "deposits", str(book.deposits))

    # ------------------------------------------------------------------ reading the book
    @_guarded
    def book(self, as_of: date | datetime | None = None, method: str | None = None) -> Book:
        """Open lots, closings and cash — now (from the materialised tables, read lazily and cached per
        write) or at the end of `as_of` (replayed). `method` other than the book's: a what-if replay of
        the whole history under that method (the book itself unchanged)."""
        if method is not None and method not in engine_lots.METHODS:
            raise UnknownLotMethod(f"unknown lot method {method!r}; valid: {', '.join(engine_lots.METHODS)}")
        what_if = method is not None and method != self.method
        if as_of is not None:
            return self._replay(self.transactions(end=as_of), method, skip_bad=True)
        with self.engine.connect() as connection:
            version = self.meta_in(connection, "version") or "0"
            self._follow_method(connection)
            if what_if:
                key = (version, method)
                if key not in self._what_if:
                    self._what_if = {key: self._replay(self._stored(connection), method, skip_bad=True)}
                return self._what_if[key]
            if self._cache is not None and self._cache[0] == version:
                return self._cache[1]
            book = StoredBook(self.engine)  # memory/ledger/stored_book.py
            positions = json.loads(self.meta_in(connection, "positions") or "null")
            book.summary = None if positions is None else [
                Lot("", symbol, venue, Decimal(units), Decimal(basis), datetime.fromisoformat(acquired), "", sleeve)
                for symbol, venue, sleeve, units, basis, acquired in positions]
            cash = json.loads(self.meta_in(connection, "cash") or "{}")
            book.cash = {tuple(key.split("\t", 1)): Decimal(value) for key, value in cash.items()}
            book.deposits = Decimal(self.meta_in(connection, "deposits") or "0")
        self._cache = (version, book)
        return book

    # ------------------------------------------------------------------ targets
    @_guarded
    def targets(self) -> list[TargetEntry]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(TargetRow).order_by(TargetRow.kind, TargetRow.name)).all()
        return [TargetEntry(r.kind, r.name, r.tier, r.low, r.high, r.target) for r in rows]

    @_guarded_write
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


def open_ledger(url_or_path, *, method: str = "fifo", holding_days: int | None = None, fee_disposal: bool = True,
                backup_keep: int = integrity.DEFAULT_KEEP, home: Path | None = None) -> LedgerStore:
    """The ledger at a SQLAlchemy URL (postgresql+psycopg://…, sqlite:///…) or a SQLite file path,
    migrated to the current schema. `method` is the lot method of a NEW ledger (an existing one keeps
    its recorded method); `holding_days` None = the calendar rule.

    A SQLite file is checked first (StoreError when damaged); a file that existed once and is gone is
    a StoreError too (never silently a new empty ledger); an existing one gets its daily backup."""
    url = database_url(url_or_path)
    path = sqlite_file(url)
    options = dict(method=method, holding_days=holding_days, fee_disposal=fee_disposal, backup_keep=backup_keep)
    if path is None:
        return LedgerStore(make_engine(url), home=home, **options)
    home = Path(home or path.parent)
    if integrity.went_missing(home, "ledger", path):
        raise integrity.missing_error("ledger", path)
    existed = path.exists()
    integrity.check_sqlite(path, "ledger", LEDGER_TABLES, home=home)
    store = LedgerStore(make_engine(url), home=home, **options)
    integrity.record_existing(home, "ledger", path)
    if existed:
        integrity.daily_backup(path, "ledger", home=home, keep=backup_keep)
    return store


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)
