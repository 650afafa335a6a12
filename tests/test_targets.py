"""The static target portfolio: defaults, the user's targets.toml over them, and clear errors on a bad file."""

from __future__ import annotations

import os

import pytest

from indexdesk.tools.errors import ToolError
from indexdesk.tools.targets import default_targets, parse_targets_text, targets, targets_path

KNOWN = {"large_cap", "balanced", "layer1", "defi", "ai_data", "memecoins", "gaming", "stablecoin_cash"}


def test_default_tiers_and_weights():
    goal = default_targets()
    assert [(t.name, t.weight) for t in goal.tiers] == [("core", 55.0), ("satellite", 35.0), ("speculative", 10.0)]
    assert goal.weights() == pytest.approx({"large_cap": 0.35, "balanced": 0.20, "layer1": 0.15, "defi": 0.10,
                                            "ai_data": 0.10, "memecoins": 0.10})
    assert sum(goal.weights().values()) == pytest.approx(1.0)
    assert goal.tier_of("defi") == "satellite" and goal.tier_of("BTC") is None
    risk = goal.risk
    assert (risk.target_volatility, risk.max_drawdown, risk.min_sharpe, risk.var_confidence) == (0.80, 0.35, 1.0, 0.95)
    # the VaR budget is the normal 1-day VaR at the target volatility, rounded: 1.645 * 0.8 / sqrt(365)
    assert risk.var_budget == pytest.approx(1.6449 * 0.80 / 365 ** 0.5, abs=0.002)


def test_a_risk_only_file_keeps_the_default_tiers():
    goal = parse_targets_text("[risk]\ntarget_volatility = 0.6\nvar_budget = 0.05\n", "t.toml", KNOWN)
    assert goal.tiers == default_targets().tiers
    assert (goal.risk.target_volatility, goal.risk.var_budget, goal.risk.max_drawdown) == (0.6, 0.05, 0.35)
    assert goal.origin == "t.toml"


def test_tiers_replace_the_defaults_and_percentages_may_be_fractional():
    text = """
[tiers.core]
large_cap = 33.33
[tiers.satellite]
DeFi = 33.33
[tiers.cash]
stablecoin_cash = 33.34
"""
    goal = parse_targets_text(text, "t.toml", KNOWN)
    assert [t.name for t in goal.tiers] == ["core", "satellite", "cash"]
    assert goal.weights() == pytest.approx({"large_cap": 0.3333, "defi": 0.3333, "stablecoin_cash": 0.3334})
    assert goal.risk == default_targets().risk


@pytest.mark.parametrize("text, message", [
    ("[tiers.core\nlarge_cap = 100", "not valid TOML"),
    ("[tiers.core]\nlarge_cap = 60\n[tiers.satellite]\ndefi = 35\n", r"add up to 95%, not 100% \(core 60, satellite 35\)"),
    ("[tiers.core]\ndefii = 100\n", "unknown index or asset 'defii'; did you mean 'defi'"),
    ("[tiers.satelite]\ndefi = 100\n", "unknown tier 'satelite'; did you mean 'satellite'"),
    ("[tier.core]\ndefi = 100\n", "unknown section 'tier'; did you mean 'tiers'"),
    ("[risk]\ntarget_vol = 0.5\n", "unknown risk target 'target_vol'; did you mean 'target_volatility'"),
    ("[risk]\nmax_drawdown = 35\n", "risk.max_drawdown: .*less than or equal to 1"),
    ("[risk]\nvar_confidence = 0.3\n", "risk.var_confidence"),
    ("[tiers.core]\nlarge_cap = -10\nbalanced = 110\n", "above 0 and at most 100"),
    ("[tiers.core]\nlarge_cap = '55'\nbalanced = 45\n", "must be a number"),
    ("[tiers.core]\nlarge_cap = 50\n[tiers.satellite]\nlarge_cap = 50\n", "in both \\[tiers.core\\] and \\[tiers.satellite\\]"),
    ("[tiers.core]\n", r"\[tiers.core\] must list indices"),
    ("tiers = 3\n", r"\[tiers\] must hold tables"),
])
def test_bad_files_are_refused_with_the_file_and_key_named(text, message):
    with pytest.raises(ToolError, match=message) as info:
        parse_targets_text(text, "/home/me/targets.toml", KNOWN)
    assert "/home/me/targets.toml" in info.value.message


