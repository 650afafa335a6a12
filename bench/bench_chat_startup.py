"""`indexdesk chat` in a real pseudo-terminal: time to a ready prompt (target: median ≤ 2.5 s) and to
the first answer after Enter (target ≤ 1.0 s), offline router, sample market.

    python bench/bench_chat_startup.py [--runs 7] [--typing 3.0]

The first answer ("how did defi do over 90 days") is timed from sending the line to the answer's
table and the next prompt, twice per run: sent the moment the prompt shows (the agent's deferred
loading is all still ahead: the worst case) and sent after `--typing` seconds (a person typing the
28 characters at ~10 characters a second; the loading and warm-up happen meanwhile). Runs share one
data home and cache directory, warmed by one uncounted run (the tool vectors and flag snapshot are
built once per install, not per chat); also times `indexdesk --help` for comparison.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "how did defi do over 90 days"


def _env(home: str) -> dict:
    env = dict(os.environ, INDEXDESK_HOME=os.path.join(home, "home"), INDEXDESK_CACHE_DIR=os.path.join(home, "cache"),
               TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    return env


def one_chat(executable: str, home: str, typing: float) -> tuple[float, float]:
    """(seconds to the ready prompt, seconds from Enter to the first answer)."""
    import pexpect

    started = time.perf_counter()
    child = pexpect.spawn(executable, ["chat"], env=_env(home), encoding="utf-8", timeout=120, dimensions=(60, 160))
    child.expect("indexdesk>")
    ready = time.perf_counter() - started
    time.sleep(typing)
    asked = time.perf_counter()
    child.sendline(QUESTION)
    child.expect("total return")
    child.expect("indexdesk>")
    first_answer = time.perf_counter() - asked
    child.sendline("/exit")
    child.expect(pexpect.EOF)
    child.close()
    if child.exitstatus != 0:
        raise SystemExit(f"chat exited {child.exitstatus}")
    return ready, first_answer


def help_time(executable: str, home: str) -> float:
    import pexpect

    started = time.perf_counter()
    child = pexpect.spawn(executable, ["--help"], env=_env(home), encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    return time.perf_counter() - started


def _line(label: str, values: list[float], target: str = "") -> str:
    values = sorted(values)
    return f"{label:<44} median {statistics.median(values):.2f} s  (min {values[0]:.2f}, max {values[-1]:.2f}){target}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--typing", type=float, default=3.0, help="seconds between the prompt and Enter")
    parser.add_argument("--exe", help="the indexdesk executable to time (default: this environment's)")
    args = parser.parse_args(argv)
    executable = args.exe or shutil.which("indexdesk") or str(Path(sys.executable).with_name("indexdesk"))
    print(f"uptime: {os.popen('uptime').read().strip()}")
    with tempfile.TemporaryDirectory(prefix="indexdesk-bench-chat-") as home:
        one_chat(executable, home, 0.0)  # warm: tool vectors, flag snapshot, OS file cache; not counted
        immediate = [one_chat(executable, home, 0.0) for _ in range(args.runs)]
        typed = [one_chat(executable, home, args.typing) for _ in range(args.runs)]
        helps = [help_time(executable, home) for _ in range(args.runs)]
    print(f"runs: {args.runs} of each")
    print(_line("chat → ready prompt", [r[0] for r in immediate + typed], "; target ≤ 2.5 s"))
    print(_line("first answer, Enter at once (loading ahead)", [r[1] for r in immediate]))
    print(_line(f"first answer, Enter after {args.typing:g} s of typing", [r[1] for r in typed], "; target ≤ 1.0 s"))
    print(_line("indexdesk --help", helps))
    print(f"uptime: {os.popen('uptime').read().strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
