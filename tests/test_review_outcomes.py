"""Decision outcomes: hand-made entries against hand-made levels, the hit rate, and the sample market."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from indexdesk.memory.journal.models import JournalEntry, Position
from tests.review_support import sample_ctx  # noqa: F401 - fixture
from indexdesk.tools.review.outcomes import compute_outcomes, decision_outcome, hit_rate, is_assessable_decision

DAY0 = date(2026, 1, 10)


def entry(action: str, positions: list[Position], day: date = DAY0, kind: str = "decision", **extra) -> JournalEntry:
    return JournalEntry(text=f"{action} test entry", kind=kind, action=action, positions=positions,
                        timestamp=datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc), **extra)


def stepped_levels(points: dict[str, dict[int, float]], days: int = 120) -> pd.DataFrame:
    """Daily levels from DAY0 holding each given value until the next one (the frame a level panel gives)."""
    index = pd.date_range(DAY0 - timedelta(days=5), periods=days, freq="D")
    frame = pd.DataFrame(index=index, columns=list(points), dtype=float)
    for name, values in points.items():
        for offset, value in values.items():
            frame.loc[pd.Timestamp(DAY0 + timedelta(days=offset)), name] = value
    return frame.ffill()


ROTATION = [Position(name="layer1", direction="out_of", weight_change_pct=-5.0),
            Position(name="defi", direction="into", weight_change_pct=5.0)]
# defi 100 -> 110 (30 d) -> 120 (90 d); layer1 200 -> 190 -> 260
LEVELS = stepped_levels({"defi": {0: 100.0, 30: 110.0, 90: 120.0}, "layer1": {0: 200.0, 30: 190.0, 90: 260.0}})


def test_rotation_outcome_against_hand_levels():
    outcome = decision_outcome(entry("rotate", ROTATION), LEVELS, last_day=DAY0 + timedelta(days=110),
                               portfolio_value=100_000)
    h30, h90 = outcome.at(30), outcome.at(90)
    # 30 days: defi +10 %, layer1 -5 %: the rotation beat what it sold by 15 pp on a 5 pp move.
    assert (h30.status, h30.end) == ("done", DAY0 + timedelta(days=30))
    assert h30.into_return == pytest.approx(0.10) and h30.out_of_return == pytest.approx(-0.05)
    assert h30.relative_return == pytest.approx(0.15) and h30.hit is True
    assert h30.pnl_fraction == pytest.approx(0.05 * 0.15) and h30.pnl_amount == pytest.approx(750.0)
    # 90 days: defi +20 %, layer1 +30 %: it lagged by 10 pp.
    assert h90.relative_return == pytest.approx(-0.10) and h90.hit is False
    assert h90.pnl_fraction == pytest.approx(-0.005) and h90.pnl_amount == pytest.approx(-500.0)
    assert (outcome.into, outcome.out_of, outcome.weight_change_pct) == (["defi"], ["layer1"], 5.0)
    assert outcome.describe() == "rotate layer1 → defi (5 pp)"


def test_not_enough_time_is_pending_not_a_verdict():
    outcome = decision_outcome(entry("rotate", ROTATION), LEVELS, last_day=DAY0 + timedelta(days=45))
    assert outcome.at(30).hit is True
    assert outcome.at(90).status == "pending" and outcome.at(90).hit is None and outcome.at(90).relative_return is None


def test_a_buy_is_judged_against_cash_and_a_sale_against_holding_on():
    bought = decision_outcome(entry("buy", [Position(name="defi", direction="into", amount=2000.0)]), LEVELS,
                              last_day=DAY0 + timedelta(days=100))
    assert bought.at(30).relative_return == pytest.approx(0.10) and bought.at(30).hit is True
    assert bought.at(30).out_of_return is None
    assert bought.at(30).pnl_amount == pytest.approx(200.0) and bought.at(30).pnl_fraction is None  # amount, no weight
    sold = decision_outcome(entry("sell", [Position(name="layer1", direction="out_of", weight_change_pct=-3.0)]),
                            LEVELS, last_day=DAY0 + timedelta(days=100))
    assert sold.at(30).relative_return == pytest.approx(0.05) and sold.at(30).hit is True  # it fell 5 % after the sale
    assert sold.at(90).relative_return == pytest.approx(-0.30) and sold.at(90).hit is False
    assert sold.at(90).pnl_fraction == pytest.approx(-0.03 * 0.30)


def test_several_names_on_one_side_are_weighted_by_their_stated_size():
    levels = stepped_levels({"a": {0: 100.0, 30: 110.0}, "b": {0: 100.0, 30: 80.0}, "c": {0: 50.0, 30: 50.0}})
    positions = [Position(name="a", direction="into", weight_change_pct=3.0),
                 Position(name="b", direction="into", weight_change_pct=1.0),
                 Position(name="c", direction="out_of", weight_change_pct=-4.0)]
    h30 = decision_outcome(entry("rebalance", positions), levels, last_day=DAY0 + timedelta(days=40)).at(30)
    assert h30.into_return == pytest.approx((3 * 0.10 + 1 * -0.20) / 4)  # 0.025
    assert h30.relative_return == pytest.approx(0.025) and h30.pnl_fraction == pytest.approx(0.04 * 0.025)


def test_missing_or_stale_prices_give_no_verdict():
    levels = stepped_levels({"defi": {10: 100.0, 30: 110.0}, "layer1": {0: 200.0, 30: 190.0}})  # defi starts late
    outcome = decision_outcome(entry("rotate", ROTATION), levels, last_day=DAY0 + timedelta(days=100))
    assert outcome.at(30).status == "no_data" and outcome.at(30).hit is None
    assert outcome.notes
    # a series that stopped 20 days before the horizon is not priced there (delisted), not read as flat
    ended = LEVELS.copy()
    ended.loc[pd.Timestamp(DAY0 + timedelta(days=70)):, "layer1"] = float("nan")
    assert decision_outcome(entry("rotate", ROTATION), ended, last_day=DAY0 + timedelta(days=110)).at(90).status == "no_data"


def test_a_decision_without_direction_cannot_be_assessed():
    held = decision_outcome(entry("rebalance", [Position(name="defi", direction="held")]), LEVELS,
                            last_day=DAY0 + timedelta(days=100))
    assert {h.status for h in held.horizons} == {"unassessable"}
    assert not is_assessable_decision(entry("hold", []))
    assert not is_assessable_decision(entry("rotate", ROTATION, kind="note"))
    assert is_assessable_decision(entry("rotate", ROTATION))


def test_hit_rate_counts_verdicts_only():
    last = DAY0 + timedelta(days=100)
    right = decision_outcome(entry("buy", [Position(name="defi", direction="into")]), LEVELS, last)
    wrong = decision_outcome(entry("sell", [Position(name="defi", direction="out_of")]), LEVELS, last)
    late = decision_outcome(entry("buy", [Position(name="defi", direction="into")], day=DAY0 + timedelta(days=20)),
                            LEVELS, last)
    rate30 = hit_rate([right, wrong, late], 30)
    # late: day 20 -> 50 reads 100 -> 110 (+10 %), a hit; its 90 days end after the data
    assert (rate30.hits, rate30.assessed, rate30.pending) == (2, 3, 0)
    assert rate30.rate == pytest.approx(2 / 3)
    rate90 = hit_rate([right, wrong, late], 90)
    assert (rate90.hits, rate90.assessed, rate90.pending) == (1, 2, 1)
    assert math.isnan(hit_rate([], 30).rate)


def test_outcomes_on_the_sample_market_match_its_levels(sample_ctx):
    from indexdesk.tools.indices import series

    day = date(2026, 7, 10)
    rotation = entry("rotate", [Position(name="layer1", direction="out_of", weight_change_pct=-5.0),
                                Position(name="defi", direction="into", weight_change_pct=5.0)], day=day)
    unknown = entry("buy", [Position(name="no_such_index", direction="into")], day=day)
    outcomes, warnings = compute_outcomes(sample_ctx, [rotation, unknown], portfolio_value=50_000)
    levels, _ = series.level_panel(sample_ctx, ["defi", "layer1"])
    at = lambda name, d: float(levels.loc[pd.Timestamp(d), name])  # noqa: E731
    for days in (30, 90):
        end = day + timedelta(days=days)
        expected = (at("defi", end) / at("defi", day) - 1) - (at("layer1", end) / at("layer1", day) - 1)
        h = outcomes[0].at(days)
        assert h.relative_return == pytest.approx(expected, abs=1e-12)
        assert h.hit is (expected > 0)
        assert h.pnl_amount == pytest.approx(0.05 * expected * 50_000)
    assert outcomes[1].at(30).status == "no_data"
    assert any("no_such_index" in w and "cannot be assessed" in w for w in warnings)


def test_a_stated_amount_keeps_the_currency_the_entry_named_and_none_it_did_not():
    """"bought ETH for €2,000" is 2,000 euros in the review, never "$2,000"; an amount stated with no
    currency is shown without a symbol (a reviewer found both printed as dollars)."""
    from indexdesk.memory.journal.parser import parse_text
    from indexdesk.tools.review.lessons import decision_sentence

    euros = parse_text("bought ETH for €2,000 after the dip", DAY0).positions
    assert [(p.name, p.amount, p.currency) for p in euros] == [("ETH", 2000.0, "EUR")]
    assert parse_text("added $3k to BTC", DAY0).positions[0].currency == "USD"
    bare = parse_text("added 2k to BTC", DAY0).positions[0]
    assert bare.amount == 2000.0 and bare.currency is None

    levels = stepped_levels({"ETH": {0: 100.0, 30: 110.0}})
    outcome = decision_outcome(entry("buy", euros), levels, last_day=DAY0 + timedelta(days=40))
    assert outcome.currency == "EUR" and outcome.describe() == "buy ETH (2,000 EUR)"
    assert "+200 EUR" in decision_sentence(outcome, outcome.at(30))
    unnamed = decision_outcome(entry("buy", [Position(name="ETH", direction="into", amount=2000.0)]), levels,
                               last_day=DAY0 + timedelta(days=40))
    assert unnamed.currency is None and unnamed.describe() == "buy ETH (2,000)"
    assert "$" not in decision_sentence(unnamed, unnamed.at(30))
