"""The lexical half of search: SQLite FTS5 (BM25) over the entry text and its canonical tags.

The FTS table lives in the same SQLite file as the entries and is written in the same
transaction, so lexical search always sees every acknowledged entry, even before the vector
index has caught up.
"""

from __future__ import annotations

import re

from indexdesk.memory.journal.enrich import fts_token

FTS_SCHEMA = ("CREATE VIRTUAL TABLE IF NOT EXISTS entry_fts USING fts5("
              "body, tags, tokenize = \"porter unicode61 tokenchars '_'\")")

# Words that carry no topic: dropped from queries (they would also make FTS scan huge posting lists).
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours out over own same she should so some such than that the their them then there these they this
those through to too under until up very was we were what when where which while who whom why will with would
you your yours time times ever got get go went did done made make moment day days week weeks month months
""".split())

TAG_COLUMN_WEIGHT = 2.0  # a canonical tag hit means more than one shared word


def entry_document(body: str, tags: list[str]) -> tuple[str, str]:
    return body, " ".join(fts_token(t) for t in tags)


def query_terms(query: str) -> list[str]:
    words = re.findall(r"[a-z0-9][a-z0-9'&]*", query.lower())
    return list(dict.fromkeys(w.strip("'") for w in words if w not in STOPWORDS and len(w) > 1))


def match_terms(query: str, tags: list[str]) -> list[str]:
    """FTS5 MATCH terms: each query word and each canonical tag (quoted, so no FTS syntax leaks in)."""
    terms = [f'body:"{w}"' for w in query_terms(query)]
    terms += [f'tags:"{fts_token(t)}"' for t in tags]
    return list(dict.fromkeys(terms))


def match_expression(query: str, tags: list[str]) -> str | None:
    """An FTS5 MATCH string: any query word or any canonical tag."""
    return " OR ".join(match_terms(query, tags)) or None