def test_targets_reads_the_home_file_checks_the_catalogue_and_rereads_on_change(ctx):
    assert targets(ctx) == default_targets()  # no file: the defaults, nothing created
    path = targets_path(ctx)
    assert not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[tiers.core]\nlarge_cap = 50\n[tiers.satellite]\ndefi = 50\n")
    assert targets(ctx).weights() == {"large_cap": 0.5, "defi": 0.5}
    path.write_text("[tiers.core]\nlarge_capp = 100\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # same-tick writes still count as a change
    with pytest.raises(ToolError, match="unknown index or asset 'large_capp'; did you mean 'large_cap'"):
        targets(ctx)


# ------------------------------------------------------------------ coins as targets, the tier map, tier ranges

SYMBOLS = {"BTC", "ETH", "SOL", "DOGE", "LINK", "AVAX", "PEPE", "USDC"}


def test_targets_name_coins_and_indices_side_by_side_in_their_own_case():
    text = "[tiers.core]\nbtc = 35\nETH = 20\n[tiers.satellite]\nSol = 10\nDeFi = 25\n[tiers.speculative]\nmemecoins = 10\n"
    goal = parse_targets_text(text, "t.toml", KNOWN, SYMBOLS)
    assert goal.weights() == pytest.approx({"BTC": 0.35, "ETH": 0.2, "SOL": 0.1, "defi": 0.25, "memecoins": 0.1})
    assert goal.tier_of("BTC") == "core" and goal.tier_of("SOL") == "satellite" and goal.tier_of("DOGE") is None
    with pytest.raises(ToolError, match=r"unknown index or asset 'BTTC'; did you mean 'BTC'"):
        parse_targets_text("[tiers.core]\nBTTC = 100\n", "t.toml", KNOWN, SYMBOLS)


def test_the_default_tier_map_of_single_assets():
    from indexdesk.tools.targets import default_asset_tier

    assert [default_asset_tier(s) for s in ("BTC", "ETH", "SOL", "LINK", "AVAX", "DOGE", "PEPE", "USDC", "FET")] == [
        "core", "core", "satellite", "satellite", "satellite", "speculative", "speculative", "cash", "speculative"]


def test_holding_tiers_edit_the_map_and_one_holding_has_one_tier(ctx):
    from indexdesk.tools.targets import holding_tier

    goal = parse_targets_text('[holding_tiers]\nDOGE = "satellite"\ngaming = "core"\n', "t.toml", KNOWN, SYMBOLS)
    assert goal.holding_tiers == {"DOGE": "satellite", "gaming": "core"} and goal.tiers == default_targets().tiers
    with pytest.raises(ToolError, match=r"BTC is in \[tiers.core\] but \[holding_tiers\] says satellite"):
        parse_targets_text('[tiers.core]\nBTC = 100\n[holding_tiers]\nBTC = "satellite"\n', "t.toml", KNOWN, SYMBOLS)
    with pytest.raises(ToolError, match="unknown tier 'sattelite'; did you mean 'satellite'"):
        parse_targets_text('[holding_tiers]\nDOGE = "sattelite"\n', "t.toml", KNOWN, SYMBOLS)
    path = targets_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[holding_tiers]\nDOGE = "satellite"\n')
    # targets first, then [holding_tiers], then an index's catalogue tier, then the default map
    assert [holding_tier(ctx, n) for n in ("large_cap", "DOGE", "defi", "memecoins", "BTC", "PEPE")] == [
        "core", "satellite", "satellite", "speculative", "core", "speculative"]


def test_tier_ranges_are_read_from_the_file_in_percent():
    from indexdesk.tools.targets import DEFAULT_RANGES, describe_ranges

    assert default_targets().ranges == DEFAULT_RANGES and not default_targets().ranges_set
    goal = parse_targets_text("[tier_ranges]\ncore = [40, 70]\nspeculative = [0, 25.5]\n", "t.toml", KNOWN)
    assert goal.ranges_set and goal.ranges == {"core": (0.40, 0.70), "satellite": (0.30, 0.40),
                                               "speculative": (0.0, 0.255)}
    assert describe_ranges(goal.ranges) == "core 40-70 %, satellite 30-40 %, speculative 0-25.5 %"
    for bad in ("core = [60, 50]", "core = [50]", "core = 50", "core = [-1, 50]", "core = [50, 101]",
                "core = ['a', 60]"):
        with pytest.raises(ToolError, match=r"tier_ranges.core must be \[low, high\] percentages"):
            parse_targets_text(f"[tier_ranges]\n{bad}\n", "t.toml", KNOWN)
    with pytest.raises(ToolError, match="unknown tier 'cor'"):
        parse_targets_text("[tier_ranges]\ncor = [50, 60]\n", "t.toml", KNOWN)


def test_set_targets_by_coin_writes_the_file_keeps_other_sections_and_ranges(ctx):
    from indexdesk.tools.portfolio.tools import set_targets
    from indexdesk.tools.portfolio.models import IndexTarget, TierRange
    from indexdesk.tools.targets import tier_ranges

    path = targets_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[holding_tiers]\nDOGE = "satellite"\n\n[risk]\ntarget_volatility = 0.6\n')
    weights = {"BTC": 0.35, "ETH": 0.2, "SOL": 0.1, "DOGE": 0.05, "defi": 0.2, "memecoins": 0.1}
    result = set_targets(ctx, indices=[IndexTarget(name=n.lower() if n == "BTC" else n, weight=w)
                                       for n, w in weights.items()],
                         tier_ranges=[TierRange(tier="core", low=0.5, high=0.7)])
    goal = targets(ctx)
    assert goal.weights() == pytest.approx(weights)  # "btc" was written as BTC
    assert {t.name: round(t.weight, 6) for t in goal.tiers} == {"core": 55.0, "satellite": 35.0, "speculative": 10.0}
    assert goal.tier_of("DOGE") == "satellite"  # [holding_tiers] decided its tier, and was kept
    assert goal.risk.target_volatility == 0.6 and goal.ranges["core"] == (0.5, 0.7)
    assert tier_ranges(ctx)["core"] == (0.5, 0.7)
    assert {t.tier: (t.low, t.high) for t in result.tiers}["core"] == (0.5, 0.7)
    assert {i.name for i in result.indices} == set(weights)
    text = path.read_text()
    assert "[tier_ranges]" in text and "core = [50.0, 70.0]" in text and 'DOGE = "satellite"' in text
