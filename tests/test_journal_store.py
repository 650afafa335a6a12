"""The journal store: durability-first writes, edits with history, exact JSONL round trip, filters, errors."""

import io
import json
import shutil
import socket
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.models import JournalEntry, Position
from indexdesk.memory.journal.store import JournalStore, open_journal
from indexdesk.memory.journal.views import N_VIEWS


def entry(text, day, **fields):
    return JournalEntry(text=text, timestamp=datetime(2026, 1, day, 12, tzinfo=timezone.utc), **fields)


@pytest.fixture
def store(tmp_path):
    s = open_journal(tmp_path, embedding="hash:64")
    yield s
    s.close()


def test_add_edit_history_and_filters(store):
    a = store.add(entry("Trimmed DeFi after the exploit", 3, kind="decision", action="sell",
                        positions=[Position(name="defi", direction="out_of")]))
    store.add(entry("Thesis: layer-2 fees will fall", 5, kind="thesis"))
    store.add(entry("Bought BTC calmly", 9, kind="decision", action="buy", tags=["Core"]))
    assert store.count() == 3
    assert "theme:security" in store.get(a.id).derived_tags and "action:sell" in store.get(a.id).derived_tags
    edited = store.edit(a.id, confidence=2, rationale="hack risk")
    assert (edited.version, store.get(a.id).confidence) == (2, 2)
    assert [v.version for v in store.history(a.id)] == [1, 2] and store.history(a.id)[0].confidence is None
    assert store.count() == 3
    assert [e.text for e in store.list_entries(date(2026, 1, 4), date(2026, 1, 9))] == ["Thesis: layer-2 fees will fall", "Bought BTC calmly"]
    assert [e.kind for e in store.list_entries(kinds=["thesis"])] == ["thesis"]
    assert [h.entry.id for h in store.search("exploit", names=["defi"])] == [a.id]
    assert [h.entry.text for h in store.search("anything bought", tags=["core"])] == ["Bought BTC calmly"]
    hits = store.search("bought", start=date(2026, 1, 1), end=date(2026, 1, 4))
    assert all(h.entry.timestamp.day <= 4 for h in hits)


def test_ties_go_newest_first(store):
    for day in (2, 7, 4):
        store.add(entry("identical words", day))
    hits = store.search("identical words", k=3)
    assert [h.entry.timestamp.day for h in hits] == [7, 4, 2]
    assert hits[0].score == hits[1].score == hits[2].score


def test_export_import_round_trips_exactly(store, tmp_path):
    a = store.add(entry("Rotated from memes into large caps", 2, kind="decision", action="rotate"))
    store.add(entry("Lesson: smaller sizes", 3, kind="lesson"))
    store.edit(a.id, confidence=3)
    first = io.StringIO()
    assert store.export_jsonl(first) == 3
    other = open_journal(tmp_path / "other", embedding="hash:64")
    assert other.import_jsonl(first.getvalue().splitlines()) == 3
    assert other.import_jsonl(first.getvalue().splitlines()) == 0  # idempotent
    second = io.StringIO()
    other.export_jsonl(second)
    assert second.getvalue() == first.getvalue()
    assert other.get(a.id).version == 2 and other.count() == 2
    other.close()


def test_bad_input_is_refused_and_nothing_is_half_written(store):
    with pytest.raises(ValueError, match="empty"):
        JournalEntry(text="   ")
    with pytest.raises(ValueError, match="limit"):
        JournalEntry(text="x" * 1_000_000)
    with pytest.raises(JournalError, match="unknown kind 'decisoin'; did you mean 'decision'"):
        store.search("x", kinds=["decisoin"])
    with pytest.raises(JournalError, match="starts after it ends"):
        store.list_entries(date(2026, 2, 1), date(2026, 1, 1))
    good = entry("fine", 1)
    bad_line = '{"id": "j_x", "text": ""}'
    with pytest.raises(JournalError, match="line 2"):
        store.import_jsonl([good.model_dump_json(), bad_line])
    assert store.count() == 0
    with pytest.raises(JournalError, match="cannot edit version"):
        store.add(good)
        store.edit(good.id, version=7)
    with pytest.raises(JournalError, match="already exists"):
        store.add(good)
    assert store.count() == 1


