"""Readings added to the offline router in issue 17's second round, each on a request the grammar has
no phrase for: relative days and yearless dates, "last quarter" as the calendar quarter, a venue in
any case, identifiers, "FIELD should be VALUE" changes, counts ("the last 5"), hyphenated and
reordered choice values, "tomorrow" as a one-day horizon, "the sectors" as every index."""

from __future__ import annotations

from datetime import date

import pytest
from indexdesk.agent.offline_dates import find_periods
from indexdesk.agent.offline_fill import fill
from indexdesk.agent.offline_intent import choice_hits
from indexdesk.agent.offline_router import plan_request
from indexdesk.agent.offline_values import find_durations

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize("text, end, start", [
    ("sold it yesterday", "2026-12-01", None),
    ("bought it today", "2026-12-02", None),
    ("3 days ago", "2026-11-29", None),
    ("two weeks ago", "2026-11-18", None),
    ("on june 30", "2026-06-30", None),            # the last June 30 on or before today
    ("on december 25", "2025-12-25", None),        # not yet this year: last year's
    ("the 3rd of may", "2026-05-03", None),
    ("since march", None, "2026-03-01"),
])
def test_relative_and_yearless_dates(text, end, start):
    (span,) = find_periods(text, TODAY)
    assert (span.period.end.isoformat() if span.period.end else None) == end
    assert (span.period.start.isoformat() if span.period.start else None) == start


def test_a_month_word_before_a_percentage_is_not_a_date():
    assert find_periods("i may 5% of it", TODAY) == []


def test_last_quarter_is_the_calendar_quarter_and_past_3_months_a_duration(vocab, schemas):
    perf = plan_request("how did defi do last quarter", vocab, schemas)
    year, q = TODAY.year, (TODAY.month - 1) // 3
    assert perf.tool == "get_index_performance"
    expected = {1: "01-01:{y}-03-31", 2: "04-01:{y}-06-30", 3: "07-01:{y}-09-30", 4: "10-01:{y}-12-31"}
    want_year = year if q else year - 1
    assert perf.args["window"] == f"{want_year}-" + expected[q or 4].format(y=want_year)
    assert plan_request("how did defi do over the past 3 months", vocab, schemas).args["window"] == "3m"


def test_tomorrow_is_a_one_day_horizon(vocab, schemas):
    assert find_durations("what can i lose tomorrow")[0].value == 1
    result = plan_request("how much can I lose tomorrow at 99% with the parametric method", vocab, schemas)
    assert result.tool == "compute_var"
    assert result.args["horizon_days"] == 1 and result.args["method"] == "parametric"


def test_the_sectors_means_every_index(vocab, schemas):
    result = plan_request("which sector performed best over 90 days", vocab, schemas)
    assert result.tool == "get_index_performance"
    assert set(result.args["indices"]) == set(vocab.index_names) and result.args["window"] == "90d"


def test_stablecoins_name_the_cash_index(vocab):
    assert [e.value for e in vocab.entities("moved it all into stablecoins")] == ["stablecoin_cash"]


def test_a_known_venue_is_read_in_lower_case(vocab, schemas):
    result = plan_request("bought 0.5 BTC at 61,000 on kraken", vocab, schemas)
    assert result.tool == "record_transaction"
    assert result.args["venue"] == "kraken" and result.args["price"] == 61000


def test_a_sale_recorded_yesterday(vocab, schemas):
    result = plan_request("record a sale of 20 SOL at $180 yesterday", vocab, schemas)
    assert result.tool == "record_transaction"
    assert result.args["kind"] == "sell" and result.args["quantity"] == 20 and result.args["price"] == 180
    assert result.args["day"] == date.fromordinal(date.today().toordinal() - 1).isoformat()


IDS = {"type": "object", "properties": {
    "ids": {"type": "array", "items": {"type": "string"}, "description": "transaction ids (or their first characters)"},
    "limit": {"type": "integer", "description": "how many rows"}}}
CHANGES = {"type": "object", "properties": {
    "tx_id": {"type": "string"},
    "changes": {"type": "array", "items": {"type": "string"},
                "description": "changes: FIELD=VALUE, e.g. [\"quantity=0.5\"]; fields: date, kind, quantity, price, to_venue."}}}


def test_identifiers_go_to_the_id_parameter_and_words_do_not():
    text = "delete tx-42 and a1b2c3d4 but not btc, 2025q1, 30d or 5k"
    out, _ = fill(text, text.lower(), IDS, None, {}, [])
    assert out["ids"] == ["tx-42", "a1b2c3d4"]
    assert "limit" not in out


def test_spoken_changes_become_field_value_pairs():
    text = "fix tx-17: the price should be 2,450 and to venue is kraken"
    out, _ = fill(text, text.lower(), CHANGES, None, {}, [])
    assert out["tx_id"] == "tx-17"
    assert out["changes"] == ["price=2450", "to_venue=kraken"]


@pytest.mark.parametrize("text, count", [("show the last 5 changes", 5), ("the 12 most recent", 12),
                                         ("the last 30 days", None)])
def test_a_count_goes_to_the_limit_parameter(text, count):
    out, _ = fill(text, text.lower(), IDS, None, {}, [])
    assert out.get("limit") == count


def test_hyphenated_synonyms_and_reordered_values_are_choices():
    strategy = {"type": "string", "enum": ["momentum", "mean_reversion"]}
    assert [v for *_, v in choice_hits("how would buy-the-dip have done", strategy, {"buy the dip": "mean_reversion"})] \
        == ["mean_reversion"]
    scenarios = {"type": "array", "items": {"type": "string", "enum": ["covid_crash_2020", "bear_2018"]}}
    assert [v for *_, v in choice_hits("simulate the march 2020 covid crash", scenarios, {})] == ["covid_crash_2020"]
    assert choice_hits("a crash in 2018", scenarios, {}) == []  # not every word of a value: no hit


