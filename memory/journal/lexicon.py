"""A small curated lexicon: the many ways traders say one thing, mapped to one canonical tag.

It was written from general trading vocabulary (thesaurus style: every common verb, idiom and
feeling for each concept) before the retrieval eval set existed, and is not edited to fit its
queries. Each phrase is matched on word boundaries with optional inflections (s, es, ed, d, ing),
so "dump" covers "dumped" and "dumping". Both entries (at write time) and queries (at search time)
pass through the same lexicon, which is how "sold in a fright" finds "dumped it in a panic".
"""

from __future__ import annotations

LEXICON: dict[str, tuple[str, ...]] = {
    # ---- actions
    "action:buy": (
        "buy", "bought", "purchase", "add", "added to", "accumulate", "load up", "loaded up", "loading up",
        "scoop", "scooped up", "pick up", "picked up", "go long", "went long", "long", "enter", "entered",
        "open a position", "opened a position", "top up", "topped up", "average down", "averaged down",
        "dca", "dollar-cost", "dollar cost", "ape", "aped", "aped into", "initiate", "initiated", "build a position",
        "built a position", "allocate to", "allocated to", "deploy", "deployed", "increase", "increased",
        "bid", "buy the dip", "bought the dip", "put money into", "put cash into", "doubled down",
    ),
    "action:sell": (
        "sell", "sold", "dump", "exit", "exited", "trim", "trimmed", "cut", "offload", "unload", "liquidate",
        "close out", "closed out", "closed the position", "take profit", "took profit", "cash out", "cashed out",
        "reduce", "reduced", "derisk", "de-risk", "de-risked", "derisked", "bail", "bailed", "bailed out",
        "capitulate", "capitulated", "ditch", "got out", "get out", "lighten", "lightened", "pare", "pared",
        "shed", "dispose", "disposed", "let go of", "threw in the towel", "throw in the towel", "puke", "puked",
        "unwind", "unwound", "flatten", "flattened", "out of the position", "took money off the table",
        "closed", "closing", "cashed in", "cashing in", "cash in", "cashing out", "went flat", "going flat",
        "money off the table",
    ),
    "action:rotate": (
        "rotate", "rotation", "switch", "switched", "swap", "swapped", "move from", "moved from", "shift",
        "shifted", "reallocate", "reallocated", "moved out of", "moved into", "traded out of", "out of and into",
        "from one sector to another", "repositioned", "reposition",
    ),
    "action:rebalance": (
        "rebalance", "rebalanced", "back to target", "back to the target", "reset the weights", "reset weights",
        "drift", "drifted", "realign", "realigned", "restore the weights", "target weights", "target allocation",
        "quarterly rebalance", "monthly rebalance", "trim back to", "top back up to",
    ),
    "action:hedge": (
        "hedge", "hedged", "hedging", "protection", "protective", "put option", "puts", "short", "shorted",
        "shorting", "insurance", "insure", "collar", "downside cover", "offset the risk",
    ),
    "action:hold": (
        "hold", "held", "holding", "hodl", "hodled", "sat tight", "sit tight", "did nothing", "do nothing",
        "stayed put", "stay put", "waited", "wait", "no trade", "stood pat", "stand pat", "kept", "keep",
        "sat on my hands", "sit on my hands", "left it alone", "resisted", "stayed the course", "stay the course",
        "didn't touch", "did not touch", "no change", "unchanged",
    ),
    # ---- emotions
    "emotion:fear": (
        "fear", "afraid", "scared", "scary", "panic", "panicked", "panicky", "fright", "frightened", "terrified",
        "terror", "nervous", "anxious", "anxiety", "worried", "worry", "jittery", "jitters", "spooked", "shaken",
        "dread", "sleepless", "couldn't sleep", "could not sleep", "freaked out", "freak out", "alarmed", "uneasy",
        "rattled", "shaky", "stressed", "stress", "petrified", "nerves", "on edge", "cold feet", "wobbly",
        "scared money", "sick to my stomach", "knot in my stomach", "sweating",
    ),
    "emotion:greed": (
        "greed", "greedy", "fomo", "fear of missing out", "missing out", "euphoric", "euphoria", "giddy",
        "chase", "chasing", "chased", "overexcited", "get rich", "lambo", "moonshot", "to the moon", "jackpot",
        "all in", "went all in", "max long", "couldn't resist", "could not resist", "hype", "hyped", "excited",
        "excitement", "thrilled",
    ),
    "emotion:confidence": (
        "confident", "confidence", "conviction", "convinced", "sure", "certain", "high conviction", "strong belief",
        "no doubt", "clear", "clearly", "obvious", "bold", "comfortable",
    ),
    "emotion:calm": (
        "calm", "composed", "relaxed", "patient", "patience", "disciplined", "discipline", "unemotional",
        "steady", "zen", "level-headed", "level headed", "cool-headed", "cool headed", "detached", "stoic",
        "by the book", "mechanical", "rule-based", "rules-based", "systematic", "followed the plan",
        "stuck to the plan", "according to plan",
    ),
    "emotion:regret": (
        "regret", "regretted", "mistake", "should have", "shouldn't have", "should not have", "kicking myself",
        "wish i had", "wish i hadn't", "bad call", "blunder", "misjudged", "wrong call", "error", "screwed up",
        "messed up", "cost me", "lesson learned", "never again", "stupid", "dumb move", "hindsight",
    ),
    "emotion:doubt": (
        "unsure", "uncertain", "uncertainty", "doubt", "doubts", "doubtful", "hesitant", "hesitate", "hesitated",
        "torn", "conflicted", "second-guessing", "second guessing", "not sure", "undecided", "ambivalent",
        "on the fence", "skeptical", "sceptical", "wary", "cautious", "caution", "unconvinced", "mixed feelings",
    ),
    "emotion:frustration": (
        "frustrated", "frustrating", "frustration", "annoyed", "annoying", "angry", "anger", "irritated", "tilt",
        "tilted", "on tilt", "revenge", "revenge trade", "furious", "mad", "fed up", "sick of", "impatient",
    ),
    "emotion:relief": ("relieved", "relief", "phew", "dodged a bullet", "glad", "thankful", "grateful"),
    # ---- themes
    "theme:momentum": (
        "momentum", "trend", "trending", "breakout", "broke out", "breaking out", "uptrend", "relative strength",
        "moving average", "higher highs", "strength", "outperform", "outperformed", "outperforming", "leading",
        "leadership", "running", "ripping", "strong", "weakness", "weak", "lagging", "lagged", "underperform",
        "underperformed", "underperforming", "rolled over", "rolling over", "fading", "faded", "losing steam",
    ),
    "theme:macro": (
        "cpi", "inflation", "fed", "fomc", "rates", "interest rate", "interest rates", "rate hike", "rate hikes",
        "rate cut", "rate cuts", "jobs report", "payrolls", "nfp", "recession", "dollar", "dxy", "yields",
        "treasury", "treasuries", "powell", "central bank", "macro", "gdp", "unemployment", "economy",
        "economic", "tariff", "tariffs", "geopolitics", "geopolitical", "war", "election", "stocks", "equities",
        "nasdaq", "s&p", "risk-off", "risk off", "risk-on", "risk on", "monetary policy", "printing money",
    ),
    "theme:regulation": (
        "sec", "regulation", "regulations", "regulator", "regulators", "regulatory", "lawsuit", "sued", "ban",
        "banned", "compliance", "legal", "court", "congress", "senate", "law", "legislation", "crackdown",
        "enforcement", "gensler", "securities", "license", "licence", "government",
    ),
    "theme:security": (
        "hack", "hacked", "exploit", "exploited", "rug", "rugpull", "rug pull", "rugged", "drained", "breach",
        "breached", "vulnerability", "bug", "attack", "attacker", "stolen", "theft", "scam", "phishing",
        "compromised", "private key", "smart contract risk",
    ),
    "theme:insolvency": (
        "collapse", "collapsed", "bankrupt", "bankruptcy", "insolvent", "insolvency", "contagion", "depeg",
        "depegged", "de-peg", "withdrawals halted", "halted withdrawals", "paused withdrawals", "bank run",
        "counterparty", "counterparty risk", "blew up", "blow up", "implosion", "imploded", "went under",
        "ftx", "luna", "terra", "celsius", "3ac",
    ),
    "theme:drawdown": (
        "crash", "crashed", "crashing", "drawdown", "plunge", "plunged", "tank", "tanked", "tanking",
        "capitulation", "selloff", "sell-off", "bloodbath", "blood", "dip", "dump", "dumping", "fell", "falling",
        "drop", "dropped", "slump", "slumped", "rout", "wipeout", "wiped out", "liquidation", "liquidations",
        "cascade", "freefall", "free fall", "meltdown", "carnage", "red candle", "red candles", "nosedive",
        "down bad", "bleeding", "bled", "slide", "slid", "correction", "sank", "sinking", "collapse",
    ),
    "theme:rally": (
        "pump", "pumped", "pumping", "soar", "soared", "surge", "surged", "rip", "ripped", "mooned", "mooning",
        "all-time high", "all time high", "ath", "new highs", "parabolic", "rally", "rallied", "rallying",
        "spike", "spiked", "jumped", "skyrocketed", "melt-up", "melt up", "green candle", "green candles",
        "bull run", "up only", "squeeze", "short squeeze", "bounce", "bounced", "recovered", "recovery",
    ),
    "theme:profit": (
        "profit", "profits", "profitable", "gain", "gains", "take profit", "took profit", "cashed out",
        "locked in", "lock in", "realized", "realised", "winner", "winning", "paid off", "worked out",
        "up big", "made money", "nice return", "doubled", "tripled", "2x", "3x", "10x",
    ),
    "theme:loss": (
        "loss", "losses", "lost", "losing", "stop-loss", "stop loss", "stopped out", "underwater", "bag",
        "bagholder", "bag holder", "bags", "down big", "lost money", "painful", "pain", "hurt", "burned",
        "burnt", "got rekt", "rekt", "wrecked", "red", "negative", "halved", "cut in half",
    ),
    "theme:valuation": (
        "valuation", "valuations", "overvalued", "undervalued", "cheap", "expensive", "fdv", "market cap",
        "multiple", "multiples", "fair value", "discount", "premium", "bargain", "overpriced", "underpriced",
        "frothy", "froth", "stretched", "price to sales", "p/s", "p/e", "mean reversion", "mean-revert",
    ),
    "theme:risk": (
        "risk", "risky", "exposure", "overexposed", "position size", "position sizing", "sizing", "size down",
        "sized down", "concentration", "concentrated", "leverage", "leveraged", "margin", "diversify",
        "diversification", "diversified", "volatility", "volatile", "vol", "tail risk", "max drawdown",
        "too big", "too much", "overweight", "underweight", "limit", "cap",
    ),
    "theme:yield": (
        "yield", "staking", "stake", "staked", "apy", "apr", "interest", "farming", "farm", "yield farming",
        "rewards", "passive income", "lending", "lend", "liquidity mining", "restaking", "carry",
    ),
    "theme:narrative": (
        "narrative", "narratives", "story", "sentiment", "social media", "twitter", "crypto twitter", "ct",
        "influencer", "influencers", "buzz", "mania", "craze", "meme", "memes", "viral", "attention",
        "retail", "crowd", "herd", "everyone", "consensus", "rumor", "rumour", "headline", "headlines", "news",
    ),
    "theme:fundamentals": (
        "revenue", "revenues", "fees", "fee", "users", "tvl", "total value locked", "adoption", "fundamentals",
        "fundamental", "usage", "developers", "developer activity", "on-chain", "onchain", "activity",
        "volume", "volumes", "growth", "earnings", "cash flow", "buyback", "buybacks", "tokenomics", "utility",
    ),
    "theme:catalyst": (
        "upgrade", "launch", "launched", "listing", "listed", "halving", "etf", "catalyst", "catalysts",
        "event", "airdrop", "mainnet", "testnet", "announcement", "partnership", "fork", "approval", "approved",
        "conference", "release", "roadmap",
    ),
    "theme:supply": (
        "unlock", "unlocks", "token unlock", "vesting", "emissions", "dilution", "diluted", "inflationary",
        "supply", "cliff", "insider selling", "vc selling", "burn", "burned supply",
    ),
    "theme:discipline": (
        "plan", "rules", "rule", "discipline", "disciplined", "target", "targets", "schedule", "scheduled",
        "systematic", "process", "checklist", "policy", "framework", "routine", "mechanical",
    ),
    "theme:impulse": (
        "impulsive", "impulse", "impulsively", "rash", "hasty", "hastily", "knee-jerk", "knee jerk", "emotional",
        "emotionally", "spur of the moment", "without thinking", "gut feeling", "on a whim", "reckless",
        "careless", "snap decision", "rushed", "in a hurry", "blind", "blindly", "yolo", "gamble", "gambled",
        "gambling", "bet",
    ),
    "theme:cash": (
        "cash", "stablecoin", "stablecoins", "stables", "usdc", "usdt", "dai", "sidelines", "on the sidelines",
        "dry powder", "safe haven", "parked", "park", "t-bills", "money market",
    ),
    "theme:tax": ("tax", "taxes", "taxable", "harvest", "tax-loss", "tax loss", "capital gains", "write off"),
    "theme:review": (
        "review", "reviewed", "retrospective", "post-mortem", "postmortem", "looking back", "in hindsight",
        "quarter", "quarterly", "scorecard", "hit rate", "track record", "lesson", "lessons", "learned", "learnt",
        "takeaway", "takeaways", "reflection", "reflect",
    ),
    # ---- market regimes (also written by the market-context snapshot)
    "regime:bear": (
        "bear market", "bear", "bearish", "downtrend", "crypto winter", "winter", "bottom", "bottoming",
        "capitulation", "lows", "new lows",
    ),
    "regime:bull": (
        "bull market", "bull", "bullish", "uptrend", "euphoria", "mania", "all-time high", "new highs",
        "price discovery", "alt season", "altseason",
    ),
    "regime:sideways": ("sideways", "chop", "choppy", "range", "ranging", "range-bound", "flat", "boring", "quiet"),
}

