"""The grounding check on its own: which numbers of an answer no tool result supports."""

from __future__ import annotations

import json

import pytest

from indexdesk.agent.grounding import extract_numbers, is_grounded, numbers_in_results, ungrounded_numbers

RESULT = json.dumps({
    "results": [{"name": "defi", "total_return": -0.12345, "max_drawdown": -0.2561, "sharpe_ratio": 0.7085}],
    "price": 42012.7, "market_cap": 1.21e9, "fee_bps": 45, "var_amount": 9469.89, "confidence": 0.99,
    "note": "tail ratio 1.43x; fee 0.25%",
})


@pytest.mark.parametrize("text,value,unit", [
    ("12", 12.0, 1.0),
    ("-12.3%", -12.3, 0.1),
    ("−55.4 %", -55.4, 0.1),           # unicode minus, spaced percent
    ("$42,013", 42013.0, 1.0),
    ("42,012.70", 42012.7, 0.01),
    ("$1.2M", 1.2e6, 1e5),
    ("1.21B", 1.21e9, 1e7),
    ("3bn", 3e9, 1e9),
    ("$42k", 42e3, 1e3),
    ("7.5 million", 7.5e6, 1e5),
    ("45 bps", 45.0, 1.0),
    ("1.43x", 1.43, 0.01),
    (".5", 0.5, 0.1),
    ("€-3.2", -3.2, 0.1),
])
def test_extracts_value_and_shown_precision(text, value, unit):
    [mention] = extract_numbers(f"it was {text} then")
    assert mention.value == pytest.approx(value)
    assert mention.unit == pytest.approx(unit)


def test_non_claims_are_not_extracted():
    text = ("1. In 2024 on 2026-03-31 (Q3 2026, 2026Q3, Mar 31, 2026, 14 Feb 2025, 12:30) layer1 and the "
            "30-day 90d window of top-10 gpt-4o done\n2. next\n  3) last\n- 4. nested")
    assert extract_numbers(text) == []


def test_sentence_punctuation_is_not_part_of_a_number():
    assert [m.text for m in extract_numbers("Returns: 12.3%, 4.5%. Then 42.")] == ["12.3%", "4.5%", "42"]


def test_numbers_in_results_walks_json_strings_and_list_lengths():
    pool = numbers_in_results([RESULT, "plain text with 17 in it", {"xs": [1, 2, 3]}, [True, None]])
    assert -0.12345 in pool and 1.21e9 in pool and 17.0 in pool
    assert 1.43 in pool and 0.25 in pool and 0.0025 in pool  # from the note string, percent both ways
    assert 3.0 in pool  # len of xs
    assert 1.0 not in pool or pool.count(1.0) == 2  # booleans are not numbers: only len(results) and xs[0]


@pytest.mark.parametrize("claim", [
    "-12.3%", "12.3%", "-12.35%", "12%",      # rounded fraction as percent, sign-insensitive
    "-0.123", "-0.12",                          # the fraction itself at lower precision
    "$42,013", "42,012.7", "$42.0k", "$42k",    # currency, thousands separator, suffixes
    "1.2B", "$1.21 billion",
    "45 bps",
    "25.6%", "0.71",                            # drawdown, sharpe
    "9,470", "$9.5k",
    "99%",                                      # confidence 0.99
    "1.43x",
])
def test_numbers_supported_by_the_results_are_grounded(claim):
    assert ungrounded_numbers(f"Answer: {claim} here.", [RESULT]) == []


# "0.45%" from fee_bps 45 is flagged too: bps -> percent would let every integer ground N/100 %.
@pytest.mark.parametrize("claim", ["17%", "-12.4%", "$42,100", "1.3B", "0.72", "9,480", "46 bps", "12.2%", "0.45%"])
def test_numbers_in_no_result_are_reported(claim):
    assert ungrounded_numbers(f"Answer: {claim} here.", [RESULT]) == [claim]


def test_truncation_is_accepted_but_not_a_wrong_last_digit():
    pool = [0.12389]  # 12.389%: rounds to 12.4, truncates to 12.3
    assert is_grounded(extract_numbers("12.4%")[0], pool)
    assert is_grounded(extract_numbers("12.3%")[0], pool)
    assert not is_grounded(extract_numbers("12.2%")[0], pool)
    assert not is_grounded(extract_numbers("12.5%")[0], pool)


def test_numbers_from_the_question_and_small_counts_are_not_flagged():
    answer = "The 99% 30-day VaR of your 3 indices over 30 days is 23.1%."
    assert ungrounded_numbers(answer, ['{"var": 0.2312}'], question="var 99% over 30 days for my portfolio") == []
    assert ungrounded_numbers(answer, ['{"var": 0.2312}'], question="what is my var?") == ["99%", "30"]


def test_each_ungrounded_number_is_reported_once_in_order():
    answer = "Up 17% then 19%, yes 17% again, and 12.3% is fine."
    assert ungrounded_numbers(answer, [RESULT]) == ["17%", "19%"]


def test_no_tool_results_means_every_claim_is_ungrounded():
    assert ungrounded_numbers("BTC trades at $97,500 and ETH at $3,400.", []) == ["$97,500", "$3,400"]


def test_markdown_tables_are_checked_cell_by_cell():
    answer = "| index | return |\n|---|---|\n| defi | -12.3% |\n| layer1 | 8.8% |"
    assert ungrounded_numbers(answer, [RESULT]) == ["8.8%"]


def test_error_text_results_are_read_as_text():
    assert ungrounded_numbers("the window has 365 days", ["window too long: 365 days available"]) == []


def test_tool_call_arguments_ground_a_restated_portfolio():
    answer = "Your portfolio (BTC 60%, defi 40%) has a 1-day VaR of 12.3%; 55% is invented."
    results = ['{"var":0.123}', {"weights": [{"name": "BTC", "weight": 0.6}, {"name": "defi", "weight": 0.4}]}]
    assert ungrounded_numbers(answer, results) == ["55%"]
