"""Koinly universal, CoinTracker and Kraken ledger files: read by hand-worked numbers, bad rows named by
line with nothing landing, exports that read back; Binance third-asset fees (--fee-mode cost); exact row counts."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.portfolio.importer import export_text, import_text
from indexdesk.tools.settings import Settings

DATA = Path(__file__).parent / "data" / "ledger"


def text(name: str) -> str:
    return (DATA / name).read_text()


@pytest.fixture
def ctx(tmp_path, ledger_url):
    return ToolContext(Settings(home=tmp_path / "home", database_url=ledger_url))


def gains_by_tx(store):
    out: dict[str, D] = {}
    for c in store.book().closings:
        if c.proceeds is not None:
            out[c.tx_id] = out.get(c.tx_id, D(0)) + c.gain
    return out


def test_koinly_universal_reads_trades_income_fees_and_swaps(ctx):
    report = import_text(ctx, text("koinly_universal.csv"))
    assert report.ok and (report.format, report.rows, report.added) == ("koinly", 6, 7), report.rejected
    store = ctx.ledger_store()
    book = store.book()
    assert book.units("BTC", "koinly") == D("0.05") and book.units("SOL") == D(20)
    assert book.units("ETH") == D("2") + D("0.01") - D("0.001") - D("1")
    sell = next(t for t in store.transactions("BTC") if t.kind == "sell")
    assert (sell.price, sell.fee) == (D(70000), D("2.5"))  # 3500 USDT at par / 0.05 BTC
    # the BTC sold: proceeds 3500 - 2.5, basis half of 4000 + 5
    assert gains_by_tx(store)[sell.tx_id] == D("3497.5") - D("2002.5")
    sol = store.transactions("SOL")[0]
    assert (sol.kind, sol.price) == ("buy", D(150))  # the swap valued by its 3000 USD net worth


def test_koinly_bad_rows_each_named_and_nothing_lands(ctx):
    report = import_text(ctx, text("koinly_bad_rows.csv"))
    assert not report.applied and ctx.ledger_store().count() == 0
    reasons = dict(report.rejected)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8] and report.rows == 7
    assert "YYYY-MM-DD HH:MM UTC" in reasons[3] and "not a number" in reasons[4]
    assert "needs its value in USD" in reasons[5] and "'margin gain' is not read" in reasons[6]
    assert "negative" in reasons[7] and "empty of amounts" in reasons[8]


def test_cointracker_reads_and_names_bad_rows(ctx):
    report = import_text(ctx, text("cointracker.csv"))
    assert report.ok and (report.format, report.rows) == ("cointracker", 6), report.rejected
    book = ctx.ledger_store().book()
    assert book.units("BTC") == D("0.05") and book.units("ETH") == D("2") + D("0.01") - D("0.001") - D("0.5")
    bad = import_text(ToolContext(Settings(home=ctx.settings.home / "other")), text("cointracker_bad_rows.csv"))
    reasons = dict(bad.rejected)
    assert not bad.applied and sorted(reasons) == [3, 4, 5, 6, 7]
    assert "MM/DD/YYYY" in reasons[3] and "month 13" in reasons[4] and "no currency" in reasons[5]
    assert "'wrapping' is not read" in reasons[6]


def test_kraken_ledger_pairs_trade_legs_by_refid(ctx):
    report = import_text(ctx, text("kraken_ledgers.csv"))
    assert report.ok and (report.format, report.rows) == ("kraken", 10), report.rejected
    assert any("line 8" in note and "inside Kraken" in note for note in report.notes)  # read, named, nothing recorded
    store = ctx.ledger_store()
    btc = {t.kind: t for t in store.transactions("BTC")}
    assert (btc["buy"].quantity, btc["buy"].price, btc["buy"].fee) == (D("0.1"), D(44000), D("7.04"))
    eth = store.transactions("ETH")
    # the ETH fee came out of the coins: 0.999 arrive, the cost is the whole 2300
    assert eth[0].quantity == D("0.999") and eth[0].quantity * eth[0].price + eth[0].fee == D(2300)
    assert (eth[1].kind, eth[1].quantity) == ("income", D("0.002"))  # ETH2.S staking reward
    assert btc["withdrawal"].quantity == D("0.0201")  # 0.02 sent + 0.0001 Kraken fee
    assert gains_by_tx(store)[btc["sell"].tx_id] == D(3500) - D("5.6") - D("4407.04") / 2
    assert store.book().units("BTC", "kraken") == D("0.0299")


def test_kraken_bad_rows(ctx):
    report = import_text(ctx, text("kraken_bad_rows.csv"))
    reasons = dict(report.rejected)
    assert not report.applied and sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "has 1 rows" in reasons[3] and "only trades against USD" in reasons[4] == reasons[5]
    assert "'margin' is not read" in reasons[6] and "expected a negative amount" in reasons[7]
    assert "not a number" in reasons[8]


@pytest.mark.parametrize("fmt", ["koinly", "cointracker"])
def test_export_reads_back_to_the_same_holdings_and_gains(ctx, tmp_path, fmt):
    assert import_text(ctx, text("kraken_ledgers.csv")).ok
    exported = export_text(ctx, fmt)
    other = ToolContext(Settings(home=tmp_path / f"other-{fmt}"))
    report = import_text(other, exported, venue="kraken")
    assert report.ok and report.format == fmt, report.rejected
    ours, theirs = ctx.ledger_store().book(), other.ledger_store().book()
    for symbol in ("BTC", "ETH"):
        assert theirs.units(symbol, "kraken") == ours.units(symbol, "kraken")
    assert sum(gains_by_tx(other.ledger_store()).values()) == sum(gains_by_tx(ctx.ledger_store()).values())


BINANCE_BNB = """Date(UTC),Pair,Side,Price,Executed,Amount,Fee
2024-03-01 10:00:00,BTCUSDT,BUY,61000,0.01000000BTC,610.00000000USDT,0.00410000BNB
2024-03-02 11:00:00,ETHUSDT,BUY,3400,1.00000000ETH,3400.00000000USDT,3.40000000USDT
2024-04-02 09:15:00,ETHUSDT,SELL,3600,0.50000000ETH,1800.00000000USDT,1.80000000USDT
"""


def test_third_asset_fee_error_says_what_to_add_and_the_row_count_is_the_files(ctx):
    report = import_text(ctx, BINANCE_BNB)
    assert not report.applied and report.rows == 3 and report.rejected_lines == 1
    line, reason = report.rejected[0]
    assert line == 2 and "BNB" in reason and "--fee-mode cost" in reason and "buy or deposit at binance" in reason


def test_fee_mode_cost_books_the_fee_at_that_days_price(tmp_path, shared_data):
    ctx = ToolContext(Settings(home=tmp_path / "h", source=f"csv:{shared_data / 'prices_daily.csv'}"))
    report = import_text(ctx, BINANCE_BNB, fee_mode="cost")
    assert report.ok and (report.rows, report.added) == (3, 3), report.rejected
    btc = ctx.ledger_store().transactions("BTC")[0]
    # BNB closed at 407.4 USD on 2024-03-01 (../shared/data/prices_daily.csv): 0.0041 × 407.4 = 1.67034
    assert btc.fee == D("1.67034") and ctx.ledger_store().book().lots[0].cost_basis == D("611.67034")
    assert ctx.ledger_store().book().units("BNB") == 0


def test_decimal_comma_reaches_the_koinly_reader_too(ctx):
    """--decimal-comma is the file's convention for every format, the venue readers included."""
    text = ("Date,Sent Amount,Sent Currency,Received Amount,Received Currency,Fee Amount,Fee Currency,"
            "Net Worth Amount,Net Worth Currency,Label,Description,TxHash\n"
            "2024-01-10 09:00 UTC,4000,USD,\"0,1\",BTC,5,USD,4000,USD,,first btc,dc1\n")
    refused = import_text(ctx, text, "koinly")
    assert not refused.ok and "decimal comma" in " ".join(reason for _, reason in refused.rejected)
    read = import_text(ctx, text, "koinly", decimal_comma=True)
    assert read.ok and ctx.ledger_store().book().units("BTC") == D("0.1")
