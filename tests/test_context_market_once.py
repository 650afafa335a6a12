"""The context loads the market once even when two threads ask at the same time (the chat warms it
in a thread while the first turn may already need it)."""

from __future__ import annotations

import threading
import time

from indexdesk.tools.context import ToolContext
from indexdesk.tools.settings import Settings


class SlowSource:
    def __init__(self) -> None:
        self.loads = 0

    def load(self):
        self.loads += 1
        time.sleep(0.2)  # long enough for the second thread to arrive during the load
        return object()


def test_two_threads_share_one_market_load(tmp_path):
    source = SlowSource()
    ctx = ToolContext(settings=Settings(home=tmp_path), source=source)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(ctx.market())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert source.loads == 1 and seen[0] is seen[1]
