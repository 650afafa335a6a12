"""How search results are ordered and scored: fusion of the vector and lexical lists, exact rare
words first, and a relevance a person can read (0-1) with a threshold under which nothing matches.

Candidates: reciprocal-rank fusion (Cormack et al. 2009) of the vector list (best view, best query
phrasing), the BM25 list and the metadata list (entries carrying the query's names, actions, feelings).
Order: by the relevance each result shows (RANK_BY_RELEVANCE), ties by the fused score, then newest.
With RANK_BY_RELEVANCE off, the fused score orders and an entry containing a *rare* query word (one
only a handful of entries contain) comes first.

Relevance (the `score` a result carries) is the noisy-or of two readable parts:
* meaning: the cosine similarity mapped onto 0-1 between the embedder's `similarity_floor`
  (what unrelated text scores) and `similarity_ceiling` (a close paraphrase);
* words: the IDF-weighted share of the query's words the entry contains (1.0 = all of them);
* metadata: the share of the query's facets (query_reading.py) the entry carries, × METADATA_RELEVANCE.
When no candidate reaches the threshold and none shares a name or a date with the query, nothing is
returned, so "nothing in the journal matches" can be said.
"""

from __future__ import annotations

import math

RRF_K = 60  # damps the head of each list
VECTOR_WEIGHT = 1.0  # chosen on the even-numbered queries of bench/journal_eval_set.jsonl (docs/performance.md)
LEXICAL_WEIGHT = 1.0
# Weights of the vector lists by query phrasing (as asked + gloss, a model's rewrite) and by entry
# view; multiplied with VECTOR_WEIGHT.
PHRASING_WEIGHTS = (1.0, 1.0)
VIEW_WEIGHTS = (1.0,)
RANK_BY_RELEVANCE = True  # results come back in the order of the relevance they show (issue 17)
METADATA_LIST_WEIGHT = 1.0  # the fusion weight of the metadata list (entries sharing the query's names, dates, …)
METADATA_RELEVANCE = 0.6  # how much a full metadata match alone counts in the 0-1 relevance
TAIL_SHARE_OF_THRESHOLD = 0.0  # results after the first that reaches the threshold: kept down to this share of it
MIN_RELEVANCE = 0.2  # an answer needs one result at least this relevant (or sharing a name or date); docs/performance.md
DEFAULT_FLOOR, DEFAULT_CEILING = 0.2, 0.75


def rare_document_frequency(size: int) -> int:
    """A word in at most this many entries is rare: 1 in a small journal, up to 5 in a large one."""
    return max(1, min(5, size // 1000))


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


def list_weight(phrasing: int, view: int) -> float:
    """The fusion weight of the vector list of one query phrasing against one entry view."""
    return VECTOR_WEIGHT * PHRASING_WEIGHTS[min(phrasing, len(PHRASING_WEIGHTS) - 1)] * VIEW_WEIGHTS[min(view, len(VIEW_WEIGHTS) - 1)]


def best_similarity(lists: dict[tuple[int, int], list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """(entry id, best similarity over every phrasing and view), best first."""
    best: dict[str, float] = {}
    for hits in lists.values():
        for entry_id, similarity in hits:
            if similarity > best.get(entry_id, -2.0):
                best[entry_id] = similarity
    return sorted(best.items(), key=lambda kv: -kv[1])


def fuse(vector_lists: dict[tuple[int, int], list[tuple[str, float]]], lexical_hits: list[tuple[str, float]],
         lexical_weight: float = LEXICAL_WEIGHT, metadata_hits: list[tuple[str, float]] = ()
         ) -> tuple[dict[str, float], dict[str, int], dict[str, int]]:
    """(fused score, best vector rank, lexical rank) per entry id: weighted RRF over every list."""
    scores: dict[str, float] = {}
    vector_rank: dict[str, int] = {}
    for (phrasing, view), hits in vector_lists.items():
        weight = list_weight(phrasing, view)
        for entry_id, rank in tied_ranks(hits).items():
            scores[entry_id] = scores.get(entry_id, 0.0) + weight / (RRF_K + rank)
            vector_rank[entry_id] = min(rank, vector_rank.get(entry_id, rank))
    lexical_rank = tied_ranks(lexical_hits)
    for entry_id, rank in lexical_rank.items():
        scores[entry_id] = scores.get(entry_id, 0.0) + lexical_weight / (RRF_K + rank)
    for entry_id, rank in tied_ranks(list(metadata_hits)).items():
        scores[entry_id] = scores.get(entry_id, 0.0) + METADATA_LIST_WEIGHT / (RRF_K + rank)
    return scores, vector_rank, lexical_rank


def idf(document_frequency: int, size: int) -> float:
    return math.log(1.0 + size / max(1, document_frequency))


def meaning_relevance(similarity: float | None, floor: float = DEFAULT_FLOOR, ceiling: float = DEFAULT_CEILING) -> float:
    if similarity is None:
        return 0.0
    return min(1.0, max(0.0, (similarity - floor) / max(1e-6, ceiling - floor)))


def word_relevance(matched: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return 0.0 if total <= 0 else sum(weights[t] for t in matched if t in weights) / total


def relevance(meaning: float, words: float, metadata: float = 0.0) -> float:
    """Noisy-or: any part alone can make a result relevant; together they make it more so. `metadata`
    is the share of the query's facets (names, dates, actions, feelings) the entry carries."""
    return round(1.0 - (1.0 - meaning) * (1.0 - words) * (1.0 - METADATA_RELEVANCE * metadata), 4)
