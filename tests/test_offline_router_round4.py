"""Round 4 readings of the offline router (issue #17, set G's misses): journal labels said in the entry,
a request to see something never binds a write, a tool named by its own words, and the date forms G used."""

from __future__ import annotations

from datetime import date

from indexdesk.agent.offline_router import plan_request

END = date(2026, 11, 30)


def plan(text, vocab, schemas):
    return plan_request(text, vocab, schemas, data_end=lambda: END)


def test_a_note_for_the_journal_with_its_kind_and_tags(vocab, schemas):
    result = plan("Note for the journal, my thesis: stables yield beats staking in 2027. tag it yield, stables",
                  vocab, schemas)
    assert result.tool == "log_journal_entry"
    assert result.args["kind"] == "thesis"
    assert result.args["tags"] == ["yield", "stables"]
    assert "staking" in result.args["text"]


def test_a_label_that_is_no_kind_is_left_to_the_tool(vocab, schemas):
    result = plan("journal: btc: trimmed after the CPI print", vocab, schemas)
    assert result.tool == "log_journal_entry" and "kind" not in result.args and "tags" not in result.args


def test_show_never_binds_a_write(vocab, schemas):
    result = plan("show the audit log for transaction 9a1f", vocab, schemas)
    assert result.tool == "ledger_history" and result.args == {"tx_id": "9a1f"}


def test_a_tool_named_by_its_own_words(vocab, schemas):
    assert plan("reconcile the transfers you found", vocab, schemas).tool == "reconcile_transfers"
    # a read-only rival still wins when it is the one named
    assert plan("find transfers between my exchanges", vocab, schemas).tool == "find_transfers"


def test_recent_ledger_changes_with_a_count(vocab, schemas):
    result = plan("last 30 changes to the ledger", vocab, schemas)
    assert result.tool == "ledger_history" and result.args.get("limit") == 30


def test_a_range_between_two_days_said_in_words(vocab, schemas):
    result = plan("how would momentum have done from feb 3 2024 to 31 march 2025, monthly", vocab, schemas)
    assert result.tool == "backtest"
    assert (result.args["start"], result.args["end"]) == ("2024-02-03", "2025-03-31")


def test_numeric_days_read_only_when_unambiguous(vocab, schemas):
    assert plan("my portfolio as it was on 28/02/2026", vocab, schemas).args == {"as_of": "2026-02-28"}
    assert plan("my portfolio as it was on 02/28/2026", vocab, schemas).args == {"as_of": "2026-02-28"}
    unsure = plan("my portfolio as it was on 03/04/2026", vocab, schemas)  # March 4 or April 3: not guessed
    assert "as_of" not in unsure.args and any("03/04/2026" in note for note in unsure.notes)


def test_a_number_the_tool_states_as_its_own_is_understood(vocab, schemas):
    fixed = plan("were my journal calls right 90 days later?", vocab, schemas)
    assert fixed.tool == "journal_outcomes" and not any("'90'" in note for note in fixed.notes)
    other = plan("how did my calls do 45 days later", vocab, schemas)  # not what the tool measures: said unread
    assert other.tool == "journal_outcomes" and any("'45'" in note for note in other.notes)


def test_a_listed_choice_said_in_the_plural_filters(vocab, schemas):
    result = plan("my lessons and theses about memecoins", vocab, schemas)
    assert result.tool == "search_journal" and result.args["kinds"] == ["lesson"]  # "theses" is no plural+s
    assert "kinds" not in plan("what did I write about defi", vocab, schemas).args


def test_ids_fit_a_tool_whose_parameter_is_described_as_ids(vocab, schemas):
    result = plan("pair withdrawal w-12 with deposit d-34 as one transfer", vocab, schemas)
    assert result.tool == "reconcile_transfers" and result.args == {"pairs": ["w-12:d-34"]}
    assert any("confirmation" in note for note in result.notes)  # a write stated in full is proposed, not run


def test_a_benchmark_named_before_its_word(vocab, schemas):
    result = plan("compare defi and memecoins since 2024 with SOL as the benchmark", vocab, schemas)
    assert result.tool == "get_index_performance"
    assert result.args["benchmark"] == "SOL" and result.args["indices"] == ["defi", "memecoins"]


def test_a_share_of_a_tier_named_twice_is_no_weight(vocab, schemas):
    result = plan("core/satellite targets for this market, keep 30% of core in stables in a bear", vocab, schemas)
    assert result.tool == "tier_allocation" and result.args == {"stablecoin_sleeve": 0.3}


def test_names_said_not_held_fill_a_list_described_as_not_held(vocab, schemas):
    result = plan("what should I rotate into? I don't hold AVAX or DOT; open to them", vocab, schemas)
    assert result.tool == "propose_rotation" and result.args.get("candidates") == ["AVAX", "DOT"]


def test_new_weights_stated_as_a_list_are_proposed_and_a_question_still_asks(vocab, schemas):
    stated = plan("new targets: btc+eth 50, defi 30, memecoins 20", vocab, schemas)
    assert stated.tool == "set_targets"
    assert stated.args["indices"] == [{"name": "btc_eth", "weight": 0.5}, {"name": "defi", "weight": 0.3},
                                      {"name": "memecoins", "weight": 0.2}]
    assert any("confirmation" in note for note in stated.notes)
    asked = plan("should my targets be defi 50 layer1 50", vocab, schemas)
    assert asked.tool is None and asked.reply.startswith("Did you mean")


def test_profit_and_loss_by_venue_is_the_portfolio(vocab, schemas):
    # get_portfolio's spec declares P&L by venue/exchange among its examples: not the transfer tools
    assert plan("show me my P&L split by exchange", vocab, schemas).tool == "get_portfolio"
