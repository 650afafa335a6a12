"""In-process exact vector search over the log's stored embeddings: a numpy matrix kept per store.

Why not query Chroma in-process: a Chroma round-trip (HNSW, metadata filter, result marshalling)
costs tens of milliseconds, while exact cosine over 10k x 384 float32 is about 1 ms (100k: ~10 ms)
and is exact, not approximate. Chroma stays the persisted and served index (the only path with a
`chroma_url`); this matrix is a cache of the SQLite log, caught up by sequence number, so it sees
every entry any process has committed, before Chroma has indexed it.
"""

from __future__ import annotations

import numpy as np


class VectorMatrix:
    """Current entries' vectors with their id, seq, timestamp and kind, refreshed from the log incrementally."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.loaded_seq = 0
        self._rows: dict[str, int] = {}  # entry id -> row
        self.ids: list[str] = []
        self._vectors = np.zeros((0, dimension), dtype=np.float32)
        self._seqs = np.zeros(0, dtype=np.int64)
        self._ts = np.zeros(0, dtype=np.int64)
        self._kinds = np.zeros(0, dtype=object)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _grow(self, needed: int) -> None:
        capacity = len(self._seqs)
        if needed <= capacity:
            return
        new = max(needed, 2 * capacity, 1024)
        vectors = np.zeros((new, self.dimension), dtype=np.float32)
        vectors[:self._size] = self._vectors[:self._size]
        self._vectors = vectors
        for name in ("_seqs", "_ts", "_kinds"):
            old = getattr(self, name)
            grown = np.zeros(new, dtype=old.dtype)
            grown[:self._size] = old[:self._size]
            setattr(self, name, grown)

    def apply(self, rows: list[tuple[int, str, int, str, np.ndarray]], high_seq: int) -> None:
        """Rows (seq, id, ts, kind, vector) of current versions written after `loaded_seq`, in seq order.

        A later version of an id replaces its row in place (an edit or an imported newer version).
        """
        self._grow(self._size + len(rows))
        for seq, entry_id, ts, kind, vector in rows:
            row = self._rows.get(entry_id)
            if row is None:
                row = self._rows[entry_id] = self._size
                self.ids.append(entry_id)
                self._size += 1
            self._vectors[row] = vector
            self._seqs[row], self._ts[row], self._kinds[row] = seq, ts, kind
        self.loaded_seq = max(self.loaded_seq, high_seq)

    def timestamp(self, entry_id: str) -> int | None:
        row = self._rows.get(entry_id)
        return None if row is None else int(self._ts[row])

    def query(self, vector: np.ndarray, n: int, allowed_seqs: np.ndarray | None = None,
              start_ts: int | None = None, end_ts: int | None = None,
              kinds: list[str] | None = None) -> list[tuple[str, float]]:
        """(entry id, cosine similarity) of the `n` nearest current entries, best first (vectors are unit length)."""
        if self._size == 0:
            return []
        scores = self._vectors[:self._size] @ np.asarray(vector, dtype=np.float32)
        mask = None
        if start_ts is not None:
            mask = self._ts[:self._size] >= start_ts
        if end_ts is not None:
            mask = _and(mask, self._ts[:self._size] <= end_ts)
        if kinds:
            mask = _and(mask, np.isin(self._kinds[:self._size], list(kinds)))
        if allowed_seqs is not None:
            mask = _and(mask, np.isin(self._seqs[:self._size], allowed_seqs))
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        n = min(n, self._size)
        top = np.argpartition(-scores, n - 1)[:n] if n < self._size else np.arange(self._size)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > -np.inf]


def _and(mask: np.ndarray | None, other: np.ndarray) -> np.ndarray:
    return other if mask is None else mask & other
