"""One-off generator of bench/journal_eval_set.jsonl (kept out of the repo: the jsonl is the artefact)."""
import json, random
from datetime import datetime, timedelta, timezone
random.seed(7)
stories = [
 ("Dumped the whole meme sleeve in a blind panic when DOGE fell 20% overnight.", "when did I sell in a fright?", "dumped meme sleeve panic"),
 ("Aped into gaming tokens after a friend hyped a new launch; pure FOMO, no plan.", "when did I chase something everybody was raving about?", None),
 ("Trimmed DeFi by 10% after the Curve exploit drained several pools.", "what did I do after the protocol got hacked?", "Curve exploit DeFi trim"),
 ("Moved 15% of the portfolio into USDC ahead of the FOMC meeting; expecting a hawkish surprise.", "when did I go to the sidelines before a central bank decision?", "USDC ahead of FOMC"),
 ("Held through the 30% drawdown and did nothing; sat on my hands as planned.", "times I stayed the course while prices collapsed", None),
 ("Rebalanced back to target weights after the layer-1 index drifted to 40%.", "when did I restore my allocation after it got out of line?", None),
 ("Bought BTC puts as insurance before the ETF decision.", "how did I protect the downside before the fund approval?", "BTC puts ETF decision"),
 ("Lesson: I sold ETH at the bottom out of fear and missed the 60% bounce. Never capitulate on a red day.", "what mistake did I make by giving up at the lows?", None),
 ("Took profits on AI tokens after they tripled in two months; valuations felt frothy.", "when did I cash in winnings because things looked overpriced?", "took profits AI tokens tripled"),
 ("Thesis: layer-2 rollups will outperform as fees fall and usage grows over the next year.", "my long-term view on scaling solutions", None),
 ("Sold half of my exchange tokens after the SEC sued the exchange.", "what did I do when regulators went after a trading platform?", "SEC sued exchange tokens"),
 ("Doubled down on SOL after it fell 40%, averaging down stubbornly; felt angry at the market.", "when did I buy more of a loser out of spite?", None),
 ("Rotated from memecoins into large caps because risk felt too high going into summer.", "when did I move from speculative bets to blue chips?", None),
 ("Couldn't sleep after the FTX news; pulled everything off exchanges and sold 20% of the portfolio.", "what did I do during the exchange bankruptcy?", None),
 ("Staked my ETH for 4% APY instead of letting it sit idle.", "putting idle coins to work for income", "staked ETH APY"),
 ("Quarterly review Q1: hit rate 55%, my DeFi calls were good, meme trades lost money.", "how did the first three months go overall?", None),
 ("Bought the balanced index on a regular schedule, $500 every Monday, no emotion.", "my automatic weekly purchases", None),
 ("Cut leverage to zero after getting liquidated on a 10x long.", "when did borrowing blow up my account?", "liquidated 10x long leverage"),
 ("Sold gaming after the token unlock flooded the market with supply.", "exiting because insiders' coins were released", "token unlock gaming"),
 ("Bought more DeFi because TVL and protocol revenue keep growing.", "purchases based on improving usage numbers", None),
 ("Stayed in cash during the chop; nothing looked attractive.", "waiting on the sidelines while the market went nowhere", None),
 ("Hedged the portfolio by shorting BTC futures ahead of the CPI release.", "betting against the market before the inflation data", None),
 ("Lesson: position sizes in speculative coins must stay under 5%; the gaming loss hurt.", "rule I set about how big risky bets can be", None),
 ("Regret selling layer-1 too early; it rallied 50% the following month.", "exits I wish I had not made because price kept going up", None),
 ("Euphoric after BTC made a new all-time high; added 10% more to crypto at the top.", "when was I overexcited at the peak?", None),
 ("Reduced exposure to AI after the sector lagged for three months.", "when did I pull back from an underperforming theme?", None),
 ("Bought layer-1 after the network upgrade went live smoothly.", "buying on a successful technical improvement", None),
 ("Nervous about the election result; trimmed speculative indices and raised cash.", "political uncertainty made me de-risk", None),
 ("Swapped exchange tokens for DeFi since decentralized exchanges keep taking volume.", "moving from centralised platforms to on-chain ones", None),
 ("Did tax-loss harvesting: sold losing gaming positions in December.", "selling losers at year end to offset gains", "tax-loss harvesting December"),
 ("Note: the stablecoin depeg scared me; moved USDT holdings into USDC.", "when a dollar token lost its peg", "stablecoin depeg USDT USDC"),
 ("Bought memecoins on a whim after a viral tweet; pure gamble.", "impulsive social-media driven purchase", None),
 ("Thesis invalidated: DeFi did not outperform after the rate cut; closing it.", "idea that turned out wrong after monetary easing", None),
 ("Added to large caps during the COVID crash in March while everyone was terrified.", "buying when others were in a panic", "COVID crash large caps"),
 ("Kept my layer-2 position unchanged despite the bridge hack headlines; calm.", "not reacting to security scare news", None),
 ("Rebalanced quarterly: trimmed BTC from 45% to 40%, topped up AI and layer-2.", "routine every-three-months weight reset", None),
 ("Frustrated after being stopped out twice in a week on SOL; taking a break from trading.", "annoyed by repeated exits at my loss limit", None),
 ("Sold 30% of BTC into the halving hype to lock in gains.", "taking money off the table around the supply-cut event", "halving hype sold BTC"),
 ("Lesson: the LUNA collapse taught me to avoid algorithmic stablecoins entirely.", "takeaway from the 2022 ecosystem implosion", "LUNA collapse algorithmic stablecoins"),
 ("Bought ETH after the merge went through; confident in lower issuance.", "purchase after the move to proof of stake", "ETH merge issuance"),
]
indices = ["DeFi", "layer-1", "layer-2", "the AI index", "gaming", "large caps", "the balanced index", "exchange tokens", "BTC", "ETH", "SOL", "memecoins"]
verbs = ["Bought", "Sold", "Trimmed", "Added to", "Reduced", "Topped up", "Sold a little of", "Bought a small amount of"]
reasons = ["on relative strength versus BTC", "as part of the monthly rebalance", "because fees dropped on the network",
           "after a quiet week", "ahead of the options expiry", "since funding rates looked stretched",
           "after reading a research note", "to fund a house deposit", "because the chart broke support",
           "as the weekly close looked weak", "to keep the satellite sleeve within limits", "after the weekly review",
           "because correlation with BTC rose", "following my written plan", "as a small test position"]
