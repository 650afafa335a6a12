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

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import IO

import numpy as np
from pydantic import ValidationError

from indexdesk.memory import integrity
from indexdesk.memory.journal.concepts import concept_tags
from indexdesk.memory.journal.embeddings import Embedder, embed_passages, make_embedder
from indexdesk.memory.journal.enrich import index_mentions, lexicon_tags, regime_tags
from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.lexical import FTS_SCHEMA, entry_document
from indexdesk.memory.journal.models import KINDS, JournalEntry, SearchHit, utc_now  # noqa: F401 - SearchHit re-exported
from indexdesk.memory.journal.search import SearchMixin
from indexdesk.memory.journal.vector_index import IndexBroken, VectorIndex
from indexdesk.memory.journal.views import N_VIEWS, VIEW_LAYOUT, entry_views, view_id

log = logging.getLogger("indexdesk.journal")

JOURNAL_FILE = "journal.sqlite"
JOURNAL_TABLES = ("meta", "entries", "entry_labels")
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


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def day_bounds(start: date | None, end: date | None) -> tuple[int | None, int | None]:
    """Epoch seconds of the start of `start` and the end of `end` (UTC), inclusive."""
    if start and end and start > end:
        raise JournalError(f"the date range starts after it ends ({start} > {end})", field="start")
    lo = _epoch(datetime.combine(start, time.min, tzinfo=timezone.utc)) if start else None
    hi = _epoch(datetime.combine(end, time.max, tzinfo=timezone.utc)) if end else None
    return lo, hi


def derive_tags(entry: JournalEntry, vocabulary=None) -> list[str]:
    """Canonical tags from the text, the structured fields and the market context.

    `vocabulary` (vocabulary.py) names the assets and indices a text can mention; the tools layer
    hands in the full one (universe + catalogue + the user's indices.toml), else the default applies.
    """
    text = entry.search_text()
    tags = lexicon_tags(text) + concept_tags(text)
    tags += [f"kind:{entry.kind}"] + ([f"action:{entry.action}"] if entry.action else [])
    tags += [f"index:{n}" for n in entry.names]
    for reading, items in (("transfer", entry.transfers), ("plan", entry.plans), ("observation", entry.observations)):
        tags += [f"reading:{reading}"] * bool(items) + [f"index:{r.name}" for r in items if r.name]
    tags += [f"index:{n}" for n, _, _ in index_mentions(entry.text, vocabulary=vocabulary)]
    if entry.market_context:
        tags += regime_tags(entry.market_context.regime, entry.market_context.btc_volatility_30d)
    return list(dict.fromkeys(tags))


def embed_entries(embedder: Embedder, entries: list[JournalEntry]) -> np.ndarray:
    """(len(entries), N_VIEWS, dimension): every view of every entry, embedded in one batch."""
    if not entries:
        return np.zeros((0, N_VIEWS, embedder.dimension), dtype=np.float32)
    flat = embed_passages(embedder, [text for e in entries for text in entry_views(e)])
    return flat.reshape(len(entries), N_VIEWS, embedder.dimension)


