"""Mistakes undone: delete and amend through the audited store (SQLite and PostgreSQL), lots and gains rebuilt
from the new history, export reflecting it, impossible amends refused with the line, the reason and the fix."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from indexdesk.memory.ledger import open_ledger
from indexdesk.tools.context import ToolContext
from indexdesk.tools.portfolio.importer import export_text, import_text
from indexdesk.tools.registry import is_error
from indexdesk.tools.settings import Settings
from indexdesk.tools.toolbox import default_registry

HISTORY = """id,date,kind,symbol,quantity,price,fee,venue
b1,2024-01-02,buy,BTC,0.1,40000,10,binance
b2,2024-01-02,buy,BTC,0.1,40000,10,binance
b3,2024-02-01,buy,BTC,0.2,45000,0,binance
s1,2024-06-01,sell,BTC,0.25,60000,15,binance
"""


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture
def ctx(tmp_path, ledger_url):
    context = ToolContext(Settings(home=tmp_path / "home", database_url=ledger_url))
    assert import_text(context, HISTORY).ok
    return context


def test_tools_that_change_history_ask_first(registry):
    for name in ("delete_transactions", "amend_transaction", "reconcile_transfers"):
        spec = registry.get(name)
        assert spec.state_changing and spec.category == "portfolio" and len(spec.examples) >= 4
    for name in ("ledger_history", "find_transfers"):
        assert not registry.get(name).state_changing


def test_delete_a_duplicate_rebuilds_lots_gains_and_export(ctx, registry):
    before = export_text(ctx)
    result = registry.call("delete_transactions", {"ids": ["b2"]}, ctx)
    assert not is_error(result) and [r["id"] for r in result["removed"]] == ["b2"]
    store = ctx.ledger_store()
    # FIFO after the delete: the 0.25 sold = 0.1 of b1 (basis 4010) + 0.15 of b3 (basis 6750)
    sold = [c for c in store.book().closings if c.tx_id == "s1"]
    assert [c.lot_id for c in sold] == ["b1", "b3"] and sum(c.cost_basis for c in sold) == D(4010) + D(6750)
    assert sum(c.gain for c in sold) == D("0.25") * 60000 - 15 - D(10760)
    assert store.book().units("BTC") == D("0.05")
    after = export_text(ctx)
    assert "b2," in before and "b2," not in after and after.count("\n") == before.count("\n") - 1
    entry = registry.call("ledger_history", {"tx_id": "b2"}, ctx)["entries"][0]
    assert entry["action"] == "delete" and entry["change"].startswith("removed 2024-01-02 buy 0.1 BTC")
    assert entry["command"] == "delete_transactions b2"


def test_amend_rebuilds_and_logs_old_and_new(ctx, registry):
    result = registry.call("amend_transaction", {"tx_id": "b3", "changes": ["price=50000", "fee=5"]}, ctx)
    assert not is_error(result) and result["added"][0]["price"] == "50000"
    lots = registry.call("tax_lots", {}, ctx)["lots"]
    # left open: 0.15 of b3, whose basis is now 0.15/0.2 of 10005
    assert [(lot["lot_id"], lot["cost_basis"]) for lot in lots] == [("b3", pytest.approx(7503.75))]
    entry = registry.call("ledger_history", {"limit": 1}, ctx)["entries"][0]
    assert entry["action"] == "amend" and "price: 45000 -> 50000" in entry["change"] and "fee: 0 -> 5" in entry["change"]
    assert "b3,2024-02-01,buy,BTC,0.2,50000,5" in export_text(ctx)
    same = registry.call("amend_transaction", {"tx_id": "b3", "changes": ["price=50000"]}, ctx)
    assert "nothing to change" in same["summary"]


def test_impossible_amend_is_refused_and_the_book_is_unchanged(ctx, registry):
    store = ctx.ledger_store()
    before, version, audit_total = export_text(ctx), store.version(), store.history()[1]
    refused = registry.call("amend_transaction", {"tx_id": "s1", "changes": ["quantity=0.5"]}, ctx)
    assert is_error(refused)
    assert "refused, the ledger is unchanged" in refused["error"]
    assert "2024-06-01 sell 0.5 BTC at 60000 at binance (id s1)" in refused["error"]
    assert "is more than the 0.4" in refused["error"] and "record the missing buy" in refused["hint"]
    gone = registry.call("delete_transactions", {"ids": ["b3", "b2"]}, ctx)  # the sell would outrun the lots
    assert is_error(gone) and "is more than the 0.1" in gone["error"] and "later transactions" in gone["hint"]
    bad_field = registry.call("amend_transaction", {"tx_id": "s1", "changes": ["quantiy=1"]}, ctx)
    assert "did you mean 'quantity'" in bad_field["error"] and "quantity" in bad_field["valid"]
    bad_value = registry.call("amend_transaction", {"tx_id": "s1", "changes": ["kind=swap"]}, ctx)
    assert is_error(bad_value) and "kind 'swap' is not one of" in bad_value["error"]
    assert export_text(ctx) == before and store.version() == version and store.history()[1] == audit_total


def test_ids_by_prefix_and_unknown_ids(ctx, registry):
    assert import_text(ctx, "date,kind,symbol,quantity,price,venue\n2024-07-01,buy,ETH,1,3000,kraken\n").ok
    eth = ctx.ledger_store().transactions("ETH")[0].tx_id
    done = registry.call("delete_transactions", {"ids": [eth[:8]]}, ctx)
    assert not is_error(done) and done["removed"][0]["id"] == eth
    missing = registry.call("delete_transactions", {"ids": ["zzzz-none"]}, ctx)
    assert is_error(missing) and "portfolio export" in missing["hint"]


def test_store_methods_refuse_atomically_on_the_store_itself(ledger_url):
    from datetime import datetime

    from indexdesk.memory.ledger import LedgerRejected, Tx

    store = open_ledger(ledger_url)
    store.add_transactions([Tx("a", "buy", "ETH", D(1), datetime(2024, 1, 1), D(100)),
                            Tx("b", "sell", "ETH", D(1), datetime(2024, 2, 1), D(150))])
    with pytest.raises(LedgerRejected):
        store.delete(["a"], command="test")
    with pytest.raises(KeyError):
        store.delete(["nope"])
    assert store.count() == 2 and [e.action for e in store.history()[0]] == ["add"]
    store.delete(["b"], command="test")
    assert store.book().units("ETH") == 1 and store.add_transactions(
        [Tx("b", "sell", "ETH", D(1), datetime(2024, 2, 1), D(150))]).removed == ["b"]


def test_cli_delete_amend_history(tmp_path, capsys):
    from indexdesk.agent.cli import main

    home = str(tmp_path / "cli")
    (tmp_path / "h.csv").write_text(HISTORY)
    assert main(["--home", home, "portfolio", "import", str(tmp_path / "h.csv")]) == 0
    capsys.readouterr()
    assert main(["--home", home, "portfolio", "delete", "b2"]) == 1  # not a terminal and no --yes
    assert "pass --yes" in capsys.readouterr().err
    assert main(["--home", home, "portfolio", "delete", "b2", "--yes"]) == 0
    assert "deleted 1 transaction(s)" in capsys.readouterr().out
    assert main(["--home", home, "portfolio", "amend", "s1", "--set", "quantity=9", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "refused, the ledger is unchanged" in err and "hint:" in err
    assert main(["--home", home, "portfolio", "amend", "s1", "--set", "quantity=0.2", "--yes"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "portfolio", "history"]) == 0
    out = capsys.readouterr().out
    assert "amend" in out and "quantity: 0.25 -> 0.2" in out and "delete" in out and "3 of 3 audit entries" in out
    assert main(["--home", home, "portfolio", "rows", "BTC"]) == 0
    assert "(id s1)" in capsys.readouterr().out


def test_empty_portfolio_exits_zero(tmp_path, capsys):
    from indexdesk.agent.cli import main

    assert main(["--home", str(tmp_path / "empty"), "portfolio"]) == 0
    out = capsys.readouterr().out
    assert "no transactions yet" in out and "portfolio import" in out
