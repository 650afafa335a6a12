"""Crash and concurrency safety of ledger imports, in real processes: `kill -9` in the middle of a
10,000-row import leaves none or all of it; two processes importing at once lose and double nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

from indexdesk.memory.ledger import open_ledger

IMPORT_SCRIPT = """
import sys
from pathlib import Path
from indexdesk.tools.context import ToolContext
from indexdesk.tools.settings import Settings
from indexdesk.tools.portfolio.importer import import_text
home, url, path = sys.argv[1:4]
ctx = ToolContext(Settings(home=Path(home), database_url=url))
store = ctx.ledger_store()
text = Path(path).read_text()
if len(sys.argv) > 4:  # stop inside the write transaction: the rows are inserted, nothing is committed
    import time
    def stall(connection, book):
        print("writing", flush=True)
        time.sleep(120)
    store._materialise = stall
print("ready", flush=True)
report = import_text(ctx, text)
print("done", report.added, report.already, report.applied, flush=True)
"""


def write_history(path: Path, first: int, count: int) -> Path:
    start = date(2019, 1, 1)
    lines = ["id,date,kind,symbol,quantity,price,venue"]
    for i in range(first, first + count):
        lines.append(f"t{i},{start + timedelta(days=i // 10)},buy,{('BTC', 'ETH', 'SOL')[i % 3]},0.{i % 9 + 1},"
                     f"{100 + i % 50},kraken")
    path.write_text("\n".join(lines) + "\n")
    return path


def spawn(tmp_path: Path, url: str, csv: Path, *extra: str) -> subprocess.Popen:
    # Unbuffered bytes: reading the first lines takes nothing more from the pipe, so communicate()
    # (which reads the raw pipes, both at once, with a timeout) later gets all the rest.
    return subprocess.Popen([sys.executable, "-X", "faulthandler", "-c", IMPORT_SCRIPT, str(tmp_path / "home"), url, str(csv), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)


def line(child: subprocess.Popen) -> str:
    return child.stdout.readline().decode().strip()


def finish(child: subprocess.Popen) -> tuple[str, str]:
    out, err = child.communicate(timeout=300)
    return out.decode(), err.decode()


def test_kill_during_import_leaves_none_or_all(tmp_path, ledger_url):
    csv = write_history(tmp_path / "big.csv", 0, 10_000)
    child = spawn(tmp_path, ledger_url, csv, "stall")
    assert line(child) == "ready"
    assert line(child) == "writing"  # 10,000 rows inserted, the commit not reached
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    store = open_ledger(ledger_url)
    assert store.count() == 0 and not store.book().lots
    store.close()
    finished = spawn(tmp_path, ledger_url, csv)
    out, err = finish(finished)
    assert "done 10000 0 True" in out, err
    store = open_ledger(ledger_url)
    assert store.count() == 10_000 and len(store.book().lots) == 10_000


def test_two_processes_importing_at_once_lose_and_double_nothing(tmp_path, ledger_url):
    first = write_history(tmp_path / "a.csv", 0, 3_000)
    second = write_history(tmp_path / "b.csv", 1_500, 3_000)  # half of it overlaps the first file
    open_ledger(ledger_url).close()
    children = [spawn(tmp_path, ledger_url, first), spawn(tmp_path, ledger_url, second)]
    for child in children:
        assert line(child) == "ready"
    outputs = [finish(child) for child in children]
    for child, (out, err) in zip(children, outputs):
        assert "done" in out and "True" in out, f"exit {child.returncode}: {err[-2000:]}"
    added = sum(int(out.split()[1]) for out, _ in outputs)
    store = open_ledger(ledger_url)
    assert store.count() == 4_500 == added
    ids = [t.tx_id for t in store.transactions()]
    assert len(ids) == len(set(ids)) == 4_500
