"""The vector half of the journal: a Chroma collection derived from the SQLite log.

Embedded Chroma (`PersistentClient`) keeps its HNSW index in process memory: a second process's
writes show in `count()` but not in `query()`, and two writers can overwrite each other's index
files (measured here with chromadb 1.5). So Chroma is an index, never the source of truth:

* every write to Chroma happens under an exclusive file lock (`chroma.lock`);
* the log's `meta.chroma_seq` is the highest entry sequence number Chroma holds; a process that
  finds it moved since it last looked (another process indexed) reopens its client before it
  reads or writes, so it never serves or persists a stale index;
* a Chroma server (`chroma_url`) is multi-client by design: same code, no reopen needed.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from indexdesk.memory.journal.errors import JournalError

log = logging.getLogger("indexdesk.journal")
COLLECTION = "indexdesk-journal"


def _client(path: Path, url: str | None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "//" in url else f"http://{url}")
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                   ssl=parsed.scheme == "https", settings=chroma_settings)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorIndex:
    def __init__(self, root: Path, model_id: str, dimension: int, url: str | None = None) -> None:
        self.root = root
        self.url = url
        self.model_id = model_id
        self.dimension = dimension
        self._lock_path = root / "chroma.lock"
        self._client = None
        self._collection = None
        self.loaded_seq = -1  # the log sequence this process's view of Chroma reflects

    @property
    def embedded(self) -> bool:
        return not self.url

    def open(self) -> None:
        try:
            self._client = _client(self.root / "chroma", self.url)
            self._collection = self._client.get_or_create_collection(
                COLLECTION, embedding_function=None,
                metadata={"embedding_model": self.model_id, "dimension": self.dimension, "hnsw:space": "cosine"})
        except JournalError:
            raise
        except Exception as exc:  # noqa: BLE001 - chromadb raises many types; the user needs one message
            where = self.url or str(self.root / "chroma")
            raise JournalError(f"cannot open the journal's Chroma index at {where}: {exc}",
                               hint="check INDEXDESK_CHROMA_URL (is the server running?)") from exc
        stored = (self._collection.metadata or {}).get("embedding_model")
        if stored and stored != self.model_id:
            raise JournalError(
                f"the journal index was built with embedding model {stored!r}, but the setting now gives "
                f"{self.model_id!r}; vectors of different models cannot be compared",
                hint="set INDEXDESK_EMBEDDING back, or run `indexdesk journal reindex` to rebuild with the new model")

    def close(self) -> None:
        client, self._client, self._collection = self._client, None, None
        if client is not None and hasattr(client, "close"):
            client.close()

    def reopen(self) -> None:
        self.close()
        self.open()

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Exclusive across processes; a no-op for a server, which serialises its own writes."""
        if not self.embedded:
            yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        for start in range(0, len(ids), 2000):
            stop = start + 2000
            self._collection.upsert(ids=ids[start:stop], embeddings=vectors[start:stop],
                                    metadatas=metadatas[start:stop])

    def query(self, vector: np.ndarray, n: int, where: dict | None) -> list[tuple[str, float]]:
        """(entry id, cosine similarity), best first."""
        if self.loaded_seq <= 0:
            return []
        result = self._collection.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0])]

    def drop(self) -> None:
        """Delete the collection (a rebuild with another embedding model starts from nothing)."""
        if self._client is None:
            self._client = _client(self.root / "chroma", self.url)
        try:
            self._client.delete_collection(COLLECTION)
        except Exception:  # noqa: BLE001 - absent already is fine
            log.debug("no collection to drop")
        self.close()


def chroma_where(start_ts: int | None, end_ts: int | None, kinds: list[str] | None,
                 names: list[str] | None, tags: list[str] | None) -> dict | None:
    """A Chroma `where` filter: date range, any of the kinds, any of the names, any of the tags."""
    clauses: list[dict[str, Any]] = []
    if start_ts is not None:
        clauses.append({"ts": {"$gte": start_ts}})
    if end_ts is not None:
        clauses.append({"ts": {"$lte": end_ts}})
    if kinds:
        clauses.append({"kind": {"$in": list(kinds)}})
    for key, values in (("names", names), ("tags", tags)):
        if values:
            options = [{key: {"$contains": v}} for v in values]
            clauses.append(options[0] if len(options) == 1 else {"$or": options})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