feelings = ["", " Felt fine about it.", " Mildly bored.", " Tired today.", " Neutral.", " Reasonably sure.", ""]
notes = ["Note: {i} correlation with BTC rose to 0.{n} this month.", "Note: funding rates on {i} turned negative.",
         "Weekly check-in: portfolio up {n}%, nothing to do.", "Weekly check-in: portfolio down {n}%, no action.",
         "Note: {i} volume is {n}% higher than last month.", "Read a long thread about {i}; nothing actionable.",
         "Note: fee on the {i} tracker is {n} bps, worth comparing.", "Monthly summary: {i} was the best performer, up {n}%."]
start = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
lines = []
for n, (text, para, direct) in enumerate(stories, 1):
    ts = start + timedelta(days=random.randint(0, 800))
    lines.append({"type": "entry", "id": f"t{n:02d}", "timestamp": ts.isoformat(), "text": text})
for n in range(1, 171):
    ts = start + timedelta(days=random.randint(0, 800))
    if random.random() < 0.3:
        text = random.choice(notes).format(i=random.choice(indices), n=random.randint(2, 40))
    else:
        text = f"{random.choice(verbs)} {random.choice(['5%', '2%', '$1,000', '$250', '3%', '10%'])} {'of ' if random.random()<0.5 else ''}{random.choice(indices)} {random.choice(reasons)}.{random.choice(feelings)}"
    lines.append({"type": "entry", "id": f"f{n:03d}", "timestamp": ts.isoformat(), "text": text})
# Other stories a careful reader would also count as answers (judged from the texts, not from results).
also = {1: [8, 14, 28], 2: [32], 3: [35], 6: [36], 20: [29], 24: [8], 27: [40], 31: [39]}
for n, (text, para, direct) in enumerate(stories, 1):
    relevant = [f"t{n:02d}"] + [f"t{m:02d}" for m in also.get(n, [])]
    lines.append({"type": "query", "query": para, "relevant": relevant, "style": "paraphrase"})
for n, (text, para, direct) in enumerate(stories, 1):
    if direct:
        lines.append({"type": "query", "query": direct, "relevant": [f"t{n:02d}"], "style": "direct"})
with open("/work/main/bench/journal_eval_set.jsonl", "w") as f:
    for l in lines: f.write(json.dumps(l) + "\n")
print(sum(l["type"]=="entry" for l in lines), sum(l["type"]=="query" for l in lines), sum(l.get("style")=="direct" for l in lines))
