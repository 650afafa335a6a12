"""The labelled set: ≥ 150 journal lines covering every universe symbol and catalogue index.

Asset, action, amount and basis must each be right on ≥ 95 % (see tests/journal_parse_scoring.py).
"""

from datetime import date

import pytest

from indexdesk.memory.journal.parser import parse_text
from indexdesk.memory.journal.vocabulary import build_vocabulary
from indexdesk.tools.indices.catalogue import load_catalogue
from indexdesk.tools.journal.vocabulary import universe_assets
from indexdesk.tools.market.universe import ASSETS
from journal_parse_scoring import load_parse_set, score

TODAY = date(2026, 3, 12)


@pytest.fixture(scope="module")
def rows():
    return load_parse_set()


@pytest.fixture(scope="module")
def vocabulary():
    book = load_catalogue(None).indices
    return build_vocabulary(universe_assets(), [(n, d.title, d.aliases) for n, d in book.items()])


def test_the_set_covers_every_symbol_and_index(rows):
    named = {p["asset"] for row in rows for p in row["positions"]}
    assert len(rows) >= 150
    assert set(ASSETS) - named == set()
    assert set(load_catalogue(None).indices) - named == set()
    bases = {p["basis"] for row in rows for p in row["positions"]}
    assert {"units", "money", "portfolio_pct", "position_pct", "all"} <= bases


def test_asset_action_amount_and_basis_each_right_on_95_percent(rows, vocabulary):
    result = score(rows, lambda text: parse_text(text, TODAY, vocabulary=vocabulary).positions)
    accuracy = result.accuracy()
    assert min(accuracy[k] for k in ("asset", "action", "amount", "basis")) >= 0.95, (accuracy, result.failures)


def test_the_scorer_notices_a_wrong_reading(rows):
    # a parser that reads nothing must score zero: the test above is not vacuous
    result = score(rows[:20], lambda text: [])
    assert result.accuracy()["asset"] == 0.0 and result.accuracy()["action"] == 0.0
