"""What the vector index embeds for an entry (several views) and for a query (several phrasings).

An entry is embedded as N_VIEWS texts, each its own Chroma record (`<entry id>#<view>`): today one,
the text with a gloss of its canonical tags and concepts (lexicon.py, concepts.py), so a question
that shares only the concept ("borrowing blew up my account") lands near the entry ("liquidated
on a 10x long"). A query is embedded the same way, plus a chat model's rewrite when one is
configured; each (query phrasing, entry view) pair is one ranked list in the fusion (ranking.py).

Changing what a view contains changes VIEW_LAYOUT, and a store built with another layout
re-embeds from its log on open (the log keeps the text; vectors are derived).
"""

from __future__ import annotations

from indexdesk.memory.journal.concepts import concept_gloss, concept_tags
from indexdesk.memory.journal.enrich import index_mentions, lexicon_tags, tag_gloss
from indexdesk.memory.journal.models import JournalEntry

# One view today: a second "reading" view (the tags as a sentence, or the gloss alone) was measured
# and lost recall with MiniLM on both splits (docs/performance.md); the machinery stays for a
# stronger model or a model-written summary (not written today).
N_VIEWS = 1
VIEW_LAYOUT = "text+gloss:v2-concepts"

GLOSS_FAMILIES = ("emotion", "action", "theme")


def view_id(entry_id: str, view: int) -> str:
    return f"{entry_id}#{view}"


def entry_id_of(record_id: str) -> str:
    return record_id.rsplit("#", 1)[0]


def gloss(tags: list[str]) -> str:
    """Tags as the plain words embedded next to a text: the lexicon's reading, then the concepts' words."""
    return ", ".join(x for x in (tag_gloss([t for t in tags if t.split(":")[0] in GLOSS_FAMILIES]), concept_gloss(tags)) if x)


def text_view(entry: JournalEntry) -> str:
    # The gloss puts the canonical vocabulary next to the user's words, so a paraphrase that
    # shares only the concept ("fright" vs "panic") still lands near it.
    words = gloss(entry.derived_tags)
    return entry.search_text() + (f"\n({words})" if words else "")


def entry_views(entry: JournalEntry) -> list[str]:
    """The N_VIEWS texts embedded for an entry, in view order."""
    return [text_view(entry)]


def query_tags(query: str, vocabulary=None) -> list[str]:
    return (lexicon_tags(query) + concept_tags(query)
            + [f"index:{n}" for n, _, _ in index_mentions(query, vocabulary=vocabulary)])


def query_views(query: str, tags: list[str], rewrite: str | None = None) -> list[str]:
    """The phrasings of a query that are embedded; the first is always the query as asked."""
    words = gloss(tags)
    views = [query + (f"\n({words})" if words else "")]
    if rewrite and rewrite.strip() and rewrite.strip() != query.strip():
        views.append(rewrite.strip())
    return views
