"""Journal parser readings added in issue 17's second round, each on lines the earlier sets did not
tune: misspelt trade verbs, limits and conditional plans, arrows and "from X% of my portfolio to Y%",
sizes said in a later clause, bare thousands, "tokens", verbs that trade only before an amount,
signed amounts, "1/4 of", "remaining", "up to"/"down to" a weight, closed positions, holding phrases."""

from datetime import date

import pytest
from indexdesk.memory.journal.parser import parse_text
from indexdesk.memory.journal.readings import verb_typos
from indexdesk.memory.journal.vocabulary import build_vocabulary
from indexdesk.tools.indices.catalogue import load_catalogue
from indexdesk.tools.journal.vocabulary import universe_assets

TODAY = date(2026, 3, 12)


@pytest.fixture(scope="module")
def vocabulary():
    book = load_catalogue(None).indices
    return build_vocabulary(universe_assets(), [(n, d.title, d.aliases) for n, d in book.items()])


def positions(text, vocabulary):
    return [(p.name, p.action, p.size, p.amount_basis, p.price)
            for p in parse_text(text, TODAY, vocabulary=vocabulary).positions]


@pytest.mark.parametrize("typo, fixed", [("bougth 0.3 eth", "bought 0.3 eth"), ("byu 100 LINK", "buy 100 LINK"),
                                         ("solde half my XRP", "sold  half my XRP")])
def test_misspelt_trade_verbs_are_read_at_the_same_length(typo, fixed):
    assert verb_typos(typo) == fixed and len(verb_typos(typo)) == len(typo)


def test_real_words_are_not_typos():
    text = "the seller sells; buyers buy, bought, sold, sole, bout"
    assert verb_typos(text) == text


def test_misspelt_verbs_trade(vocabulary):
    assert positions("solde half my XRP", vocabulary) == [("XRP", "sell", 50.0, "position_pct", None)]


def test_limit_a_name_to_a_weight_is_a_plan(vocabulary):
    parsed = parse_text("limit SOL to 15% of the portfolio", TODAY, vocabulary=vocabulary)
    assert [(p.name, p.kind, p.value) for p in parsed.plans] == [("SOL", "limit", 15.0)]
    assert all(getattr(p, "resulting_weight_pct", None) is None for p in parsed.positions)


def test_a_conditional_plan_keeps_its_promised_trade_out_of_the_positions(vocabulary):
    parsed = parse_text("if AVAX drops below 20 I'll add more", TODAY, vocabulary=vocabulary)
    assert [(p.name, p.kind, p.value) for p in parsed.plans] == [("AVAX", "entry", 20.0)]
    assert positions("if AVAX drops below 20 I'll add more", vocabulary) == [("AVAX", None, None, None, None)]
    sell = parse_text("if SOL goes above 300 then I'll sell a third", TODAY, vocabulary=vocabulary)
    assert [(p.kind, p.value) for p in sell.plans] == [("exit", 300.0)]


@pytest.mark.parametrize("text", ["SOL: 3% ➜ 6%", "BTC went from 3% of my portfolio to 6%"])
def test_arrows_and_from_x_of_the_portfolio_to_y(text, vocabulary):
    p, = parse_text(text, TODAY, vocabulary=vocabulary).positions
    assert (p.action, p.weight_change_pct, p.resulting_weight_pct) == ("buy", 3.0, 6.0)


def test_a_size_said_in_a_later_clause_belongs_to_the_one_name(vocabulary):
    assert positions("averaged down on ATOM, bought 40 more at 7.2", vocabulary) == [("ATOM", "buy", 40.0, "units", 7.2)]
    assert positions("ugh. BTC -15% and i sold 0.1 at the bottom", vocabulary) == [("BTC", "sell", 0.1, "units", None)]
    # two names: whose size it is is not said, so none is guessed
    two = positions("watched BTC and ETH, sold 0.1 at the bottom", vocabulary)
    assert all(size is None for _n, _a, size, _b, _p in two)


def test_bare_thousands_are_money_and_tokens_are_units(vocabulary):
    parsed = parse_text("added 2k to the AI index, it's now 6% of the portfolio", TODAY, vocabulary=vocabulary)
    p, = parsed.positions
    assert (p.name, p.action, p.amount, p.amount_basis, p.resulting_weight_pct) == ("ai_data", "buy", 2000.0, "money", 6.0)
    assert positions("added INJ: 50 tokens at 22", vocabulary) == [("INJ", "buy", 50.0, "units", 22.0)]


def test_verbs_that_trade_only_before_an_amount_and_signed_amounts(vocabulary):
    assert positions("got 0,1 BTC at 60.000", vocabulary) == [("BTC", "buy", 0.1, "units", 60000.0)]
    assert positions("got rekt on BTC", vocabulary)[0][1] is None
    assert positions("+0.5 ETH", vocabulary) == [("ETH", "buy", 0.5, "units", None)]
    assert positions("-200 ADA", vocabulary) == [("ADA", "sell", 200.0, "units", None)]
    assert positions("ETH -18% this week", vocabulary)[0][1] is None  # a return, not a sale


