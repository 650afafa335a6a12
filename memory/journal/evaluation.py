"""Retrieval evaluation on a labelled set (`bench/journal_eval_set.jsonl`): recall@k by query style.

A line is either an entry `{"type": "entry", "id", "timestamp", "text"}` or a query
`{"type": "query", "query", "relevant": [ids], "style": "paraphrase" | "direct"}`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import numpy as np

from indexdesk.memory.journal.models import JournalEntry


def load_eval_set(path: Path) -> tuple[list[JournalEntry], list[dict]]:
    entries, queries = [], []
    for line in Path(path).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):  # header comments (when and how a set was written)
            continue
        row = json.loads(line)
        if row["type"] == "entry":
            entries.append(JournalEntry(id=row["id"], text=row["text"], timestamp=datetime.fromisoformat(row["timestamp"]),
                                        extraction="import"))
        else:
            queries.append(row)
    return entries, queries


def recall_at_k(ranked: list[list[str]], queries: list[dict], k: int = 5) -> dict[str, float]:
    """Mean recall@k per style and overall: |relevant ∩ top k| / |relevant|."""
    by_style: dict[str, list[float]] = defaultdict(list)
    for ids, query in zip(ranked, queries):
        relevant = set(query["relevant"])
        value = len(relevant & set(ids[:k])) / len(relevant)
        by_style[query["style"]].append(value)
        by_style["all"].append(value)
    return {style: float(np.mean(values)) for style, values in by_style.items()}


def store_rankings(store, queries: list[dict], k: int = 5, **options) -> list[list[str]]:
    return [[hit.entry.id for hit in store.search(q["query"], k=k, **options)] for q in queries]


def plain_vector_rankings(embedder, entries: list[JournalEntry], queries: list[dict], k: int = 5) -> list[list[str]]:
    """The baseline: raw text embeddings, cosine, no enrichment, no lexical side."""
    matrix = embedder.embed([e.text for e in entries])
    ids = [e.id for e in entries]
    out = []
    for query in queries:
        scores = matrix @ embedder.embed([query["query"]])[0]
        out.append([ids[i] for i in np.argsort(-scores)[:k]])
    return out
