"""The strategy tools through the registry call path: real prices, hand-made lots, bad input."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from indexdesk.tools.registry import Registry, is_error

TOOLS = ["indexdesk.tools.strategy.tools", "indexdesk.tools.strategy.backtest_tools", "indexdesk.tools.strategy.harvest"]


@pytest.fixture(scope="module")
def registry():
    return Registry.from_modules(TOOLS)


@pytest.fixture(scope="module")
def real_ctx(shared_data, tmp_path_factory):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    home = tmp_path_factory.mktemp("strategy_home")
    return ToolContext(settings=Settings(home=home, source=f"csv:{shared_data / 'prices_daily.csv'}"))


def csv_ctx(tmp_path, frame: pd.DataFrame):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    path = tmp_path / "prices.csv"
    frame.to_csv(path, index_label="date", date_format="%Y-%m-%d")
    return ToolContext(settings=Settings(home=tmp_path / "home", source=f"csv:{path}"))


def tokens(result: dict) -> int:
    return len(json.dumps(result, default=str)) // 4


@dataclass
class Lot:
    lot_id: str
    symbol: str
    venue: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: date


# ------------------------------------------------------------------ propose_rotation

@pytest.mark.parametrize("strategy", ["momentum", "mean_reversion", "blended", "pair"])
def test_rotation_on_the_tier_template(registry, real_ctx, strategy):
    result = registry.call("propose_rotation", {"strategy": strategy}, real_ctx)
    assert not is_error(result), result
    assert result["origin"] == "tier template (ledger empty)"
    assert [line["name"] for line in result["lines"]] == ["large_cap", "balanced", "layer1", "defi", "ai_data",
                                                          "memecoins"]
    assert sum(line["target"] for line in result["lines"]) == pytest.approx(1.0, abs=1e-3)
    assert all(line["target"] >= 0 for line in result["lines"])
    assert sum(line["trade"] for line in result["lines"]) == pytest.approx(0.0, abs=1e-3)
    assert result["backtest"].startswith(strategy)
    # The coverage gap of an index travels with the numbers built on it.
    assert any("defi" in w and "1 of 8 constituents" in w for w in result["warnings"])
    assert tokens(result) <= 900


def test_momentum_tilts_the_ranked_ends(registry, real_ctx):
    result = registry.call("propose_rotation", {"weights": {"large_cap": 0.25, "layer1": 0.25, "defi": 0.25,
                                                            "memecoins": 0.25}, "tilt": 0.05}, real_ctx)
    assert result["origin"] == "explicit weights"
    signals = {line["name"]: line["signal"] for line in result["lines"]}
    best, worst = max(signals, key=signals.get), min(signals, key=signals.get)
    trades = {line["name"]: line["trade"] for line in result["lines"]}
    assert trades[best] > 0 > trades[worst]
    assert result["turnover"] == pytest.approx(sum(abs(t) for t in trades.values()), abs=1e-3)
    assert result["estimated_cost"] == pytest.approx(result["turnover"] * 15 / 1e4, abs=1e-6)


@pytest.mark.parametrize("args, needle", [
    ({"strategy": "momentun"}, "did you mean 'momentum'"),
    ({"tilt": 0.3}, "tier"),
    ({"tilt": -0.05}, "tilt"),
    ({"lookback": 2}, "lookback"),
    ({"weights": [{"name": "defi", "weight": 0}]}, "zero"),
    ({"strategy": "pair", "pair": ["defi", "payments"]}, "not among the holdings"),
    ({"weights": {"defi": -0.5, "large_cap": 1.5}}, "long-only"),
])
def test_rotation_bad_input_is_a_clear_error(registry, real_ctx, args, needle):
    result = registry.call("propose_rotation", args, real_ctx)
    assert is_error(result)
    assert needle in result["error"]


def test_tilt_in_percent_is_read_and_said(registry, real_ctx):
    result = registry.call("propose_rotation", {"tilt": 7.5}, real_ctx)
    assert result["tilt"] == 0.075
    assert any("read as 0.075" in w for w in result["warnings"])


def test_too_little_history_for_the_lookback(registry, tmp_path):
    index = pd.date_range("2024-01-01", periods=100, freq="D")
    frame = pd.DataFrame({"BTC": np.linspace(100, 120, 100), "ETH": np.linspace(10, 9, 100)}, index=index)
    ctx = csv_ctx(tmp_path, frame)
    result = registry.call("propose_rotation", {"weights": {"BTC": 0.5, "ETH": 0.5}, "lookback": 90}, ctx)
    assert is_error(result) and "lookback" in result["error"]
    ok = registry.call("propose_rotation", {"weights": {"BTC": 0.5, "ETH": 0.5}, "lookback": 30}, ctx)
    assert not is_error(ok), ok
    assert {line["name"]: line["trade"] for line in ok["lines"]} == {"BTC": 0.05, "ETH": -0.05}


# ------------------------------------------------------------------ tier_allocation, check_rebalance

def test_tier_allocation_names_its_inputs(registry, real_ctx):
    result = registry.call("tier_allocation", {"stablecoin_sleeve": 0.2}, real_ctx)
    assert result["regime"] in ("bull", "bear", "neutral")
    assert result["btc_price"] > 0 and result["btc_200d_average"] > 0
    tiers = {t["tier"]: t["target"] for t in result["tiers"]}
    assert sum(tiers.values()) == pytest.approx(1.0, abs=1e-3)


def test_sleeve_beyond_half_of_core_is_an_error_not_a_percentage(registry, real_ctx):
    result = registry.call("tier_allocation", {"stablecoin_sleeve": 0.9}, real_ctx)
    assert is_error(result) and "at most 0.5" in result["error"]


def test_regime_rule():
    from indexdesk.tools.strategy.tools import regime_of

    assert regime_of(110, 100, 0.5) == "bull"
    assert regime_of(110, 100, 0.9) == "neutral"
    assert regime_of(90, 100, 0.5) == "bear"


def test_check_rebalance_asymmetric_bands_hand_worked(registry, real_ctx):
    # Targets: large_cap 35 %, defi 10 %, memecoins 10 %. Bands ×0.7 / ×1.5.
    inside = {"large_cap": 0.30, "balanced": 0.2, "layer1": 0.15, "defi": 0.14, "ai_data": 0.11, "memecoins": 0.10}
    result = registry.call("check_rebalance", {"policy": "asymmetric_bands", "weights": inside}, real_ctx)
    assert result["act"] is False, result["reason"]
    outside = dict(inside, defi=0.16, large_cap=0.28)  # defi 16 % > 15 %
    result = registry.call("check_rebalance", {"policy": "asymmetric_bands", "weights": outside}, real_ctx)
    assert result["act"] is True
    trades = {line["name"]: line["trade"] for line in result["lines"]}
    assert trades["defi"] == pytest.approx(-0.06)
    threshold = registry.call("check_rebalance", {"policy": "threshold", "weights": inside}, real_ctx)
    assert threshold["act"] is True  # defi 14 % is 40 % off its 10 % target


def test_check_rebalance_sells_tax_aware_from_ledger_lots(registry, real_ctx, monkeypatch):
    from indexdesk.tools.strategy import lots_source

    close = real_ctx.market().close["BTC"].dropna()
    price = float(close.iloc[-1])
    today = close.index[-1].date()
    lots = [Lot("gain", "BTC", "kraken", Decimal("0.5"), Decimal(str(price * 0.25)), date(2020, 1, 1)),
            Lot("loss", "BTC", "kraken", Decimal("0.5"), Decimal(str(price * 0.75)), today.replace(day=1))]
    monkeypatch.setattr(lots_source, "open_lots", lambda ctx, warnings, as_of=None: lots)
    weights = {"BTC": 0.5, "large_cap": 0.35, "balanced": 0.15}
    result = registry.call("check_rebalance", {"policy": "threshold", "weights": weights}, real_ctx)
    assert result["act"] is True
    assert [s["lot_id"] for s in result["sells"]][0] == "loss"
    assert result["estimated_tax"] is not None


def test_volatility_trigger_says_the_volatility(registry, real_ctx):
    result = registry.call("check_rebalance", {"policy": "volatility_trigger"}, real_ctx)
    assert "BTC 30-day volatility" in result["reason"]
    assert any("tier template" in w for w in result["warnings"])


# ------------------------------------------------------------------ harvest_losses

def test_harvest_without_ledger_says_so(registry, real_ctx):
    result = registry.call("harvest_losses", {}, real_ctx)
    assert result["lots"] == [] and any("no ledger lots" in w for w in result["warnings"])


def test_harvest_finds_losses_and_a_replacement(registry, real_ctx, monkeypatch):
    from indexdesk.tools.strategy import lots_source

    price = float(real_ctx.market().close["ETH"].dropna().iloc[-1])
    lots = [Lot("e1", "ETH", "kraken", Decimal(2), Decimal(str(price * 2 + 1000)), date(2024, 1, 1)),
            Lot("e2", "ETH", "kraken", Decimal(1), Decimal(str(price - 500)), date(2024, 1, 1))]
    monkeypatch.setattr(lots_source, "open_lots", lambda ctx, warnings, as_of=None: lots)
    result = registry.call("harvest_losses", {"min_loss": 100, "tax_rate": 0.25}, real_ctx)
    assert [line["lot_id"] for line in result["lots"]] == ["e1"]
    assert result["lots"][0]["loss"] == pytest.approx(1000, abs=0.01)
    assert result["total_tax_saved"] == pytest.approx(250, abs=0.01)
    assert result["lots"][0]["replacement"] and result["lots"][0]["replacement_correlation"] > 0.5


# ------------------------------------------------------------------ backtest, attribution

def test_backtest_compares_with_static_and_buy_and_hold(registry, real_ctx):
    result = registry.call("backtest", {"strategy": "momentum", "start": "2021-06-01", "end": "2024-06-01"}, real_ctx)
    assert not is_error(result), result
    assert [s["name"] for s in result["stats"]] == ["momentum", "static targets", "buy and hold"]
    assert str(result["start"]) >= "2021-06-01" and str(result["end"]) <= "2024-06-01"
    assert result["cost_drag_per_year"] <= 0 and result["trades"] > 0
    static, hold = result["stats"][1], result["stats"][2]
    assert static["total_return"] != hold["total_return"]  # the targets are rebalanced, buy-and-hold is not
    assert all(s["max_drawdown"] >= -1 for s in result["stats"])


def test_backtest_sweep_reports_out_of_sample(registry, real_ctx):
    result = registry.call("backtest", {"sweep": "lookback=30:90:30 tilt=0.05,0.1 cadence=monthly,weekly"}, real_ctx)
    sweep = result["sweep"]
    assert sweep["configurations"] == 12
    assert len(sweep["top"]) == 5
    assert "held-back data" in sweep["verdict"] or "in sample" in sweep["verdict"]
    assert tokens(result) <= 900


@pytest.mark.parametrize("args, needle", [
    ({"start": "2024-01-01", "end": "2023-01-01"}, "not before"),
    ({"start": "yesterday"}, "not a valid date"),
    ({"strategy": "meanreversion"}, "did you mean"),
    ({"policy": "treshold"}, "did you mean 'threshold'"),
    ({"sweep": "lookbak=30:90:30"}, "did you mean 'lookback'"),
    ({"sweep": "lookback=90:30:30"}, "STOP"),
    ({"strategy": "static", "sweep": "default"}, "no parameters"),
])
def test_backtest_bad_input(registry, real_ctx, args, needle):
    result = registry.call("backtest", args, real_ctx)
    assert is_error(result)
    assert needle in result["error"]


def test_backtest_policies_run(registry, real_ctx):
    for policy in ("threshold", "asymmetric_bands", "volatility_trigger"):
        result = registry.call("backtest", {"strategy": "static", "policy": policy, "start": "2022-01-01"}, real_ctx)
        assert not is_error(result), result


def test_attribution_parts_add_up_on_real_data(registry, real_ctx):
    result = registry.call("attribute_performance", {"start": "2023-01-01", "end": "2023-12-31"}, real_ctx)
    assert not is_error(result), result
    parts = result["beta"] + result["index_selection"] + result["timing"] + result["cost_drag"]
    assert parts == pytest.approx(result["total"], abs=1e-12)
    assert result["cost_drag"] <= 0
    assert result["index_selection"] == pytest.approx(0.0, abs=1e-12)  # the template is the benchmark


def test_coins_the_builtin_targets_do_not_name_rebalance_to_the_tier_targets(registry, real_ctx):
    """Coins at venues and no targets.toml: each tier's target (core 55, satellite 35, speculative 10) is
    shared by that tier's holdings in proportion to their weights now — said, not silent."""
    weights = {"BTC": 0.40, "ETH": 0.20, "SOL": 0.10, "DOGE": 0.05}  # 25 % cash
    result = registry.call("check_rebalance", {"weights": weights, "policy": "calendar", "cadence": "weekly"},
                           real_ctx)
    assert not is_error(result), result
    assert result["act"]
    target = {line["name"]: line["target"] for line in result["lines"]}
    assert target["BTC"] == pytest.approx(0.55 * 2 / 3, abs=1e-4) and target["ETH"] == pytest.approx(0.55 / 3, abs=1e-4)
    assert target["SOL"] == pytest.approx(0.35, abs=1e-4) and target["DOGE"] == pytest.approx(0.10, abs=1e-4)
    assert any("rebalancing to the tier targets" in w for w in result["warnings"])