def test_fractions_remaining_and_closed_positions(vocabulary):
    assert positions("sold 1/4 of my LINK", vocabulary) == [("LINK", "sell", 25.0, "position_pct", None)]
    assert positions("sold my remaining LUNA", vocabulary) == [("LUNA", "sell", 100.0, "all", None)]
    assert positions("Closed my DOT position", vocabulary) == [("DOT", "sell", 100.0, "all", None)]


def test_up_to_and_down_to_a_weight_say_the_direction(vocabulary):
    assert positions("bringing the AI basket up to 10% of my portfolio", vocabulary)[0][1] == "buy"
    p, = parse_text("bought 1 ETH, now ETH is about 30% of portfolio", TODAY, vocabulary=vocabulary).positions
    assert (p.action, p.size, p.resulting_weight_pct) == ("buy", 1.0, 30.0)


@pytest.mark.parametrize("text", ["ETH/BTC ratio is at 0.035, doing nothing", "ETH rose 12% this week, no action",
                                  "layer2 is down 22% ytd, staying put"])
def test_holding_phrases(text, vocabulary):
    assert {a for _n, a, *_ in positions(text, vocabulary)} == {"hold"}


def test_a_currency_worth_of_a_coin_is_money_paid_for_the_coin(vocabulary):
    assert positions("bought 1.5k USDC worth of ETH", vocabulary) == [("ETH", "buy", 1500.0, "money", None)]
    # a swap names both sides: the stablecoin sold, the coin bought
    assert [(n, a) for n, a, *_ in positions("swapped 1000 USDC for ETH", vocabulary)] == [("USDC", "sell"), ("ETH", "buy")]


def test_a_percentage_after_at_is_never_a_price(vocabulary):
    # "at 30%" once read as the price 3 (the number cut short to dodge the "not a percentage" rule)
    assert positions("ETH is my biggest holding at 30%", vocabulary)[0][4] is None
    assert positions("bought 0.1 BTC at 58k", vocabulary)[0][4] == 58000.0


def test_makes_up_a_weight_and_hitting_a_price_is_a_plan(vocabulary):
    p, = parse_text("AVAX now makes up 4% of my portfolio", TODAY, vocabulary=vocabulary).positions
    assert p.resulting_weight_pct == 4.0
    assert parse_text("AVAX now makes up 4% of my portfolio", TODAY, vocabulary=vocabulary).observations == []
    exit_plan = parse_text("planning to exit DOGE if it hits 0.5", TODAY, vocabulary=vocabulary)
    assert [(p.name, p.kind, p.value) for p in exit_plan.plans] == [("DOGE", "exit", 0.5)]
    assert positions("planning to exit DOGE if it hits 0.5", vocabulary) == [("DOGE", None, None, None, None)]
    entry = parse_text("will buy more SOL if it reaches 100", TODAY, vocabulary=vocabulary)
    assert [(p.kind, p.value) for p in entry.plans] == [("entry", 100.0)]


def test_a_stablecoin_paid_or_received_is_money_not_a_position(vocabulary):
    assert positions("bought ETH for 500 USDC", vocabulary) == [("ETH", "buy", 500.0, "money", None)]
    sold = parse_text("sold 40 DOT for 260 USDT", TODAY, vocabulary=vocabulary)
    assert [(p.name, p.action, p.size) for p in sold.positions] == [("DOT", "sell", 40.0)]
    assert sold.not_understood == ["260"]  # the proceeds are said back, not dropped
    assert positions("bought 500 USDC", vocabulary) == [("USDC", "buy", 500.0, "units", None)]


def test_round3_plans_a_broken_level_a_rule_without_a_name_and_a_target_said_with_is():
    from datetime import date

    from indexdesk.memory.journal.parser import parse_text
    from indexdesk.memory.journal.vocabulary import build_vocabulary
    from indexdesk.tools.indices.catalogue import load_catalogue
    from indexdesk.tools.journal.vocabulary import universe_assets

    book = load_catalogue(None).indices
    vocab = build_vocabulary(universe_assets(), [(n, d.title, d.aliases) for n, d in book.items()])

    def plans(text):
        parsed = parse_text(text, date(2026, 12, 2), vocabulary=vocab)
        return [(p.name, p.kind, p.value) for p in parsed.plans], [p for p in parsed.positions if p.action]

    assert plans("if ETH loses 2,800 I'm out") == ([("ETH", "exit", 2800.0)], [])
    assert plans("no single alt above 5% of the portfolio, ever") == ([(None, "limit", 5.0)], [])
    assert plans("target weight for ETH is 20%, currently under") == ([("ETH", "limit", 20.0)], [])
    assert plans("if SOL drops under 100 I'll buy another 20")[0] == [("SOL", "entry", 100.0)]
