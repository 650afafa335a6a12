"""Venues reconciled: a Coinbase `Send` and the Kraken deposit of the same coins become one transfer that keeps
the basis and acquisition date (across two files and two formats); ambiguous pairs are listed, never guessed;
an unpaired deposit is "basis unknown" in lots, gains and the review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.portfolio.importer import import_text
from indexdesk.tools.registry import is_error
from indexdesk.tools.settings import Settings
from indexdesk.tools.toolbox import default_registry

COINBASE = """ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes
c1,2024-01-05 10:00:00 UTC,Buy,BTC,0.1,USD,$44000.00,$4400.00,$4410.00,$10.00,Bought 0.1 BTC
c2,2024-03-01 10:00:00 UTC,Send,BTC,0.05,USD,$62000.00,$3100.00,$3100.00,$0.00,to my Kraken
"""
# 0.0499 BTC arrive 40 minutes later (0.0001 BTC network fee), and are sold on Kraken in June.
KRAKEN = """txid,refid,time,type,subtype,aclass,asset,amount,fee,balance
K1,D1,2024-03-01 10:40:00,deposit,,currency,XXBT,0.0499000000,0.0000000000,0.0499000000
K2,T1,2024-06-03 12:00:00,trade,,currency,XXBT,-0.0499000000,0.0000000000,0.0000000000
K3,T1,2024-06-03 12:00:00,trade,,currency,ZUSD,2994.0000,4.7900,2989.2100
"""


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture
def ctx(tmp_path, ledger_url):
    return ToolContext(Settings(home=tmp_path / "home", database_url=ledger_url))


def test_send_and_deposit_across_two_formats_become_one_transfer(ctx, registry):
    assert import_text(ctx, COINBASE).ok
    report = import_text(ctx, KRAKEN)
    assert report.ok and len(report.transfers) == 1 and report.ambiguous == 0, report
    store = ctx.ledger_store()
    kinds = sorted(t.kind for t in store.transactions("BTC"))
    assert kinds == ["buy", "fee", "sell", "transfer"]  # the withdrawal and the deposit are gone
    transfer = next(t for t in store.transactions("BTC") if t.kind == "transfer")
    assert (transfer.venue, transfer.to_venue, transfer.quantity) == ("coinbase", "kraken", D("0.0499"))
    sold = [c for c in store.book().closings if c.kind == "sell"]
    # the Kraken sale closes the Coinbase lot: bought 2024-01-05, basis 0.0499/0.1 of 4410
    assert len(sold) == 1 and sold[0].acquired.date() == date(2024, 1, 5)
    assert sold[0].cost_basis == D("2200.59") and sold[0].gain == D(2994) - D("4.79") - D("2200.59")
    network = next(c for c in store.book().closings if c.kind == "fee")
    assert network.quantity == D("0.0001") and network.venue == "coinbase"
    assert store.book().units("BTC", "coinbase") == D("0.05")
    lots = registry.call("tax_lots", {}, ctx)
    assert not any(lot["basis_unknown"] for lot in lots["lots"])
    history = registry.call("ledger_history", {"limit": 20}, ctx)
    reconciled = [e for e in history["entries"] if e["action"] == "reconcile"]
    assert len(reconciled) == 4 and all("automatic transfer pairing" in e["command"] for e in reconciled)
    # importing either file again adds nothing: the paired rows stay replaced
    again = import_text(ctx, COINBASE)
    assert again.ok and (again.added, again.already, again.removed) == (0, 1, 1)
    assert sorted(t.kind for t in store.transactions("BTC")) == kinds


def test_an_unpaired_deposit_is_basis_unknown_in_lots_and_gains(ctx, registry):
    assert import_text(ctx, KRAKEN).ok  # the Coinbase side never imported
    gains = registry.call("realized_gains", {"year": 2024}, ctx)
    assert gains["basis_unknown"] == ["BTC"] and "basis unknown for BTC" in gains["warnings"][0]
    assert "portfolio reconcile" in gains["warnings"][0]
    from indexdesk.tools.portfolio.basis import review_warning

    assert "basis unknown for BTC" in review_warning(ctx.ledger_store())
    store = ctx.ledger_store()
    import_text(ctx, "date,kind,symbol,quantity,venue\n2024-07-01,deposit,ETH,1,kraken\n")
    lots = registry.call("tax_lots", {"symbol": "ETH"}, ctx)
    assert lots["lots"][0]["basis_unknown"] and "basis unknown for ETH" in lots["warnings"][-1]
    assert store.count() == 3


NATIVE_TANGLE = """date,kind,symbol,quantity,price,venue,note
2024-02-01T10:00:00,buy,ETH,2,2000,binance,
2024-02-10T10:00:00,withdrawal,ETH,0.5,,binance,
2024-02-10T11:00:00,deposit,ETH,0.5,,kraken,one
2024-02-10T12:00:00,deposit,ETH,0.499,,ledger,two
"""


def test_ambiguous_pairs_are_listed_not_guessed_and_the_choice_is_recorded(ctx, registry):
    report = import_text(ctx, NATIVE_TANGLE)
    assert report.ok and report.transfers == [] and report.ambiguous == 1, report
    found = registry.call("find_transfers", {}, ctx)
    assert found["unambiguous"] == [] and len(found["ambiguous"]) == 2
    untouched = registry.call("reconcile_transfers", {}, ctx)  # nothing unambiguous: nothing applied
    assert untouched["added"] == [] and "ambiguous" in untouched["warnings"][0]
    chosen = next(p["pair"] for p in found["ambiguous"] if "ledger" in p["description"])
    applied = registry.call("reconcile_transfers", {"pairs": [chosen]}, ctx)
    assert not is_error(applied) and [t["kind"] for t in applied["added"]] == ["transfer", "fee"]
    book = ctx.ledger_store().book()
    assert book.units("ETH", "ledger") == D("0.499") and book.units("ETH", "kraken") == D("0.5")
    assert [lot.acquired.date() for lot in book.lots if lot.venue == "ledger"] == [date(2024, 2, 1)]
    entries = registry.call("ledger_history", {}, ctx)["entries"]
    assert any(e["action"] == "reconcile" and chosen in e["command"] for e in entries)
    wrong = registry.call("reconcile_transfers", {"pairs": ["nope:nada"]}, ctx)
    assert is_error(wrong) and "no transaction with id" in wrong["error"]


def test_cli_reconcile_asks_first(tmp_path, capsys):
    from indexdesk.agent.cli import main

    home = str(tmp_path / "cli")
    (tmp_path / "cb.csv").write_text(COINBASE)
    (tmp_path / "native.csv").write_text("date,kind,symbol,quantity,venue\n2024-03-01T11:00:00,deposit,BTC,0.05,kraken\n"
                                         "2024-03-01T12:00:00,deposit,BTC,0.05,ledger\n")
    assert main(["--home", home, "portfolio", "import", str(tmp_path / "cb.csv")]) == 0
    assert main(["--home", home, "portfolio", "import", str(tmp_path / "native.csv")]) == 0
    assert "match more than one other side" in capsys.readouterr().out
    assert main(["--home", home, "portfolio", "reconcile"]) == 0
    listed = capsys.readouterr().out
    assert "ambiguous" in listed and listed.count("into") == 2
    pair = next(line.strip() for line in listed.splitlines() if line.strip().startswith("cb-c2:"))
    assert main(["--home", home, "portfolio", "reconcile", pair]) == 1  # no terminal, no --yes: not applied
    assert "pass --yes" in capsys.readouterr().err
    assert main(["--home", home, "portfolio", "reconcile", pair, "--yes"]) == 0
    assert "1 transfer(s) recorded" in capsys.readouterr().out


def test_a_send_repeating_a_recorded_transfer_is_removed_not_counted_twice(ctx, registry):
    """The native transfer row was written first; the Coinbase file then brings the same coins' `Send`."""
    native = ("date,kind,symbol,quantity,price,venue,to_venue,note\n"
              "2024-01-05T09:00:00,buy,BTC,0.2,44000,coinbase,,\n"
              "2024-03-01T10:05:00,transfer,BTC,0.0499,,coinbase,kraken,moved by hand\n")
    assert import_text(ctx, native).ok
    report = import_text(ctx, COINBASE.splitlines()[0] + "\n" + COINBASE.splitlines()[2] + "\n")
    assert report.ok and report.added == 1 and len(report.transfers) == 1, report
    store = ctx.ledger_store()
    assert sorted(t.kind for t in store.transactions("BTC")) == ["buy", "fee", "transfer"]
    # 0.2 bought, 0.0499 moved, 0.0001 network fee: the coins left once
    assert store.book().units("BTC", "coinbase") == D("0.15") and store.book().units("BTC", "kraken") == D("0.0499")
    assert any(e["action"] == "reconcile" and e["change"].startswith("removed 2024-03-01 withdrawal 0.05 BTC")
               for e in registry.call("ledger_history", {}, ctx)["entries"])
