"""[limits], [rebalance], [rotation], [tax] in targets.toml: validated with the file, key, value and range;
kept when set_targets rewrites the file; proposals that would breach a limit say so."""

from __future__ import annotations

import pytest

from indexdesk.tools.errors import ToolError
from indexdesk.tools.limit_checks import LimitReading, breach_notes
from indexdesk.tools.limits import RiskLimits, UserRules, parse_rules, rules_toml
from indexdesk.tools.targets import parse_targets_text


def test_sections_parse_into_rules_and_unset_limits_stay_unset():
    portfolio = parse_targets_text('[limits]\nmax_weight = 0.4\nmax_var = 0.05\nvar_horizon_days = 5\n'
                                   '[rebalance]\npolicy = "Asymmetric_Bands"\nlower = 0.25\n'
                                   '[rotation]\nlookback = 120\n[tax]\nmin_loss = 250\n', "t.toml")
    rules = portfolio.rules
    assert rules.limits.max_weight == 0.4 and rules.limits.max_var == 0.05 and rules.limits.var_horizon_days == 5
    assert rules.limits.max_drawdown is None and rules.limits.max_correlation is None
    assert rules.limits.var_confidence == 0.95 and rules.limits.any_set
    assert rules.rebalance == {"policy": "asymmetric_bands", "lower": 0.25}
    assert rules.rotation == {"lookback": 120} and rules.tax == {"min_loss": 250.0}
    assert parse_targets_text("", "empty.toml").rules == UserRules(origin="empty.toml")
    assert not UserRules().limits.any_set


@pytest.mark.parametrize("text, key, words", [
    ("[limits]\nmax_weight = 1.5", "limits.max_weight", ["1.5", "0.01 to 1"]),
    ("[limits]\nmax_var = -0.1", "limits.max_var", ["-0.1", "0.0005 to 1"]),
    ("[limits]\nvar_confidence = 95", "limits.var_confidence", ["95", "0.5001 to 0.9999"]),
    ("[limits]\nvar_horizon_days = 2.5", "limits.var_horizon_days", ["2.5", "whole number", "1 to 365"]),
    ("[limits]\nmax_correlation = \"high\"", "limits.max_correlation", ["'high'", "-1 to 1"]),
    ("[limits]\nmax_drawdown = true", "limits.max_drawdown", ["True", "0.01 to 1"]),
    ("[limits]\ndrawdown_window = \"5y\"", "limits.drawdown_window", ["5y", "30d, 90d, 180d, 1y, 3y"]),
    ("[rebalance]\npolicy = \"sometimes\"", "rebalance.policy", ["sometimes", "threshold"]),
    ("[rotation]\ntilt = 0.3", "rotation.tilt", ["0.3", "0.001 to 0.1"]),
    ("[tax]\nmin_loss = -5", "tax.min_loss", ["-5", "0 to 1e+12"]),
])
def test_a_bad_value_names_file_key_value_and_range(text, key, words):
    with pytest.raises(ToolError) as caught:
        parse_targets_text(text, "/home/me/targets.toml")
    message = caught.value.message
    assert message.startswith("/home/me/targets.toml: " + key) and caught.value.field == key
    for word in words:
        assert word in message, (word, message)


def test_an_unknown_key_or_section_gets_a_did_you_mean():
    with pytest.raises(ToolError) as caught:
        parse_targets_text("[limits]\nmax_wieght = 0.4", "t.toml")
    assert "max_wieght" in caught.value.message and "max_weight" in caught.value.message
    with pytest.raises(ToolError) as caught:
        parse_targets_text("[limit]\nmax_weight = 0.4", "t.toml")
    assert "limits" in caught.value.message


def test_rules_round_trip_through_toml_text():
    rules = parse_rules("t.toml", {"limits": {"max_weight": 0.35, "correlation_window": "1y"},
                                   "rebalance": {"policy": "calendar", "cadence": "quarterly"},
                                   "rotation": {"strategy": "blended", "tilt": 0.075}, "tax": {"tax_rate": 0.2}})
    again = parse_targets_text(rules_toml(rules), "t.toml").rules
    assert again == rules


def test_breaches_are_strictly_above_the_limit_and_unmeasured_is_not_a_breach():
    readings = [LimitReading("max_weight", 0.4, 0.4, "fraction", "at the limit", "s"),
                LimitReading("max_var", 0.05, 0.0501, "fraction", "just above", "s"),
                LimitReading("max_correlation", 0.9, 0.95, "ratio", "pair", "s"),
                LimitReading("max_drawdown", 0.3, None, "fraction", "not measured", "s")]
    assert [r.breached for r in readings] == [False, True, True, False]
    notes = breach_notes(readings)
    assert notes == ["would breach max_var 5.0%: 5.0% (just above)", "would breach max_correlation 0.90: 0.95 (pair)"]


def test_set_targets_keeps_the_users_limits(ctx):
    from indexdesk.tools.targets import targets, targets_path
    from indexdesk.tools.toolbox import default_registry

    path = targets_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[limits]\nmax_weight = 0.45\n[rotation]\nstrategy = \"mean_reversion\"\n", encoding="utf-8")
    result = default_registry().call("set_targets", {"indices": [{"name": "large_cap", "weight": 0.7},
                                                                 {"name": "defi", "weight": 0.3}]}, ctx)
    assert "error" not in result, result
    rules = targets(ctx).rules
    assert rules.limits.max_weight == 0.45 and rules.rotation == {"strategy": "mean_reversion"}
    assert targets(ctx).weights() == {"large_cap": 0.7, "defi": 0.3}


def test_rotation_and_rebalance_flag_a_proposal_that_breaches_a_limit(ctx):
    """On the sample market: the tier template's large_cap is 35 %; a 30 % max_weight is breached."""
    from indexdesk.tools.strategy.tools import check_rebalance, propose_rotation
    from indexdesk.tools.targets import targets_path

    weights = [{"name": "large_cap", "weight": 0.5}, {"name": "balanced", "weight": 0.1},
               {"name": "layer1", "weight": 0.15}, {"name": "defi", "weight": 0.1},
               {"name": "ai_data", "weight": 0.05}, {"name": "memecoins", "weight": 0.1}]
    from indexdesk.tools.risk.inputs import WeightItem

    items = [WeightItem(**w) for w in weights]
    assert propose_rotation(ctx, weights=items).limit_breaches == []  # no [limits]: nothing flagged
    path = targets_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[limits]\nmax_weight = 0.30\nmax_var = 0.9\n", encoding="utf-8")
    rotation = propose_rotation(ctx, weights=items)
    largest = max(line.target for line in rotation.lines)
    assert largest > 0.30
    assert rotation.limit_breaches == [f"would breach max_weight 30.0%: {largest:.1%} (largest holding: large_cap)"]
    rebalance = check_rebalance(ctx, weights=items, policy="threshold", band=0.1)
    assert rebalance.act and any("max_weight 30.0%: 35.0%" in b for b in rebalance.limit_breaches)
    assert not any("max_var" in b for b in rebalance.limit_breaches)  # 90 % VaR is not breached
    assert RiskLimits(max_var=0.9).any_set
