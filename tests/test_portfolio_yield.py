"""The yield sleeve's observed APY: income received over the trailing year, annualised by hand."""

from __future__ import annotations

import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.portfolio.importer import import_text
from indexdesk.tools.registry import is_error
from indexdesk.tools.settings import Settings
from indexdesk.tools.toolbox import default_registry

# 100 SOL staked on 2024-01-03, 0.5 SOL paid on the first of each month from February to December.
HISTORY = "\n".join(
    ["date,kind,symbol,quantity,price,fee,venue,to_venue,sleeve,note",
     "2024-01-02,deposit,USD,20000,,,kraken,,,",
     "2024-01-03,buy,SOL,100,100,,kraken,,yield,staked",
     "2024-01-03,buy,ETH,1,2300,,kraken,,,"]
    + [f"2024-{month:02d}-01,income,SOL,0.5,100,,kraken,,yield,staking reward" for month in range(2, 13)]) + "\n"




@pytest.fixture
def ctx(tmp_path):
    context = ToolContext(Settings(home=tmp_path / "home"))
    assert import_text(context, HISTORY).ok
    return context


def test_yield_sleeve_shows_the_income_it_received_as_an_annual_rate(ctx):
    result = default_registry().call("get_portfolio", {"as_of": "2024-12-31"}, ctx)
    assert not is_error(result), result
    by_name = {p["name"]: p for p in result["positions"]}
    # 5.5 SOL received on 100 SOL that earned it, over the 363 days from 2024-01-03 to 2024-12-31.
    assert by_name["SOL"]["units"] == pytest.approx(105.5)
    assert by_name["SOL"]["apy"] == pytest.approx(round(0.055 * 365 / 363, 4))
    assert by_name["ETH"]["apy"] is None  # no income, no rate


def test_less_than_a_month_of_income_gives_no_rate(ctx):
    result = default_registry().call("get_portfolio", {"as_of": "2024-01-20"}, ctx)
    assert not is_error(result), result
    assert {p["name"]: p["apy"] for p in result["positions"]}["SOL"] is None


def test_recording_cash_reports_the_cash_held_and_a_repeat_says_how_to_add_another(ctx):
    registry = default_registry()
    deposit = {"kind": "deposit", "symbol": "USD", "quantity": 500, "venue": "kraken", "day": "2024-02-02"}
    first = registry.call("record_transaction", deposit, ctx)
    assert first["added"] is True
    cash = 20000 - 100 * 100 - 2300 + 500  # the history's deposit and buys, then this deposit
    assert first["units_held"] == pytest.approx(cash)
    again = registry.call("record_transaction", deposit, ctx)
    assert again["added"] is False and "give it a note" in again["warnings"][0]
    other = registry.call("record_transaction", {**deposit, "note": "second transfer"}, ctx)
    assert other["added"] is True and other["units_held"] == pytest.approx(cash + 500)
