"""The ledger's own return: time-weighted (a deposit is not a gain), hand-checked on the sample market,
and shown by the quarterly review beside the targets."""

from __future__ import annotations

from datetime import date

import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.portfolio.importer import import_text
from indexdesk.tools.portfolio.performance import ledger_performance
from indexdesk.tools.settings import Settings

WITH_CASH = """date,kind,symbol,quantity,price,venue
2025-01-01,deposit,USD,10000,,k
2025-01-02,buy,BTC,0.05,90000,k
2025-08-01,deposit,USD,50000,,k
2025-08-20,income,BTC,0.001,100000,k
"""


@pytest.fixture
def ctx(tmp_path):
    return ToolContext(Settings(home=tmp_path / "home"))


def test_deposits_are_not_returns(ctx):
    assert import_text(ctx, WITH_CASH).ok
    close = ctx.market().close["BTC"]
    result = ledger_performance(ctx, date(2025, 6, 30), date(2025, 9, 30))

    def value(day: str, units: float, cash: float) -> float:
        return units * float(close.loc[day]) + cash

    cash = 10000 - 0.05 * 90000
    v_start, v_before = value("2025-06-30", 0.05, cash), value("2025-07-31", 0.05, cash)
    v_after = value("2025-08-01", 0.05, cash + 50000)
    v_end = value("2025-09-30", 0.051, cash + 50000)  # income is return: units grew, nothing flowed in
    expected = (v_before / v_start) * (v_after / (v_before + 50000)) * (v_end / v_after) - 1
    assert result.time_weighted_return == pytest.approx(expected, rel=1e-9)
    assert result.net_flows == 50000 and result.value_end == pytest.approx(v_end)
    naive = v_end / v_start - 1
    assert naive > 3 and result.time_weighted_return < 1  # the 50,000 deposit would look like a 300 % gain


def test_without_recorded_cash_buys_are_money_in(ctx):
    assert import_text(ctx, "date,kind,symbol,quantity,price,venue\n2025-07-15,buy,ETH,2,3000,k\n").ok
    close = ctx.market().close["ETH"]
    result = ledger_performance(ctx, date(2025, 6, 30), date(2025, 9, 30))
    expected = 2 * float(close.loc["2025-09-30"]) / (2 * 3000) - 1
    assert result.time_weighted_return == pytest.approx(expected, rel=1e-9)
    assert any("held nothing" in w for w in result.warnings)


def test_no_ledger_no_line(ctx):
    assert ledger_performance(ctx, date(2025, 6, 30), date(2025, 9, 30)) is None


def test_quarterly_review_shows_the_ledger(ctx):
    from indexdesk.tools.review.tools import write_report

    assert import_text(ctx, WITH_CASH).ok
    summary, review = write_report(ctx, "2025Q3")
    expected = ledger_performance(ctx, review.start, review.end).time_weighted_return
    assert summary.ledger_return == pytest.approx(expected, abs=1e-4)
    assert "ledger holdings (time-weighted)" in (ctx.settings.home / "reports" / "2025Q3" / "review.md").read_text()
