"""Progress bars show on a terminal and stay out of pipes and --json."""

from __future__ import annotations

import io

import numpy as np

from indexdesk.agent.progress import ProgressEmbedder, QuietBar, progress
from indexdesk.memory.journal.embeddings import HashingEmbedder


def test_quiet_when_not_a_terminal(capsys):
    with progress("work", total=3) as bar:  # pytest's stderr is not a terminal
        bar.advance(3)
    assert isinstance(bar, QuietBar) and not bar.shown
    assert capsys.readouterr().err == ""


def test_quiet_when_asked_even_on_a_terminal():
    from rich.console import Console

    with progress("work", total=3, quiet=True, console=Console(file=io.StringIO(), force_terminal=True)) as bar:
        assert not bar.shown


def test_a_terminal_gets_a_bar():
    from rich.console import Console

    out = io.StringIO()
    with progress("embedding", total=4, console=Console(file=out, force_terminal=True, width=80)) as bar:
        bar.advance(4)
    assert bar.shown and "embedding" in out.getvalue()


def test_the_progress_embedder_embeds_the_same_vectors_in_chunks():
    class Counting(QuietBar):
        done = 0
        total = None

        def advance(self, steps=1):
            self.done += steps

        def update(self, *, total=None, description=None):
            self.total = total if total is not None else self.total

    inner = HashingEmbedder(16)
    bar = Counting()
    texts = [f"entry {i} about BTC" for i in range(150)]
    wrapped = ProgressEmbedder(inner, bar, chunk=64)
    assert np.allclose(wrapped.embed(texts), inner.embed(texts))
    assert bar.total == 150 and bar.done == 150 and wrapped.model_id == inner.model_id


def test_journal_import_piped_prints_only_its_result(tmp_path, monkeypatch, capsys):
    from indexdesk.agent.cli import main

    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:32")
    home = str(tmp_path / "home")
    assert main(["journal", "add", "trimmed", "BTC", "after", "CPI", "--home", home]) == 0
    export = tmp_path / "export.jsonl"
    assert main(["journal", "export", str(export), "--home", home]) == 0
    capsys.readouterr()
    assert main(["journal", "import", str(export), "--home", str(tmp_path / "other")]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "imported 1 new entry versions" and captured.err == ""
