"""The journal understands every asset of the universe and every index of the catalogue (+ the user's).

The vocabulary is generated from tools/market/universe.py and the catalogue; the small hand tables
(nicknames, index phrasings, ambiguous words) are checked against them here so they cannot drift.
"""

from datetime import date

import pytest

from indexdesk.memory.journal.lexicon import AMBIGUOUS_WORDS, ASSET_NICKNAMES, INDEX_PHRASES
from indexdesk.memory.journal.parser import parse_text
from indexdesk.memory.journal.vocabulary import asset_aliases, build_vocabulary, mentions
from indexdesk.tools.indices.catalogue import load_catalogue
from indexdesk.tools.journal.vocabulary import journal_vocabulary, universe_assets
from indexdesk.tools.market.universe import ASSETS

TODAY = date(2026, 3, 12)


@pytest.fixture(scope="module")
def vocabulary():
    book = load_catalogue(None).indices
    return build_vocabulary(universe_assets(), [(n, d.title, d.aliases) for n, d in book.items()])


def test_hand_tables_only_name_what_the_tools_know():
    assert set(ASSET_NICKNAMES) <= set(ASSETS), set(ASSET_NICKNAMES) - set(ASSETS)
    assert set(INDEX_PHRASES) <= set(load_catalogue(None).indices)
    aliases = {alias for a in ASSETS.values() for alias in asset_aliases(a.symbol, a.name, a.coingecko_id)}
    assert AMBIGUOUS_WORDS <= aliases, AMBIGUOUS_WORDS - aliases


def test_every_universe_symbol_and_name_is_understood(vocabulary):
    for asset in ASSETS.values():
        for written in (asset.symbol, asset.name):
            found = mentions(f"Yesterday I bought some {written} on the dip", vocabulary)
            assert [n for n, _, _ in found] == [asset.symbol], (written, found)


def test_every_catalogue_index_is_understood_by_name_title_and_alias(vocabulary):
    for name, definition in load_catalogue(None).indices.items():
        for written in (name, definition.title, *definition.aliases):
            found = [n for n, _, _ in mentions(f"I added to {written} today", vocabulary)]
            assert found == [name], (written, found)


@pytest.mark.parametrize("text, names", [
    ("bought XRP and some Ripple", ["XRP"]),
    ("sold my Dogecoin", ["DOGE"]),
    ("Chainlink and Avalanche look strong", ["LINK", "AVAX"]),
    ("Terra Classic went to zero", ["LUNA"]),
    ("rotated out of L1s into memes", ["layer1", "memecoins"]),
    ("sold Bitcoin Cash, kept Bitcoin and Ethereum Classic", ["BCH", "BTC", "ETC"]),
    ("bought $LINK and $op", ["LINK", "OP"]),
    ("bought 200 link", ["LINK"]),
    ("sold BTC for USDC", ["BTC", "USDC"]),
])
def test_aliases_nicknames_and_cashtags(vocabulary, text, names):
    assert list(dict.fromkeys(n for n, _, _ in mentions(text, vocabulary))) == names


@pytest.mark.parametrize("text", [
    "Near the lows I did nothing", "read the link to the article", "the yield curve inverted",
    "aped into nothing today", "ran the algo, stayed in the flow", "optimism everywhere", "etc. etc.",
    "sold everything I own", "the FTX collapse", "I was quant-minded about it", "a stellar quarter",
])
def test_ordinary_words_are_not_assets(vocabulary, text):
    assert mentions(text, vocabulary) == []


def test_verbs_do_not_become_assets(vocabulary):
    p = parse_text("sold SOL, aped into APE", TODAY, vocabulary=vocabulary)
    assert [(x.name, x.action) for x in p.positions] == [("SOL", "sell"), ("APE", "buy")]


