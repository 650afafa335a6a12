"""Progress on anything that can take more than a couple of seconds, only where a person watches.

    from indexdesk.agent.progress import progress

    with progress("re-embedding the journal", total=len(entries), quiet=args.json) as bar:
        for chunk in chunks:
            ...
            bar.advance(len(chunk))

A Rich bar (or a spinner when the total is unknown) on stderr when stderr is a terminal; nothing at
all when piped, redirected or `quiet` (e.g. `--json`), so scripts read clean output. The bar goes
away when the work is done (`transient`), leaving the command's own output. Reusable by any command
(journal import/reindex, review, data sync, backtests and sweeps).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHUNK = 64


class QuietBar:
    """The bar's interface doing nothing: what scripts and pipes get."""

    shown = False

    def advance(self, steps: float = 1) -> None:
        pass

    def update(self, *, total: float | None = None, description: str | None = None) -> None:
        pass


class RichBar(QuietBar):
    shown = True

    def __init__(self, progress: Any, task: Any):
        self._progress = progress
        self._task = task

    def advance(self, steps: float = 1) -> None:
        self._progress.advance(self._task, steps)

    def update(self, *, total: float | None = None, description: str | None = None) -> None:
        changes: dict[str, Any] = {}
        if total is not None:
            changes["total"] = total
        if description is not None:
            changes["description"] = description
        self._progress.update(self._task, **changes)


def on_terminal(stream: Any = None) -> bool:
    stream = stream or sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(description: str, total: float | None = None, *, quiet: bool = False,
             console: Any = None) -> Iterator[QuietBar]:
    """A progress bar (see the module docstring); `total=None` shows a spinner with elapsed time."""
    if quiet or (console is None and not on_terminal()):
        yield QuietBar()
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn)

    console = console or Console(stderr=True)
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    columns.append(TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        yield RichBar(bar, bar.add_task(description, total=total))


class ProgressEmbedder:
    """An embedder that reports each batch to a bar: progress for code that embeds a long list at once."""

    def __init__(self, embedder: Any, bar: QuietBar, chunk: int = CHUNK):
        self._embedder = embedder
        self._bar = bar
        self._chunk = chunk
        self.model_id = embedder.model_id
        self.dimension = embedder.dimension

    def embed(self, texts: list[str]):
        import numpy as np

        self._bar.update(total=len(texts))
        if not texts:
            return self._embedder.embed(texts)
        parts = []
        for start in range(0, len(texts), self._chunk):
            parts.append(self._embedder.embed(texts[start:start + self._chunk]))
            self._bar.advance(min(self._chunk, len(texts) - start))
        return np.concatenate(parts, axis=0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)
