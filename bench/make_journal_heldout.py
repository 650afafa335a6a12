"""Generator of the held-out labelled sets. Stories are new situations; questions avoid the entry's own key words.

    python bench/make_journal_heldout.py > bench/journal_eval_heldout.jsonl        # set A
    python bench/make_journal_heldout.py B > bench/journal_eval_heldout_b.jsonl    # set B

Set A was written after the pipeline (concepts.py, fusion weights, views) was frozen on
bench/journal_eval_set.jsonl. It then showed the lexical half pulling in look-alike fillers, and the
common-term rule (search.py COMMON_TERM_SHARE) was chosen on the tuning set and set A together, so A
is no longer held out; set B was written after that and was never used to choose anything.
"""
import sys
import json
import random
from datetime import datetime, timedelta, timezone

SET = sys.argv[1] if len(sys.argv) > 1 else "A"
random.seed(11 if SET == "A" else 23)
# (entry text, paraphrase question or None, direct question or None)
stories_b = [
 ("Bought a little ETH after gas fees hit a two-year low; cheap to move coins around again.", "buying when it became inexpensive to transact", None),
 ("Sold my BNB when the founder pleaded guilty; too much key-person risk.", "exiting because the boss of a company admitted wrongdoing", "BNB founder guilty"),
 ("Kept everything in cold storage during the summer; no trades for eight weeks.", "a long stretch with no activity at all", None),
 ("Lesson: I set price alerts instead of staring at charts all day; I sleep better.", "a habit that improved my rest", None),
 ("Sold 10% of BTC when the funding rate went above 0.1%; the crowd was too long.", "reducing because everyone was positioned the same way", None),
 ("Added SOL when Visa announced it would settle payments on the chain.", "buying after a card company adopted the network", "Visa settle payments SOL"),
 ("Cut my ADA position in half after two years of dead money; opportunity cost was too high.", "giving up on something that had done nothing for ages", None),
 ("Bought BTC when the Fed announced a surprise emergency rate cut.", "buying after an unexpected move by the monetary authority", None),
 ("Moved profits into a savings account to pay for my wedding.", "taking money out for a family celebration", None),
 ("Rotated from AI tokens into DeFi after Nvidia earnings disappointed.", "switching sectors after a chipmaker's results", None),
 ("Bought DOGE because a friend in a group chat said it would double; lost 30%.", "acting on a tip from a messaging group", None),
 ("Sold ETH after a whale moved 100k coins to an exchange; feared a dump.", "selling because a giant holder shifted coins to be sold", None),
 ("Averaged into BTC over ten days instead of buying at once, to spread the entry.", "splitting a purchase over many days", None),
 ("Exited LINK after the team sold tokens without warning; lost trust in them.", "leaving after the developers offloaded their holdings", "LINK team sold tokens"),
 ("Bought AVAX during the subnet hype and sold a week later for 15% profit.", "a quick in-and-out trade on a buzzy feature", None),
 ("Thesis: tokenised treasuries will bring real yield on-chain and lift DeFi.", "my belief that government bonds on the blockchain would help", None),
 ("Kept buying weekly even though the bear market felt endless.", "sticking to scheduled buying through a long downturn", None),
 ("Sold all my XRP before filing taxes to realise the loss.", "booking a loss for the tax return", None),
 ("Lesson: I trade worse after midnight; no orders after 11pm from now on.", "a rule about trading late at night", "no orders after 11pm"),
 ("Hedged by shorting ETH perps while waiting for the ETF outflows to stop.", "betting on a fall while money left the funds", None),
 ("Panicked when my exchange froze logins for six hours and sold from my phone at a bad price.", "selling in a fright when I could not access my account", None),
 ("Bought more large caps after a 25% drop, following my written drawdown plan.", "adding during a big decline because my rules said so", None),
]
stories_a = [
 ("Sold a third of my BTC when Silicon Valley Bank failed; worried the banking mess would spread to crypto.", "what did I do when lenders to startups went under?", None),
 ("Moved all coins off Binance to a Ledger after the withdrawal delays.", "taking my holdings into my own keys", "Binance Ledger withdrawal delays"),
 ("Bought ETH the week the spot ETH ETF was approved; felt late to the party.", "entering after the listed product for ether got the green light", None),
 ("Farmed the Arbitrum airdrop for months, then dumped the tokens on day one.", "what happened with the free tokens I qualified for?", "Arbitrum airdrop dumped"),
 ("Trimmed SOL after the network went down for 18 hours again.", "cutting exposure when a chain stopped producing blocks", None),
 ("Shame: lost 0.4 ETH to a phishing link that drained my hot wallet.", "when was I tricked into signing something malicious?", "phishing hot wallet"),
 ("Added BTC as miners capitulated and hash rate dropped 20%.", "buying while the people securing the network were giving up", None),
 ("Sold all my NFTs at a loss; the jpeg market is dead.", "getting rid of digital collectibles", "NFTs sold at a loss"),
 ("Thesis: Bitcoin dominance will fall and altcoins will outperform over the summer.", "my view that smaller coins would beat the leader", None),
 ("Reduced crypto to 10% of net worth because I need a house deposit next spring.", "lowering risk because of a big personal purchase coming up", "house deposit"),
 ("Sold BTC when the Nasdaq dropped 4% in a day; crypto trades like tech stocks now.", "selling because the stock market had a bad day", None),
 ("Bought more when the RSI on BTC dropped below 30; oversold bounce play.", "a purchase based on an indicator saying it was stretched to the downside", None),
 ("Ignored the death cross headlines and kept dollar-cost averaging.", "carrying on with the routine despite a scary chart signal", None),
 ("Sold memecoins after Elon tweeted about DOGE and it spiked 40%; sold the news.", "cashing out a pump caused by a famous billionaire", None),
 ("The 3AC blowup made me pull my coins from every lending platform.", "when a big fund's collapse made me withdraw from earn products", "3AC lending platform"),
 ("Gave 0.1 BTC to my niece for her graduation; not a trade, but it changes the sizing.", "a gift to family out of the stack", None),
 ("Bought the dip when China announced yet another crypto ban; it always recovers.", "purchasing after a country outlawed it", "China crypto ban"),
 ("Closed all alt positions before Christmas; I never trade over the holidays.", "going flat for the festive season", None),
 ("Lesson: never buy a coin the day it lists on Coinbase; it fell 35% in a week.", "what I learned about new listings on a big exchange", None),
 ("Swapped half of my USDT for USDC after reading about Tether's reserves.", "worried about what backs my dollar coins", None),
 ("Kept calm through the Mt. Gox repayment fears; the coins were mostly sold OTC anyway.", "not selling ahead of the old exchange's creditors getting paid", "Mt. Gox repayment"),
 ("Added to BTC when the dollar index fell; a weak dollar is good for risk assets.", "buying because the greenback was weakening", None),
 ("Sold 20% of everything after the yen carry trade unwound and markets crashed on a Monday.", "what did I do when a Japanese funding trade reversed?", None),
 ("Bought LINK because oracle usage keeps growing across chains.", "buying the data-feed provider", None),
 ("Took a 50% loss on a gaming token after the studio delayed its game again.", "a loss after a project kept pushing its launch back", None),
 ("Moved 5% into gold-backed tokens as a hedge while crypto looked fragile.", "buying a precious-metal coin for protection", "gold-backed tokens hedge"),
 ("Felt greedy and bought a 3x leveraged ETH token; sold it two days later for a small loss.", "when I used borrowed exposure and quickly regretted it", None),
 ("Rotated from ETH into SOL because activity and fees moved there.", "switching chains because users migrated", None),
 ("Paused my weekly buys while I was unemployed; kept an emergency fund in cash instead.", "stopping the routine purchases because of a job loss", None),
 ("Sold XRP the day the court ruling came out; it had jumped 70%.", "cashing in after a judge's decision sent a coin flying", "XRP court ruling"),
 ("Wrote down my plan before the US debt ceiling deadline: no trades unless BTC breaks 25k.", "preparing rules ahead of the government borrowing-limit standoff", None),
 ("Bought AVAX on a friend's tip at a dinner party; regretted it within a week.", "buying because someone I know recommended it over a meal", None),
 ("Watched the altseason rally from the sidelines; I was 100% in BTC and missed it.", "missing a broad rally in smaller coins", None),
 ("Review of the year: best decision was holding BTC, worst was chasing memes in May.", "looking back at the whole twelve months", "review of the year"),
 ("Sold a small ETH bag to pay my tax bill in April.", "selling to cover what I owed the government", None),
 ("Hedged by buying BTC put options before the Mt. Gox coins moved on-chain.", "insurance bought ahead of old exchange coins moving", None),
 ("Rebuilt my portfolio around five indices after reading about diversification.", "restructuring everything to spread the risk", None),
 ("Sold POL after the token migration confused everyone; not worth the hassle.", "getting out because of a messy token swap", None),
 ("Added UNI after the fee switch vote passed; holders finally earn something.", "buying after governance approved paying token holders", None),
 ("Panicked and sold DOT at the low of the August flash crash; it recovered by evening.", "selling in a fright during a sudden intraday plunge", None),
]
stories = stories_a if SET == "A" else stories_b
fill_assets = ["BTC", "ETH", "SOL", "XRP", "ADA", "LINK", "AVAX", "DOT", "DOGE", "the DeFi index", "layer-2", "the AI index",
               "large caps", "gaming", "memecoins"]