# Index phrasings beyond the catalogue's own names, titles and aliases (keys: catalogue index names;
# a test checks them). Assets are generated from the market universe; see ASSET_NICKNAMES.
INDEX_PHRASES: dict[str, tuple[str, ...]] = {
    "large_cap": ("large cap", "large caps", "large-cap", "large-caps", "blue chip", "blue chips", "blue-chip",
                  "majors", "core", "core index", "core sleeve", "large_cap"),
    "balanced": ("balanced", "balanced index", "top ten", "top-10", "top 10"),
    "layer1": ("layer1", "layer-1", "layer 1", "l1", "l1s", "alt l1", "alt l1s", "smart contract platforms",
               "base layer", "base layers", "alt layer ones", "layer ones"),
    "layer2": ("layer2", "layer-2", "layer 2", "l2", "l2s", "rollup", "rollups", "scaling", "scaling tokens",
               "layer twos"),
    "defi": ("defi", "de-fi", "decentralized finance", "decentralised finance", "dex", "dexes", "lending protocols",
             "defi tokens", "defi sleeve"),
    "ai_data": ("ai", "ai_data", "ai tokens", "ai coins", "artificial intelligence", "ai sleeve", "ai index",
                "ai & data", "ai and data", "data tokens", "agents"),
    "gaming": ("gaming", "games", "gamefi", "game tokens", "metaverse", "gaming sleeve"),
    "memecoins": ("memecoin", "memecoins", "meme", "memes", "meme coins", "meme coin", "dog coins", "dog coin",
                  "meme sleeve", "memes sleeve", "degen coins", "frog coins"),
    "exchange_tokens": ("exchange tokens", "exchange token", "exchange_tokens", "cex tokens", "exchange coins"),
    "stablecoin_cash": ("stablecoin_cash", "stablecoin", "stablecoins", "stables", "cash",
                        "stablecoin cash", "cash sleeve", "dollars on the side"),
}

