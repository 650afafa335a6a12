"""Importing transaction files: native, Binance and Coinbase exports; every bad row named by line; idempotent;
export/import round-trips exactly."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.portfolio.importer import export_text, import_text
from indexdesk.tools.settings import Settings

NATIVE = """date,kind,symbol,quantity,price,fee,currency,venue,to_venue,note
2024-01-02,deposit,USD,10000,,,USD,kraken,,
2024-01-03,buy,BTC,0.1,42000,10,USD,kraken,,first
2024-01-03,buy,BTC,0.1,42000,10,USD,kraken,,first
2024-02-01,buy,eth,2,2300,5,USD,kraken,,
2024-03-01T12:30:00,transfer,BTC,0.05,,1,USD,kraken,ledger,cold storage
2024-06-01,sell,ETH,1,3500,3.5,USD,kraken,,
2024-07-01,income,ETH,0.01,3400,,USD,kraken,,staking
2024-08-01,buy,defi,10,120,,USD,kraken,,index units
"""

BINANCE = """Date(UTC),Pair,Side,Price,Executed,Amount,Fee
2024-03-01 10:00:00,BTCUSDT,BUY,61000,0.01000000BTC,610.00000000USDT,0.00001000BTC
2024-03-02 11:00:00,ETHUSDT,BUY,3400,1.00000000ETH,3400.00000000USDT,3.40000000USDT
2024-04-02 09:15:00,ETHUSDT,SELL,3600,0.50000000ETH,1800.00000000USDT,1.80000000USDT
"""

COINBASE = """Transactions
User,someone@example.com,abc-123

ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes
aa1,2024-01-05 10:00:00 UTC,Buy,BTC,0.02,USD,$44000.00,$880.00,$890.00,$10.00,Bought 0.02 BTC for $890.00 USD
aa2,2024-02-05 10:00:00 UTC,Staking Income,ETH,0.001,USD,$2300.00,$2.30,$2.30,$0.00,
aa3,2024-03-05 10:00:00 UTC,Convert,BTC,0.01,USD,$60000.00,$600.00,$600.00,$0.00,Converted 0.01 BTC to 0.2 ETH
aa4,2024-04-05 10:00:00 UTC,Sell,ETH,0.1,USD,$3000.00,$300.00,$297.00,$3.00,Sold 0.1 ETH
"""


@pytest.fixture
def ctx(tmp_path, ledger_url):
    return ToolContext(Settings(home=tmp_path / "home", database_url=ledger_url))


def test_native_import_lands_and_reimport_is_idempotent(ctx):
    report = import_text(ctx, NATIVE)
    assert report.ok and (report.format, report.rows, report.added) == ("native", 8, 8)
    book = ctx.ledger_store().book()
    assert book.units("BTC") == D("0.2") and book.units("BTC", "ledger") == D("0.05")
    assert book.units("ETH") == D("1.01") and book.units("defi") == D(10)
    again = import_text(ctx, NATIVE)
    assert again.ok and (again.added, again.already) == (0, 8)


def test_export_import_round_trips_exactly(ctx, tmp_path):
    import_text(ctx, NATIVE)
    first = export_text(ctx)
    other = ToolContext(Settings(home=tmp_path / "other"))
    assert import_text(other, first).ok
    assert export_text(other) == first
    assert import_text(ctx, first).added == 0


def test_binance_trade_history(ctx):
    report = import_text(ctx, BINANCE)
    assert report.ok and report.format == "binance" and report.added == 3
    txs = ctx.ledger_store().transactions("BTC")
    # fee taken in BTC: 0.00999 BTC arrive, the basis is the whole 610 USDT
    assert txs[0].quantity == D("0.00999") and txs[0].quantity * txs[0].price + txs[0].fee == D("610")
    assert ctx.ledger_store().book().units("ETH", "binance") == D("0.5")


def test_coinbase_transaction_history(ctx):
    report = import_text(ctx, COINBASE)
    assert report.ok and report.format == "coinbase", report.rejected
    book = ctx.ledger_store().book()
    assert book.units("BTC") == D("0.01") and book.units("ETH") == D("0.101")
    assert {t.tx_id for t in ctx.ledger_store().transactions()} >= {"cb-aa1", "cb-aa3-out", "cb-aa3-in"}


BAD = """id,date,kind,symbol,quantity,price,currency,venue
a,2024-01-02,buy,BTC,1,40000,USD,kraken
b,2024-01-03,buy,BTC,-1,40000,USD,kraken
c,2024-01-04,buy,BTCC,1,40000,USD,kraken
d,2999-01-01,buy,ETH,1,2000,USD,kraken
a,2024-01-05,buy,ETH,1,2000,USD,kraken
f,2024-01-06,buy,ETH,1,2000,EUR,kraken
g,2024-01-07,sell,BTC,5,41000,USD,kraken
h,2024-01-08,sell,ETH,1,,USD,kraken
"""


def test_bad_rows_each_named_by_line_and_nothing_lands(ctx):
    report = import_text(ctx, BAD)
    assert not report.applied and ctx.ledger_store().count() == 0
    reasons = dict(report.rejected)
    assert "must be positive" in reasons[3]
    assert "did you mean 'BTC'" in reasons[4]
    assert "in the future" in reasons[5]
    assert "duplicate id 'a' (first on line 2)" in reasons[6]
    assert "mixed currencies" in reasons[7]
    assert "a sell needs a price" in reasons[9]


def test_sell_beyond_holdings_named_by_line_and_skip_bad(ctx):
    text = "\n".join(BAD.splitlines()[:2] + [BAD.splitlines()[7]]) + "\n"
    report = import_text(ctx, text)
    assert not report.applied and report.rejected[0][0] == 3 and "more than the 1 held" in report.rejected[0][1]
    skipped = import_text(ctx, BAD, skip_bad=True)
    assert skipped.applied and skipped.added == 1 and [line for line, _ in skipped.rejected] == [3, 4, 5, 6, 7, 8, 9]
    assert [t.tx_id for t in ctx.ledger_store().transactions()] == ["a"]


def test_wrong_columns_and_unknown_format(ctx):
    with pytest.raises(ToolError, match="line 1: unknown columns"):
        import_text(ctx, "when,what\n2024-01-01,buy\n")
    with pytest.raises(ToolError, match="unknown column"):
        import_text(ctx, "date,kind,symbol,quantity,colour\n2024-01-01,buy,BTC,1,red\n")
    with pytest.raises(ToolError, match="not a binance file"):
        import_text(ctx, NATIVE, "binance")


def test_amounts_beyond_the_stored_precision_or_range_are_named(ctx):
    text = ("date,kind,symbol,quantity,price\n2024-01-01,buy,BTC,0.0000000000000000001,100\n"
            "2024-01-02,buy,BTC,1,1e300\n")
    reasons = dict(import_text(ctx, text).rejected)
    assert "more than 18 decimal places" in reasons[2] and "too large" in reasons[3]