def test_a_tier_with_no_holding_is_not_sold_into_cash(registry, real_ctx):
    result = registry.call("check_rebalance", {"weights": {"BTC": 0.6, "ETH": 0.4}, "policy": "calendar",
                                               "cadence": "weekly"}, real_ctx)
    assert not is_error(result), result
    target = {line["name"]: line["target"] for line in result["lines"]}
    assert target["BTC"] == pytest.approx(0.6, abs=1e-4) and target["ETH"] == pytest.approx(0.4, abs=1e-4)
    assert any("no holding in satellite, speculative" in w for w in result["warnings"])


def test_a_stablecoin_sleeve_is_kept_when_rebalancing_to_the_tier_targets(registry, real_ctx):
    """Stablecoins are the cash tier: rebalancing to the tier targets never sells them; the tiers share the rest."""
    result = registry.call("check_rebalance", {"weights": {"BTC": 0.4, "USDC": 0.3, "DOGE": 0.3}, "policy": "calendar",
                                               "cadence": "weekly"}, real_ctx)
    assert not is_error(result), result
    target = {line["name"]: line["target"] for line in result["lines"]}
    assert target["USDC"] == pytest.approx(0.3, abs=1e-4)
    # core 55 and speculative 10 of 65 held, scaled to the 70 % invested
    assert target["BTC"] == pytest.approx(0.7 * 55 / 65, abs=1e-4) and target["DOGE"] == pytest.approx(0.7 * 10 / 65, abs=1e-4)
    assert any("USDC (outside the tiers: 30.0%) kept" in w for w in result["warnings"])


