"""Journal benchmark: recall@5 on the labelled set, ingest rate, search latency at N entries.

    python bench/bench_journal.py --recall
    python bench/bench_journal.py --entries 10000          # ingest + search p50/p95
    python bench/bench_journal.py --entries 100000 --home /tmp/j100k

Synthetic entries are sentences drawn from templates (actions, indices, reasons, feelings);
search latency includes the query embedding, lexical and vector search, fusion and loading.
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexdesk.memory.journal.evaluation import load_eval_set, plain_vector_rankings, recall_at_k, store_rankings  # noqa: E402
from indexdesk.memory.journal.models import JournalEntry  # noqa: E402
from indexdesk.memory.journal.store import open_journal  # noqa: E402

EVAL = Path(__file__).with_name("journal_eval_set.jsonl")
VERBS = ["Bought", "Sold", "Trimmed", "Added to", "Rotated out of", "Hedged", "Held", "Reduced", "Topped up"]
NAMES = ["DeFi", "layer-1", "layer-2", "the AI index", "gaming", "large caps", "memecoins", "BTC", "ETH", "SOL"]
WHY = ["because momentum turned", "after the CPI print", "as part of the rebalance", "after the exploit news",
       "since valuations looked stretched", "on the token unlock", "ahead of the FOMC", "after a quiet week"]
FEEL = ["", "; nervous", "; calm", "; felt greedy", "; unsure", "; relieved", "; frustrated"]
QUERIES = ["when did I sell in a fright?", "rotations into DeFi", "what did I do after a hack?",
           "buying when the market was euphoric", "trades around central bank meetings", "lessons about position size"]


def synthetic(n: int, seed: int = 1):
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=timezone.utc)
    for i in range(n):
        text = f"{rng.choice(VERBS)} {rng.randint(1, 20)}% {rng.choice(NAMES)} {rng.choice(WHY)}{rng.choice(FEEL)} (#{i})"
        yield JournalEntry(text=text, kind="decision", timestamp=start + timedelta(minutes=17 * i))


def bench_recall() -> None:
    entries, queries = load_eval_set(EVAL)
    with tempfile.TemporaryDirectory() as home:
        store = open_journal(Path(home))
        store.add_many(copy.deepcopy(entries))
        rows = {"plain MiniLM (raw text, cosine)": plain_vector_rankings(store.embedder, entries, queries),
                "vector (enriched)": store_rankings(store, queries, use_lexical=False),
                "BM25 + tags": store_rankings(store, queries, use_vector=False),
                "hybrid RRF (default)": store_rankings(store, queries)}
        # The fusion weight was chosen on the even-numbered queries (0, 2, 4, ... in file order);
        # the odd-numbered ones are the held-out split it was never tuned on.
        splits = {"even (tuned on)": slice(0, None, 2), "odd (held out)": slice(1, None, 2)}
        for name, ranked in rows.items():
            r = recall_at_k(ranked, queries)
            parts = "  ".join(f"{split} {recall_at_k(ranked[cut], queries[cut])['paraphrase']:.3f}"
                              for split, cut in splits.items())
            print(f"{name:34s} recall@5 paraphrase {r['paraphrase']:.3f}  direct {r['direct']:.3f}  all {r['all']:.3f}"
                  f"  | paraphrase {parts}")
        store.close()


def bench_scale(n: int, home: Path) -> None:
    store = open_journal(home)
    have = store.count()
    if have < n:
        t0 = time.perf_counter()
        store.add_many(synthetic(n - have, seed=have), batch_size=512)
        elapsed = time.perf_counter() - t0
        print(f"ingest {n - have} entries: {elapsed:.1f} s = {(n - have) / elapsed:.0f} entries/s")
    latencies = []
    for _ in range(5):
        for q in QUERIES:
            t0 = time.perf_counter()
            store.search(q, k=5)
            latencies.append((time.perf_counter() - t0) * 1000)
    latencies = latencies[len(QUERIES):]  # first round warms the caches
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"search at {store.count()} entries: median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms "
          f"({len(latencies)} queries, k=5, incl. query embedding)")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recall", action="store_true")
    parser.add_argument("--entries", type=int, default=0)
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.recall:
        bench_recall()
    if args.entries:
        if args.home:
            bench_scale(args.entries, args.home)
        else:
            with tempfile.TemporaryDirectory() as home:
                bench_scale(args.entries, Path(home))


if __name__ == "__main__":
    main()
