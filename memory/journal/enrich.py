"""Canonical tags from free text through the lexicon: at write time for entries, at search time for queries.

A phrase matches on word boundaries, case-insensitively, with an optional inflection
(s/es/ed/d/ing), longest phrases first so "take profit" wins over "take". Negated feelings
("not nervous", "no fear") are skipped: a journal that says "not scared" is not scared.
"""

from __future__ import annotations

import re
from functools import lru_cache

from indexdesk.memory.journal.lexicon import LEXICON
from indexdesk.memory.journal.vocabulary import alternation

_INFLECTION = r"(?:s|es|ed|d|ing|ly)?"
_NEGATION = re.compile(r"\b(?:not|no|never|wasn't|wasnt|isn't|without|zero)\s+(?:\w+\s+)?$")


def _phrase_key(phrase: str) -> str:
    return re.sub(r"[\s-]+", " ", phrase.lower()).strip()


def _compile(table: dict[str, tuple[str, ...]], inflect: bool = True) -> tuple[re.Pattern, dict[str, list[str]]]:
    owners: dict[str, list[str]] = {}
    for tag, phrases in table.items():
        for phrase in phrases:
            owners.setdefault(_phrase_key(phrase), []).append(tag)
    body = alternation(owners, r"[\s-]+")  # a prefix tree: several times faster than a flat alternation
    suffix = _INFLECTION if inflect else ""
    return re.compile(rf"(?<![\w$])({body}){suffix}(?!\w)", re.IGNORECASE), owners


@lru_cache(maxsize=1)
def _lexicon_pattern() -> tuple[re.Pattern, dict[str, list[str]]]:
    return _compile(LEXICON)


def _normalise(text: str) -> str:
    return re.sub(r"[’`]", "'", text.lower())


def lexicon_matches(text: str) -> list[tuple[str, str]]:
    """(canonical tag, phrase as written) for each lexicon hit, negated feelings skipped."""
    pattern, owners = _lexicon_pattern()
    lowered = _normalise(text)
    out = []
    for match in pattern.finditer(lowered):
        for tag in owners.get(_phrase_key(match.group(1)), []):
            if tag.startswith("emotion:") and _NEGATION.search(lowered[max(0, match.start() - 24):match.start()]):
                continue
            out.append((tag, match.group(0)))
    return out


def lexicon_tags(text: str) -> list[str]:
    """Canonical tags (`action:sell`, `emotion:fear`, `theme:macro`, …) found in the text, in first-seen order."""
    return list(dict.fromkeys(tag for tag, _ in lexicon_matches(text)))


def index_mentions(text: str, extra: tuple[tuple[str, str], ...] = (), vocabulary=None) -> list[tuple[str, int, int]]:
    """(canonical name, start, end) of each index or asset mention, in order (see vocabulary.py).

    `vocabulary` is built by the tools layer from the universe and catalogue; without it the
    built-in index phrasings and asset nicknames apply. `extra` adds (phrase, name) pairs.
    """
    from indexdesk.memory.journal.vocabulary import default_vocabulary, mentions, with_extra

    return mentions(text, with_extra(vocabulary or default_vocabulary(), extra))


def regime_tags(regime: str | None, btc_vol_30d: float | None) -> list[str]:
    """Tags for the market context at write time, in the lexicon's vocabulary."""
    tags = []
    if regime:
        tags.append(f"regime:{regime}")
        if regime in ("crash", "drawdown"):
            tags.append("theme:drawdown")
    if btc_vol_30d is not None and btc_vol_30d == btc_vol_30d:
        tags.append("volatility:high" if btc_vol_30d >= 0.8 else "volatility:low" if btc_vol_30d < 0.4 else "volatility:normal")
    return tags


def tag_gloss(tags: list[str]) -> str:
    """Tags as plain words for an embedding model ("emotion fear, action sell, index memecoins")."""
    return ", ".join(t.replace(":", " ").replace("_", " ") for t in tags)


def fts_token(tag: str) -> str:
    """A tag as one full-text token: `emotion:fear` → `emotion_fear`."""
    return re.sub(r"[^a-z0-9]+", "_", tag.lower()).strip("_")