# Common nicknames of universe assets beyond their symbol, name and provider id (keys: universe
# symbols; tests/test_journal_vocabulary.py checks every key against tools/market/universe.py).
ASSET_NICKNAMES: dict[str, tuple[str, ...]] = {
    "BTC": ("bitcoins", "sats", "xbt"),
    "ETH": ("ether", "eth2"),
    "BNB": ("binance coin",),
    "SOL": ("solana", "sol"),
    "XRP": ("ripple",),
    "AVAX": ("avalanche",),
    "DOT": ("polkadot",),
    "LUNA": ("terra", "terra luna", "lunc", "luna classic"),
    "MATIC": ("polygon", "pol"),
    "ARB": ("arbitrum",),
    "MKR": ("makerdao", "maker dao"),
    "LINK": ("chainlink",),
    "FET": ("fetch ai", "fetchai"),
    "RENDER": ("rndr", "render network"),
    "AXS": ("axie",),
    "DOGE": ("doge", "dogecoin", "dogecoins"),
    "SHIB": ("shiba",),
    "PEPE": ("pepecoin",),
    "LEO": ("unus sed leo", "leo token"),
    "CRO": ("crypto.com coin",),
    "XLM": ("lumens",),
    "STETH": ("st eth", "staked eth"),
    "PAXG": ("pax gold",),
    "USDT": ("tether",),
    "USDC": ("usd coin",),
    "BUSD": ("binance usd",),
}

# Aliases that are also ordinary words ("near the lows", "link to the article", "yield curve"):
# read as an asset only in capitals, capitalised mid-sentence, as a $cashtag or after a quantity.
AMBIGUOUS_WORDS: frozenset[str] = frozenset({
    "near", "link", "op", "etc", "dot", "ape", "flow", "sand", "algo", "render", "apt", "vet", "leo", "uni",
    "atom", "comp", "arb", "theta", "compound", "maker", "quant", "optimism", "stellar", "curve",
    "cosmos", "sui", "mana", "eos", "fil", "dai", "pol", "axie",
})