def test_rebalance_with_no_holding_in_the_users_targets_is_a_clear_error(registry, tmp_path, shared_data):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    home = tmp_path / "home"
    home.mkdir()
    (home / "targets.toml").write_text("[tiers.core]\nlarge_cap = 60\n[tiers.satellite]\ndefi = 30\n"
                                       "[tiers.speculative]\nmemecoins = 10\n", encoding="utf-8")
    ctx = ToolContext(settings=Settings(home=home, source=f"csv:{shared_data / 'prices_daily.csv'}"))
    result = registry.call("check_rebalance", {"weights": {"BTC": 0.6, "ETH": 0.4}}, ctx)
    assert is_error(result) and "none of the holdings" in result["error"]


def test_harvest_prices_index_lots_at_their_level(registry, real_ctx, monkeypatch):
    from indexdesk.tools.indices import series
    from indexdesk.tools.strategy import lots_source

    level = float(series.level_panel(real_ctx, ["layer1"])[0]["layer1"].dropna().iloc[-1])
    lots = [Lot("i1", "layer1", "kraken", Decimal(10), Decimal(str(level * 10 + 700)), date(2024, 1, 1)),
            Lot("x1", "NOPE", "kraken", Decimal(1), Decimal(100), date(2024, 1, 1))]
    monkeypatch.setattr(lots_source, "open_lots", lambda ctx, warnings, as_of=None: lots)
    result = registry.call("harvest_losses", {}, real_ctx)
    assert [line["lot_id"] for line in result["lots"]] == ["i1"]
    assert result["lots"][0]["loss"] == pytest.approx(700, abs=0.01)
    assert result["lots"][0]["replacement"] != "layer1"
    assert any("no price for NOPE" in w for w in result["warnings"])


