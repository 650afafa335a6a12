"""Time from `indexdesk chat` to a ready prompt, in a real pseudo-terminal (target: median ≤ 2.5 s).

    python bench/bench_chat_startup.py [--runs 7]

Also times the first answer ("how did defi do over 90 days", offline router, sample market), which
includes the agent's deferred loading, and, for comparison, `indexdesk --help`.
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


def _env(home: str) -> dict:
    env = dict(os.environ, INDEXDESK_HOME=home, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(var, None)
    return env


def one_run(executable: str) -> tuple[float, float, float]:
    import pexpect

    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        child = pexpect.spawn(executable, ["chat"], env=_env(home), encoding="utf-8", timeout=120, dimensions=(60, 160))
        child.expect("indexdesk>")
        ready = time.perf_counter() - started
        asked = time.perf_counter()
        child.sendline("how did defi do over 90 days")
        child.expect("total return")
        child.expect("indexdesk>")
        first_answer = time.perf_counter() - asked
        child.sendline("/exit")
        child.expect(pexpect.EOF)
        child.close()
        started = time.perf_counter()
        help_child = pexpect.spawn(executable, ["--help"], env=_env(home), encoding="utf-8", timeout=60)
        help_child.expect(pexpect.EOF)
        help_time = time.perf_counter() - started
    return ready, first_answer, help_time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    executable = shutil.which("indexdesk") or str(Path(sys.executable).with_name("indexdesk"))
    one_run(executable)  # warm the OS file cache; not counted
    runs = [one_run(executable) for _ in range(args.runs)]
    ready, answer, help_time = (sorted(r[i] for r in runs) for i in range(3))
    print(f"runs: {args.runs}")
    print(f"chat → ready prompt      median {statistics.median(ready):.2f} s  (min {ready[0]:.2f}, max {ready[-1]:.2f}); target ≤ 2.5 s")
    print(f"first answer (offline)   median {statistics.median(answer):.2f} s  (includes deferred agent loading)")
    print(f"indexdesk --help         median {statistics.median(help_time):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
