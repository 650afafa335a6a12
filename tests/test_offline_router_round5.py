"""Round 5 readings of the offline router (issue #17, set H's argument misses): dates said without a year,
"since" with a written-out day, "thru", "as if today were …", a window word inside a longer period."""

from __future__ import annotations

from datetime import date

from indexdesk.agent.offline_dates import find_periods
from indexdesk.agent.offline_router import plan_request

END = date(2026, 11, 30)


def plan(text, vocab, schemas):
    return plan_request(text, vocab, schemas, data_end=lambda: END)


def _only(low, today=date(2026, 12, 2)):
    spans = find_periods(low, today)
    assert len(spans) == 1, spans
    return spans[0].period


def test_a_range_of_days_without_a_year():
    p = _only("returns between 2 february and 15 may last year")
    assert (p.start, p.end) == (date(2025, 2, 2), date(2025, 5, 15))
    p = _only("from april 3rd to june 1st")  # no year said: the latest such stretch that has ended
    assert (p.start, p.end) == (date(2026, 4, 3), date(2026, 6, 1))
    p = _only("from the 1st of november to the 10th of january", today=date(2026, 12, 2))
    assert (p.start, p.end) == (date(2025, 11, 1), date(2026, 1, 10))  # runs into the next year
    assert _only("between 5 may and 9 july 2024").start == date(2024, 5, 5)


def test_since_a_day_written_out():
    assert _only("since 3rd of march 2024").window() == "2024-03-03:"
    assert _only("starting feb 14, 2025").window() == "2025-02-14:"


def test_thru_joins_a_range():
    p = _only("from march thru may 2025")
    assert (p.start, p.end) == (date(2025, 3, 1), date(2025, 5, 31))


def test_as_if_today_were_a_day_is_that_day():
    spans = find_periods("show the portfolio as if today was 2 march 2026", date(2026, 12, 2))
    assert [s.period.end for s in spans] == [date(2026, 3, 2)]
    assert find_periods("what happened today", date(2026, 12, 2))[0].period.end == date(2026, 12, 2)


def test_a_window_word_inside_a_period_is_that_period(vocab, schemas):
    result = plan("performance of defi between 2 january and 31 may 2025", vocab, schemas)
    assert result.tool == "get_index_performance" and result.args["window"] == "2025-01-02:2025-05-31"
    year = date.today().year
    result = plan("how did layer1 do between 10 jan and 20 feb this year", vocab, schemas)
    assert result.args["window"] == f"{year}-01-10:{year}-02-20"


def test_since_a_written_day_fills_a_window(vocab, schemas):
    result = plan("correlation of BTC and defi since 5th of february 2025", vocab, schemas)
    assert result.tool == "analyze_correlation" and result.args["window"] == "2025-02-05:"


def test_a_second_change_with_its_verb_left_out(vocab, schemas):
    result = plan("fix tx ab12cd: price should be 2450, quantity 0.3", vocab, schemas)
    assert result.tool == "amend_transaction" and result.args["changes"] == ["price=2450", "quantity=0.3"]
    result = plan("change 77aa1f: venue to kraken and fee 2", vocab, schemas)
    assert result.args["changes"] == ["venue=kraken", "fee=2"]


def test_a_list_set_against_one_name_measures_it_by_that_name(vocab, schemas):
    result = plan("defi, gaming and layer2 over 6 months versus ETH", vocab, schemas)
    assert result.args["benchmark"] == "ETH" and result.args["indices"] == ["defi", "gaming", "layer2"]
    # one name each side is a comparison of both, not a benchmark
    result = plan("gaming vs defi over 90 days", vocab, schemas)
    assert "benchmark" not in result.args and result.args["indices"] == ["gaming", "defi"]


def test_a_grid_key_said_in_the_plural(vocab, schemas):
    result = plan("backtest momentum sweeping tilts 0.05, 0.1, 0.2", vocab, schemas)
    assert result.tool == "backtest" and result.args["sweep"] == "tilt=0.05,0.1,0.2"


def test_a_shocked_name_is_held_too_when_the_weights_make_a_whole_portfolio(vocab, schemas):
    result = plan("stress 60% btc 40% eth if eth drops 30%", vocab, schemas)
    assert result.tool == "stress_test"
    assert [(w["name"], w["weight"]) for w in result.args["weights"]] == [("BTC", 0.6), ("ETH", 0.4)]
    assert [(s["name"], s["shock"]) for s in result.args["shocks"]] == [("ETH", -0.3)]
    # a shock alone is no weight
    assert "weights" not in plan("stress test defi -50%", vocab, schemas).args
