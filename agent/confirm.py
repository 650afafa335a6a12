"""Yes/no confirmations that accept only an answer: `y`/`yes` or `n`/`no` (empty = the default, no).

At a terminal anything else asks again, so a request typed by mistake never counts as consent.
Piped input (a script): the line after a request that needs confirmation must be the answer; any
other line declines the write and is handed back to be read as the next request — `/exit` stays
`/exit`. Scripts that mean to write pass `--yes`.
"""

from __future__ import annotations

from typing import Callable

YES = ("y", "yes")
NO = ("n", "no", "")
ASK_AGAIN = "please answer y (yes) or n (no)"


def reading(answer: str | None) -> bool | None:
    """True for yes, False for no (or end of input), None for anything else."""
    if answer is None:
        return False
    text = answer.strip().lower()
    return True if text in YES else False if text in NO else None


def ask_at_terminal(question: str, prompt: Callable[[str], str], say: Callable[[str], None],
                    attempts: int = 5) -> bool:
    """Ask until the answer is yes or no (no after a few non-answers, or at end of input / Ctrl-C)."""
    for _ in range(attempts):
        try:
            answer = prompt(f"{question} [y/N] ")
        except (EOFError, KeyboardInterrupt):
            return False
        verdict = reading(answer)
        if verdict is not None:
            return verdict
        say(ASK_AGAIN)
    return False
