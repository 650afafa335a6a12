"""Crypto-investing concepts and the many ways people name them: query and entry expansion for search.

The lexicon (lexicon.py) reads actions, feelings and broad themes; this table names the concrete
events, instruments and practices a reviewer asks about in other words than the entry used
("borrowing blew up my account" for "liquidated on a 10x long", "the fund approval" for "the ETF
decision"). Both entries (at write time, as `concept:` tags) and queries (at search time) pass
through it, so both sides carry the same canonical words: into the FTS tag column and, as a gloss,
into the embedded text.

Written as a general thesaurus of the domain (one concept, every common phrasing), not from the
evaluation queries; the held-out set in bench/journal_eval_heldout.jsonl was written after it
was frozen (docs/performance.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

# concept -> (gloss: the canonical words embedded with it, phrasings)
CONCEPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "leverage": ("leverage margin borrowing liquidation", (
        "leverage", "leveraged", "margin", "borrow", "borrowed", "borrowing", "loan", "liquidated", "liquidation",
        "liquidations", "10x", "20x", "5x", "3x", "perp", "perps", "perpetual", "futures", "funding rate", "funding rates",
        "margin call", "blew up", "blow up", "wiped out", "got rekt", "rekt")),
    "etf": ("etf fund approval", (
        "etf", "etfs", "exchange-traded fund", "exchange traded fund", "fund approval", "spot etf", "fund launch",
        "sec approval", "approval decision", "the fund decision", "blackrock", "grayscale")),
    "central_bank": ("central bank interest rates fed fomc", (
        "fomc", "fed", "federal reserve", "central bank", "rate decision", "rate hike", "rate hikes", "rate cut",
        "rate cuts", "interest rate", "interest rates", "powell", "monetary policy", "monetary easing", "easing",
        "tightening", "hawkish", "dovish", "pivot", "quantitative easing", "qe", "qt", "ecb")),
    "inflation_data": ("inflation data cpi", (
        "cpi", "inflation", "inflation data", "inflation print", "inflation report", "ppi", "jobs report", "payrolls",
        "nfp", "macro data", "economic data")),
    "exchange_collapse": ("exchange collapse bankruptcy insolvency", (
        "ftx", "exchange collapse", "exchange bankruptcy", "bankrupt", "bankruptcy", "insolvent", "insolvency",
        "withdrawals halted", "halted withdrawals", "paused withdrawals", "celsius", "blockfi", "mt gox", "went bust",
        "contagion", "counterparty")),
    "hack": ("hack exploit security breach", (
        "hack", "hacked", "exploit", "exploited", "drained", "breach", "stolen", "attacker", "bridge hack",
        "security scare", "security incident", "vulnerability", "rug", "rug pull", "rugged", "scam")),
    "stablecoin": ("stablecoin dollar token peg", (
        "stablecoin", "stablecoins", "stable coin", "dollar token", "dollar tokens", "usdt", "usdc", "tether", "dai",
        "ust", "depeg", "de-peg", "depegged", "lost its peg", "lost the peg", "peg", "algorithmic stablecoin")),
    "unlock": ("token unlock vesting supply release", (
        "unlock", "unlocks", "token unlock", "vesting", "vested", "cliff", "insiders", "insider coins", "team tokens",
        "tokens released", "coins released", "supply release", "emissions", "dilution", "inflationary supply")),
    "halving": ("halving block reward supply cut", (
        "halving", "halvening", "block reward", "supply cut", "issuance cut", "miner reward", "reward cut")),
    "upgrade": ("network upgrade technical improvement", (
        "upgrade", "upgrades", "hard fork", "fork", "the merge", "merge", "proof of stake", "proof-of-stake", "pos",
        "mainnet", "launch went live", "went live", "technical improvement", "protocol improvement", "roadmap",
        "shanghai", "dencun", "eip")),
    "scaling": ("layer 2 scaling rollups", (
        "layer-2", "layer 2", "l2", "l2s", "rollup", "rollups", "scaling", "scaling solution", "scaling solutions",
        "arbitrum", "optimism", "zk", "zero knowledge", "sidechain", "throughput")),
    "regulation": ("regulation regulators sec lawsuit politics", (
        "regulation", "regulatory", "regulator", "regulators", "sec", "cftc", "lawsuit", "sued", "enforcement",
        "crackdown", "ban", "banned", "election", "elections", "political", "politics", "congress", "senate",
        "government", "policy", "legislation", "bill", "mica", "compliance")),
    "dca": ("regular schedule recurring purchases dca", (
        "dca", "dollar-cost", "dollar cost", "recurring", "regular schedule", "every week", "every monday",
        "every month", "weekly", "monthly buy", "weekly purchases", "automatic", "automatically", "autopilot",
        "standing order", "scheduled buy", "scheduled purchases")),
    "rebalance_schedule": ("rebalance target weights drift", (
        "rebalance", "rebalanced", "rebalancing", "target weights", "target allocation", "drift", "drifted",
        "out of line", "off target", "overweight", "underweight", "allocation", "weight reset", "reset the weights",
        "back to target")),
    "quarter": ("quarter three months quarterly", (
        "quarter", "quarterly", "q1", "q2", "q3", "q4", "three months", "3 months", "every three months",
        "every-three-months", "first three months")),
    "year_end": ("year end annual", ("year end", "year-end", "end of the year", "december", "annual", "yearly",
                                    "new year")),
    "tax": ("tax loss harvesting capital gains", (
        "tax", "taxes", "tax-loss", "tax loss", "harvest", "harvesting", "harvested", "capital gains",
        "offset gains", "offset my gains", "write off", "write-off", "deductible")),
    "stop_loss": ("stop loss loss limit", (
        "stop", "stop-loss", "stop loss", "stops", "stopped out", "loss limit", "max loss", "trailing stop",
        "cut losses", "cut my losses")),
    "position_size": ("position size sizing how big", (
        "position size", "position sizes", "position sizing", "sizing", "size", "sized", "oversized", "too big",
        "how big", "how much to risk", "risk per trade", "allocation limit", "cap", "capped", "max weight",
        "concentration", "concentrated")),
    "yield": ("yield staking income interest", (
        "yield", "staking", "stake", "staked", "income", "interest", "lending", "lend", "lent", "apy", "apr",
        "rewards", "farming", "yield farming", "idle coins", "put to work", "passive income", "restaking")),
    "onchain_usage": ("on-chain usage activity fees volume", (
        "usage", "activity", "active addresses", "users", "user growth", "tvl", "total value locked", "fees",
        "revenue", "volume", "volumes", "transactions", "adoption", "usage numbers", "metrics", "on-chain data")),
    "cex_dex": ("exchange tokens centralised decentralized exchanges", (
        "exchange token", "exchange tokens", "cex", "dex", "dexes", "centralised", "centralized", "decentralised",
        "decentralized", "on-chain", "onchain", "self-custody", "self custody", "cold wallet", "hardware wallet",
        "custody", "platform", "platforms")),
    "social_hype": ("social media hype tip", (
        "tweet", "twitter", "x post", "influencer", "viral", "tiktok", "youtube", "reddit", "telegram", "discord",
        "social media", "social-media", "a friend", "tip", "shill", "shilled", "shilling", "hype", "hyped")),
    "revenge": ("revenge spite stubborn averaging down", (
        "spite", "revenge", "stubborn", "stubbornly", "get even", "win it back", "averaging down", "average down",
        "averaged down", "doubled down", "double down", "angry", "anger", "out of anger", "tilt", "tilted")),
    "missed_upside": ("sold too early missed upside", (
        "sold too early", "too early", "missed the", "missed out", "kept going up", "kept rising", "ran without me",
        "left money on the table", "the bounce", "bounced", "rallied after", "rallied without", "regret selling")),
    "capitulation": ("capitulation selling at the bottom", (
        "capitulate", "capitulated", "capitulation", "at the bottom", "at the lows", "the lows", "bottom",
        "gave up", "giving up", "threw in the towel", "puked", "sold the bottom")),
    "underperformance": ("underperforming lagging sector", (
        "underperform", "underperformed", "underperforming", "lagged", "lagging", "laggard", "laggards",
        "weak sector", "not working", "dead money", "went nowhere")),
    "quality": ("large caps blue chips quality", (
        "large caps", "large-cap", "large cap", "blue chip", "blue chips", "blue-chip", "majors", "btc and eth",
        "quality", "safer", "safety")),
    "speculation": ("speculative small caps memes gamble", (
        "speculative", "speculation", "small caps", "small-cap", "microcap", "micro caps", "memecoin", "memecoins",
        "meme", "memes", "degen", "gamble", "gambling", "lottery", "moonshot", "shitcoin", "shitcoins", "altcoins")),
    "sidelines": ("cash sidelines stablecoins dry powder", (
        "sidelines", "on the sidelines", "to the sidelines", "cash", "raised cash", "dry powder", "went to cash",
        "moved to cash", "into usdc", "into stablecoins", "flat", "out of the market")),
    "options": ("options puts calls expiry", (
        "option", "options", "put", "puts", "call", "calls", "expiry", "expiration", "strike", "covered call",
        "collar", "premium")),
    "ecosystem_collapse": ("ecosystem collapse implosion luna terra", (
        "luna", "terra", "implosion", "imploded", "collapse", "collapsed", "death spiral", "blew up", "wipeout",
        "went to zero", "to zero")),
}

_SUFFIX = r"(?:s|es|ed|d|ing)?"


def _key(phrase: str) -> str:
    return re.sub(r"[\s-]+", " ", phrase.lower()).strip()


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, list[str]]]:
    owners: dict[str, list[str]] = {}
    for concept, (_, phrases) in CONCEPTS.items():
        for phrase in phrases:
            owners.setdefault(_key(phrase), []).append(concept)
    alternatives = sorted(owners, key=len, reverse=True)
    body = "|".join(r"[\s-]+".join(re.escape(w) for w in p.split(" ")) for p in alternatives)
    return re.compile(rf"(?<![\w$])({body}){_SUFFIX}(?!\w)", re.IGNORECASE), owners


def concept_tags(text: str) -> list[str]:
    """`concept:NAME` for each concept the text names, in first-seen order."""
    pattern, owners = _pattern()
    found = []
    for match in pattern.finditer(text.lower()):
        found += owners.get(_key(match.group(1)), [])
    return [f"concept:{c}" for c in dict.fromkeys(found)]


def concept_gloss(tags: list[str]) -> str:
    """The canonical words of the concepts among `tags` (what is embedded next to the text)."""
    words = [CONCEPTS[t.split(":", 1)[1]][0] for t in tags if t.startswith("concept:") and t.split(":", 1)[1] in CONCEPTS]
    return ", ".join(words)
