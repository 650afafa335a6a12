"""The journal heals its vector index from the log, bounds what an entry carries, and finds rare words at any k."""

import json
import shutil
from datetime import datetime, timezone

import pytest

from indexdesk.memory.journal.embeddings import HashingEmbedder
from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.models import MAX_TEXT_CHARS, JournalEntry
from indexdesk.memory.journal.store import JournalStore, open_journal
from indexdesk.memory.journal.views import N_VIEWS

TEXTS = [f"Note {i}: bought {name} after the {why}" for i, (name, why) in
         enumerate([("DeFi", "exploit"), ("BTC", "CPI print"), ("ETH", "upgrade"), ("SOL", "outage"), ("gaming", "launch")])]


def _journal(tmp_path):
    store = open_journal(tmp_path, embedding="hash:64")
    added = store.add_many([JournalEntry(text=t, timestamp=datetime(2026, 1, 1 + i, tzinfo=timezone.utc))
                            for i, t in enumerate(TEXTS)])
    store.close()
    return [e.id for e in added]


def _garble(folder):
    (folder / "chroma.sqlite3").write_bytes(b"this is not a database" * 200)


def _truncate(folder):
    with open(folder / "chroma.sqlite3", "r+b") as handle:
        handle.truncate(100)


def _delete(folder):
    shutil.rmtree(folder)


def _empty_the_folder(folder):
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


@pytest.mark.parametrize("damage", [_garble, _truncate, _delete, _empty_the_folder])
def test_a_broken_chroma_folder_is_set_aside_and_rebuilt_from_the_log(tmp_path, damage):
    ids = _journal(tmp_path)
    damage(tmp_path / "journal" / "chroma")
    store = open_journal(tmp_path, embedding="hash:64")
    notices = store.take_notices()
    assert len(notices) == 1 and "rebuilt from the log" in notices[0]
    assert "INDEXDESK_CHROMA_URL" not in notices[0]  # no server is set: the hint would mislead
    assert store.take_notices() == []  # said once
    assert store.index.count() == N_VIEWS * len(ids)
    new = store.add(JournalEntry(text="Sold memecoins after the rally"))
    assert store.search("memecoins rally")[0].entry.id == new.id
    assert store.search("bought SOL outage")[0].entry.id == ids[3]
    assert store.count() == len(ids) + 1
    store.close()
    again = open_journal(tmp_path, embedding="hash:64")
    assert again.take_notices() == []  # healthy now: nothing to say
    again.close()


def test_reindex_works_on_a_corrupted_store(tmp_path):
    ids = _journal(tmp_path)
    _garble(tmp_path / "journal" / "chroma")
    store = JournalStore.open_for_reindex(tmp_path / "journal", HashingEmbedder(64))
    assert store.reindex(store.embedder) == len(ids)
    assert store.index.count() == N_VIEWS * len(ids)
    store.close()
    reopened = open_journal(tmp_path, embedding="hash:64")
    assert reopened.take_notices() == [] and reopened.search("DeFi exploit")[0].entry.id == ids[0]
    reopened.close()


def test_an_index_behind_the_log_is_rebuilt(tmp_path):
    ids = _journal(tmp_path)
    store = open_journal(tmp_path, embedding="hash:64")
    store.index._collection.delete(ids=[f"{ids[2]}#0", f"{ids[2]}#1"])
    store.close()
    store = open_journal(tmp_path, embedding="hash:64")
    assert len(store.take_notices()) == 1 and store.index.count() == N_VIEWS * len(ids)
    store.close()


def test_tags_and_links_count_toward_the_size_limit():
    with pytest.raises(ValueError, match="tags"):
        JournalEntry(text="x", tags=[f"t{i}" for i in range(5009)])
    with pytest.raises(ValueError, match="at most 64"):
        JournalEntry(text="x", tags=["y" * 1_000_000])
    with pytest.raises(ValueError, match="ledger links"):
        JournalEntry(text="x", ledger_links=[f"tx{i}" for i in range(1000)])
    with pytest.raises(ValueError, match="with its tags and links"):
        JournalEntry(text="x" * (MAX_TEXT_CHARS - 100), tags=["a" * 60, "b" * 60])
    JournalEntry(text="x" * 1000, tags=["core", "macro"], ledger_links=["tx1"])


