"""The ledger store on SQLite and PostgreSQL: migrations, exact decimals, atomic and idempotent writes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from indexdesk.memory.ledger import LedgerConflict, TargetEntry, Tx, open_ledger


def buy(tx_id, qty, day, price="100", venue="binance", symbol="BTC", fee="0"):
    return Tx(tx_id, "buy", symbol, D(qty), datetime(2024, 1, day), D(price), D(fee), venue=venue)


def sell(tx_id, qty, day, price="150", venue="binance", symbol="BTC"):
    return Tx(tx_id, "sell", symbol, D(qty), datetime(2024, 1, day), D(price), venue=venue)


def test_decimals_round_trip_exactly_and_reopen(ledger_url):
    store = open_ledger(ledger_url)
    tiny = "0.000000000000000001"
    store.add_transactions([buy("a", "123456789.123456789", 1, "0.1", fee="0.3"), buy("b", tiny, 2, "3")])
    again = open_ledger(ledger_url)  # migrations are a no-op the second time
    got = {t.tx_id: t for t in again.transactions()}
    assert got["a"].quantity == D("123456789.123456789") and got["a"].price == D("0.1")
    assert got["b"].quantity == D(tiny)
    assert again.book().units("BTC") == D("123456789.123456789") + D(tiny)
    assert again.backend in ("sqlite", "postgresql")


def test_transactions_filter_by_symbol_and_dates(ledger_url):
    store = open_ledger(ledger_url)
    store.add_transactions([buy("a", "1", 1), buy("b", "1", 5, symbol="ETH"), buy("c", "1", 9), sell("d", "1", 10)])
    assert [t.tx_id for t in store.transactions("BTC")] == ["a", "c", "d"]
    assert [t.tx_id for t in store.transactions(start=date(2024, 1, 5), end=date(2024, 1, 9))] == ["b", "c"]
    first = store.transactions()[0]
    assert (first.kind, first.symbol, first.venue, first.when.date()) == ("buy", "BTC", "binance", date(2024, 1, 1))


def test_conflict_lands_nothing_and_skip_bad_keeps_the_rest(ledger_url):
    store = open_ledger(ledger_url)
    store.add_transactions([buy("a", "1", 1)])
    with pytest.raises(LedgerConflict) as error:
        store.add_transactions([buy("b", "1", 2), sell("c", "5", 3)])
    assert error.value.tx_id == "c"
    assert [t.tx_id for t in store.transactions()] == ["a"]
    result = store.add_transactions([buy("b", "1", 2), sell("c", "5", 3), sell("d", "1.5", 4)], skip_bad=True)
    assert result.added == ["b", "d"] and [c.tx_id for c in result.rejected] == ["c"]
    assert store.book().units("BTC") == D("0.5")


def test_reimport_is_idempotent(ledger_url):
    store = open_ledger(ledger_url)
    rows = [buy("a", "1", 1), sell("b", "0.5", 2)]
    assert store.add_transactions(rows).added == ["a", "b"]
    again = store.add_transactions(rows)
    assert again.added == [] and again.already == ["a", "b"]
    assert store.count() == 2


def test_mixed_currency_is_refused(ledger_url):
    store = open_ledger(ledger_url)
    store.add_transactions([buy("a", "1", 1)])
    euro = Tx("e", "buy", "ETH", D(1), datetime(2024, 1, 2), D(1), currency="EUR")
    with pytest.raises(LedgerConflict, match="EUR differs from the ledger's USD"):
        store.add_transactions([euro])


def test_lot_method_is_a_recorded_setting_changed_explicitly(ledger_url):
    store = open_ledger(ledger_url)
    store.add_transactions([buy("a", "1", 1, "100"), buy("b", "1", 2, "300"), sell("c", "1", 3, "200")])
    assert store.book().closings[0].lot_id == "a"
    # The setting chooses a NEW ledger's method: reopening with another one rebuilds nothing silently.
    reopened = open_ledger(ledger_url, method="hifo")
    assert reopened.method == "fifo" and reopened.book().closings[0].lot_id == "a"
    assert "INDEXDESK_LOT_METHOD=hifo" in reopened.method_note
    # A what-if under another method leaves the book as it is.
    assert reopened.book(method="hifo").closings[0].lot_id == "b"
    assert reopened.book().closings[0].lot_id == "a"
    reopened.set_lot_method("hifo")
    assert open_ledger(ledger_url).book().closings[0].lot_id == "b"
    history = open_ledger(ledger_url).method_history()
    assert [(h["previous"], h["method"]) for h in history] == [(None, "fifo"), ("fifo", "hifo")]
    assert history[-1]["since"] == date.today().isoformat()


def test_targets_replace_as_one_document(ledger_url):
    store = open_ledger(ledger_url)
    store.replace_targets([TargetEntry("tier", "core", low=D("0.5"), high=D("0.6")),
                           TargetEntry("index", "large_cap", tier="core", target=D("0.35"))], "test")
    assert {(t.kind, t.name) for t in store.targets()} == {("tier", "core"), ("index", "large_cap")}
    store.replace_targets([TargetEntry("index", "defi", tier="satellite", target=D("1"))])
    assert [(t.name, t.target) for t in store.targets()] == [("defi", D("1"))]


def test_book_as_of_replays_the_past(ledger_url):
    store = open_ledger(ledger_url)
    store.add_transactions([buy("a", "2", 1), sell("b", "1.5", 10)])
    assert store.book(as_of=date(2024, 1, 5)).units("BTC") == D(2)
    assert store.book().units("BTC") == D("0.5")


def test_bulk_path_keeps_exact_decimals(ledger_url):
    """Large writes go through executemany (SQLite) or COPY (PostgreSQL): still exact to 1e-18."""
    store = open_ledger(ledger_url)
    rows = [Tx(f"b{i}", "buy", "ETH", D(f"0.{i:018d}") + D(1), datetime(2024, 1, 1 + i % 28), D("1234.56789"),
               D("0.000000000000000001")) for i in range(150)]
    store.add_transactions(rows)
    got = {t.tx_id: t for t in open_ledger(ledger_url).transactions("ETH")}
    assert all(got[r.tx_id].quantity == r.quantity and got[r.tx_id].fee == r.fee for r in rows)
    assert open_ledger(ledger_url).book().units("ETH") == sum((r.quantity for r in rows), D(0))
