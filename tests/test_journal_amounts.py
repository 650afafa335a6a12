"""Sizes, bases and prices read from journal lines, and a parser that never fails on wording."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexdesk.memory.journal.parser import parse_text

TODAY = date(2026, 3, 12)


def read(text):
    return [(p.name, p.action, p.size, p.amount_basis, p.price) for p in parse_text(text, TODAY).positions]


@pytest.mark.parametrize("text, expected", [
    ("bought 0.5 ETH at 3200", [("ETH", "buy", 0.5, "units", 3200.0)]),
    ("trimmed BTC by 10%", [("BTC", "sell", 10.0, "position_pct", None)]),
    ("moved 10% of the portfolio into SOL", [("SOL", "buy", 10.0, "portfolio_pct", None)]),
    ("sold 10% of my ETH", [("ETH", "sell", 10.0, "position_pct", None)]),
    ("took 10% off SOL", [("SOL", "sell", 10.0, "position_pct", None)]),
    ("put $2k into SOL", [("SOL", "buy", 2000.0, "money", None)]),
    ("bought 2 grand of BTC", [("BTC", "buy", 2000.0, "money", None)]),
    ("sold half my ETH", [("ETH", "sell", 50.0, "position_pct", None)]),
    ("sold a third of my BTC @ 64,500", [("BTC", "sell", 100 / 3, "position_pct", 64500.0)]),
    ("exited SOL", [("SOL", "sell", 100.0, "all", None)]),
    ("partially exited SOL", [("SOL", "sell", None, None, None)]),
    ("raised my ETH weight by 2 pp", [("ETH", "buy", 2.0, "portfolio_pct", None)]),
    ("bought ETH at 3pm", [("ETH", "buy", None, None, None)]),         # a time is not a price
    ("sold my ETH for USDC", [("ETH", "sell", None, None, None), ("USDC", "buy", None, None, None)]),
    ("bought SOL with my ETH", [("SOL", "buy", None, None, None), ("ETH", "sell", None, None, None)]),
    ("BTC dumped 10% so I bought 0.1 BTC", [("BTC", "buy", 0.1, "units", None)]),  # the market's verb is not mine
])
def test_sizes_bases_and_prices(text, expected):
    got = read(text)
    assert [(n, a, b, pr) for n, a, _s, b, pr in got] == [(n, a, b, pr) for n, a, _s, b, pr in expected]
    assert [s for *_x, s, _b, _p in got] == pytest.approx([s for *_x, s, _b, _p in expected])


def test_weight_changes_are_signed_and_position_shares_are_not():
    sold = parse_text("rotated 5% from BTC into ETH", TODAY).positions
    assert [(p.name, p.weight_change_pct, p.direction) for p in sold] == [("BTC", -5.0, "out_of"), ("ETH", 5.0, "into")]
    trimmed = parse_text("trimmed BTC by 10%", TODAY).positions[0]
    assert (trimmed.weight_change_pct, trimmed.position_pct, trimmed.direction) == (None, 10.0, "out_of")


WORDS = st.sampled_from(["bought", "sold", "trimmed", "BTC", "sol", "Link", "NEAR", "near", "$", "%", "k", "of",
                         "my", "the", "portfolio", "at", "@", "half", "all", "by", "into", "from", "0.5", "3,200",
                         "1e9", "99999999999999999999", "-5", ".", ";", "’", "didn't", "L1s", "memes", "ETH-USD",
                         "0", "100%", "500%", "all of", "a third", "$0", "at 0"])


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=14).map(" ".join) | st.text(max_size=80))
def test_the_parser_never_fails_on_wording_and_sizes_are_possible(text):
    try:
        parsed = parse_text(text, TODAY)
    except Exception as exc:  # only impossible dates may be refused
        assert "not a valid date" in str(exc)
        return
    for p in parsed.positions:
        assert p.quantity is None or p.quantity >= 0
        assert p.price is None or p.price > 0
        assert p.amount_basis is None or p.size is not None
        if p.action == "sell" and p.position_pct is not None:
            assert p.position_pct <= 100  # a sale cannot exceed the position
