"""The trading journal: a SQLite write-ahead log of entries (the truth) with a Chroma vector index.

Why two stores: an entry is acknowledged only once it is durable, and two processes may write at
once. SQLite in WAL mode with `synchronous=FULL` gives both (a committed transaction survives
SIGKILL and power loss; writers queue on the database lock). Embedded Chroma is neither
multi-process safe nor transactional with the log, so it is an index caught up from the log
(see `vector_index.py`); the FTS5 lexical index is written in the same transaction as the entry.

    store = open_journal(home=Path("~/.indexdesk"), embedding="minilm-int8")
    entry = store.add(JournalEntry(text="trimmed DeFi after the hack", kind="decision", action="sell"))
    hits = store.search("when did I sell in a fright?", k=5)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import IO

import numpy as np
from pydantic import BaseModel, ValidationError

from indexdesk.memory.journal.embeddings import Embedder, make_embedder
from indexdesk.memory.journal.enrich import index_mentions, lexicon_tags, regime_tags, tag_gloss
from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.lexical import FTS_SCHEMA, TAG_COLUMN_WEIGHT, entry_document, match_terms
from indexdesk.memory.journal.models import KINDS, JournalEntry, utc_now
from indexdesk.memory.journal.vector_index import VectorIndex, chroma_where
from indexdesk.memory.journal.vector_matrix import VectorMatrix

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL, version INTEGER NOT NULL, is_current INTEGER NOT NULL,
        ts INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, embedding BLOB,
        UNIQUE (id, version))""",
    "CREATE INDEX IF NOT EXISTS entries_current_ts ON entries (is_current, ts)",
    "CREATE TABLE IF NOT EXISTS entry_labels (seq INTEGER NOT NULL, label TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entry_labels_label ON entry_labels (label, seq)",
    FTS_SCHEMA,
]
RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al. 2009): damps the head of each list
VECTOR_WEIGHT = 1.5  # the vector list counts more: chosen on the even-numbered eval queries (see docs/performance.md)
LEXICAL_WEIGHT = 1.0
# A term matching more than this share of a journal of at least PRUNE_FROM_ENTRIES entries is not ranked on.
PRUNE_FROM_ENTRIES = 5000
COMMON_TERM_SHARE = 0.2


class SearchHit(BaseModel):
    entry: JournalEntry
    score: float
    vector_rank: int | None = None
    lexical_rank: int | None = None
    similarity: float | None = None


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def day_bounds(start: date | None, end: date | None) -> tuple[int | None, int | None]:
    """Epoch seconds of the start of `start` and the end of `end` (UTC), inclusive."""
    if start and end and start > end:
        raise JournalError(f"the date range starts after it ends ({start} > {end})", field="start")
    lo = _epoch(datetime.combine(start, time.min, tzinfo=timezone.utc)) if start else None
    hi = _epoch(datetime.combine(end, time.max, tzinfo=timezone.utc)) if end else None
    return lo, hi


def derive_tags(entry: JournalEntry) -> list[str]:
    """Canonical tags from the text, the structured fields and the market context."""
    tags = lexicon_tags(entry.search_text())
    tags += [f"kind:{entry.kind}"] + ([f"action:{entry.action}"] if entry.action else [])
    tags += [f"index:{n}" for n in entry.names] + [f"index:{n}" for n, _, _ in index_mentions(entry.text)]
    if entry.market_context:
        tags += regime_tags(entry.market_context.regime, entry.market_context.btc_volatility_30d)
    return list(dict.fromkeys(tags))


def embedding_text(entry: JournalEntry) -> str:
    # The gloss puts the canonical vocabulary next to the user's words, so a paraphrase that
    # shares only the concept ("fright" vs "panic") still lands near it.
    gloss = tag_gloss([t for t in entry.derived_tags if t.split(":")[0] in ("emotion", "action", "theme")])
    return entry.search_text() + (f"\n({gloss})" if gloss else "")


