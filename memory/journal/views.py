"""What the vector index embeds for an entry (several views) and for a query (several phrasings).

An entry is embedded as N_VIEWS texts, each its own Chroma record (`<entry id>#<view>`); a search
scores an entry by its best view. Why several: a reviewer's question is sometimes about what was
written ("sold the memes when DOGE fell") and sometimes about what it *was* ("a panicked sale in a
crash"); one vector of the raw text serves the first, a vector of the normalised reading (action,
feeling, theme, the market it happened in, or a model's one-line summary) serves the second.

A query is embedded as the text itself plus the same normalised reading of it (and a model's
rewrite when one is configured); the best match over query phrasings and entry views counts.

Changing what a view contains changes VIEW_LAYOUT, and a store built with another layout
re-embeds from its log on open (the log keeps the text; vectors are derived).
"""

from __future__ import annotations

from indexdesk.memory.journal.enrich import index_mentions, lexicon_tags, tag_gloss
from indexdesk.memory.journal.models import JournalEntry

N_VIEWS = 2
VIEW_LAYOUT = "text+gloss|reading:v1"

# Tag families that describe what an entry is about; `kind:` and `index:` are carried separately.
READING_FAMILIES = ("action", "emotion", "theme", "regime", "volatility")
GLOSS_FAMILIES = ("emotion", "action", "theme")
FAMILY_WORDS = {
    "action": "{} decision", "emotion": "felt {}", "theme": "about {}", "regime": "in a {} market",
    "volatility": "{} volatility",
}


def view_id(entry_id: str, view: int) -> str:
    return f"{entry_id}#{view}"


def entry_id_of(record_id: str) -> str:
    return record_id.rsplit("#", 1)[0]


def gloss(tags: list[str]) -> str:
    return tag_gloss([t for t in tags if t.split(":")[0] in GLOSS_FAMILIES])


def reading(tags: list[str], names: list[str] | None = None) -> str:
    """The normalised reading of tags as a short sentence: "sell decision, felt fear, in a crash market"."""
    parts = []
    for tag in tags:
        family, _, value = tag.partition(":")
        if family in FAMILY_WORDS and value:
            parts.append(FAMILY_WORDS[family].format(value.replace("_", " ")))
    if names:
        parts.append("on " + ", ".join(n.replace("_", " ") for n in names))
    return ", ".join(parts)


def text_view(entry: JournalEntry) -> str:
    # The gloss puts the canonical vocabulary next to the user's words, so a paraphrase that
    # shares only the concept ("fright" vs "panic") still lands near it.
    words = gloss(entry.derived_tags)
    return entry.search_text() + (f"\n({words})" if words else "")


def reading_view(entry: JournalEntry) -> str:
    tags = [t for t in entry.derived_tags if t.split(":")[0] in READING_FAMILIES]
    about = reading(tags, entry.names)
    head = entry.summary or entry.text[:160]
    return f"{entry.kind}: {head}" + (f" ({about})" if about else "")


def entry_views(entry: JournalEntry) -> list[str]:
    """The N_VIEWS texts embedded for an entry, in view order."""
    return [text_view(entry), reading_view(entry)]


def query_tags(query: str) -> list[str]:
    return lexicon_tags(query) + [f"index:{n}" for n, _, _ in index_mentions(query)]


def query_views(query: str, tags: list[str], rewrite: str | None = None) -> list[str]:
    """The phrasings of a query that are embedded; the first is always the query as asked."""
    words = gloss(tags)
    views = [query + (f"\n({words})" if words else "")]
    about = reading([t for t in tags if t.split(":")[0] in READING_FAMILIES])
    if about:
        views.append(about)
    if rewrite and rewrite.strip() and rewrite.strip() != query.strip():
        views.append(rewrite.strip())
    return views