fill_verbs = ["Bought", "Sold", "Trimmed", "Added to", "Reduced", "Topped up", "Sold a little of", "Nibbled at"]
fill_reasons = ["as the weekly candle closed strong", "after my monthly review", "because it left its range",
                "to stay within my limits", "following the plan I wrote in January", "since it had lagged BTC",
                "after a long flat stretch", "to free cash for other indices", "on a routine check",
                "because spreads were tight today", "after checking correlations", "as a small experiment"]
fill_feelings = ["", " Calm.", " Bit tired.", " No strong view.", " Fine with it.", ""]
fill_notes = ["Note: {a} is up {n}% this month; no action.", "Note: checked {a} fees, {n} bps.",
              "Weekly log: nothing changed, portfolio {n}% off the high.", "Note: {a} correlation to BTC at 0.{n}.",
              "Read a report about {a}; filed it for later.", "Note: {a} volume {n}% below average."]
start = datetime(2023, 1, 1, 12, tzinfo=timezone.utc)
lines = []
for i, (text, para, direct) in enumerate(stories, start=1):
    sid = f"{SET.lower()}{i:02d}"
    lines.append({"type": "entry", "id": sid, "timestamp": (start + timedelta(days=17 * i)).isoformat(), "text": text})
for j in range(160):
    if j % 3 == 0:
        text = random.choice(fill_notes).format(a=random.choice(fill_assets), n=random.randint(2, 60))
    else:
        text = (f"{random.choice(fill_verbs)} {random.randint(1, 8)}% {random.choice(fill_assets)} "
                f"{random.choice(fill_reasons)}.{random.choice(fill_feelings)}")
    lines.append({"type": "entry", "id": f"f{j:03d}", "timestamp": (start + timedelta(days=4 * j, hours=3)).isoformat(),
                  "text": text})
for i, (text, para, direct) in enumerate(stories, start=1):
    if para:
        lines.append({"type": "query", "query": para, "relevant": [f"{SET.lower()}{i:02d}"], "style": "paraphrase"})
for i, (text, para, direct) in enumerate(stories, start=1):
    if direct:
        lines.append({"type": "query", "query": direct, "relevant": [f"{SET.lower()}{i:02d}"], "style": "direct"})
print("\n".join(json.dumps(line) for line in lines))