def test_attribution_on_the_ledger_uses_its_time_weighted_return_and_fees(registry, real_ctx, monkeypatch):
    """With a ledger, total = its TWR, cost drag = fees / start value, timing the rest: still exact."""
    import sys
    import types

    from indexdesk.tools.risk.inputs import Holdings

    @dataclass
    class Tx:
        kind: str
        quantity: Decimal
        price: Decimal | None
        fee: Decimal

    holdings_module = types.ModuleType("indexdesk.tools.portfolio.holdings")
    holdings_module.current_holdings = lambda ctx, as_of=None: Holdings(
        ("large_cap", "defi"), (0.7, 0.3), 50000.0, f"ledger as of {as_of}")
    performance_module = types.ModuleType("indexdesk.tools.portfolio.performance")
    performance_module.ledger_performance = lambda ctx, start, end: types.SimpleNamespace(
        time_weighted_return=0.12, value_start=50000.0)
    monkeypatch.setitem(sys.modules, "indexdesk.tools.portfolio", types.ModuleType("indexdesk.tools.portfolio"))
    monkeypatch.setitem(sys.modules, "indexdesk.tools.portfolio.holdings", holdings_module)
    monkeypatch.setitem(sys.modules, "indexdesk.tools.portfolio.performance", performance_module)
    store = types.SimpleNamespace(transactions=lambda start=None, end=None, symbol=None: [
        Tx("buy", Decimal(1), Decimal(100), Decimal(20)), Tx("fee", Decimal(30), None, Decimal(0))])
    monkeypatch.setattr(real_ctx, "ledger", store)
    result = registry.call("attribute_performance", {"start": "2024-01-01", "end": "2024-03-31"}, real_ctx)
    assert not is_error(result), result
    assert result["origin"] == "ledger as of 2024-01-01" and result["strategy"] == "ledger trades"
    assert result["total"] == 0.12
    assert result["cost_drag"] == pytest.approx(-50 / 50000) and result["tax_drag"] == 0
    parts = result["beta"] + result["index_selection"] + result["timing"] + result["cost_drag"]
    assert parts == pytest.approx(result["total"], abs=1e-12)

    # Sells in the window realised +2,000 and -500 (a closing outside the window does not count):
    # at 30 % that is 450 of tax on a 50,000 start, taken off the total and carried in cost drag.
    closing = lambda gain, day: types.SimpleNamespace(gain=Decimal(gain), proceeds=Decimal(1),  # noqa: E731
                                                      closed=datetime(2024, *day))
    store.book = lambda: types.SimpleNamespace(closings=[closing(2000, (2, 1)), closing(-500, (3, 1)),
                                                         closing(9000, (6, 1))])
    taxed = registry.call("attribute_performance", {"start": "2024-01-01", "end": "2024-03-31"}, real_ctx)
    assert taxed["tax_drag"] == pytest.approx(-450 / 50000)
    assert taxed["total"] == pytest.approx(0.12 - 450 / 50000)
    assert taxed["cost_drag"] == pytest.approx(-50 / 50000 - 450 / 50000)
    assert taxed["timing"] == pytest.approx(result["timing"], abs=1e-12)  # taxes do not move timing
    parts = taxed["beta"] + taxed["index_selection"] + taxed["timing"] + taxed["cost_drag"]
    assert parts == pytest.approx(taxed["total"], abs=1e-12)