def test_user_indices_from_indices_toml_are_understood(ctx):
    ctx.settings.ensure_home()
    ctx.settings.user_indices_path.write_text(
        '[indices.my_alts]\ntitle = "My alt basket"\ntier = "satellite"\ncategory = "layer1"\n'
        'symbols = ["SOL", "AVAX", "NEAR"]\nweighting = "equal"\nrebalance = "monthly"\naliases = ["alt basket"]\n')
    vocabulary = journal_vocabulary(ctx)
    p = parse_text("moved 4% of the portfolio into my alt basket", TODAY, vocabulary=vocabulary)
    assert [(x.name, x.action, x.weight_change_pct) for x in p.positions] == [("my_alts", "buy", 4.0)]
    assert vocabulary.kind_of("my_alts") == "index" and vocabulary.kind_of("SOL") == "asset"


def test_a_broken_user_catalogue_does_not_stop_the_parser(ctx):
    ctx.settings.ensure_home()
    ctx.settings.user_indices_path.write_text("[indices.bad\n")
    p = parse_text("sold all my LUNA", TODAY, vocabulary=journal_vocabulary(ctx))
    assert [(x.name, x.amount_basis) for x in p.positions] == [("LUNA", "all")]


def test_the_prefix_tree_matches_what_a_flat_longest_first_alternation_matches():
    import random
    import re

    from indexdesk.memory.journal.lexicon import LEXICON
    from indexdesk.memory.journal.vocabulary import alternation, phrase_key

    from journal_parse_scoring import load_parse_set

    phrases = sorted({phrase_key(p) for v in LEXICON.values() for p in v})
    flat = "|".join(r"[\s-]+".join(re.escape(w) for w in p.split(" ")) for p in sorted(phrases, key=len, reverse=True))
    wrap = r"(?<![\w$])({})(?:s|es|ed|d|ing|ly)?(?!\w)"
    a, b = (re.compile(wrap.format(body), re.IGNORECASE) for body in (flat, alternation(phrases, r"[\s-]+")))
    rng = random.Random(7)
    texts = [row["text"] for row in load_parse_set()]
    texts += [" ".join(rng.choice(phrases) + rng.choice(["", "s", "ed", "ing", "x"]) for _ in range(6)) for _ in range(300)]
    for text in texts:
        assert [m.group(0) for m in a.finditer(text)] == [m.group(0) for m in b.finditer(text)], text


def test_stored_tags_use_the_full_vocabulary_of_the_tools_layer(ctx):
    """The store tags index mentions with the universe + catalogue + indices.toml vocabulary the tools hand
    in, not only the default one (which knows neither Litecoin nor a user's index)."""
    from indexdesk.memory.journal.models import JournalEntry
    from indexdesk.memory.journal.store import derive_tags

    ctx.settings = ctx.settings.model_copy(update={"embedding": "hash:64"})
    ctx.settings.ensure_home()
    ctx.settings.user_indices_path.write_text(
        '[indices.my_alts]\ntitle = "My alt basket"\ntier = "satellite"\ncategory = "layer1"\n'
        'symbols = ["SOL", "AVAX", "NEAR"]\nweighting = "equal"\nrebalance = "monthly"\naliases = ["alt basket"]\n')
    text = "thinking about Ripple, some Litecoin and my alt basket after the rally"
    assert "index:LTC" not in derive_tags(JournalEntry(text=text, kind="note"))  # the default vocabulary
    store = ctx.journal_store()
    stored = store.add(JournalEntry(text=text, kind="note"))
    assert {"index:XRP", "index:LTC", "index:my_alts"} <= set(stored.derived_tags)
    assert {"index:XRP", "index:LTC", "index:my_alts"} <= set(store.get(stored.id).derived_tags)
    # the tags are labels a search can filter on, and a query names the user index the same way
    assert [h.entry.id for h in store.search("alt basket", tags=["index:my_alts"], min_score=0)] == [stored.id]
    assert [h.entry.id for h in store.search("Litecoin", tags=["index:LTC"], min_score=0)] == [stored.id]
    store.close()