class JournalStore:
    def __init__(self, root: Path, embedder: Embedder, chroma_url: str | None = None, *, verify: bool = True) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.root / "journal.sqlite", timeout=60, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=60000")
        with self._write():
            for statement in SCHEMA:
                self._db.execute(statement)
            if verify:
                self._check_model()
        self.index = VectorIndex(self.root, embedder.model_id, embedder.dimension, chroma_url)
        self.matrix = VectorMatrix(embedder.dimension)
        if verify:
            self.index.open()
            self.sync_index()

    @classmethod
    def open_for_reindex(cls, root: Path, embedder: Embedder, chroma_url: str | None = None) -> "JournalStore":
        """The log without the model check or the vector index: only `reindex` may follow."""
        return cls(root, embedder, chroma_url, verify=False)

    # ------------------------------------------------------------ plumbing

    def _write(self):
        store = self

        class _Tx:
            def __enter__(self):
                store._lock.acquire()
                store._db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, exc, tb):
                try:
                    store._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
                finally:
                    store._lock.release()

        return _Tx()

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, value))

    def _check_model(self) -> None:
        stored = self._meta("embedding_model")
        if stored is None:
            self._set_meta("embedding_model", self.embedder.model_id)
        elif stored != self.embedder.model_id:
            raise JournalError(
                f"this journal was embedded with {stored!r}, but the embedding setting now gives "
                f"{self.embedder.model_id!r}; vectors of different models cannot be mixed",
                hint="set INDEXDESK_EMBEDDING back, or run `indexdesk journal reindex` to re-embed every entry")

    def close(self) -> None:
        self.index.close()
        self._db.close()

    # ------------------------------------------------------------ writes

    def _insert(self, entry: JournalEntry, vector: np.ndarray | None) -> int:
        body = entry.model_dump_json()
        cursor = self._db.execute(
            "INSERT INTO entries (id, version, is_current, ts, kind, body, embedding) VALUES (?, ?, 1, ?, ?, ?, ?)",
            (entry.id, entry.version, _epoch(entry.timestamp), entry.kind, body,
             None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()))
        seq = int(cursor.lastrowid)
        labels = [f"name:{n}" for n in entry.names] + [f"tag:{t}" for t in entry.all_tags()]
        self._db.executemany("INSERT INTO entry_labels (seq, label) VALUES (?, ?)", [(seq, lab) for lab in labels])
        text, tags = entry_document(entry.search_text(), entry.all_tags() + [f"index:{n}" for n in entry.names])
        self._db.execute("INSERT INTO entry_fts (rowid, body, tags) VALUES (?, ?, ?)", (seq, text, tags))
        return seq

    def _prepare(self, entries: list[JournalEntry], enrich: bool) -> np.ndarray:
        if enrich:
            for entry in entries:
                entry.derived_tags = derive_tags(entry)
        return self.embedder.embed([embedding_text(e) for e in entries])

    def add(self, entry: JournalEntry) -> JournalEntry:
        """Store one entry; returns once it is committed to disk."""
        return self.add_many([entry])[0]

    def add_many(self, entries: Iterable[JournalEntry], batch_size: int = 256,
                 on_commit: Callable[[list[str]], None] | None = None, enrich: bool = True) -> list[JournalEntry]:
        """Store entries in batches; `on_commit(ids)` runs after each batch is durable (the acknowledgement)."""
        stored: list[JournalEntry] = []
        batch: list[JournalEntry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= batch_size:
                stored += self._commit_batch(batch, on_commit, enrich)
                batch = []
        if batch:
            stored += self._commit_batch(batch, on_commit, enrich)
        return stored

    def _commit_batch(self, batch: list[JournalEntry], on_commit, enrich: bool) -> list[JournalEntry]:
        vectors = self._prepare(batch, enrich)  # embed outside the write lock: it is the slow part
        with self._write():
            for entry, vector in zip(batch, vectors):
                if self._db.execute("SELECT 1 FROM entries WHERE id = ?", (entry.id,)).fetchone():
                    raise JournalError(f"an entry with id {entry.id!r} already exists", hint="use edit to change it")
                self._insert(entry, vector)
        if on_commit:
            on_commit([e.id for e in batch])
        self.sync_index()
        return batch

    def edit(self, entry_id: str, **changes) -> JournalEntry:
        """A new version of an entry with `changes`; the previous version is kept (see `history`)."""
        current = self.get(entry_id)
        protected = {"id", "version", "created_at", "derived_tags"} & set(changes)
        if protected:
            raise JournalError(f"cannot edit {', '.join(sorted(protected))}", hint="these are managed by the journal")
        try:
            updated = JournalEntry.model_validate({**current.model_dump(), **changes,
                                                   "version": current.version + 1, "created_at": utc_now()})
        except ValidationError as exc:
            raise JournalError(f"invalid edit: {_validation_message(exc)}") from None
        vector = self._prepare([updated], enrich=True)[0]
        with self._write():
            row = self._db.execute("SELECT seq, version FROM entries WHERE id = ? AND +is_current = 1", (entry_id,)).fetchone()
            if row is None or row[1] != current.version:
                raise JournalError(f"entry {entry_id!r} changed while it was being edited", hint="edit it again")
            self._db.execute("UPDATE entries SET is_current = 0 WHERE seq = ?", (row[0],))
            self._db.execute("DELETE FROM entry_fts WHERE rowid = ?", (row[0],))
            self._insert(updated, vector)
        self.sync_index()
        return updated

    # ------------------------------------------------------------ the vector index

    def sync_index(self) -> int:
        """Bring Chroma up to the log (entries written by any process); returns entries indexed now."""
        last = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]
        if last <= self.index.loaded_seq:
            return 0
        with self.index.writer_lock():
            shared = int(self._meta("chroma_seq") or 0)
            if self.index.embedded and shared != self.index.loaded_seq and self.index.loaded_seq >= 0:
                self.index.reopen()  # another process indexed since we loaded: our in-memory HNSW is stale
            rows = self._db.execute(
                "SELECT seq, id, ts, kind, body, embedding FROM entries WHERE is_current = 1 AND seq > ? ORDER BY seq",
                (shared,)).fetchall()
            if rows:
                vectors = self._vectors_for(rows)
                metadatas = [_chroma_metadata(JournalEntry.model_validate_json(r[4]), r[0]) for r in rows]
                self.index.upsert([r[1] for r in rows], vectors, metadatas)
            high = max(shared, last)
            with self._write():
                self._set_meta("chroma_seq", str(high))
            self.index.loaded_seq = high
        return len(rows)

    def _vectors_for(self, rows) -> np.ndarray:
        missing = [i for i, r in enumerate(rows) if r[5] is None]
        vectors = np.zeros((len(rows), self.embedder.dimension), dtype=np.float32)
        for i, r in enumerate(rows):
            if r[5] is not None:
                vectors[i] = np.frombuffer(r[5], dtype=np.float32)
        if missing:
            entries = [JournalEntry.model_validate_json(rows[i][4]) for i in missing]
            vectors[missing] = self.embedder.embed([embedding_text(e) for e in entries])
        return vectors

    def _refresh_matrix(self) -> None:
        """Catch the in-process vector matrix up with the log (any process's commits)."""
        last = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]
        if last <= self.matrix.loaded_seq:
            return
        # The JSON body is read only for the rare rows without a stored vector (after a failed reindex).
        rows = self._db.execute(
            "SELECT seq, id, ts, kind, NULL, embedding FROM entries WHERE is_current = 1 AND seq > ? ORDER BY seq",
            (self.matrix.loaded_seq,)).fetchall()
        rows = [r if r[5] is not None else
                (*r[:4], self._db.execute("SELECT body FROM entries WHERE seq = ?", (r[0],)).fetchone()[0], None)
                for r in rows]
        vectors = self._vectors_for(rows) if rows else []
        self.matrix.apply([(r[0], r[1], r[2], r[3], v) for r, v in zip(rows, vectors)], last)

    def _vector_search(self, vector: np.ndarray, pool: int, start, end, kinds, names, tags) -> list[tuple[str, float]]:
        lo, hi = day_bounds(start, end)
        _check_kinds(kinds)
        if not self.index.embedded:
            return self.index.query(vector, pool, chroma_where(lo, hi, kinds, names, tags))
        self._refresh_matrix()
        allowed = None
        if names or tags:
            where, params = self._filter_sql(None, None, None, names, tags)
            allowed = np.fromiter((r[0] for r in self._db.execute(f"SELECT e.seq FROM entries e WHERE {where}", params)),
                                  dtype=np.int64)
        return self.matrix.query(vector, pool, allowed, lo, hi, kinds)

    def reindex(self, embedder: Embedder) -> int:
        """Re-embed every current entry with another model and rebuild the vector index from scratch."""
        rows = self._db.execute("SELECT seq, body FROM entries WHERE is_current = 1 ORDER BY seq").fetchall()
        entries = [JournalEntry.model_validate_json(b) for _, b in rows]
        vectors = embedder.embed([embedding_text(e) for e in entries]) if entries else np.zeros((0, embedder.dimension))
        with self.index.writer_lock():
            self.index.drop()
            with self._write():
                self._db.execute("UPDATE entries SET embedding = NULL")
                for (seq, _), vector in zip(rows, vectors):
                    self._db.execute("UPDATE entries SET embedding = ? WHERE seq = ?", (vector.astype(np.float32).tobytes(), seq))
                self._set_meta("embedding_model", embedder.model_id)
                self._set_meta("chroma_seq", "0")
        self.embedder = embedder
        self.index = VectorIndex(self.root, embedder.model_id, embedder.dimension, self.index.url)
        self.matrix = VectorMatrix(embedder.dimension)
        self.index.open()
        self.sync_index()
        return len(entries)

    # ------------------------------------------------------------ reads

    def get(self, entry_id: str) -> JournalEntry:
        row = self._db.execute("SELECT body FROM entries WHERE id = ? AND +is_current = 1", (entry_id,)).fetchone()
        if row is None:
            raise JournalError(f"no journal entry with id {entry_id!r}", hint="`indexdesk journal search` lists ids",
                               field="entry_id")
        return JournalEntry.model_validate_json(row[0])

    def history(self, entry_id: str) -> list[JournalEntry]:
        """Every version of an entry, oldest first."""
        rows = self._db.execute("SELECT body FROM entries WHERE id = ? ORDER BY version", (entry_id,)).fetchall()
        if not rows:
            raise JournalError(f"no journal entry with id {entry_id!r}", field="entry_id")
        return [JournalEntry.model_validate_json(r[0]) for r in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM entries WHERE is_current = 1").fetchone()[0]

    def ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM entries WHERE is_current = 1")}

    def _filter_sql(self, start: date | None, end: date | None, kinds, names, tags) -> tuple[str, list]:
        _check_kinds(kinds)
        lo, hi = day_bounds(start, end)
        sql, params = ["e.is_current = 1"], []
        if lo is not None:
            sql.append("e.ts >= ?"); params.append(lo)  # noqa: E702
        if hi is not None:
            sql.append("e.ts <= ?"); params.append(hi)  # noqa: E702
        if kinds:
            sql.append(f"e.kind IN ({','.join('?' * len(kinds))})"); params += list(kinds)  # noqa: E702
        for prefix, values in (("name:", names), ("tag:", tags)):
            if values:
                sql.append(f"e.seq IN (SELECT seq FROM entry_labels WHERE label IN ({','.join('?' * len(values))}))")
                params += [prefix + v for v in values]
        return " AND ".join(sql), params

    def list_entries(self, start: date | None = None, end: date | None = None, kinds: list[str] | None = None,
                     names: list[str] | None = None, tags: list[str] | None = None,
                     limit: int | None = None, newest_first: bool = False) -> list[JournalEntry]:
        """Current entries in a date range (inclusive, UTC days) by time; what the quarterly review reads."""
        where, params = self._filter_sql(start, end, kinds, names, tags)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT body FROM entries e WHERE {where} ORDER BY e.ts {order}, e.seq {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [JournalEntry.model_validate_json(r[0]) for r in self._db.execute(sql, params)]

    def search(self, query: str, *, start: date | None = None, end: date | None = None, kinds: list[str] | None = None,
               names: list[str] | None = None, tags: list[str] | None = None, k: int = 5,
               candidates: int = 50, use_vector: bool = True, use_lexical: bool = True) -> list[SearchHit]:
        """Hybrid search: vector (exact in-process, or Chroma for a server) and BM25 (FTS5) over text + tags, fused by RRF.

        The query goes through the same lexicon as the entries, so its canonical tags match theirs.
        Ties (equal fused scores) go newest first.
        """
        if not query or not query.strip():
            raise JournalError("the search query is empty", field="query")
        if not 1 <= k <= 200:
            raise JournalError(f"k must be between 1 and 200 (got {k})", field="k")
        self.sync_index()
        query_tags = lexicon_tags(query) + [f"index:{n}" for n, _, _ in index_mentions(query)]
        pool = max(candidates, 4 * k)
        vector_hits: list[tuple[str, float]] = []
        if use_vector:
            gloss = tag_gloss([t for t in query_tags if t.split(":")[0] in ("emotion", "action", "theme")])
            vector = self.embedder.embed([query + (f"\n({gloss})" if gloss else "")])[0]
            vector_hits = self._vector_search(vector, pool, start, end, kinds, names, tags)
        lexical_hits: list[tuple[str, float]] = []
        if use_lexical:
            lexical_hits = self._lexical(query, query_tags, start, end, kinds, names, tags, pool)
        scores: dict[str, float] = {}
        vector_rank = tied_ranks(vector_hits)
        lexical_rank = tied_ranks(lexical_hits)
        for ranks, weight in ((vector_rank, VECTOR_WEIGHT), (lexical_rank, LEXICAL_WEIGHT)):
            for entry_id, rank in ranks.items():
                scores[entry_id] = scores.get(entry_id, 0.0) + weight / (RRF_K + rank)
        if not scores:
            return []
        # One query for the candidates' rows; only the k returned are parsed from JSON.
        rows = self._current_rows(list(scores))
        best = sorted(rows, key=lambda r: (-round(scores[r[0]], 12), -r[1]))[:k]
        ordered = [JournalEntry.model_validate_json(r[2]) for r in best]
        similarity = dict(vector_hits)
        return [SearchHit(entry=e, score=round(scores[e.id], 6), vector_rank=vector_rank.get(e.id),
                          lexical_rank=lexical_rank.get(e.id), similarity=similarity.get(e.id)) for e in ordered]

    def _lexical(self, query, query_tags, start, end, kinds, names, tags, pool) -> list[tuple[str, float]]:
        """(entry id, BM25 relevance: higher is better), best first."""
        terms = self._selective_terms(match_terms(query, query_tags))
        if not terms:
            return []
        expression = " OR ".join(terms)
        bm25 = f"bm25(entry_fts, 1.0, {TAG_COLUMN_WEIGHT})"
        if not (start or end or kinds or names or tags):
            # The FTS table holds only current versions, so with no filter it ranks alone and only the
            # top `pool` rows are joined for their ids (joining every match first was 2-3x slower).
            sql = (f"SELECT e.id, s.score FROM (SELECT rowid AS seq, -{bm25} AS score FROM entry_fts "
                   f"WHERE entry_fts MATCH ? ORDER BY {bm25} LIMIT ?) s JOIN entries e ON e.seq = s.seq ORDER BY s.score DESC")
            return [(r[0], float(r[1])) for r in self._db.execute(sql, [expression, pool])]
        where, params = self._filter_sql(start, end, kinds, names, tags)
        sql = (f"SELECT e.id, -{bm25} FROM entry_fts JOIN entries e ON e.seq = entry_fts.rowid "
               f"WHERE entry_fts MATCH ? AND {where} ORDER BY {bm25}, e.ts DESC LIMIT ?")
        return [(r[0], float(r[1])) for r in self._db.execute(sql, [expression, *params, pool])]

    def _selective_terms(self, terms: list[str]) -> list[str]:
        """The query terms worth ranking on: in a large journal, a term matching more than
        COMMON_TERM_SHARE of the entries is dropped from the lexical half.

        FTS5 computes bm25() for every matching row, so one common word ("sell", `action:sell`)
        makes ranking scan a third of a 100k journal while adding little (its IDF is low); the
        vector half still reads the whole query. Counting a term's matches is cheap (no ranking).
        Small journals are left alone: there every term costs nothing.
        """
        size = len(self.matrix)
        if size < PRUNE_FROM_ENTRIES or len(terms) < 2:
            return terms
        counts = {term: self._db.execute("SELECT count(*) FROM entry_fts WHERE entry_fts MATCH ?", (term,)).fetchone()[0]
                  for term in terms}
        kept = [term for term in terms if counts[term] <= COMMON_TERM_SHARE * size]
        return kept or [min(terms, key=counts.__getitem__)]

    def _current_rows(self, ids: list[str]) -> list[tuple[str, int, str]]:
        """(id, ts, body) of the current versions of `ids`."""
        out = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            out += self._db.execute(
                f"SELECT id, ts, body FROM entries WHERE +is_current = 1 AND id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall()
        return out

    # ------------------------------------------------------------ export / import

    def export_jsonl(self, out: IO[str]) -> int:
        """Every version of every entry, one JSON object a line, in write order."""
        n = 0
        for (body,) in self._db.execute("SELECT body FROM entries ORDER BY seq"):
            out.write(body + "\n")
            n += 1
        return n

    def import_jsonl(self, lines: Iterable[str]) -> int:
        """Load an export: validated in full first, then written in one transaction (all or nothing).

        Versions already present with identical content are skipped, so importing twice is harmless.
        """
        parsed: list[JournalEntry] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                parsed.append(JournalEntry.model_validate_json(line))
            except ValidationError as exc:
                raise JournalError(f"line {number}: {_validation_message(exc)}", hint="nothing was imported") from None
        fresh = []
        for entry in parsed:
            row = self._db.execute("SELECT body FROM entries WHERE id = ? AND version = ?", (entry.id, entry.version)).fetchone()
            if row is None:
                fresh.append(entry)
            elif row[0] != entry.model_dump_json():
                raise JournalError(f"entry {entry.id} version {entry.version} already exists with other content",
                                   hint="nothing was imported")
        vectors = self.embedder.embed([embedding_text(e) for e in fresh]) if fresh else []
        latest = {}
        for entry in fresh:
            latest[entry.id] = max(latest.get(entry.id, 0), entry.version)
        with self._write():
            for entry, vector in zip(fresh, vectors):
                seq = self._insert(entry, vector)
                current = self._db.execute("SELECT MAX(version) FROM entries WHERE id = ?", (entry.id,)).fetchone()[0]
                if entry.version < current:
                    self._db.execute("UPDATE entries SET is_current = 0 WHERE seq = ?", (seq,))
                    self._db.execute("DELETE FROM entry_fts WHERE rowid = ?", (seq,))
                else:
                    older = self._db.execute("SELECT seq FROM entries WHERE id = ? AND version < ? AND is_current = 1",
                                             (entry.id, entry.version)).fetchall()
                    for (old,) in older:
                        self._db.execute("UPDATE entries SET is_current = 0 WHERE seq = ?", (old,))
                        self._db.execute("DELETE FROM entry_fts WHERE rowid = ?", (old,))
        self.sync_index()
        return len(fresh)


def tied_ranks(hits: list[tuple[str, float]]) -> dict[str, int]:
    """Competition ranks (1, 2, 2, 4) by score, best first: equal scores share a rank, so a fused tie
    stays a tie and is broken newest first rather than by the index's arbitrary order."""
    ranks: dict[str, int] = {}
    previous, rank = None, 0
    for position, (entry_id, score) in enumerate(hits, start=1):
        rounded = round(score, 6)
        if rounded != previous:
            rank, previous = position, rounded
        ranks.setdefault(entry_id, rank)
    return ranks


def _chroma_metadata(entry: JournalEntry, seq: int) -> dict:
    meta = {"ts": _epoch(entry.timestamp), "kind": entry.kind, "seq": seq}
    if entry.names:
        meta["names"] = entry.names
    if entry.all_tags():
        meta["tags"] = entry.all_tags()
    return meta


def _check_kinds(kinds: list[str] | None) -> None:
    for kind in kinds or []:
        if kind not in KINDS:
            from difflib import get_close_matches

            close = get_close_matches(kind, KINDS, n=1)
            raise JournalError(f"unknown kind {kind!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                               + f" valid: {', '.join(KINDS)}", field="kinds")


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in exc.errors(include_url=False))


def open_journal(home: Path, chroma_url: str | None = None, embedding: str | None = None,
                 openai_api_key: str | None = None) -> JournalStore:
    """The journal under `home/journal`, with the embedding model the setting names."""
    return JournalStore(Path(home) / "journal", make_embedder(embedding, openai_api_key), chroma_url)