def test_choices_listed_as_any_of_in_a_description():
    from indexdesk.agent.offline_intent import choices_of

    schema = {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
              "description": "any of bear_2018, covid_crash_2020, custom; default all."}
    assert choices_of(schema) == ["bear_2018", "covid_crash_2020", "custom"]


def test_a_value_only_one_tool_takes_outweighs_a_rival_phrase_pattern(vocab, schemas):
    # "simulate" is the backtest's phrase, "crash" the stress test's; the scenario the request names
    # (its words in another order, with the year next to them) only the stress test takes.
    result = plan_request("simulate the march 2020 covid crash", vocab, schemas)
    assert (result.tool, result.args) == ("stress_test", {"scenarios": ["covid_crash_2020"]})
    # The grammar's order still decides when the values fit both alike.
    assert plan_request("find losing lots I could sell for tax purposes", vocab, schemas).tool == "harvest_losses"


def test_an_identifier_points_to_the_tool_that_takes_ids(vocab, schemas):
    result = plan_request("fix tx-17, the price should be 2450", vocab, schemas)
    assert result.tool == "amend_transaction"
    assert result.args == {"tx_id": "tx-17", "changes": ["price=2450"]}
    assert plan_request("delete transaction tx-42", vocab, schemas).args == {"ids": ["tx-42"]}


def test_setting_a_parameter_only_a_state_changing_tool_has_names_that_tool(vocab, schemas):
    for text, band in (("set the rebalancing band to 15%", 0.15), ("change my rebalancing band to 5%", 0.05)):
        result = plan_request(text, vocab, schemas)
        assert (result.tool, result.args) == ("set_targets", {"band": band}), text
    # Reading the band is not setting it; a parameter no state-changing tool has is not a setter.
    assert plan_request("do I need to rebalance with a 10% band", vocab, schemas).tool == "check_rebalance"
    assert plan_request("set the confidence to 99% and show my var", vocab, schemas).tool == "compute_var"


def test_a_venue_is_a_value_not_an_intent(vocab, schemas):
    # "coinbase" once pulled the meaning toward the transfer-matching tools whose examples name it.
    result = plan_request("deposited 5k USDC to coinbase", vocab, schemas)
    assert result.tool == "record_transaction"
    assert result.args == {"kind": "deposit", "symbol": "USDC", "quantity": 5000.0, "venue": "coinbase"}


def test_a_word_one_letter_from_a_short_name_is_not_a_misspelling(vocab):
    from indexdesk.agent.offline_unread import misspelt_names

    assert misspelt_names("score my past decisions", vocab) == []   # not "core"
    assert misspelt_names("how much did I make on ETH trades", vocab) == []   # not "maker" (MKR)
    assert misspelt_names("how did defii do", vocab) == [("defii", "defi")]


def test_journal_questions_in_other_tenses_and_moving_together(vocab, schemas):
    result = plan_request("what have I noted about staking", vocab, schemas)
    assert (result.tool, result.args.get("query")) == ("search_journal", "staking")
    corr = plan_request("is LINK moving with ETH lately? 60 days", vocab, schemas)
    assert (corr.tool, set(corr.args["indices"]), corr.args["window"]) == ("analyze_correlation", {"LINK", "ETH"}, "60d")


def test_a_pattern_tool_that_cannot_be_filled_yields_to_what_meaning_preferred(vocab, schemas):
    # performance's words ("return", "vs") but no index named: meaning alone ranked the attribution higher.
    result = plan_request("how much of my return this year was luck of timing vs index picks", vocab, schemas)
    assert result.tool == "attribute_performance" and result.args["start"] == f"{date.today().year}-01-01"
    # with nothing better, the pattern's tool still asks what it needs
    assert "Which index or asset" in plan_request("compare performance over 90 days", vocab, schemas).reply


@pytest.mark.parametrize("text, start, end", [("the first half of 2025", "2025-01-01", "2025-06-30"),
                                              ("in h2 2024", "2024-07-01", "2024-12-31"),
                                              ("2024h1", "2024-01-01", "2024-06-30")])
def test_half_years(text, start, end):
    (span,) = find_periods(text, TODAY)
    assert (span.period.start.isoformat(), span.period.end.isoformat()) == (start, end)


def test_identifiers_are_not_durations_or_names():
    from indexdesk.agent.offline_values import identifiers

    said = "delete tx-42, r3f2a and 7f3a9c but not the 60-day window, covid-19, top-5, erc20, 2025q1 or h1 2025"
    assert [m.group(0) for m in identifiers(said)] == ["tx-42", "r3f2a", "7f3a9c"]


def test_short_requests_with_a_clear_lead_and_money_in_words(vocab, schemas):
    alpha = plan_request("where did my alpha come from in 2024", vocab, schemas)
    assert (alpha.tool, alpha.args) == ("attribute_performance", {"start": "2024-01-01", "end": "2024-12-31"})
    assert plan_request("harvest anything over 300 dollars of loss", vocab, schemas).args["min_loss"] == 300
    assert plan_request("are we in a bull market", vocab, schemas).tool == "tier_allocation"
    assert plan_request("banana bread recipe", vocab, schemas).tool is None  # no lead, no pattern: not understood


def test_a_change_to_a_stored_record_is_an_amendment_not_a_setter(vocab, schemas):
    result = plan_request("change the price of tx a1b2c3 to 2500", vocab, schemas)
    assert (result.tool, result.args) == ("amend_transaction", {"tx_id": "a1b2c3", "changes": ["price=2500"]})
