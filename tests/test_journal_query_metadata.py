"""Journal search reads the query like an entry (issue 17 item 4): names, dates, actions and feelings are
matched against the entries' metadata, that match ranks, results come in the order of the relevance they
show, and "nothing matches" only when no entry shares meaning or metadata.

The hash embedder (no meaning at all) makes the metadata signal visible on its own; the real model is
measured by bench/bench_journal.py --recall (docs/performance.md)."""

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from indexdesk.memory.journal import ranking
from indexdesk.memory.journal.models import JournalEntry
from indexdesk.memory.journal.query_reading import query_facets, query_period
from indexdesk.memory.journal.store import open_journal
from indexdesk.memory.journal.views import query_tags

START = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
FILLER_VERBS = ["Sold", "Trimmed", "Read a report about", "Checked fees on", "Held"]
FILLER_NAMES = ["BTC", "ETH", "SOL", "DOGE", "gaming", "large caps", "LINK", "memecoins"]


def filler(n: int, seed: int = 3) -> list[JournalEntry]:
    rng = random.Random(seed)
    return [JournalEntry(id=f"f{i:04d}", text=f"{rng.choice(FILLER_VERBS)} {rng.choice(FILLER_NAMES)} on a routine check (#{i})",
                         timestamp=START + timedelta(days=i % 700, minutes=i)) for i in range(n)]


@pytest.fixture
def store(tmp_path):
    s = open_journal(tmp_path, embedding="hash:1024")  # wide enough that unrelated words do not collide
    s.add_many(filler(400) + [
        JournalEntry(id="rot", text="Rotated 5% from layer-1 into DeFi; lending volumes are picking up again.",
                     timestamp=datetime(2024, 3, 5, 12, tzinfo=timezone.utc)),
        JournalEntry(id="link", text="Picked up 40 LINK at 14 after the oracle staking launch.",
                     timestamp=datetime(2024, 3, 20, 12, tzinfo=timezone.utc)),
        JournalEntry(id="avax", text="Scared, sold my AVAX at the lows.", timestamp=datetime(2025, 6, 2, 12, tzinfo=timezone.utc))])
    yield s
    s.close()


def test_the_query_is_read_by_the_entries_vocabulary():
    facets = query_facets("moving money from L1 to decentralized finance",
                          query_tags("moving money from L1 to decentralized finance"))
    assert {"tag:index:layer1", "tag:index:defi"} <= set(facets.labels)
    facets = query_facets("chainlink purchases", query_tags("chainlink purchases"))
    assert facets.labels == {"tag:index:LINK": 1.0, "tag:action:buy": 0.5}
    assert facets.share({"tag:index:LINK"}, None) == pytest.approx(1.0 / 1.5)


@pytest.mark.parametrize("phrase", ["exited the avalanche trade", "closed my AVAX position", "cashing in the frog coin",
                                    "going flat for the holidays", "taking money off the table"])
def test_exits_said_many_ways_are_sells_in_the_query_and_the_entry(phrase):
    assert "tag:action:sell" in query_facets(phrase, query_tags(phrase)).labels


def test_an_action_alone_is_never_a_full_metadata_match():
    # "cashing in after a judge's decision": every sell in the journal shares the action; it narrows,
    # it does not match the way a name or a date does.
    facets = query_facets("cashing in after a judge's decision", query_tags("cashing in after a judge's decision"))
    assert set(facets.labels) == {"tag:action:sell"}
    assert facets.share({"tag:action:sell"}, None) == pytest.approx(0.5)
    named = query_facets("sold my AVAX", query_tags("sold my AVAX"))
    assert named.share({"tag:action:sell", "tag:index:AVAX"}, None) == pytest.approx(1.0)


@pytest.mark.parametrize("query, period", [
    ("what did I sell in March 2024?", (date(2024, 3, 1), date(2024, 3, 31))),
    ("trades in 2023", (date(2023, 1, 1), date(2023, 12, 31))),
    ("Q3 2025 rotations", (date(2025, 7, 1), date(2025, 9, 30))),
    ("on 2024-02-29", (date(2024, 2, 29), date(2024, 2, 29))),
    ("when did I panic", None),
])
def test_dates_in_a_query(query, period):
    assert query_period(query) == period


def test_a_paraphrase_sharing_only_names_finds_the_entry(store):
    hits = store.search("moving money from L1 to decentralized finance", k=5)
    assert hits and hits[0].entry.id == "rot"
    assert hits[0].metadata == 1.0  # both indices the query names


def test_chainlink_purchases_finds_the_link_buy_in_a_larger_journal(store):
    hits = store.search("chainlink purchases", k=5)
    assert hits[0].entry.id == "link"  # LINK and a buy beat the filler's LINK sells and checks
    assert all(h.metadata > 0 for h in hits)


def test_results_come_in_the_order_of_the_relevance_shown(store):
    for query in ("chainlink purchases", "moving money from L1 to decentralized finance", "scared selling",
                  "routine check on gaming", "what did I do in March 2024"):
        scores = [h.score for h in store.search(query, k=10)]
        assert scores == sorted(scores, reverse=True), (query, scores)


def test_a_date_in_the_query_is_a_ranking_signal(store):
    hits = store.search("what did I buy in March 2024", k=3)
    assert hits[0].entry.id == "link"  # a buy in March 2024
    # The date counts: no entry outside March 2024 scores above one inside it (equal scores among the
    # routine filler lines may come in either order from the approximate vector index).
    in_march = [h.score for h in hits if (h.entry.timestamp.year, h.entry.timestamp.month) == (2024, 3)]
    outside = [h.score for h in hits if (h.entry.timestamp.year, h.entry.timestamp.month) != (2024, 3)]
    assert len(in_march) >= 2 and (not outside or min(in_march) >= max(outside))


def test_nothing_matches_only_when_nothing_shares_meaning_or_metadata(store, monkeypatch):
    assert store.search("banana bread recipe") == []
    assert store.search("how tall is the Eiffel tower") == []
    # a name shared with the query is a match however low the rest of the relevance is
    monkeypatch.setattr(ranking, "MIN_RELEVANCE", 0.99)
    hits = store.search("anything about Avalanche?")
    assert [h.entry.id for h in hits][:1] == ["avax"] and hits[0].score < 0.99
    assert store.search("banana bread recipe") == []