class JournalStore(SearchMixin):
    def __init__(self, root: Path, embedder: Embedder, chroma_url: str | None = None, *, verify: bool = True,
                 rewriter: Callable[[str], str | None] | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.rewriter = rewriter  # optional: a model's rewrite of a search query (None = offline)
        # Which assets and indices texts name (vocabulary.py). The tools layer sets the full one
        # (universe + catalogue + user indices.toml) on every `ctx.journal_store()`; None = default.
        self.vocabulary = None
        self.notices: list[str] = []  # said once: what the store did on its own (a rebuilt index)
        self.before_history_change: Callable[[str], object] | None = None  # open_journal: a rolling backup
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.root / JOURNAL_FILE, timeout=60, check_same_thread=False,
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
        if verify:
            self._open_index()
            self.sync_index()

    @classmethod
    def open_for_reindex(cls, root: Path, embedder: Embedder, chroma_url: str | None = None) -> "JournalStore":
        """The log without the model check or the vector index: only `reindex` may follow."""
        return cls(root, embedder, chroma_url, verify=False)

    def take_notices(self) -> list[str]:
        """What the store did on its own since the last call (each said once)."""
        out, self.notices = self.notices, []
        return out

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

    def _insert(self, entry: JournalEntry, vectors: np.ndarray | None) -> int:
        body = entry.model_dump_json()
        cursor = self._db.execute(
            "INSERT INTO entries (id, version, is_current, ts, kind, body, embedding) VALUES (?, ?, 1, ?, ?, ?, ?)",
            (entry.id, entry.version, _epoch(entry.timestamp), entry.kind, body,
             None if vectors is None else np.asarray(vectors, dtype=np.float32).tobytes()))
        seq = int(cursor.lastrowid)
        labels = [f"name:{n}" for n in entry.names] + [f"tag:{t}" for t in entry.all_tags()]
        self._db.executemany("INSERT INTO entry_labels (seq, label) VALUES (?, ?)", [(seq, lab) for lab in labels])
        text, tags = entry_document(entry.search_text(), entry.all_tags() + [f"index:{n}" for n in entry.names])
        self._db.execute("INSERT INTO entry_fts (rowid, body, tags) VALUES (?, ?, ?)", (seq, text, tags))
        return seq

    def _prepare(self, entries: list[JournalEntry], enrich: bool) -> np.ndarray:
        if enrich:
            for entry in entries:
                entry.derived_tags = derive_tags(entry, self.vocabulary)
        return embed_entries(self.embedder, entries)

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
        seen = set()
        for entry in batch:
            if entry.id in seen:
                raise JournalError(f"the id {entry.id!r} appears twice in one batch", field="id")
            seen.add(entry.id)
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
        if self.before_history_change:
            self.before_history_change("amend")
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

    # ------------------------------------------------------------ the vector index (Chroma)

    def _open_index(self) -> None:
        """Open Chroma and check it against the log; a broken or out-of-sync index is set aside and rebuilt."""
        with self.index.writer_lock():
            problem = None
            try:
                self.index.open()
                problem = self._index_disagreement()
            except IndexBroken as exc:
                problem = f"it could not be read ({exc})"
            if problem is None:
                return
            relayout = self._meta("view_layout") != VIEW_LAYOUT and self.count() > 0
            moved = self.index.set_aside()
            with self._write():
                if relayout:  # the stored vectors embed other texts: embed again from the log
                    self._db.execute("UPDATE entries SET embedding = NULL")
                self._set_meta("chroma_seq", "0")
                self._set_meta("view_layout", VIEW_LAYOUT)
            self.index.loaded_seq = 0
            self.index.open()
            where = "" if moved in ("missing", "deleted") or not self.index.embedded else f"; the old one is in {moved}"
            self.notices.append(f"the journal's vector index was rebuilt from the log because {problem}{where}")
            log.info(self.notices[-1])  # said once, by whoever shows the notices (tool warnings, CLI)

    def _index_disagreement(self) -> str | None:
        """Why Chroma does not reflect the log up to `meta.chroma_seq` (count and sequence check), or None."""
        if self._meta("view_layout") != VIEW_LAYOUT and self.count():
            return "the way entries are embedded changed (re-embedding from the log)"
        shared = int(self._meta("chroma_seq") or 0)
        indexed = self._db.execute("SELECT COUNT(DISTINCT id) FROM entries WHERE seq <= ?", (shared,)).fetchone()[0]
        written = self._db.execute("SELECT COUNT(DISTINCT id) FROM entries").fetchone()[0]
        have = self.index.count()
        # Records past chroma_seq are allowed: a process killed after indexing, before noting it.
        if not N_VIEWS * indexed <= have <= N_VIEWS * written:
            return f"it holds {have:,} records where the log needs {N_VIEWS * indexed:,}"
        if shared:
            row = self._db.execute("SELECT id, seq FROM entries WHERE seq <= ? AND is_current = 1 ORDER BY seq DESC LIMIT 1",
                                   (shared,)).fetchone()
            if row is not None:
                seen = self.index.indexed_seq(view_id(row[0], 0))
                if seen is None or seen < row[1]:
                    return f"its last indexed entry ({row[0]}) is missing or stale"
        return None

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
                ids = [view_id(r[1], v) for r in rows for v in range(N_VIEWS)]
                metadatas = [{"ts": r[2], "kind": r[3], "seq": r[0], "view": v} for r in rows for v in range(N_VIEWS)]
                self.index.upsert(ids, vectors.reshape(-1, self.embedder.dimension), metadatas)
            high = max(shared, last)
            with self._write():
                self._set_meta("chroma_seq", str(high))
                self._set_meta("view_layout", VIEW_LAYOUT)
            self.index.loaded_seq = high
        return len(rows)

    def _vectors_for(self, rows) -> np.ndarray:
        """Stored view vectors of log rows; rows without them (older layout, failed reindex) are embedded now."""
        size = N_VIEWS * self.embedder.dimension
        vectors = np.zeros((len(rows), N_VIEWS, self.embedder.dimension), dtype=np.float32)
        missing = []
        for i, r in enumerate(rows):
            if r[5] is not None and len(r[5]) == 4 * size:
                vectors[i] = np.frombuffer(r[5], dtype=np.float32).reshape(N_VIEWS, -1)
            else:
                missing.append(i)
        if missing:
            vectors[missing] = embed_entries(self.embedder, [JournalEntry.model_validate_json(rows[i][4]) for i in missing])
            with self._write():
                for i in missing:
                    self._db.execute("UPDATE entries SET embedding = ? WHERE seq = ?", (vectors[i].tobytes(), rows[i][0]))
        return vectors

    def reindex(self, embedder: Embedder) -> int:
        """Re-embed every current entry (another model, or a corrupted index) and rebuild the vector index from scratch."""
        rows = self._db.execute("SELECT seq, body FROM entries WHERE is_current = 1 ORDER BY seq").fetchall()
        vectors = embed_entries(embedder, [JournalEntry.model_validate_json(b) for _, b in rows])
        with self.index.writer_lock():
            self.index.set_aside()
            with self._write():
                self._db.execute("UPDATE entries SET embedding = NULL")
                for (seq, _), vector in zip(rows, vectors):
                    self._db.execute("UPDATE entries SET embedding = ? WHERE seq = ?", (vector.tobytes(), seq))
                self._set_meta("embedding_model", embedder.model_id)
                self._set_meta("chroma_seq", "0")
                self._set_meta("view_layout", VIEW_LAYOUT)
        self.embedder = embedder
        self.index = VectorIndex(self.root, embedder.model_id, embedder.dimension, self.index.url)
        self.index.loaded_seq = 0
        with self.index.writer_lock():
            self.index.open()
        self.sync_index()
        return len(rows)

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

    def size(self) -> int:
        """count(), recounted only when the log moved (search asks for it on every query)."""
        last = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]
        if getattr(self, "_size_at", None) != last:
            self._size, self._size_at = self.count(), last
        return self._size

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
        parsed: list[tuple[int, JournalEntry]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                parsed.append((number, JournalEntry.model_validate_json(line)))
            except ValidationError as exc:
                raise JournalError(f"line {number}: {_validation_message(exc)}", hint="nothing was imported") from None
        fresh, lines_of = [], {}
        for number, entry in parsed:
            key = (entry.id, entry.version)
            if key in lines_of:
                if JournalEntry.model_validate_json(lines_of[key][1]) == entry:
                    continue  # the same version twice in one file: harmless
                raise JournalError(f"line {number}: entry {entry.id} version {entry.version} appears twice in the file "
                                   f"(first on line {lines_of[key][0]}) with different content", hint="nothing was imported")
            lines_of[key] = (number, entry.model_dump_json())
            row = self._db.execute("SELECT body FROM entries WHERE id = ? AND version = ?", (entry.id, entry.version)).fetchone()
            if row is None:
                fresh.append(entry)
            elif JournalEntry.model_validate_json(row[0]) != entry:
                raise JournalError(f"line {number}: entry {entry.id} version {entry.version} already exists with other content",
                                   hint="nothing was imported")
        vectors = embed_entries(self.embedder, fresh)
        latest = {}
        for entry in fresh:
            latest[entry.id] = max(latest.get(entry.id, 0), entry.version)
        if fresh and self.before_history_change:
            self.before_history_change("import")
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
                 openai_api_key: str | None = None, rewriter: Callable[[str], str | None] | None = None,
                 backup_keep: int = integrity.DEFAULT_KEEP) -> JournalStore:
    """The journal under `home/journal`, with the embedding model the setting names: checked on open,
    backed up daily and before an import or an edit (memory/integrity.py)."""
    return integrity.open_checked(Path(home), "journal", Path(home) / "journal" / JOURNAL_FILE, JOURNAL_TABLES,
                                  lambda: JournalStore(Path(home) / "journal", make_embedder(embedding, openai_api_key),
                                                       chroma_url, rewriter=rewriter), backup_keep)
