"""Retrieval quality on the labelled set (bench/journal_eval_set.jsonl), offline with the real MiniLM model."""

import copy
from pathlib import Path

import pytest

from indexdesk.memory.journal.evaluation import load_eval_set, plain_vector_rankings, recall_at_k, store_rankings
from indexdesk.memory.journal.store import open_journal

EVAL_SET = Path(__file__).resolve().parents[1] / "bench" / "journal_eval_set.jsonl"
HELD_OUT_B = EVAL_SET.with_name("journal_eval_heldout_b.jsonl")  # written after the pipeline was frozen


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    entries, queries = load_eval_set(EVAL_SET)
    store = open_journal(tmp_path_factory.mktemp("recall"), embedding="minilm-int8")
    store.add_many(copy.deepcopy(entries))
    yield store, entries, queries
    store.close()


def test_labelled_set_is_big_enough():
    entries, queries = load_eval_set(EVAL_SET)
    assert len(entries) >= 200 and len(queries) >= 50
    assert sum(q["style"] == "paraphrase" for q in queries) > len(queries) / 2
    ids = {e.id for e in entries}
    assert all(set(q["relevant"]) <= ids for q in queries)


def test_hybrid_beats_plain_embeddings_and_finds_direct_queries(evaluation):
    store, entries, queries = evaluation
    hybrid = recall_at_k(store_rankings(store, queries, min_score=0), queries)
    plain = recall_at_k(plain_vector_rankings(store.embedder, entries, queries), queries)
    assert hybrid["direct"] >= 0.9
    # measured on the 40 paraphrase queries (the tuning set): plain MiniLM 0.356, hybrid 0.800. One
    # relevant entry is worth ~0.025 here, so the floor leaves room for a rank flip from int8
    # arithmetic on another CPU.
    assert hybrid["paraphrase"] >= plain["paraphrase"] + 0.35
    assert hybrid["paraphrase"] >= 0.75


def test_held_out_paraphrase_recall(tmp_path):
    entries, queries = load_eval_set(HELD_OUT_B)
    store = open_journal(tmp_path, embedding="minilm-int8")
    store.add_many(copy.deepcopy(entries))
    hybrid = recall_at_k(store_rankings(store, queries, min_score=0), queries)
    store.close()
    # measured 0.682 on its 22 paraphrase questions (one is worth 0.045); the goal is 0.65
    assert hybrid["paraphrase"] >= 0.63 and hybrid["direct"] >= 0.9
