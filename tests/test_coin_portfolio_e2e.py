"""A coin investor end to end, on real prices: a Binance trade history and a Coinbase report of BTC, ETH, SOL,
LINK, DOGE and AVAX imported, targeted by coin, rebalanced, rotated, sized, stressed, harvested, attributed and
reviewed through the tools — one tier per holding everywhere, trades that add up, numbers checked by hand.

Fixtures: tests/fixtures/coins/ (see its README for the holdings they leave).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from indexdesk import toolkit
from indexdesk.tools.price_provenance import SAMPLE_MARKER

FIXTURES = Path(__file__).parent / "fixtures" / "coins"
HELD = {"BTC": 0.22985, "ETH": 3.26, "SOL": 45.35, "LINK": 280.0, "DOGE": 13000.0, "AVAX": 95.0}
TARGETS = {"BTC": 0.35, "ETH": 0.20, "SOL": 0.10, "LINK": 0.05, "defi": 0.15, "layer1": 0.05, "memecoins": 0.10}
LAST_DAY = date(2026, 1, 5)  # the last day of ../shared/data/prices_daily.csv


def _import(ctx) -> None:
    from indexdesk.tools.portfolio.importer import import_text

    for name, fmt, rows in (("binance_trade_history.csv", "binance", 12),
                            ("coinbase_transaction_report.csv", "coinbase", 10)):
        report = import_text(ctx, (FIXTURES / name).read_text(encoding="utf-8"))
        assert report.ok and report.format == fmt and report.added == rows, report.rejected


def call(name: str, args: dict, ctx) -> dict:
    result = toolkit.call(name, args, ctx)
    assert "error" not in result, (name, result)
    return result


@pytest.fixture(scope="module")
def coin_ctx(shared_data, tmp_path_factory):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    ctx = ToolContext(settings=Settings(home=tmp_path_factory.mktemp("coins_home"),
                                        source=f"csv:{shared_data / 'prices_daily.csv'}"))
    _import(ctx)
    call("set_targets", {"indices": [{"name": n, "weight": w} for n, w in TARGETS.items()]}, ctx)
    return ctx


@pytest.fixture(scope="module")
def portfolio(coin_ctx) -> dict:
    return call("get_portfolio", {}, coin_ctx)


def test_the_import_holds_what_the_files_say_valued_at_real_closes(portfolio, real_prices):
    by_name = {p["name"]: p for p in portfolio["positions"]}
    assert set(by_name) == set(HELD)
    closes = real_prices.loc[str(LAST_DAY)]
    total = 0.0
    for name, units in HELD.items():
        assert by_name[name]["units"] == pytest.approx(units, abs=1e-12)
        assert by_name[name]["price"] == pytest.approx(float(closes[name]), rel=1e-9)
        assert by_name[name]["price_date"] == LAST_DAY and by_name[name]["price_stale"] is False
        total += units * float(closes[name])
    assert portfolio["total_value"] == pytest.approx(total, abs=0.01)
    # Binance: the BTC fee was taken in BTC (0.15 - 0.00015 arrive), the basis is the whole 3547.518 USDT.
    # Coinbase: price x quantity + fee. So BTC's basis = 3547.518 + 22210.55*0.05 + 16.42 + 53950*0.05 + 2.6975
    # minus the 0.02 BTC sold on 2025-02-03 (FIFO: from the Coinbase lot of 2023-02-14, 0.05 BTC at 1126.95).
    coinbase_lot = 22210.55 * 0.05 + 16.42
    btc_basis = 3547.518 + coinbase_lot * 0.6 + 53950 * 0.05 + 2.6975
    assert by_name["BTC"]["cost_basis"] == pytest.approx(btc_basis, abs=0.01)


def test_valuation_names_its_source_and_age_and_no_sample_warning(portfolio):
    assert portfolio["source"].startswith("csv:") and portfolio["prices_as_of"] == LAST_DAY
    assert portfolio["price_age_days"] == (date.today() - LAST_DAY).days
    assert not any(w.startswith(SAMPLE_MARKER) for w in portfolio["warnings"])
    if portfolio["price_age_days"] > 3:  # the configured age (3 days by default) is exceeded: said first
        assert portfolio["warnings"][0].startswith(f"prices are {portfolio['price_age_days']} days old")


def test_coin_targets_are_read_back_with_their_one_tier(coin_ctx, portfolio):
    from indexdesk.tools.targets import holding_tier, targets

    goal = targets(coin_ctx)
    assert goal.weights() == pytest.approx(TARGETS)
    assert [(t.name, round(t.weight, 6)) for t in goal.tiers] == [("core", 55.0), ("satellite", 35.0),
                                                                  ("speculative", 10.0)]
    assert {p["name"]: p["tier"] for p in portfolio["positions"]} == {
        "BTC": "core", "ETH": "core", "SOL": "satellite", "LINK": "satellite", "AVAX": "satellite",
        "DOGE": "speculative"}
    assert {n: holding_tier(coin_ctx, n) for n in ("defi", "layer1", "memecoins")} == {
        "defi": "satellite", "layer1": "satellite", "memecoins": "speculative"}
    by_name = {p["name"]: p for p in portfolio["positions"]}
    assert by_name["BTC"]["target"] == 0.35 and by_name["DOGE"]["target"] is None
    assert by_name["BTC"]["drift"] == pytest.approx(by_name["BTC"]["weight"] - 0.35, abs=1e-4)


def test_rebalance_sells_the_overweights_and_the_coins_outside_and_every_trade_has_its_other_side(coin_ctx,
                                                                                                 portfolio):
    result = call("check_rebalance", {}, coin_ctx)
    assert result["act"] is True and result["origin"].startswith("ledger as of")
    lines = {line["name"]: line for line in result["lines"]}
    weights = {p["name"]: p["weight"] for p in portfolio["positions"]}
    tiers = {p["name"]: p["tier"] for p in portfolio["positions"]}
    for name, weight in weights.items():
        assert lines[name]["tier"] == tiers[name]  # the same tier as `portfolio`
        assert lines[name]["current"] == pytest.approx(weight, abs=1e-4)
        assert lines[name]["trade"] == pytest.approx(TARGETS.get(name, 0.0) - weight, abs=2e-4)
    for name in ("defi", "layer1", "memecoins"):  # targets not held are bought at their target
        assert lines[name]["current"] == 0 and lines[name]["trade"] == pytest.approx(TARGETS[name])
    cash = lines["cash"]
    assert "DOGE" in cash["note"] and "AVAX" in cash["note"]  # where the money of the coins outside goes
    assert cash["trade"] == pytest.approx(0.0, abs=1e-4)  # fully invested, targets add up to 100 %
    assert sum(line["trade"] for line in result["lines"]) == pytest.approx(result["residual"], abs=1e-9)
    assert abs(result["residual"]) < 1e-3
    assert result["turnover"] == pytest.approx(sum(abs(l["trade"]) for n, l in lines.items() if n != "cash"),
                                               abs=1e-3)


def test_rotation_across_the_coins_held_plus_an_allowed_candidate(coin_ctx, portfolio):
    result = call("propose_rotation", {"strategy": "momentum", "candidates": ["XRP"]}, coin_ctx)
    lines = {line["name"]: line for line in result["lines"]}
    assert set(lines) == set(HELD) | {"XRP"} and lines["XRP"]["current"] == 0
    tiers = {p["name"]: p["tier"] for p in portfolio["positions"]}
    assert {n: lines[n]["tier"] for n in HELD} == tiers and "unassigned" not in {l["tier"] for l in lines.values()}
    assert lines["XRP"]["tier"] == "satellite"  # a large cap, by the default map
    assert sum(line["trade"] for line in result["lines"]) == pytest.approx(result["residual"], abs=1e-9)
    assert abs(result["residual"]) < 1e-3  # a rotation keeps the total invested
    assert result["turnover"] == pytest.approx(sum(abs(l["trade"]) for l in lines.values()), abs=1e-3)
    assert all(line["target"] >= 0 for line in result["lines"])


def test_sizing_and_stress_work_on_the_coin_weights_with_the_same_tiers(coin_ctx, portfolio):
    from indexdesk.tools.risk.scenarios import DEFAULT_TIER_SHOCKS

    weights = {p["name"]: p["weight"] for p in portfolio["positions"]}
    tiers = {p["name"]: p["tier"] for p in portfolio["positions"]}
    sized = call("size_positions", {"target_volatility": 0.6}, coin_ctx)
    assert {p["name"]: p["base_weight"] for p in sized["positions"]} == pytest.approx(weights, abs=1e-4)
    assert sized["invested"] <= 1.0 + 1e-9
    stress = call("stress_test", {"scenarios": ["tier_shock", "ftx_collapse_2022"]}, coin_ctx)
    shock = next(s for s in stress["scenarios"] if s["scenario"] == "tier_shock")
    expected = sum(w * DEFAULT_TIER_SHOCKS[tiers[n]] for n, w in weights.items())  # -0.3 core, -0.5 sat, -0.7 spec
    assert shock["pnl"] == pytest.approx(expected, abs=1e-4)
    assert shock["pnl_amount"] == pytest.approx(expected * portfolio["total_value"], rel=1e-3)
    assert stress["portfolio_value"] == pytest.approx(portfolio["total_value"], abs=0.01)
    ftx = next(s for s in stress["scenarios"] if s["scenario"] == "ftx_collapse_2022")
    assert -1.0 <= ftx["pnl"] < 0  # long only: a loss, never beyond the whole


def test_harvest_finds_the_losing_lots_with_hand_worked_losses(coin_ctx, real_prices):
    result = call("harvest_losses", {"min_loss": 100, "tax_rate": 0.3}, coin_ctx)
    closes = real_prices.loc[str(LAST_DAY)]
    by_lot = {(lot["symbol"], lot["venue"], lot["quantity"]): lot for lot in result["lots"]}
    # Binance DOGE: 8000 at 0.43510 + 3.4808 USDT fee; Coinbase DOGE: 5000 at 0.3790 + 28.04 fee.
    doge_binance = 8000 * 0.43510 + 3.4808 - 8000 * float(closes["DOGE"])
    doge_coinbase = 5000 * 0.3790 + 28.04 - 5000 * float(closes["DOGE"])
    assert by_lot[("DOGE", "binance", 8000.0)]["loss"] == pytest.approx(doge_binance, abs=0.01)
    assert by_lot[("DOGE", "coinbase", 5000.0)]["loss"] == pytest.approx(doge_coinbase, abs=0.01)
    assert {lot["symbol"] for lot in result["lots"]} == {"DOGE", "AVAX", "LINK"}  # BTC, ETH, SOL are in profit
    assert result["total_loss"] == pytest.approx(sum(lot["loss"] for lot in result["lots"]), abs=0.02)
    assert result["total_tax_saved"] == pytest.approx(0.3 * result["total_loss"], abs=0.01)
    assert not any(w.startswith(SAMPLE_MARKER) for w in result["warnings"])


def test_attribution_of_the_coin_ledger_adds_up(coin_ctx):
    result = call("attribute_performance", {"start": "2025-10-01", "end": "2025-12-31"}, coin_ctx)
    assert result["strategy"] == "ledger trades" and result["origin"].startswith("ledger as of")
    parts = result["beta"] + result["index_selection"] + result["timing"] + result["cost_drag"]
    assert parts == pytest.approx(result["total"], abs=1e-9)
    assert -1.0 <= result["total"] < 0  # Q4 2025 was a falling quarter for every coin held


def test_the_review_uses_the_coin_targets_and_the_same_tiers(coin_ctx, portfolio):
    result = call("quarterly_review", {"quarter": "2025Q4"}, coin_ctx)
    assert {c["name"] for c in result["contributions"]} == set(TARGETS)
    assert any(b["name"] == "ledger holdings (time-weighted)" for b in result["benchmarks"])
    assert result["price_age_days"] == (date.today() - date.fromisoformat(str(result["as_of"]))).days
    markdown = (Path(result["report_path"]) / "review.md").read_text(encoding="utf-8")
    assert SAMPLE_MARKER not in markdown
    rows = dict(re.findall(r"^\| (\w+) \| (\w+) \|", markdown, flags=re.M))
    tiers = {p["name"]: p["tier"] for p in portfolio["positions"]}
    for name in ("BTC", "ETH", "SOL", "LINK"):
        assert rows[name] == tiers[name]
    assert rows["defi"] == "satellite" and rows["memecoins"] == "speculative"


# ------------------------------------------------------------------ the same ledger at the sample market

@pytest.fixture
def sample_ctx(tmp_path):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    ctx = ToolContext(settings=Settings(home=tmp_path / "home"))  # source: the synthetic sample market
    _import(ctx)
    return ctx


@pytest.mark.parametrize("name, args", [
    ("get_portfolio", {}), ("tax_lots", {}), ("check_rebalance", {}),
    ("propose_rotation", {}), ("size_positions", {"target_volatility": 0.6}),
    ("stress_test", {"scenarios": ["tier_shock"]}), ("compute_var", {}), ("harvest_losses", {}),
    ("attribute_performance", {}),
])
def test_a_ledger_valued_at_the_sample_market_says_so_first(sample_ctx, name, args):
    if name == "check_rebalance":
        call("set_targets", {"indices": [{"name": n, "weight": w} for n, w in TARGETS.items()]}, sample_ctx)
    result = call(name, args, sample_ctx)
    assert result["warnings"][0].startswith(SAMPLE_MARKER), result["warnings"][:2]
    assert "indexdesk data sync --source coingecko" in result["warnings"][0]
    assert "INDEXDESK_SOURCE=csv:" in result["warnings"][0]
    assert sum(w.startswith(SAMPLE_MARKER) for w in result["warnings"]) == 1
    assert "synthetic" in result["source"]


def test_explicit_weights_at_the_sample_market_are_not_called_a_ledger(sample_ctx):
    result = call("stress_test", {"weights": {"BTC": 0.5, "ETH": 0.5}, "scenarios": ["tier_shock"]}, sample_ctx)
    assert not any(w.startswith(SAMPLE_MARKER) for w in result["warnings"])


def test_the_sample_warning_heads_the_cli_the_mcp_text_and_the_review(sample_ctx, capsys, monkeypatch):
    from indexdesk.agent.cli import main
    from indexdesk.tools.adapters.mcp_server import call_result, result_units
    from indexdesk.tools.toolbox import default_registry

    monkeypatch.setenv("COLUMNS", "200")
    home = str(sample_ctx.settings.home)
    for argv in (["portfolio"], ["portfolio", "lots"], ["harvest"], ["rotate"]):
        assert main(["--home", home, *argv]) == 0, argv
        out = capsys.readouterr().out
        first = next(line for line in out.splitlines() if line.strip())
        assert first.startswith(SAMPLE_MARKER), (argv, out[:300])
        assert out.count(SAMPLE_MARKER) == 1  # in the header, not again in the footer
        assert "prices: sample (synthetic), as of" in out
    spec = default_registry().get("get_portfolio")
    result = toolkit.call("get_portfolio", {}, sample_ctx)
    content = call_result(result, result_units(spec)).content
    assert content[1].text.startswith(SAMPLE_MARKER)  # the human line opens with it
    assert SAMPLE_MARKER in content[0].text  # and the JSON carries it as the first warning
    review = call("quarterly_review", {"quarter": "2026Q2"}, sample_ctx)
    assert review["warnings"][0].startswith(SAMPLE_MARKER)
    markdown = (Path(review["report_path"]) / "review.md").read_text(encoding="utf-8")
    head = markdown.split("## ", 1)[0]  # before the first section: under the title
    assert SAMPLE_MARKER in head and "indexdesk data sync --source coingecko" in head


def test_a_stale_price_is_flagged_per_holding_at_the_configured_age(tmp_path):
    import pandas as pd

    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    days = pd.date_range("2025-06-01", "2025-06-30", freq="D")
    frame = pd.DataFrame({"BTC": 100000.0, "ETH": 2500.0}, index=days)
    frame.loc["2025-06-21":, "ETH"] = float("nan")  # ETH's last price: 2025-06-20, ten days before the end
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index_label="date", date_format="%Y-%m-%d")
    flagged = {}
    for limit in (3, 10, 15):
        ctx = ToolContext(settings=Settings(home=tmp_path / f"home{limit}", source=f"csv:{path}",
                                            price_max_age_days=limit))
        for symbol, price in (("BTC", 90000), ("ETH", 2000)):
            call("record_transaction", {"kind": "buy", "symbol": symbol, "quantity": 1, "price": price,
                                        "venue": "kraken", "day": "2025-06-02"}, ctx)
        result = call("get_portfolio", {}, ctx)
        flagged[limit] = {p["name"] for p in result["positions"] if p["price_stale"]}
        if flagged[limit]:
            assert any(w.startswith("ETH: last price is from 2025-06-20, 10 days before 2025-06-30")
                       for w in result["warnings"])
        assert {p["name"]: p["price_date"] for p in result["positions"]} == {
            "BTC": date(2025, 6, 30), "ETH": date(2025, 6, 20)}
    assert flagged == {3: {"ETH"}, 10: set(), 15: set()}  # older than the limit, not equal to it


# ------------------------------------------------------------------ coin targets on every weights tool

COIN_TARGETS = {"BTC": 0.35, "ETH": 0.20, "SOL": 0.20, "LINK": 0.15, "DOGE": 0.10}  # core 55, sat 35, spec 10


@pytest.fixture(scope="module")
def targets_ctx(shared_data, tmp_path_factory):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    ctx = ToolContext(settings=Settings(home=tmp_path_factory.mktemp("coin_targets"),
                                        source=f"csv:{shared_data / 'prices_daily.csv'}"))
    call("set_targets", {"indices": [{"name": n, "weight": w} for n, w in COIN_TARGETS.items()]}, ctx)
    return ctx


def test_without_a_ledger_every_weights_tool_takes_the_coin_targets_as_the_template(targets_ctx):
    for name, args in (("compute_var", {}), ("stress_test", {"scenarios": ["tier_shock"]}),
                       ("size_positions", {"target_volatility": 0.6}), ("propose_rotation", {}),
                       ("check_rebalance", {})):
        result = call(name, args, targets_ctx)
        assert result["origin"] == "tier template (ledger empty)", name
        names = ([c["name"] for c in result["components"]] if name == "compute_var" else
                 [p["name"] for p in result["positions"]] if name == "size_positions" else
                 [line["name"] for line in result.get("lines", [])] or list(COIN_TARGETS))
        assert set(names) == set(COIN_TARGETS), (name, names)
    stress = call("stress_test", {"scenarios": ["tier_shock"]}, targets_ctx)
    assert stress["scenarios"][0]["pnl"] == pytest.approx(0.55 * -0.3 + 0.35 * -0.5 + 0.10 * -0.7, abs=1e-4)


def test_rebalance_towards_coin_targets_hand_worked(targets_ctx):
    on_target = call("check_rebalance", {"weights": COIN_TARGETS}, targets_ctx)
    assert on_target["act"] is False and all(line["trade"] == 0 for line in on_target["lines"])
    drifted = dict(COIN_TARGETS, BTC=0.45, ETH=0.10)  # BTC 45 % vs 35 % (29 % off), ETH 10 % vs 20 %
    result = call("check_rebalance", {"weights": drifted}, targets_ctx)
    trades = {line["name"]: line["trade"] for line in result["lines"]}
    assert result["act"] is True and trades["BTC"] == pytest.approx(-0.10) and trades["ETH"] == pytest.approx(0.10)
    assert all(trades[n] == 0 for n in ("SOL", "LINK", "DOGE")) and "cash" not in trades
    assert result["residual"] == pytest.approx(0.0, abs=1e-9)
    assert {line["name"]: line["tier"] for line in result["lines"]} == {
        "BTC": "core", "ETH": "core", "SOL": "satellite", "LINK": "satellite", "DOGE": "speculative"}
    partial = call("check_rebalance", {"weights": {"BTC": 0.5, "XRP": 0.3}}, targets_ctx)  # 20 % cash, XRP outside
    lines = {line["name"]: line for line in partial["lines"]}
    assert lines["XRP"]["trade"] == pytest.approx(-0.3) and lines["ETH"]["trade"] == pytest.approx(0.2)
    assert lines["cash"]["current"] == pytest.approx(0.2) and lines["cash"]["trade"] == pytest.approx(-0.2)
    assert "XRP" in lines["cash"]["note"] and "buys paid from cash" in lines["cash"]["note"]
    assert sum(line["trade"] for line in partial["lines"]) == pytest.approx(partial["residual"], abs=1e-9)
    assert abs(partial["residual"]) < 1e-3


def test_backtest_and_attribution_on_coin_weights_against_coin_targets(targets_ctx):
    backtest = call("backtest", {"strategy": "momentum", "weights": COIN_TARGETS, "start": "2024-01-01",
                                 "end": "2025-06-30"}, targets_ctx)
    assert backtest["origin"] == "explicit weights" and "error" not in backtest
    attribution = call("attribute_performance", {"weights": COIN_TARGETS, "start": "2025-01-01",
                                                 "end": "2025-06-30"}, targets_ctx)
    # the holdings' start weights are the coin targets themselves: no index-selection effect
    assert attribution["index_selection"] == pytest.approx(0.0, abs=1e-12)
    parts = attribution["beta"] + attribution["index_selection"] + attribution["timing"] + attribution["cost_drag"]
    assert parts == pytest.approx(attribution["total"], abs=1e-9)


def test_custom_tier_ranges_reach_the_rotation_and_its_errors(targets_ctx, tmp_path):
    from indexdesk.tools.context import ToolContext

    ctx = ToolContext(settings=targets_ctx.settings.model_copy(update={"home": tmp_path / "ranges"}))
    call("set_targets", {"indices": [{"name": n, "weight": w} for n, w in COIN_TARGETS.items()],
                         "tier_ranges": [{"tier": "core", "low": 0.55, "high": 0.55}]}, ctx)
    bad = toolkit.call("propose_rotation", {"tilt": 0.3}, ctx)
    assert "core 55-55 %, satellite 30-40 %, speculative 10-20 %" in bad["error"]
    result = call("propose_rotation", {"strategy": "momentum", "tilt": 0.05}, ctx)
    core = sum(line["target"] for line in result["lines"] if line["tier"] == "core")
    assert core == pytest.approx(0.55, abs=1e-4)  # pinned by the file's range, whatever momentum says
