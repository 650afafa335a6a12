"""Acknowledged means durable: SIGKILL in the middle of an ingest, and two writers at once."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from indexdesk.memory.journal.store import open_journal

REPO = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from indexdesk.memory.journal.models import JournalEntry
    from indexdesk.memory.journal.store import open_journal

    home, tag, total, batch = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = open_journal(home, embedding="hash:64")

    def acknowledge(ids):
        sys.stdout.write("".join(f"ACK {i}\\n" for i in ids))
        sys.stdout.flush()

    entries = (JournalEntry(text=f"{tag} entry {n}: bought defi because momentum, slightly nervous", kind="decision")
               for n in range(total))
    store.add_many(entries, batch_size=batch, on_commit=acknowledge)
    print("DONE", flush=True)
""")


def _writer(home: Path, tag: str, total: int, batch: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(home), tag, str(total), str(batch)],
                            stdout=subprocess.PIPE, text=True, env=env)


def test_sigkill_mid_ingest_loses_no_acknowledged_entry(tmp_path):
    writer = _writer(tmp_path, "crash", 5000, 50)
    acknowledged = []
    for line in writer.stdout:
        if line.startswith("ACK "):
            acknowledged.append(line.split()[1])
        if len(acknowledged) >= 1500:
            writer.send_signal(signal.SIGKILL)
            break
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    store = open_journal(tmp_path, embedding="hash:64")  # restart: the log is truth, Chroma catches up
    found = store.ids()
    assert set(acknowledged) <= found
    assert len(found) < 5000  # it really was killed in the middle
    # every acknowledged entry is searchable by vector too, once the index has caught up
    assert store.index._collection.count() == len(found)
    store.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    writers = [_writer(tmp_path, tag, 400, 20) for tag in ("alpha", "beta")]
    outputs = [w.communicate(timeout=180)[0] for w in writers]
    assert all(w.returncode == 0 for w in writers), outputs
    acknowledged = {line.split()[1] for out in outputs for line in out.splitlines() if line.startswith("ACK ")}
    assert len(acknowledged) == 800
    store = open_journal(tmp_path, embedding="hash:64")
    assert store.ids() == acknowledged
    assert store.index._collection.count() == 800
    texts = {h.entry.text.split(":")[0] for h in store.search("alpha entry 399", k=50, use_lexical=False)}
    assert {"alpha entry 399"} <= texts
    store.close()
