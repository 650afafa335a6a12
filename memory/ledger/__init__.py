"""The portfolio ledger: transactions, tax lots, targets — SQLite by default, PostgreSQL by URL.

The names below are loaded on first use (PEP 562): importing a pure submodule such as
`memory.ledger.holding` (the holding-period rule a read-only tool needs) must not load the
SQLAlchemy store, which costs ~0.2 s at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {"Book": "lots", "Closing": "lots", "LedgerConflict": "lots", "LedgerRejected": "lots", "Lot": "lots",
          "Tx": "lots", "AddResult": "store", "LedgerStore": "store", "TargetEntry": "store", "open_ledger": "store"}

__all__ = ["AddResult", "Book", "Closing", "LedgerConflict", "LedgerRejected", "LedgerStore", "Lot", "TargetEntry",
           "Tx", "open_ledger"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