def test_tool_refuses_oversized_labels(tmp_path):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings
    from indexdesk.tools.toolbox import default_registry

    ctx = ToolContext(settings=Settings(source="sample", home=tmp_path, embedding="hash:64"))
    out = default_registry().call("log_journal_entry", {"text": "bought BTC", "tags": ["t" * 100_000]}, ctx)
    assert "error" in out and len(json.dumps(out)) < 2000


def test_import_with_the_same_id_and_version_twice_is_a_clear_error(tmp_path):
    store = open_journal(tmp_path, embedding="hash:64")
    one = JournalEntry(text="first", id="j_dup")
    other = one.model_copy(update={"text": "second"})
    with pytest.raises(JournalError, match="line 2: entry j_dup version 1 appears twice"):
        store.import_jsonl([one.model_dump_json(), other.model_dump_json()])
    assert store.count() == 0
    assert store.import_jsonl([one.model_dump_json(), one.model_dump_json()]) == 1  # identical twice: harmless
    store.close()


def test_an_exact_rare_word_ranks_first_at_any_k(tmp_path):
    store = open_journal(tmp_path, embedding="hash:64")
    fillers = [JournalEntry(text=f"sold some defi and bitcoin in the dip, routine rebalance {i}") for i in range(120)]
    markers = {f"zq{w}marker": JournalEntry(text=f"sold some defi and bitcoin in the dip zq{w}marker") for w in "abcdefgh"}
    store.add_many(fillers + list(markers.values()))
    for word, marked in markers.items():
        for k in (1, 5, 50):
            hits = store.search(f"sold defi bitcoin dip {word}", k=k)
            assert hits[0].entry.id == marked.id and hits[0].rare_words == [word]
    store.close()


def test_nothing_relevant_is_a_possible_answer(tmp_path):
    store = open_journal(tmp_path, embedding="hash:64")
    store.add_many([JournalEntry(text=t) for t in TEXTS])
    assert store.search("banana bread recipe oven") == []
    hits = store.search("bought DeFi after the exploit", k=5)
    assert hits[0].entry.text == TEXTS[0] and 0 < hits[-1].score <= hits[0].score <= 1
    store.close()


def test_embedder_contract_prefixes_and_calibration():
    import numpy as np

    from indexdesk.memory.journal.embeddings import embed_passages, embed_queries, model_prefixes

    assert model_prefixes("intfloat/e5-small-v2") == ("query: ", "passage: ")
    assert model_prefixes("intfloat/multilingual-e5-base") == ("query: ", "passage: ")
    assert model_prefixes("BAAI/bge-small-en-v1.5")[0].startswith("Represent this sentence")
    assert model_prefixes("sentence-transformers/all-mpnet-base-v2") == ("", "")

    class Recording:
        model_id, dimension, query_prefix, passage_prefix = "rec", 2, "query: ", "passage: "
        seen: list[str] = []

        def embed(self, texts):
            self.seen += texts
            return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)

    rec = Recording()
    embed_queries(rec, ["a"]), embed_passages(rec, ["b"])
    assert rec.seen == ["query: a", "passage: b"]


def test_a_journal_embedded_another_way_is_re_embedded_from_the_log(tmp_path):
    ids = _journal(tmp_path)
    store = open_journal(tmp_path, embedding="hash:64")
    with store._write():
        store._set_meta("view_layout", "an older layout")
        store._db.execute("UPDATE entries SET embedding = zeroblob(256)")  # vectors of the old texts
    store.close()
    store = open_journal(tmp_path, embedding="hash:64")
    assert "embedded changed" in store.take_notices()[0]
    assert store.index.count() == N_VIEWS * len(ids)
    assert store.search("bought SOL outage", use_lexical=False)[0].entry.id == ids[3]
    assert all(row[0] != bytes(256) for row in store._db.execute("SELECT embedding FROM entries"))
    store.close()
