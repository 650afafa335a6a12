"""Portfolio tools on the sample market: holdings priced by index NAV and close, unpriced kept apart,
every weights-taking tool reads the ledger, targets stay one source, the CLI fits 80 columns."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.portfolio.importer import import_text
from indexdesk.tools.registry import is_error
from indexdesk.tools.settings import Settings
from indexdesk.tools.toolbox import default_registry

HISTORY = """date,kind,symbol,quantity,price,fee,venue,to_venue,sleeve,note
2024-01-02,deposit,USD,20000,,,kraken,,,
2024-01-03,buy,BTC,0.2,42000,10,kraken,,,
2024-01-03,buy,large_cap,10,500,,kraken,,,
2024-02-01,buy,ETH,2,2300,5,coinbase,,,
2024-03-01,transfer,BTC,0.15,,,kraken,ledger,,cold storage
2024-06-01,sell,ETH,1,3500,3.5,coinbase,,,
2024-07-01,income,ETH,0.01,3400,,coinbase,,yield,staking
2024-08-01,buy,BTC-27DEC24-50000-P,1,1200,,deribit,,hedge,put
"""


@pytest.fixture(scope="module")
def registry():
    return default_registry()


@pytest.fixture
def ctx(tmp_path):
    context = ToolContext(Settings(home=tmp_path / "home"))
    assert import_text(context, HISTORY).ok
    return context


def test_get_portfolio_prices_indices_and_coins_and_lists_unpriced(registry, ctx):
    result = registry.call("get_portfolio", {}, ctx)
    assert not is_error(result), result
    by_name = {p["name"]: p for p in result["positions"]}
    market = ctx.market()
    from indexdesk.tools.indices.series import index_levels

    nav = float(index_levels(ctx, "large_cap").levels.dropna().iloc[-1])
    assert by_name["large_cap"]["value"] == pytest.approx(10 * nav, abs=0.01)
    assert by_name["BTC"]["value"] == pytest.approx(0.2 * float(market.close["BTC"].dropna().iloc[-1]), abs=0.01)
    assert by_name["BTC"]["venue"] == "ledger+kraken" and by_name["ETH"]["sleeve"] == "coin+yield"
    assert result["unpriced"] == ["BTC-27DEC24-50000-P"] and by_name["BTC-27DEC24-50000-P"]["value"] is None
    cash = 20000 - (8400 + 10) - 5000 - (4600 + 5) + (3500 - 3.5) - 1200
    assert result["cash"] == pytest.approx(cash)
    priced = sum(p["value"] for p in result["positions"] if p["value"] is not None)
    assert result["total_value"] == pytest.approx(priced + cash, abs=0.05)
    assert sum(p["weight"] or 0 for p in result["positions"]) + cash / result["total_value"] == pytest.approx(1, abs=1e-3)
    assert by_name["large_cap"]["target"] == 0.35
    assert by_name["large_cap"]["drift"] == pytest.approx(by_name["large_cap"]["weight"] - 0.35, abs=1e-3)


def test_get_portfolio_as_of_a_past_day(registry, ctx):
    result = registry.call("get_portfolio", {"as_of": "2024-02-15"}, ctx)
    assert str(result["as_of"]) == "2024-02-15"
    assert {p["name"] for p in result["positions"]} == {"BTC", "large_cap", "ETH"}
    assert is_error(registry.call("get_portfolio", {"as_of": "yesterday"}, ctx))
    assert "nothing was held on 2023-01-01" in registry.call("get_portfolio", {"as_of": "2023-01-01"}, ctx)["error"]


def test_lots_gains_and_open_lots_interface(registry, ctx):
    from indexdesk.tools.portfolio.lots import open_lots

    lots = registry.call("tax_lots", {"symbol": "btc"}, ctx)
    assert [(lot["venue"], lot["units"]) for lot in lots["lots"]] == [("kraken", 0.05), ("ledger", 0.15)]
    assert "did you mean" in registry.call("tax_lots", {"symbol": "BTCC"}, ctx)["error"]
    gains = registry.call("realized_gains", {"year": 2024}, ctx)
    assert gains["short_term"] == pytest.approx(3496.5 - 2302.5) and gains["long_term"] == 0
    opened = open_lots(ctx)
    first = next(lot for lot in opened if lot.symbol == "BTC" and lot.venue == "kraken")
    assert (first.quantity, first.cost_basis, str(first.acquired.date())) == (D("0.05"), D("2102.5"), "2024-01-03")
    assert sorted(lot.symbol for lot in open_lots(ctx, "2024-01-10")) == ["BTC", "large_cap"]
    store = ctx.ledger_store()
    assert [t.kind for t in store.transactions("ETH")] == ["buy", "sell", "income"]


def test_weights_tools_read_the_ledger_and_say_so(registry, ctx):
    var = registry.call("compute_var", {"window": "90d"}, ctx)
    assert var["origin"] == f"ledger as of {ctx.market().as_of}"
    assert {c["name"] for c in var["components"]} == {"BTC", "large_cap", "ETH"}
    assert any("unpriced" in w for w in var["warnings"])
    portfolio = registry.call("get_portfolio", {}, ctx)
    assert var["portfolio_value"] == pytest.approx(portfolio["total_value"], abs=0.05)
    stress = registry.call("stress_test", {"scenarios": ["exchange_failure"]}, ctx)
    note = stress["scenarios"][0]["notes"][0]
    assert note.startswith("venue kraken fails")  # large_cap + 0.05 BTC at kraken outweigh the rest
    contributions = stress["scenarios"][0]["contributions"]
    assert contributions["ETH"] == 0  # held at coinbase
    explicit = registry.call("compute_var", {"weights": {"BTC": 1.0}, "window": "90d"}, ctx)
    assert explicit["origin"] == "explicit weights"
    sized = registry.call("size_positions", {"target_volatility": 0.4}, ctx)
    assert sized["origin"].startswith("ledger as of")
    correlation = registry.call("analyze_correlation", {}, ctx)
    assert correlation["origin"].startswith("ledger as of") and set(correlation["names"]) == {"BTC", "large_cap", "ETH"}


def test_empty_ledger_falls_back_to_the_template(registry, tmp_path):
    empty = ToolContext(Settings(home=tmp_path / "empty"))
    var = registry.call("compute_var", {"window": "90d"}, empty)
    assert var["origin"] == "tier template (ledger empty)"
    assert not (tmp_path / "empty" / "ledger.sqlite").exists()  # reading never creates a ledger
    portfolio = registry.call("get_portfolio", {}, empty)  # an empty portfolio, not an error
    assert portfolio["positions"] == [] and portfolio["total_value"] == 0
    assert "no transactions" in portfolio["warnings"][0] and "portfolio import" in portfolio["warnings"][0]
    assert not (tmp_path / "empty" / "ledger.sqlite").exists()


def test_record_transaction_and_conflicts(registry, ctx):
    added = registry.call("record_transaction", {"kind": "sell", "symbol": "BTC", "quantity": 0.01, "price": 60000,
                                                 "venue": "ledger", "day": "2024-09-01"}, ctx)
    assert added["added"] and added["units_held"] == pytest.approx(0.19)
    again = registry.call("record_transaction", {"kind": "sell", "symbol": "BTC", "quantity": 0.01, "price": 60000,
                                                 "venue": "ledger", "day": "2024-09-01"}, ctx)
    assert not again["added"]
    over = registry.call("record_transaction", {"kind": "sell", "symbol": "BTC", "quantity": 1, "price": 1,
                                                "venue": "ledger", "day": "2024-09-02"}, ctx)
    assert "more than the 0.14 held at ledger" in over["error"]
    assert registry.get("record_transaction").state_changing and registry.get("set_targets").state_changing


def test_set_targets_writes_the_one_toml_and_the_ledger_mirrors_it(registry, ctx):
    from indexdesk.tools.targets import targets

    result = registry.call("set_targets", {"indices": [{"name": "large_cap", "weight": 0.6},
                                                       {"name": "defi", "weight": 0.4}],
                                           "tier_ranges": [{"tier": "core", "low": 0.55, "high": 0.65}],
                                           "band": 0.03}, ctx)
    assert not is_error(result), result
    assert targets(ctx).weights() == {"large_cap": 0.6, "defi": 0.4}  # every tool reads the same file
    mirrored = {(t.kind, t.name): t for t in ctx.ledger_store().targets()}
    assert mirrored[("index", "defi")].target == D("0.4") and mirrored[("band", "default")].target == D("0.03")
    assert mirrored[("tier", "core")].low == D("0.55")
    bad = registry.call("set_targets", {"indices": [{"name": "defii", "weight": 1}]}, ctx)
    assert "did you mean 'defi'" in bad["error"]
    assert "add up to" in registry.call("set_targets", {"indices": [{"name": "defi", "weight": 0.5}]}, ctx)["error"]


def test_cli_portfolio_fits_80_columns(ctx, capsys, monkeypatch):
    from indexdesk.agent.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    home = str(ctx.settings.home)
    for argv in (["portfolio"], ["portfolio", "lots"], ["portfolio", "gains", "2024"], ["portfolio", "targets"]):
        assert main(["--home", home, *argv]) == 0
        out = capsys.readouterr().out
        assert out and max(len(line) for line in out.splitlines()) <= 80, argv
    assert main(["--home", home, "portfolio", "export"]) == 0
    exported = capsys.readouterr().out
    assert exported.startswith("id,date,kind,symbol") and exported.count("\n") == 9


def test_cli_import_reports_bad_lines_and_exit_codes(tmp_path, capsys):
    from indexdesk.agent.cli import main

    home = str(tmp_path / "cli")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,symbol,quantity,price\n2024-01-01,buy,BTC,1,100\n2024-01-02,buy,BTCC,1,100\n")
    assert main(["--home", home, "portfolio", "import", str(bad)]) == 1  # rows rejected: a result error
    err = capsys.readouterr().err
    assert "line 3: unknown symbol 'BTCC'; did you mean 'BTC'" in err and "nothing imported" in err
    assert main(["--home", home, "portfolio", "import", str(bad), "--skip-bad"]) == 1
    assert "1 added" in capsys.readouterr().out
    assert main(["--home", home, "portfolio", "import", str(tmp_path / "missing.csv")]) == 2


def test_cli_portfolio_flags_come_from_the_tools(tmp_path, capsys):
    import argparse

    from indexdesk.agent.cli import main
    from indexdesk.agent.commands import portfolio
    from indexdesk.agent.commands.tool_args import tool_arguments

    parser = argparse.ArgumentParser()
    portfolio.register(parser.add_subparsers(dest="command"))
    assert tool_arguments(parser.parse_args(["portfolio"])) == {}
    assert tool_arguments(parser.parse_args(["portfolio", "--as-of", "2024-02-15"])) == {"as_of": "2024-02-15"}
    assert tool_arguments(parser.parse_args(["portfolio", "lots", "BTC"])) == {"symbol": "BTC"}
    assert tool_arguments(parser.parse_args(["portfolio", "--as-of", "2024-02-15", "gains", "2024"])) == {"year": 2024}
    # --band only changes targets under `set`: said, not silently dropped.
    assert main(["--home", str(tmp_path), "portfolio", "targets", "--band", "0.1"]) == 2
    assert "targets set --band" in capsys.readouterr().err
