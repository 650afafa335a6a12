"""The vector half of the journal: one Chroma collection, embedded (PersistentClient) or a server.

Chroma is the only vector search path, in both modes; it is an index derived from the SQLite log,
never the source of truth:

* every write to an embedded Chroma happens under an exclusive file lock (`chroma.lock`);
  embedded Chroma keeps its HNSW index in process memory, so a process that finds the log's
  `meta.chroma_seq` moved since it last looked (another process indexed) reopens its client
  before it reads or writes, and never serves or persists a stale index;
* a Chroma server (`chroma_url`) is multi-client by design: same code, no reopen needed;
* an index that cannot be opened or read ("file is not a database", a truncated or deleted
  folder) or that disagrees with the log (record count, the last indexed entry) is set aside
  (embedded: the folder is renamed `chroma.broken-<time>`; server: the collection is dropped)
  and rebuilt from the log by the store, which tells the user once (`JournalStore.notices`).

Each entry is N_VIEWS records `<entry id>#<view>` (see views.py); a query returns entries scored
by their best view.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from indexdesk.memory.journal.errors import JournalError

log = logging.getLogger("indexdesk.journal")
COLLECTION = "indexdesk-journal"
IDS_FILTER_LIMIT = 20_000  # above this many allowed entries a filter is applied after an over-fetch instead


class IndexBroken(Exception):
    """The Chroma index cannot be used as it is; the store sets it aside and rebuilds it from the log."""


def _client(path: Path, url: str | None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "//" in url else f"http://{url}")
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                   ssl=parsed.scheme == "https", settings=chroma_settings)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _forget_embedded_clients() -> None:
    """chromadb caches one system per path in the process; a folder set aside must not be served from it."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:  # noqa: BLE001 - older/newer chromadb: nothing cached to forget
        log.debug("no chromadb system cache to clear")


class VectorIndex:
    def __init__(self, root: Path, model_id: str, dimension: int, url: str | None = None) -> None:
        self.root = root
        self.url = url
        self.model_id = model_id
        self.dimension = dimension
        self.path = root / "chroma"
        self._lock_path = root / "chroma.lock"
        self._client = None
        self._collection = None
        self.loaded_seq = -1  # the log sequence this process's view of Chroma reflects

    @property
    def embedded(self) -> bool:
        return not self.url

    @property
    def where(self) -> str:
        return self.url or str(self.path)

    def open(self) -> None:
        """Open (or create) the collection; IndexBroken when an embedded index cannot be read."""
        try:
            self._client = _client(self.path, self.url)
            self._collection = self._client.get_or_create_collection(
                COLLECTION, embedding_function=None,
                metadata={"embedding_model": self.model_id, "dimension": self.dimension, "hnsw:space": "cosine"})
            self._collection.count()  # a garbled file opens lazily; reading proves it
        except Exception as exc:  # noqa: BLE001 - chromadb raises many types; the user needs one message
            self.close()
            if self.embedded:
                raise IndexBroken(f"{type(exc).__name__}: {str(exc)[:160]}") from exc
            raise JournalError(f"cannot reach the journal's Chroma server at {self.url}: {str(exc)[:160]}",
                               hint="check INDEXDESK_CHROMA_URL (is `chroma run` up?), or unset it to use the "
                                    "embedded index") from exc
        stored = (self._collection.metadata or {}).get("embedding_model")
        if stored and stored != self.model_id:
            raise JournalError(
                f"the journal index was built with embedding model {stored!r}, but the setting now gives "
                f"{self.model_id!r}; vectors of different models cannot be compared",
                hint="set INDEXDESK_EMBEDDING back, or run `indexdesk journal reindex` to rebuild with the new model")

    def close(self) -> None:
        client, self._client, self._collection = self._client, None, None
        if client is not None and hasattr(client, "close"):
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing a broken client must not hide why it broke
                log.debug("closing the Chroma client failed", exc_info=True)

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

    # ------------------------------------------------------------ consistency with the log

    def count(self) -> int:
        try:
            return int(self._collection.count())
        except Exception as exc:  # noqa: BLE001
            raise IndexBroken(f"cannot count the index: {type(exc).__name__}") from exc

    def indexed_seq(self, record_id: str) -> int | None:
        """The log sequence number stored with a record, or None when the record is absent."""
        try:
            got = self._collection.get(ids=[record_id], include=["metadatas"])
        except Exception as exc:  # noqa: BLE001
            raise IndexBroken(f"cannot read the index: {type(exc).__name__}") from exc
        if not got["ids"]:
            return None
        return int((got["metadatas"][0] or {}).get("seq", -1))

    def set_aside(self) -> str:
        """Move a broken index out of the way; returns where it went (or what was done)."""
        self.close()
        if not self.embedded:
            self.drop()
            return f"collection {COLLECTION} on {self.url} dropped"
        _forget_embedded_clients()
        if not self.path.exists():
            return "missing"
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"chroma.broken-{stamp}")
        n = 1
        while target.exists():
            target, n = self.path.with_name(f"chroma.broken-{stamp}-{n}"), n + 1
        try:
            self.path.rename(target)
        except OSError:
            shutil.rmtree(self.path, ignore_errors=True)
            return "deleted"
        return str(target)

    # ------------------------------------------------------------ reads and writes

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        for start in range(0, len(ids), 2000):
            stop = start + 2000
            self._collection.upsert(ids=ids[start:stop], embeddings=vectors[start:stop],
                                    metadatas=metadatas[start:stop])

    def query(self, vectors: np.ndarray, n: int, allowed: list[str] | None = None, total: int = 0,
              views: int = 1) -> dict[tuple[int, int], list[tuple[str, float]]]:
        """{(query phrasing, entry view): [(entry id, cosine similarity), best first]} from one Chroma query.

        `allowed` (record ids) narrows the search; a large allowed set is applied after an
        over-fetch instead (a 100k-id filter costs more than reading a few hundred extra results).
        """
        if self.loaded_seq <= 0 or total == 0 or (allowed is not None and not allowed):
            return {}
        fetch = n * views
        ids_filter, keep = None, None
        if allowed is not None:
            if len(allowed) <= IDS_FILTER_LIMIT:
                ids_filter = allowed
            else:
                keep = set(allowed)
                fetch = fetch * max(2, int(2 * total * views / len(allowed)))
        fetch = max(1, min(fetch, total * views))
        result = self._collection.query(query_embeddings=np.asarray(vectors, dtype=np.float32), n_results=fetch,
                                        ids=ids_filter, include=["distances"])
        lists: dict[tuple[int, int], list[tuple[str, float]]] = {}
        for phrasing, (ids, distances) in enumerate(zip(result["ids"], result["distances"])):
            for record, distance in zip(ids, distances):
                if keep is not None and record not in keep:
                    continue
                entry, _, view = record.rpartition("#")
                hits = lists.setdefault((phrasing, int(view or 0)), [])
                if len(hits) < n:
                    hits.append((entry, 1.0 - float(distance)))
        return lists

    def drop(self) -> None:
        """Delete the collection (a rebuild starts from nothing)."""
        if self._client is None:
            try:
                self._client = _client(self.path, self.url)
            except Exception:  # noqa: BLE001 - an unreadable embedded folder is set aside instead
                log.debug("cannot open Chroma to drop the collection", exc_info=True)
                return
        try:
            self._client.delete_collection(COLLECTION)
        except Exception:  # noqa: BLE001 - absent already is fine
            log.debug("no collection to drop")
        self.close()
