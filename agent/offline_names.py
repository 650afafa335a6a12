"""Index and asset names the offline router recognises: tickers, asset names, nicknames ("ether",
"chainlink", "stables", "L2s") and the catalogue's indices with their spellings ("large cap",
"large-cap", "largecaps"), as one regex of phrases. Split from offline_grammar.py (issue 17)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from indexdesk.agent.offline_values import Span

# Lower-case symbols that are also English words: recognised only when written in capitals.
AMBIGUOUS_SYMBOLS = {"near", "flow", "sand", "mana", "ape", "link", "dot", "op", "etc", "vet", "atom", "render", "apt",
                     "uni", "algo", "ada", "leo", "dai", "sui", "comp", "eos", "icp", "okb", "cro", "inj", "arb",
                     "fil", "grt", "fet", "frax", "luna", "theta", "ltc"}

# What people call assets and indices besides their tickers and catalogue names.
ASSET_NICKNAMES = {"ether": "ETH", "eth": "ETH", "xbt": "BTC", "sats": "BTC", "polygon": "MATIC", "chainlink": "LINK",
                   "ripple": "XRP", "dogecoin": "DOGE", "doge": "DOGE", "cardano": "ADA", "solana": "SOL",
                   "avalanche": "AVAX", "polkadot": "DOT", "uniswap": "UNI", "litecoin": "LTC", "shiba": "SHIB",
                   "shiba inu": "SHIB", "tron": "TRX", "stellar": "XLM", "cosmos": "ATOM", "monero": "XMR",
                   "arbitrum": "ARB", "optimism": "OP", "aptos": "APT", "injective": "INJ", "maker": "MKR",
                   "aave": "AAVE", "tether": "USDT", "bnb": "BNB", "binance coin": "BNB", "toncoin": "TON"}
INDEX_NICKNAMES = {"memes": "memecoins", "meme coins": "memecoins", "meme tokens": "memecoins", "ai coins": "ai_data",
                   "ai tokens": "ai_data", "exchange coins": "exchange_tokens", "cex tokens": "exchange_tokens",
                   "l1s": "layer1", "layer ones": "layer1", "layer-1s": "layer1", "l2s": "layer2", "layer twos": "layer2",
                   "rollups": "layer2", "large caps": "large_cap", "blue chips": "large_cap", "bluechips": "large_cap",
                   "decentralized finance": "defi", "decentralised finance": "defi", "gaming coins": "gaming",
                   "game tokens": "gaming", "payment coins": "payments", "stables": "stablecoin_cash",
                   "stablecoins": "stablecoin_cash", "stablecoin": "stablecoin_cash"}


def _phrase_variants(name: str, symbols: set[str] = frozenset()) -> set[str]:
    """`large_cap` → large_cap, large cap, large-cap, largecap; `memecoins` → memecoin too.

    A name made of symbols (`btc_eth`) gets no spaced variant: "btc eth sol" lists three assets.
    """
    parts = [p for p in re.split(r"_|(?<=[a-z])(?=\d)", name.lower()) if p]
    # "btc+eth": symbols joined by a plus read as the index of both
    separators = ("_", "-", "", "+") if len(parts) > 1 and all(p in symbols for p in parts) else ("_", " ", "-", "")
    variants = {sep.join(parts) for sep in separators}
    variants |= {v[:-1] for v in variants if v.endswith("s") and len(v) > 4}
    variants |= {v + "s" for v in variants if not v.endswith("s") and (not v[-1].isdigit() or len(parts) > 1)}
    return variants


@dataclass
class Vocabulary:
    """Index and asset names the router recognises, as one regex of phrases."""

    phrases: dict[str, tuple[str, str]]  # phrase (lower case) -> (kind, canonical)
    pattern: re.Pattern
    index_names: list[str]

    @classmethod
    def build(cls, index_names: Sequence[str] | None = None, aliases: dict[str, str] | None = None) -> "Vocabulary":
        from indexdesk.tools.market.universe import ASSETS

        phrases: dict[str, tuple[str, str]] = {}
        for asset in ASSETS.values():
            phrases[asset.symbol.lower()] = ("asset", asset.symbol)
            name = asset.name.lower()
            if name not in AMBIGUOUS_SYMBOLS and " " not in name and name.isalpha():
                phrases.setdefault(name, ("asset", asset.symbol))
        for nickname, symbol in ASSET_NICKNAMES.items():
            if symbol in ASSETS:
                phrases.setdefault(nickname, ("asset", symbol))
        if index_names is None:
            index_names, aliases = load_index_names()
        names = list(index_names)
        for nickname, target in INDEX_NICKNAMES.items():
            if target in names:
                phrases.setdefault(nickname, ("index", target))
        for alias, target in (aliases or {}).items():
            if target in names:
                phrases[alias.lower()] = ("index", target)
        for name in names:
            for variant in _phrase_variants(name, {a.lower() for a in ASSETS}):
                phrases[variant] = ("index", name)
        alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        return cls(phrases, re.compile(rf"(?<![\w$])({alternation})(?![\w])"), names)

    def entities(self, text: str) -> list[Span]:
        """Named indices and assets in order of appearance, canonical names as values."""
        found, doubtful = [], []
        low = text.lower()
        for m in self.pattern.finditer(low):
            phrase = m.group(1)
            kind, canonical = self.phrases[phrase]
            if kind == "asset" and phrase in AMBIGUOUS_SYMBOLS and text[m.start():m.end()] != canonical:
                doubtful.append(Span(m.start(), m.end(), canonical))
                continue
            found.append(Span(m.start(), m.end(), canonical))
        # "link and avax", "btc, eth, sol and link": a word that is also a ticker counts when it is listed
        # with a name that is certain (a list item next to another list item).
        for span in doubtful:
            if any(re.fullmatch(r"\s*(?:,|and|or|&|\+|/)\s*(?:and\s+)?",
                                low[min(span.end, e.end):max(span.start, e.start)])
                   for e in found if e.end <= span.start or span.end <= e.start):
                found.append(span)
        return sorted(found, key=lambda e: e.start)


def load_index_names(settings: Any = None) -> tuple[list[str], dict[str, str]]:
    """Catalogue names (built-in + the user's TOML) and aliases; the built-in catalogue when the user's is broken."""
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.errors import ToolError
    from indexdesk.tools.indices import series
    from indexdesk.tools.indices.catalogue import load_catalogue
    from indexdesk.tools.settings import Settings

    try:
        book = series.load(ToolContext(settings=settings or Settings()))
    except ToolError:  # a broken user TOML must not take the offline chat down; the tools will report it
        book = load_catalogue(None)
    return list(book.indices), dict(book.aliases)
