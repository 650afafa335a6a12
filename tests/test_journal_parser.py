"""The deterministic parser: the issue's example, dates, sizes, emotions, and what it must refuse."""

from datetime import date

import pytest

from indexdesk.memory.journal.enrich import lexicon_tags
from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.parser import parse_date, parse_text

TODAY = date(2026, 3, 12)  # a Thursday


def test_issue_example_is_read_fully():
    p = parse_text("rotated 5% from layer-1 into DeFi today because momentum turned; nervous about the CPI print", TODAY)
    assert (p.kind, p.action) == ("decision", "rotate")
    assert [(x.name, x.direction, x.weight_change_pct) for x in p.positions] == [("layer1", "out_of", -5.0), ("defi", "into", 5.0)]
    assert p.occurred_on == TODAY
    assert p.rationale == "momentum turned"
    assert p.emotional_state == "nervous"


@pytest.mark.parametrize("text, expected", [
    ("yesterday", date(2026, 3, 11)),
    ("the day before yesterday", date(2026, 3, 10)),
    ("last Friday", date(2026, 3, 6)),
    ("last Thursday", date(2026, 3, 5)),   # "last" on the same weekday means a week ago
    ("on Monday", date(2026, 3, 9)),
    ("3 days ago", date(2026, 3, 9)),
    ("on 2026-03-01", date(2026, 3, 1)),
    ("on March 1", date(2026, 3, 1)),
    ("on 20 December", date(2025, 12, 20)),  # a day-month later than today is last year's
    ("no date here", None),
])
def test_dates(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["sold on 2026-02-30", "bought on February 30"])
def test_impossible_dates_are_errors(text):
    with pytest.raises(JournalError, match="not a valid date"):
        parse_text(text, TODAY)


def test_amounts_confidence_expectation_and_invalidation():
    p = parse_text("Bought $2,000 of BTC last Friday, high conviction, expecting ETF flows to continue. "
                   "Wrong if it loses 50k.", TODAY)
    assert p.action == "buy" and p.positions[0].name == "BTC" and p.positions[0].amount == 2000.0
    assert p.positions[0].direction == "into"
    assert p.confidence == 4 and p.occurred_on == date(2026, 3, 6)
    assert p.expected_outcome == "ETF flows to continue" and p.invalidation == "it loses 50k"


def test_kinds_and_negated_feelings():
    assert parse_text("Lesson: next time size smaller", TODAY).kind == "lesson"
    assert parse_text("I think layer-2 will outperform over the next year", TODAY).kind == "thesis"
    assert parse_text("sat tight, did nothing", TODAY).action == "hold"
    assert "emotion:fear" not in lexicon_tags("sold some, not nervous at all")
    assert "emotion:fear" in lexicon_tags("dumped it in a blind panic")


def test_lexicon_inflections_and_phrases():
    tags = lexicon_tags("De-risked after the exploit and took profits; kicking myself")
    assert {"action:sell", "theme:security", "theme:profit", "emotion:regret"} <= set(tags)


def test_verbs_are_not_read_as_asset_names():
    from indexdesk.memory.journal.enrich import index_mentions

    names = [name for name, _, _ in index_mentions("Sold 3% of ai_data and bought SOL; trimmed memecoins, added L1s")]
    assert names == ["ai_data", "SOL", "memecoins", "layer1"]  # "sold" is not SOL
