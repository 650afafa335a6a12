"""Which asset or index a journal line names: a vocabulary generated from plain data the caller hands in.

The memory layer knows no universe or catalogue (it imports no tools); the tools layer builds a
`Vocabulary` from the market universe and the index catalogue (built-in + the user's indices.toml)
with `build_vocabulary` and hands it to the parser. Without one, `default_vocabulary()` covers the
catalogue's built-in phrasings and the nickname table only.

Matching rules, so that ordinary words are not read as assets:
* phrases match case-insensitively on word boundaries, longest first ("Bitcoin Cash" before
  "Bitcoin", "Terra Classic" before "Terra"), with no inflection ("sold" is not SOL + "d");
* a symbol or name that is also an English word or a journal verb ("NEAR", "LINK", "OP", "APE",
  "Optimism", "Curve") matches only as written in capitals (NEAR, LINK), as a capitalised word
  inside a sentence ("sold my Link"), as a cashtag ($link) or right after a quantity ("200 link").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from indexdesk.memory.journal.lexicon import AMBIGUOUS_WORDS, ASSET_NICKNAMES, INDEX_PHRASES, LEXICON

# "FTX Token" must not make "FTX" (the exchange) an asset, nor "USD Coin" make "USD" one.
_NAME_SUFFIXES = (" protocol", " network", " dao")


def phrase_key(phrase: str) -> str:
    return re.sub(r"[\s\-_]+", " ", phrase.lower()).strip()


def _verb_and_feeling_words() -> frozenset[str]:
    """Lexicon phrases for actions and feelings: an asset alias equal to one ("ape") is ambiguous."""
    return frozenset(phrase_key(p) for tag, phrases in LEXICON.items()
                     if tag.startswith(("action:", "emotion:")) for p in phrases)


@dataclass(frozen=True)
class Vocabulary:
    """(phrase, canonical name) pairs; `ambiguous` phrases need capitals or a quantity to count.

    `kinds` maps each canonical name to "asset" or "index". Frozen and hashable so compiled
    patterns are cached per vocabulary.
    """

    phrases: tuple[tuple[str, str], ...]
    ambiguous: frozenset[str] = frozenset()
    kinds: tuple[tuple[str, str], ...] = ()

    def kind_of(self, name: str) -> str:
        return dict(self.kinds).get(name, "asset" if name.isupper() else "index")

    def canonical(self, written: str) -> str | None:
        """The name a phrase stands for ("Bitcoin" -> BTC, "L1s" -> layer1), None when unknown."""
        return dict(self.phrases).get(phrase_key(written.lstrip("$")))

    def names(self) -> list[str]:
        return list(dict.fromkeys(name for _, name in self.phrases))


def asset_aliases(symbol: str, name: str, provider_id: str | None = None) -> list[str]:
    """Every way a universe asset is written: symbol, name, name without its suffix, the provider id."""
    out = [symbol.lower(), name.lower()]
    lowered = name.lower()
    for suffix in _NAME_SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) > len(suffix) + 2:
            out.append(lowered[: -len(suffix)])
    if lowered.endswith(".ai"):
        out.append(lowered.replace(".ai", " ai"))
    if provider_id and re.fullmatch(r"[a-z]+(?:-[a-z]+)?", provider_id):
        out.append(provider_id.replace("-", " "))
    out += ASSET_NICKNAMES.get(symbol, ())
    return list(dict.fromkeys(phrase_key(a) for a in out if a))


def build_vocabulary(assets: Iterable[tuple[str, str, str | None]],
                     indices: Iterable[tuple[str, str | None, Iterable[str]]]) -> Vocabulary:
    """A vocabulary from (symbol, name, provider id) assets and (name, title, aliases) indices.

    Asset symbols and names win over index phrasings when both claim a phrase ("usdc" is USDC,
    not the stablecoin-cash index); an asset's provider id never overrides another asset's name.
    """
    owner: dict[str, str] = {}
    kinds: dict[str, str] = {}
    assets = list(assets)
    for symbol, name, _ in assets:  # symbols and names first: they are the strongest claims
        kinds[symbol] = "asset"
        for phrase in (symbol, name):
            owner.setdefault(phrase_key(phrase), symbol)
    for symbol, name, provider_id in assets:
        for phrase in asset_aliases(symbol, name, provider_id):
            owner.setdefault(phrase, symbol)
    for index_name, title, aliases in indices:
        kinds[index_name] = "index"
        candidates = [index_name, index_name.replace("_", " "), *(aliases or ()), *INDEX_PHRASES.get(index_name, ())]
        if title:
            candidates.append(title)
        for phrase in candidates:
            owner.setdefault(phrase_key(phrase), index_name)
    words = _verb_and_feeling_words()
    ambiguous = frozenset(p for p, n in owner.items() if kinds.get(n) == "asset" and (p in AMBIGUOUS_WORDS or p in words))
    return Vocabulary(phrases=tuple(owner.items()), ambiguous=ambiguous, kinds=tuple(kinds.items()))


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """Without the universe: the built-in index phrasings and the nickname table."""
    indices = [(name, None, ()) for name in INDEX_PHRASES]
    assets = [(symbol, symbol, None) for symbol in ASSET_NICKNAMES]
    return build_vocabulary(assets, indices)


def with_extra(vocabulary: Vocabulary, extra: tuple[tuple[str, str], ...]) -> Vocabulary:
    """The vocabulary plus (phrase, name) pairs; existing phrases keep their owner."""
    if not extra:
        return vocabulary
    known = dict(vocabulary.phrases)
    for phrase, name in extra:
        known.setdefault(phrase_key(phrase), name)
    return Vocabulary(tuple(known.items()), vocabulary.ambiguous, vocabulary.kinds)


def alternation(phrases: Iterable[str], separator: str = r"[\s\-_]+") -> str:
    """One regex matching any phrase, as a prefix tree ("take(?: profit)?"), longest match preferred.

    Python's `re` tries a flat alternation one branch at a time; a few hundred phrases factored
    by common prefix are matched several times faster, which keeps the parser above 2,000 lines/s.
    A space in a phrase matches any run of spaces, hyphens or underscores (`separator`).
    """
    trie: dict = {}
    for phrase in set(phrases):
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = True

    def render(node: dict) -> str:
        ends = "" in node
        branches = []
        for char in sorted((c for c in node if c), key=lambda c: (c == " ", c)):
            head = separator if char == " " else re.escape(char)
            branches.append(head + render(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return body + "?" if len(body) == 1 else f"(?:{body})?"
        return body

    return render(trie)


@lru_cache(maxsize=16)
def _patterns(vocabulary: Vocabulary) -> tuple[re.Pattern, re.Pattern | None, dict[str, str]]:
    owners = dict(vocabulary.phrases)
    plain = [p for p in owners if p not in vocabulary.ambiguous]
    # "$sol" is a cashtag, "$2k" is money; digits never start a phrase here.
    loose = re.compile(rf"(?<![\w])\$?({alternation(plain)})(?![\w])", re.IGNORECASE)
    tight = None
    if vocabulary.ambiguous:
        tight = re.compile(rf"(?<![\w])(\$)?({alternation(vocabulary.ambiguous)})(?![\w])", re.IGNORECASE)
    return loose, tight, owners


_SENTENCE_START = re.compile(r"(?:^|[.!?;:\n(\"]\s*|\s[-–]\s*)$")
_QUANTITY_BEFORE = re.compile(r"\d(?:[\d,.]*\d)?\s*[km]?\s*$", re.IGNORECASE)


def _ambiguous_counts(text: str, start: int, written: str, cashtag: bool) -> bool:
    if cashtag or written.isupper() and len(written) >= 2:
        return True
    before = text[max(0, start - 16):start]
    if _QUANTITY_BEFORE.search(before):
        return True
    return written[:1].isupper() and not _SENTENCE_START.search(before)


def mentions(text: str, vocabulary: Vocabulary | None = None) -> list[tuple[str, int, int]]:
    """(canonical name, start, end) of each asset or index named in `text`, in order, no overlaps."""
    vocabulary = vocabulary or default_vocabulary()
    loose, tight, owners = _patterns(vocabulary)
    text = text.replace("’", "'")
    found = [(owners.get(phrase_key(m.group(1))), m.start(), m.end()) for m in loose.finditer(text)]
    if tight is not None:
        for m in tight.finditer(text):
            if _ambiguous_counts(text, m.start(2), m.group(2), bool(m.group(1))):
                found.append((owners.get(phrase_key(m.group(2))), m.start(), m.end()))
    found = sorted((f for f in found if f[0]), key=lambda f: (f[1], -(f[2] - f[1])))
    out: list[tuple[str, int, int]] = []
    for item in found:
        if out and item[1] < out[-1][2]:
            continue  # overlapped by a longer, earlier phrase
        out.append(item)
    return out
