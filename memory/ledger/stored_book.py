"""The materialised book as read from the database: cash and the per-position summary at once,
the lots and closings only when a tool asks for them (a cold `get_portfolio` on a long history reads a
handful of rows)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from indexdesk.memory.ledger.lots import Book, Closing, Lot
from indexdesk.memory.ledger.models import LotClosingRow, LotRow


class StoredBook(Book):
    """The materialised book: cash and the per-position summary read at once, the lots and closings
    only when asked for (a cold `get_portfolio` on a long history reads a handful of rows)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._lots: list[Lot] | None = None
        self._closings: list[Closing] | None = None
        self.summary: list[Lot] | None = None

    @property  # type: ignore[override]
    def lots(self) -> list[Lot]:
        if self._lots is None:
            with self._engine.connect() as connection:
                self._lots = [Lot(r.lot_id, r.symbol, r.venue, r.quantity, r.cost_basis, r.acquired, r.opened_by,
                                  r.sleeve)
                              for r in connection.execute(select(LotRow).order_by(LotRow.acquired, LotRow.lot_id))]
        return self._lots

    @lots.setter
    def lots(self, value: list[Lot]) -> None:
        self._lots = value

    @property  # type: ignore[override]
    def closings(self) -> list[Closing]:
        if self._closings is None:
            with self._engine.connect() as connection:
                self._closings = [Closing(r.lot_id, r.tx_id, r.kind, r.symbol, r.venue, r.quantity, r.cost_basis,
                                          r.proceeds, r.acquired, r.closed, bool(r.long_term))
                                  for r in connection.execute(select(LotClosingRow).order_by(LotClosingRow.id))]
        return self._closings

    @closings.setter
    def closings(self, value: list[Closing]) -> None:
        self._closings = value

    def positions(self) -> list[Lot]:
        if self.summary is None:  # a ledger materialised before the summary existed
            self.summary = super().positions()
        return [Lot("", p.symbol, p.venue, p.quantity, p.cost_basis, p.acquired, "", p.sleeve) for p in self.summary]