def test_harvest_and_rebalance_use_the_configured_holding_period(registry, real_ctx, monkeypatch):
    """The same rule as tax_lots/realized_gains: a lot ~2 years old is long-term at 365 days, short at 1,000."""
    from dataclasses import replace

    from indexdesk.tools.strategy import lots_source

    price = float(real_ctx.market().close["ETH"].dropna().iloc[-1])
    lots = [Lot("e1", "ETH", "kraken", Decimal(2), Decimal(str(price * 2 + 1000)), date(2024, 1, 1))]
    monkeypatch.setattr(lots_source, "open_lots", lambda ctx, warnings, as_of=None: lots)
    default = registry.call("harvest_losses", {"min_loss": 100}, real_ctx)
    longer = replace(real_ctx, settings=real_ctx.settings.model_copy(update={"holding_period_days": 1000}))
    configured = registry.call("harvest_losses", {"min_loss": 100}, longer)
    assert default["lots"][0]["long_term"] is True
    assert configured["lots"][0]["long_term"] is False


def test_sweep_verdict_names_a_disagreement_between_the_two_out_of_sample_tests():
    from indexdesk.tools.strategy.backtest_tools import verdict_text

    mixed = verdict_text(0.12, -0.01, 0.104)
    assert "did no better than the static targets" in mixed and "+10.4%/yr" in mixed and "mixed verdict" in mixed
    held = verdict_text(0.10, 0.015, 0.07)
    assert held.startswith("15% of the in-sample edge held") and "walk-forward edge +7.0%/yr" in held
    assert "mixed" not in verdict_text(0.10, -0.02, -0.03)
    assert verdict_text(-0.01, -0.02, 0.05).startswith("no configuration beat")
