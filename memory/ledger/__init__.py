"""The portfolio ledger: transactions, tax lots, targets — SQLite by default, PostgreSQL by URL."""

from indexdesk.memory.ledger.lots import Book, Closing, LedgerConflict, LedgerRejected, Lot, Tx
from indexdesk.memory.ledger.store import AddResult, LedgerStore, TargetEntry, open_ledger

__all__ = ["AddResult", "Book", "Closing", "LedgerConflict", "LedgerRejected", "LedgerStore", "Lot", "TargetEntry", "Tx", "open_ledger"]
