"""Journal search (a mixin of JournalStore): Chroma for meaning, FTS5 (BM25) for words, one ranking.

    hits = store.search("when did I sell in a fright?", k=5)   # [] when nothing is relevant enough

The vector half always goes through Chroma (embedded or server, the same call); filters are
applied in SQLite (the log) and handed to Chroma as the allowed record ids. The query is
embedded in several phrasings (views.py) and, with a model configured, also as the model's
rewrite. Ranking and the 0-1 relevance are in ranking.py.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import date

from indexdesk.memory.journal import ranking
from indexdesk.memory.journal.embeddings import embed_queries
from indexdesk.memory.journal.errors import JournalError
from indexdesk.memory.journal.lexical import TAG_COLUMN_WEIGHT, match_terms, query_terms
from indexdesk.memory.journal.models import JournalEntry, SearchHit
from indexdesk.memory.journal.query_reading import FACET_WEIGHTS, QueryFacets, query_facets
from indexdesk.memory.journal.views import N_VIEWS, query_tags, query_views, view_id

log = logging.getLogger("indexdesk.journal")
# A term matching more than this share of the journal (and more than COMMON_TERM_MIN entries) is not
# ranked on by the lexical half: chosen on bench/journal_eval_set.jsonl and the first held-out set,
# confirmed on a second one written after it (docs/performance.md).
COMMON_TERM_SHARE = 0.02
COMMON_TERM_MIN = 3
CANDIDATES = 50
METADATA_CANDIDATE_SHARE = 0.10  # labels on more of the journal than this bring no candidates of their own
METADATA_CANDIDATE_MIN = 50
MAX_QUERY_CHARS = 2000  # a question, not a document: tokenising megabytes took a minute


class SearchMixin:
    def search(self, query: str, *, start: date | None = None, end: date | None = None, kinds: list[str] | None = None,
               names: list[str] | None = None, tags: list[str] | None = None, k: int = 5,
               candidates: int = CANDIDATES, use_vector: bool = True, use_lexical: bool = True,
               min_score: float | None = None, rewrite: bool = True,
               rewriter: Callable[[str], str | None] | None = None) -> list:
        """Entries relevant to `query`, in the order of the 0-1 relevance each shows (meaning, shared
        words, shared metadata: the query's names, dates, actions and feelings read by the same
        vocabulary as entries). [] ("nothing matches") when no candidate reaches `min_score` (default
        ranking.MIN_RELEVANCE) and none shares a name or a date with the query. Ties go newest first. `rewriter` (else the
        store's) turns the query into one more phrasing, e.g. a chat model's rewrite."""

        if not query or not query.strip():
            raise JournalError("the search query is empty", field="query")
        if len(query) > MAX_QUERY_CHARS:
            raise JournalError(f"the search query has {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}",
                               hint="ask a shorter question", field="query")
        if not 1 <= k <= 200:
            raise JournalError(f"k must be between 1 and 200 (got {k})", field="k")
        threshold = ranking.MIN_RELEVANCE if min_score is None else min_score
        self.sync_index()
        tags_of_query = query_tags(query, getattr(self, "vocabulary", None))
        facets = query_facets(query, tags_of_query)
        filtered = bool(start or end or kinds or names or tags)
        where, params = self._filter_sql(start, end, kinds, names, tags)
        size = self.size()
        pool = max(candidates, 4 * k)
        vector_lists: dict[tuple[int, int], list[tuple[str, float]]] = {}
        vectors = None
        if use_vector and size:
            phrasings = query_views(query, tags_of_query, self._rewrite(query, rewriter) if rewrite else None)
            vectors = embed_queries(self.embedder, phrasings)
            allowed = None
            if filtered:
                allowed = [view_id(r[0], v) for r in self._db.execute(f"SELECT e.id FROM entries e WHERE {where}", params)
                           for v in range(N_VIEWS)]
            vector_lists = self.index.query(vectors, pool, allowed, total=size, views=N_VIEWS)
        words = self._word_weights(query, size)
        rare = [w for w, (df, _) in words.items() if df and df <= ranking.rare_document_frequency(size)]
        lexical_hits: list[tuple[str, float]] = []
        if use_lexical and size:
            lexical_hits = self._lexical(query, tags_of_query, where, params, filtered, pool, words)
        rare_hits = self._matching(rare, where, params, limit=pool) if rare else {}
        metadata_hits = self._metadata_hits(facets, where, params, pool) if size else []
        scores, vector_rank, lexical_rank = ranking.fuse(vector_lists, lexical_hits, metadata_hits=metadata_hits)
        for entry_id in rare_hits:
            scores.setdefault(entry_id, 0.0)
        if not scores:
            return []
        rows = self._current_rows(list(scores))
        similarity = dict(ranking.best_similarity(vector_lists))
        if vectors is not None:
            similarity.update(self._stored_similarity(vectors, [r for r in rows if r[0] not in similarity]))
        floor = getattr(self.embedder, "similarity_floor", ranking.DEFAULT_FLOOR)
        ceiling = getattr(self.embedder, "similarity_ceiling", ranking.DEFAULT_CEILING)
        matched = {r[3]: matched_words(list(words), r[2]) for r in rows}
        weights = {w: weight for w, (_, weight) in words.items()}
        shares, named = self._metadata_shares(facets, rows)
        relevance = {r[0]: ranking.relevance(ranking.meaning_relevance(similarity.get(r[0]), floor, ceiling),
                                             ranking.word_relevance(matched.get(r[3], set()), weights),
                                             shares.get(r[0], 0.0)) for r in rows}
        # In the order of the relevance each result shows (RANK_BY_RELEVANCE), ties by the fused rank,
        # then newest; without it, an entry with a rare query word first, then the fused score.
        if ranking.RANK_BY_RELEVANCE:
            key = lambda r: (-relevance[r[0]], -round(scores[r[0]], 12), -r[1])  # noqa: E731
        else:
            key = lambda r: (-len(rare_hits.get(r[0], ())), -round(scores[r[0]], 12), -r[1])  # noqa: E731
        ordered = sorted(rows, key=key)
        # "Nothing matches" is said when no candidate reaches the threshold and none shares a name or a
        # date with the query; once one does, the next best follow with the (lower) relevance they show.
        if not any(relevance[r[0]] >= threshold or r[0] in named for r in rows):
            return []
        tail_floor = threshold * ranking.TAIL_SHARE_OF_THRESHOLD
        out = []
        for entry_id, _, body, seq in ordered:
            score = relevance[entry_id]
            if score < tail_floor and entry_id not in named:
                continue
            out.append(SearchHit(entry=JournalEntry.model_validate_json(body), score=score,
                                 vector_rank=vector_rank.get(entry_id), lexical_rank=lexical_rank.get(entry_id),
                                 similarity=similarity.get(entry_id), rare_words=rare_hits.get(entry_id, []),
                                 metadata=round(shares.get(entry_id, 0.0), 4)))
            if len(out) == k:
                break
        return out

    # ------------------------------------------------------------ the metadata half

    def _metadata_hits(self, facets: QueryFacets, where: str, params: list, pool: int) -> list[tuple[str, float]]:
        """(entry id, weight of the query's labels it carries), best first: entries sharing the query's
        names, actions or feelings (read by the same vocabulary), within the filters."""
        # A label most of the journal carries ("action:sell" in a third of it) ranks nothing and costs a
        # scan: only labels on at most METADATA_CANDIDATE_SHARE of the journal bring candidates (every
        # label still counts in the relevance of the candidates found).
        limit = max(METADATA_CANDIDATE_MIN, METADATA_CANDIDATE_SHARE * self.size())
        # A name the query says ("chainlink") always brings candidates (at most `pool`, newest first): which of
        # its entries the approximate vector index happens to return must not decide whether they are seen.
        labels = {label: weight for label, weight in facets.labels.items() if label.startswith("tag:index:")
                  or self._db.execute("SELECT count(*) FROM entry_labels WHERE label = ?", (label,)).fetchone()[0] <= limit}
        dated = self._dated_hits(facets, where, params, pool)
        if not labels:
            return dated
        values = ", ".join("(?, ?)" for _ in labels)
        sql = (f"WITH q(label, weight) AS (VALUES {values}) "
               f"SELECT e.id, SUM(q.weight) AS w FROM entry_labels l JOIN q ON q.label = l.label "
               f"JOIN entries e ON e.seq = l.seq WHERE {where} GROUP BY e.seq ORDER BY w DESC, e.ts DESC LIMIT ?")
        flat = [x for label, weight in labels.items() for x in (label, weight)]
        found = {r[0]: float(r[1]) for r in self._db.execute(sql, [*flat, *params, pool])}
        for entry_id, weight in dated:  # in the query's period: the date counts like a label
            found[entry_id] = found.get(entry_id, 0.0) + weight
        return sorted(found.items(), key=lambda item: -item[1])

    def _dated_hits(self, facets: QueryFacets, where: str, params: list, pool: int) -> list[tuple[str, float]]:
        """Entries inside the period the query names ("what did I buy in March 2024"), newest first: a
        date is metadata too, so those entries are candidates whatever the approximate vector index returns."""
        if not facets.period:
            return []
        from datetime import datetime, time, timezone

        start = datetime.combine(facets.period[0], time.min, timezone.utc).timestamp()
        end = datetime.combine(facets.period[1], time.max, timezone.utc).timestamp()
        sql = f"SELECT e.id FROM entries e WHERE e.ts BETWEEN ? AND ? AND {where} ORDER BY e.ts DESC LIMIT ?"
        return [(r[0], FACET_WEIGHTS["date"]) for r in self._db.execute(sql, [start, end, *params, pool])]

    def _stored_similarity(self, vectors, rows) -> dict[str, float]:
        """Best cosine of the query phrasings against the stored vectors of candidates the vector half
        did not rank (found by words or metadata): their relevance shows their meaning too."""
        if not rows:
            return {}
        import numpy as np

        out = {}
        seqs = {r[3]: r[0] for r in rows}
        keys = list(seqs)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for seq, blob in self._db.execute(f"SELECT seq, embedding FROM entries WHERE seq IN ({','.join('?' * len(chunk))})",
                                              chunk):
                if blob is None or len(blob) != 4 * N_VIEWS * vectors.shape[1]:
                    continue
                stored = np.frombuffer(blob, dtype=np.float32).reshape(N_VIEWS, -1)
                out[seqs[seq]] = float((np.asarray(vectors) @ stored.T).max())
        return out

    def _metadata_shares(self, facets: QueryFacets, rows) -> tuple[dict[str, float], set[str]]:
        """({entry id: share of the query's facets it carries}, ids sharing a name or a date with the query)."""
        if not facets.total or not rows:
            return {}, set()
        from datetime import datetime, timezone

        labels: dict[int, set[str]] = {}
        if facets.labels:
            seqs = [r[3] for r in rows]
            for start in range(0, len(seqs), 500):
                chunk = seqs[start:start + 500]
                sql = (f"SELECT seq, label FROM entry_labels WHERE seq IN ({','.join('?' * len(chunk))}) "
                       f"AND label IN ({','.join('?' * len(facets.labels))})")
                for seq, label in self._db.execute(sql, [*chunk, *facets.labels]):
                    labels.setdefault(seq, set()).add(label)
        shares, named = {}, set()
        for entry_id, ts, _body, seq in rows:
            day = datetime.fromtimestamp(ts, timezone.utc).date() if ts is not None else None
            have = labels.get(seq, set())
            shares[entry_id] = facets.share(have, day)
            if any(label.startswith("tag:index:") for label in have) or (
                    facets.period and day is not None and facets.period[0] <= day <= facets.period[1]):
                named.add(entry_id)
        return shares, named

    def _rewrite(self, query: str, rewriter=None) -> str | None:
        rewriter = rewriter or self.rewriter
        if rewriter is None:
            return None
        try:
            return rewriter(query)
        except Exception as exc:  # noqa: BLE001 - a failing model must not fail the search
            log.warning("query rewrite failed: %s", exc)
            return None

    # ------------------------------------------------------------ the lexical half

    def _word_weights(self, query: str, size: int) -> dict[str, tuple[int, float]]:
        """{query word: (entries containing it, IDF weight)}; a word in no entry weighs the most: the
        question is about something the journal does not mention, and its relevance says so."""
        out = {}
        for word in query_terms(query)[:32]:
            df = self._db.execute("SELECT count(*) FROM entry_fts WHERE entry_fts MATCH ?", (f'body:"{word}"',)).fetchone()[0]
            out[word] = (df, ranking.idf(df, size))
        return out

    def _matching(self, words: list[str], where: str, params: list, limit: int) -> dict[str, list[str]]:
        """{entry id: the `words` it contains} for entries (within the filters) containing any of them."""
        out: dict[str, list[str]] = {}
        for word in words:
            sql = (f"SELECT e.id FROM entry_fts JOIN entries e ON e.seq = entry_fts.rowid "
                   f"WHERE entry_fts MATCH ? AND {where} LIMIT ?")
            for (entry_id,) in self._db.execute(sql, [f'body:"{word}"', *params, limit]):
                out.setdefault(entry_id, []).append(word)
        return out

    def _lexical(self, query, query_tag_list, where, params, filtered, pool, words) -> list[tuple[str, float]]:
        """(entry id, BM25 relevance: higher is better), best first."""
        terms = self._selective_terms(match_terms(query, query_tag_list), words)
        if not terms:
            return []
        expression = " OR ".join(terms)
        bm25 = f"bm25(entry_fts, 1.0, {TAG_COLUMN_WEIGHT})"
        if not filtered:
            # The FTS table holds only current versions, so with no filter it ranks alone and only the
            # top `pool` rows are joined for their ids (joining every match first was 2-3x slower).
            sql = (f"SELECT e.id, s.score FROM (SELECT rowid AS seq, -{bm25} AS score FROM entry_fts "
                   f"WHERE entry_fts MATCH ? ORDER BY {bm25} LIMIT ?) s JOIN entries e ON e.seq = s.seq ORDER BY s.score DESC")
            return [(r[0], float(r[1])) for r in self._db.execute(sql, [expression, pool])]
        sql = (f"SELECT e.id, -{bm25} FROM entry_fts JOIN entries e ON e.seq = entry_fts.rowid "
               f"WHERE entry_fts MATCH ? AND {where} ORDER BY {bm25}, e.ts DESC LIMIT ?")
        return [(r[0], float(r[1])) for r in self._db.execute(sql, [expression, *params, pool])]

    def _selective_terms(self, terms: list[str], words: dict[str, tuple[int, float]] | None = None) -> list[str]:
        """The query terms worth ranking on: a term matching more than COMMON_TERM_SHARE of the
        entries (and more than COMMON_TERM_MIN) is dropped from the lexical half.

        A question shares few words with the entry that answers it; the words it does share with
        many entries ("buying", "flat", `action:buy`) only pull in look-alikes, and in a large
        journal they make FTS5 compute bm25() over a third of it. The vector half still reads the
        whole query; a rare word is also ranked first on its own (ranking.rare_document_frequency).
        """
        if len(terms) < 2:
            return terms
        size = self.size()
        limit = max(COMMON_TERM_MIN, COMMON_TERM_SHARE * size)
        known = {f'body:"{w}"': df for w, (df, _) in (words or {}).items()}
        counts = {term: known[term] if term in known else
                  self._db.execute("SELECT count(*) FROM entry_fts WHERE entry_fts MATCH ?", (term,)).fetchone()[0]
                  for term in terms}
        kept = [term for term in terms if 0 < counts[term] <= limit]
        return kept or [min(terms, key=lambda t: counts[t] or float("inf"))]

    def _current_rows(self, ids: list[str]) -> list[tuple[str, int, str, int]]:
        """(id, ts, body, seq) of the current versions of `ids`."""
        out = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            out += self._db.execute(
                f"SELECT id, ts, body, seq FROM entries WHERE +is_current = 1 AND id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall()
        return out


def matched_words(words: list[str], body: str) -> set[str]:
    """The query words an entry's text contains, as FTS5's porter tokenizer roughly would: a word
    matches a token it starts (sell ~ selling); only for the relevance of the few candidates."""
    if not words:
        return set()
    text = json.loads(body)
    parts = [text.get("text") or ""] + [text.get(f) or "" for f in ("rationale", "expected_outcome", "invalidation",
                                                                       "emotional_state")]
    tokens = set(re.findall(r"[a-z0-9]+", " ".join(parts).lower()))
    stems = {w: w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words}
    return {w for w, stem in stems.items() if stem in tokens or any(t.startswith(stem) for t in tokens)}
