"""Quarterly review benchmarks on the sample market: the numbers alone, and the full report folder.

    python bench/bench_review.py          # prints medians; paste into docs/performance.md

* build_review: targets, quarter returns, Carino-linked contributions, VaR, outcomes of 20 journaled
  decisions, journal retrieval (hash embedding: the store's own speed is benchmarked in bench_journal.py).
* write_report: the same plus review.md, review.json and three PNG charts (matplotlib Agg).
The market panel and index levels are loaded once first (as in a chat session), then reused.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexdesk.memory.journal.models import JournalEntry, Position  # noqa: E402
from indexdesk.tools.context import ToolContext  # noqa: E402
from indexdesk.tools.review.report import build_review  # noqa: E402
from indexdesk.tools.review.tools import write_report  # noqa: E402
from indexdesk.tools.settings import Settings  # noqa: E402

RUNS = 7


def median_seconds(call, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="bench_review_"))
    ctx = ToolContext(settings=Settings(home=home, embedding="hash:64", source="sample"))
    start = time.perf_counter()
    ctx.market()
    build_review(ctx, "2026Q3")
    first = time.perf_counter() - start
    store = ctx.journal_store()
    day0 = datetime(2026, 7, 2, 12, tzinfo=timezone.utc)
    store.add_many([JournalEntry(text=f"rotated 2% from layer-1 into DeFi, decision {i}", kind="decision",
                                 action="rotate", timestamp=day0 + timedelta(days=4 * i),
                                 positions=[Position(name="layer1", direction="out_of", weight_change_pct=-2),
                                            Position(name="defi", direction="into", weight_change_pct=2)])
                    for i in range(20)])
    numbers = median_seconds(lambda: build_review(ctx, "2026Q3"))
    report = median_seconds(lambda: write_report(ctx, "2026Q3"))
    print(f"first review incl. loading the sample market and index levels: {first:.2f} s")
    print(f"build_review 2026Q3, 20 decisions (median of {RUNS}): {numbers * 1000:.0f} ms")
    print(f"write_report 2026Q3 incl. 3 PNGs (median of {RUNS}): {report * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
