"""Round 3 readings of the offline router (issue #17, set F's misses): writes stated plainly are proposed,
setter imperatives decide, and the schema-driven fill reads pairs of ids, "it was" corrections and the
app's own ledger as what they are."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from indexdesk.agent.offline_router import plan_request


def test_a_write_with_every_required_argument_stated_is_proposed(vocab, schemas):
    result = plan_request("add to the ledger: bought 0.5 btc at 61,000 on kraken yesterday, $12 fee", vocab, schemas)
    assert result.tool == "record_transaction"
    assert result.args == {"kind": "buy", "symbol": "BTC", "quantity": 0.5, "price": 61000.0, "fee": 12.0,
                           "venue": "kraken", "day": (date.today() - timedelta(days=1)).isoformat()}
    assert any("confirmation" in n for n in result.notes), result.notes
    income = plan_request("record 0.8 SOL of staking rewards received today", vocab, schemas)
    assert (income.tool, income.args["kind"], income.args["symbol"], income.args["quantity"]) == (
        "record_transaction", "income", "SOL", 0.8)


@pytest.mark.parametrize("text", ["record a sell for me", "add a buy to my ledger"])
def test_a_write_missing_what_it_needs_still_asks(text, vocab, schemas):
    result = plan_request(text, vocab, schemas)
    assert result.tool is None and "record_transaction" in result.reply.replace(" ", "_")


def test_the_unsure_write_guard_stays_when_nothing_required_is_stated(vocab, schemas):
    result = plan_request("how would buying the dip have done since 2021, quarterly", vocab, schemas)
    assert result.tool is None and "Did you mean" in result.reply


def test_ids_the_description_joins_in_pairs(vocab, schemas):
    result = plan_request("pair withdrawal w3f2a with deposit d91bc as one transfer", vocab, schemas)
    assert (result.tool, result.args) == ("reconcile_transfers", {"pairs": ["w3f2a:d91bc"]})


def test_a_correction_said_as_it_was(vocab, schemas):
    result = plan_request("transaction 77ab has the wrong price, it was 2,450", vocab, schemas)
    assert (result.tool, result.args) == ("amend_transaction", {"tx_id": "77ab", "changes": ["price=2450"]})


def test_the_app_ledger_is_not_the_ledger_wallet(vocab, schemas):
    moved = plan_request("moved 2 ETH from Coinbase to my Ledger", vocab, schemas)
    assert moved.args["to_venue"] == "ledger"
    added = plan_request("add to the ledger: sold 1 eth at 3,000 on binance", vocab, schemas)
    assert added.args.get("venue") == "binance"


def test_a_setter_imperative_names_the_state_changing_tool(vocab, schemas):
    result = plan_request("change my rebalance band to 5%", vocab, schemas)
    assert result.tool == "set_targets" and result.args["band"] == pytest.approx(0.05)
    assert plan_request("do I need to rebalance with a 5% band?", vocab, schemas).tool == "check_rebalance"


# ---------------------------------------------------------------- dates, windows and names

def test_calendar_phrases_round_3():
    from indexdesk.agent.offline_dates import find_periods

    today = date(2026, 12, 2)
    (june,) = find_periods("my holdings as of the end of june", today)
    assert june.period.point and june.period.end == date(2026, 6, 30)
    (dec,) = find_periods("as of the end of december", today)
    assert dec.period.end == date(2025, 12, 31)  # December 2026 has not ended yet
    (last,) = find_periods("notes from last month", date(2026, 1, 15))
    assert (last.period.start, last.period.end) == (date(2025, 12, 1), date(2025, 12, 31))
    (start,) = find_periods("since the start of the year", today)
    assert start.period.start == date(2026, 1, 1) and start.period.end is None


def test_windows_beside_other_durations(vocab, schemas):
    rolling = plan_request("show me the 60 day rolling correlation between sol and ether over the last 180 days",
                           vocab, schemas)
    assert rolling.args["window"] == "180d" and rolling.args["rolling_window"] == 60
    var = plan_request("cornish-fisher VaR at 97.5% on my holdings using the last 3 years of history", vocab, schemas)
    assert var.args["window"] == "3y" and "horizon_days" not in var.args
    ytd = plan_request("Correlation matrix for layer1 and defi since the start of the year.", vocab, schemas)
    assert ytd.args["window"] == "ytd"


def test_plural_index_names_and_listed_tickers(vocab):
    assert [e.value for e in vocab.entities("sol, the layer 2s and the layer-1s")] == ["SOL", "layer2", "layer1"]
    assert [e.value for e in vocab.entities("consider link and avax")] == ["LINK", "AVAX"]
    assert [e.value for e in vocab.entities("a link to the docs")] == []


def test_misspelt_choice_value_by_one_letter():
    from indexdesk.agent.offline_intent import choice_hits

    schema = {"type": "string", "enum": ["threshold", "asymmetric_bands"]}
    synonyms = {"bands": "threshold", "asymmetric bands": "asymmetric_bands"}
    assert [v for _, _, v in choice_hits("asymetric bands, do i rebalance", schema, synonyms)] == ["asymmetric_bands"]
    assert [v for _, _, v in choice_hits("the bands, do i rebalance", schema, synonyms)] == ["threshold"]


def test_switches_none_lists_and_grids(vocab, schemas):
    sized = plan_request("vol target 60 pct, leverage is fine, sizes for defi and memes", vocab, schemas)
    assert sized.args["allow_leverage"] is True
    no_lev = plan_request("size defi and memes for 60% vol, no leverage", vocab, schemas)
    assert no_lev.args.get("allow_leverage") is False
    perf = plan_request("performance of the ai coins past 6 weeks, dont need a benchmark", vocab, schemas)
    assert perf.args["benchmark"] == "none"
    rotation = plan_request("mean reversion rotation on a 30 day lookback, tilt 3%, and consider link and avax as "
                            "candidates", vocab, schemas)
    assert rotation.args["candidates"] == ["LINK", "AVAX"]
    sweep = plan_request("sweep lookback 30 to 180 in steps of 30 for mean reversion", vocab, schemas)
    assert sweep.args["sweep"] == "lookback=30:180:30"


# ---------------------------------------------------------------- which tool

def test_a_question_about_the_past_writes_nothing(vocab, schemas):
    from indexdesk.agent.offline_intent import asks_about_past

    assert asks_about_past("when did I panic sell?") and asks_about_past("did I ever buy SOL")
    assert not asks_about_past("sold 1 ETH at 3000") and not asks_about_past("record a sell for me")
    assert plan_request("when did I panic sell?", vocab, schemas).tool == "search_journal"


def test_a_close_reading_that_uses_every_number_wins(vocab, schemas):
    # "rebalance" pulls toward the rebalance check, which cannot take the 99% or the week; VaR reads both
    result = plan_request("worst-case loss over a week at 99 percent if I just hold and never rebalance?", vocab, schemas)
    assert result.tool == "compute_var" and result.args["confidence"] == pytest.approx(0.99)
    assert result.args["horizon_days"] == 7
    # a distant reading does not win just by reading the number ("90 days later" is the outcome's horizon)
    assert plan_request("did my trades work out 90 days later?", vocab, schemas).tool == "journal_outcomes"


# ---------------------------------------------------------------- stress readings

def test_several_shocks_and_tier_shocks(vocab, schemas):
    two = plan_request("what happens to me if eth drops 30% and sol 45%?", vocab, schemas)
    assert two.tool == "stress_test" and two.args["shocks"] == [{"name": "ETH", "shock": -0.3},
                                                                {"name": "SOL", "shock": -0.45}]
    tiers = plan_request("hit the speculative tier with -60% and satellite with -25%, what's the damage on $10k",
                         vocab, schemas)
    assert tiers.tool == "stress_test" and tiers.args["portfolio_value"] == 10000
    assert tiers.args["shocks"] == [{"name": "speculative", "shock": -0.6}, {"name": "satellite", "shock": -0.25}]


def test_scenario_said_by_a_synonym_declared_on_the_spec(vocab, schemas):
    result = plan_request("If my exchange goes bust and I lose half of what's on it, how bad is that for a 5,000 usd "
                          "portfolio?", vocab, schemas)
    assert result.tool == "stress_test" and result.args["scenarios"] == ["exchange_failure"]
    assert result.args["exchange_loss"] == 0.5 and result.args["portfolio_value"] == 5000


def test_a_replaced_benchmark_is_not_an_index(vocab, schemas):
    result = plan_request("Blue chips vs DeFi this year, benchmarked against ether instead of bitcoin.", vocab, schemas)
    assert result.args["benchmark"] == "ETH" and result.args["indices"] == ["large_cap", "defi"]


def test_a_switch_said_by_a_synonym_declared_on_the_spec(vocab, schemas):
    held = plan_request("worst-case loss over a week at 99 percent if I just hold and never rebalance?", vocab, schemas)
    assert held.args["buy_and_hold"] is True
    daily = plan_request("var 99% 10 days, rebalanced daily", vocab, schemas)
    assert daily.args["buy_and_hold"] is False


def test_a_share_of_a_named_thing_is_not_its_weight(vocab, schemas):
    result = plan_request("Tier targets please, with 20% of core kept in stablecoin yield if it's a bear market.",
                          vocab, schemas)
    assert (result.tool, result.args) == ("tier_allocation", {"stablecoin_sleeve": 0.2})
    assert plan_request("stress 60% BTC 40% ETH in the covid crash", vocab, schemas).args["weights"] == [
        {"name": "BTC", "weight": 0.6}, {"name": "ETH", "weight": 0.4}]


def test_attribution_said_as_a_breakdown_or_beta_versus_picks(vocab, schemas):
    why = plan_request("why did my portfolio make what it did last quarter? break it down", vocab, schemas)
    assert why.tool == "attribute_performance" and "start" in why.args and "end" in why.args
    beta = plan_request("how much of my return this year was just beta vs actually picking the right indices?",
                        vocab, schemas)
    assert beta.tool == "attribute_performance" and beta.args["start"].endswith("-01-01")


def test_a_stated_write_in_other_words(vocab, schemas):
    logged = plan_request("log in the ledger: sold 2 eth at 3,100 on coinbase today", vocab, schemas)
    assert logged.tool == "record_transaction" and logged.args["venue"] == "coinbase"
    # the second reading is proposed when the first write cannot be filled: a change, not a new trade
    fee = plan_request("the fee on tx 9f8e7d was actually 4 dollars", vocab, schemas)
    assert (fee.tool, fee.args) == ("amend_transaction", {"tx_id": "9f8e7d", "changes": ["fee=4"]})
    # ids go to the slot their role word names, whatever the order said
    paired = plan_request("match deposit abc12 with withdrawal def34", vocab, schemas)
    assert paired.args["pairs"] == ["def34:abc12"]


@pytest.mark.parametrize("text", ["sold some stuff today I think", "bought some eth"])
def test_a_copy_of_the_request_is_no_stated_argument(text, vocab, schemas):
    result = plan_request(text, vocab, schemas)  # the journal's `text` is always "read": it proves nothing
    assert result.tool is None and "Did you mean" in result.reply


def test_a_percent_used_by_a_shock_is_not_read_again(vocab, schemas):
    result = plan_request("if sol falls 20% and avax 35% what do I lose", vocab, schemas)
    assert result.tool == "stress_test" and "exchange_loss" not in result.args


def test_dropped_names_are_named_and_a_reading_that_takes_them_wins(vocab, schemas):
    result = plan_request("how have the l1s done since the beginning of the year vs solana", vocab, schemas)
    assert result.tool == "get_index_performance" and result.args["window"] == "ytd"
    assert set(result.args["indices"]) == {"layer1", "SOL"}
    sleeve = plan_request("bear market mode: keep a quarter of core in stables, what are the tier targets", vocab, schemas)
    assert sleeve.tool == "tier_allocation" and not any("name" in n for n in sleeve.notes), sleeve.notes


def test_a_quarter_without_a_year_and_a_listed_sweep(vocab, schemas):
    from indexdesk.agent.offline_dates import find_periods

    (q2,) = find_periods("review for q2", date(2026, 12, 2))
    assert q2.period.quarter == "2026Q2"
    (q4,) = find_periods("review q4", date(2026, 12, 2))
    assert q4.period.quarter == "2025Q4"  # 2026Q4 has not ended
    sweep = plan_request("backtest momentum since the start of 2023, monthly, sweep tilt 0.05, 0.1", vocab, schemas)
    assert sweep.args["sweep"] == "tilt=0.05,0.1" and sweep.args["start"] == "2023-01-01"


def test_moves_in_words_and_a_bare_var_level(vocab, schemas):
    moved = plan_request("what if btc halves and eth drops 60%", vocab, schemas)
    assert moved.args["shocks"] == [{"name": "BTC", "shock": -0.5}, {"name": "ETH", "shock": -0.6}] and not moved.notes
    var = plan_request("var at 95 over 5 days using 2 years of data, no rebalancing", vocab, schemas)
    assert var.args == {"confidence": 0.95, "horizon_days": 5, "window": "2y", "buy_and_hold": True}


def test_slash_weights_and_cue_words_in_other_forms(vocab, schemas):
    var = plan_request("var of a 70/30 large cap and defi mix", vocab, schemas)
    assert var.args["weights"] == [{"name": "large_cap", "weight": 0.7}, {"name": "defi", "weight": 0.3}]
    stress = plan_request("stress 60/40 btc/eth in the covid crash", vocab, schemas)
    assert stress.args["weights"] == [{"name": "BTC", "weight": 0.6}, {"name": "ETH", "weight": 0.4}]
    assert "weights" not in plan_request("var of 50/50 odds", vocab, schemas).args  # no names after it: no weights
    drift = plan_request("am I drifting from my targets by more than 10%", vocab, schemas)
    assert drift.tool == "check_rebalance" and drift.args["band"] == pytest.approx(0.1)


@pytest.mark.parametrize("text", ["should I sell 0.5 btc at 100k?", "planning to add 0.1 btc at 90k next week",
                                  "what if I bought 2 sol at 150"])
def test_a_question_or_a_plan_is_never_proposed_as_a_write(text, vocab, schemas):
    result = plan_request(text, vocab, schemas)
    assert result.tool != "record_transaction", result


def test_seasons_are_periods_and_fall_the_verb_is_not():
    from indexdesk.agent.offline_dates import find_periods

    today = date(2026, 12, 2)

    def spans(text):
        return [(s.period.start, s.period.end) for s in find_periods(text, today)]

    assert spans("how did defi do over the summer") == [(date(2026, 6, 1), date(2026, 8, 31))]
    assert spans("last winter") == [(date(2025, 12, 1), date(2026, 2, 28))]
    assert spans("this winter") == [(date(2026, 12, 1), None)]
    assert spans("spring of 2024") == [(date(2024, 3, 1), date(2024, 5, 31))]
    assert spans("if btc falls 20%") == [] and spans("the fall in defi") == []


def test_prefixes_and_corrections_in_other_words(vocab, schemas):
    assert plan_request("journal search: fomo", vocab, schemas).args == {"query": "fomo"}
    diary = plan_request("dear diary, bought the dip on eth", vocab, schemas)
    assert (diary.tool, diary.args["text"]) == ("log_journal_entry", "bought the dip on eth")
    fix = plan_request("fix the quantity on tx 12ab34, should be 0.25", vocab, schemas)
    assert (fix.tool, fix.args) == ("amend_transaction", {"tx_id": "12ab34", "changes": ["quantity=0.25"]})


def test_a_year_next_to_a_plain_choice_is_still_a_date_and_which_index_means_every_index(vocab, schemas):
    # "since 2020 rebalanced quarterly": the cadence does not swallow the year (only values holding a year
    # do, "the march 2020 covid crash"), so the rebalance check cannot take it and the backtest can
    result = plan_request("how would a 60/40 btc eth portfolio have done since 2020 rebalanced quarterly", vocab, schemas)
    assert result.tool == "backtest" and result.args["start"] == "2020-01-01"
    assert result.args["cadence"] == "quarterly" and len(result.args["weights"]) == 2
    crash = plan_request("run the march 2020 covid crash on 70% btc 30% eth", vocab, schemas)
    assert crash.args["scenarios"] == ["covid_crash_2020"]
    every = plan_request("which index is the most volatile this year", vocab, schemas)
    assert every.tool == "get_index_performance" and len(every.args["indices"]) > 5


def test_terse_requests(vocab, schemas):
    assert plan_request("VAR 99 10D", vocab, schemas).args == {"confidence": 0.99, "horizon_days": 10}
    corr = plan_request("corr btc eth sol 90d", vocab, schemas)
    assert corr.args["window"] == "90d" and "rolling_window" not in corr.args  # one duration, used once
    sized = plan_request("size memes ai gaming 50% vol 10k", vocab, schemas)
    assert sized.args["indices"] == ["memecoins", "ai_data", "gaming"] and "weights" not in sized.args  # 10k is money


def test_a_month_alone_and_more_setter_verbs(vocab, schemas):
    from indexdesk.agent.offline_dates import find_periods

    today = date(2026, 12, 2)
    (october,) = find_periods("what did eth do in october", today)
    assert (october.period.start, october.period.end) == (date(2026, 10, 1), date(2026, 10, 31))
    (december,) = find_periods("over december", today)
    assert (december.period.start, december.period.end) == (date(2026, 12, 1), None)  # still running
    assert find_periods("what may happen in a crash", today) == []
    moved = plan_request("move my rebalance band up to 25%", vocab, schemas)
    assert (moved.tool, moved.args) == ("set_targets", {"band": 0.25})