def test_mixing_embedding_models_is_refused(tmp_path):
    open_journal(tmp_path, embedding="hash:64").close()
    with pytest.raises(JournalError, match="hash-64.*hash-32|mixed"):
        open_journal(tmp_path, embedding="hash:32")
    store = JournalStore.open_for_reindex(tmp_path / "journal", __import__("indexdesk.memory.journal.embeddings", fromlist=["x"]).HashingEmbedder(32))
    assert store.reindex(store.embedder) == 0
    open_journal(tmp_path, embedding="hash:32").close()  # the rebuilt journal opens with the new model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _vector_path_follows_edits_and_filters(store):
    """The same checks for either mode: every vector result comes from Chroma."""
    texts = ["Sold memecoins in a panic", "Bought DeFi calmly", "Rebalanced back to target weights",
             "Hedged BTC with puts before CPI", "Held layer-1 through the crash", "Rotated gaming into AI"]
    added = [store.add(entry(t, day, kind="note" if day % 2 else "decision")) for day, t in enumerate(texts, start=1)]
    assert store.index.count() == N_VIEWS * len(texts)
    hits = store.search("sold memecoins in a panic", use_lexical=False, min_score=0)
    assert hits[0].entry.id == added[0].id and hits[0].similarity > 0.5
    # an edit replaces the entry's records; no stale vector and no duplicate id
    store.edit(added[0].id, text="Bought BTC calmly on a quiet day")
    ids = [h.entry.id for h in store.search("Bought BTC calmly on a quiet day", k=10, use_lexical=False, min_score=0)]
    assert ids[0] == added[0].id and len(ids) == len(set(ids)) == 6
    assert store.index.count() == N_VIEWS * len(texts)
    # date and kind filters are applied from the log, as allowed ids
    only = store.search("sold in a panic", start=date(2026, 1, 2), end=date(2026, 1, 4), kinds=["decision"],
                        use_lexical=False, min_score=0)
    assert sorted(h.entry.id for h in only) == sorted([added[1].id, added[3].id])
    return added


def test_vector_search_goes_through_chroma_and_follows_edits_and_filters(store):
    _vector_path_follows_edits_and_filters(store)


def test_chroma_server_mode_same_interface_and_rebuilt_when_out_of_sync(tmp_path):
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(chroma).exists():
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    server = subprocess.Popen([chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.skip("chroma run did not start within 30 s")
        url = f"http://127.0.0.1:{port}"
        store = open_journal(tmp_path / "client", chroma_url=url, embedding="hash:64")
        added = _vector_path_follows_edits_and_filters(store)
        store.close()
        assert not (tmp_path / "client" / "journal" / "chroma").exists()  # nothing embedded on the side
        import chromadb

        remote = chromadb.HttpClient(host="127.0.0.1", port=port)
        collection = remote.get_collection("indexdesk-journal")
        assert collection.get(ids=[f"{added[1].id}#0"])["ids"] == [f"{added[1].id}#0"]
        assert collection.metadata["embedding_model"] == "hash-64"
        collection.delete(ids=[f"{added[5].id}#0", f"{added[5].id}#1"])  # the server lost entries
        store = open_journal(tmp_path / "client", chroma_url=url, embedding="hash:64")
        notices = store.take_notices()
        assert len(notices) == 1 and "rebuilt from the log" in notices[0] and store.take_notices() == []
        assert store.index.count() == N_VIEWS * 6
        assert store.search("Rotated gaming into AI", use_lexical=False)[0].entry.id == added[5].id
        store.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    with pytest.raises(JournalError) as failure:
        open_journal(tmp_path / "client", chroma_url=url, embedding="hash:64")
    assert "INDEXDESK_CHROMA_URL" in failure.value.hint


def test_a_large_journal_does_not_rank_on_terms_most_entries_share(store):
    store.add_many([entry(f"sold some bitcoin, note {i}", 1 + i % 28) for i in range(16)]
                   + [entry("sold the zebra position in a hurry", 3), entry("bought zebra dips", 4)])
    assert store._selective_terms(['body:"sold"', 'body:"zebra"']) == ['body:"zebra"']  # "sold" is in 17 of 18
    assert store._selective_terms(['body:"sold"', 'body:"bitcoin"']) == ['body:"bitcoin"']  # rarest kept if all common
    assert store._selective_terms(['body:"zebra"', 'body:"dips"']) == ['body:"zebra"', 'body:"dips"']
    top = store.search("sold zebra", k=2, use_vector=False)
    assert {hit.entry.text for hit in top} == {"sold the zebra position in a hurry", "bought zebra dips"}