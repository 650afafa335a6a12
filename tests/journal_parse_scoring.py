"""Scoring the parser on the labelled set tests/data/journal_parse_set.jsonl (shared by test and bench).

Each line lists the positions a careful reader finds: asset (symbol or catalogue index), action,
amount (in its basis) and basis (units, money, portfolio_pct, position_pct, all). Asset accuracy
is per line (the set of names must match exactly); action, amount and basis are per labelled
position (a position the parser missed counts as wrong on each).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

PARSE_SET = Path(__file__).with_name("data") / "journal_parse_set.jsonl"


def load_parse_set(path: Path = PARSE_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-2, abs_tol=1e-9)


@dataclass
class ParseScore:
    lines: int = 0
    positions: int = 0
    asset_lines: int = 0
    action: int = 0
    amount: int = 0
    basis: int = 0
    price: int = 0
    failures: list[str] = field(default_factory=list)

    def accuracy(self) -> dict[str, float]:
        return {"asset": self.asset_lines / self.lines, "action": self.action / self.positions,
                "amount": self.amount / self.positions, "basis": self.basis / self.positions,
                "price": self.price / self.positions}


def score(rows: list[dict], parse) -> ParseScore:
    """`parse(text)` returns the parser's positions (objects with name, action, size, amount_basis, price)."""
    result = ParseScore()
    for row in rows:
        got = {p.name: p for p in parse(row["text"])}
        expected = {p["asset"]: p for p in row["positions"]}
        result.lines += 1
        result.asset_lines += set(got) == set(expected)
        wrong = [] if set(got) == set(expected) else [f"assets {sorted(got)} != {sorted(expected)}"]
        for name, want in expected.items():
            result.positions += 1
            have = got.get(name)
            checks = {
                "action": have is not None and have.action == want["action"],
                "amount": have is not None and _close(have.size, want["amount"]),
                "basis": have is not None and have.amount_basis == want["basis"],
                "price": have is not None and _close(have.price, want.get("price")),
            }
            for key, ok in checks.items():
                setattr(result, key, getattr(result, key) + ok)
                if not ok:
                    shown = None if have is None else {"action": have.action, "amount": have.size,
                                                       "basis": have.amount_basis, "price": have.price}[key]
                    wrong.append(f"{name}.{key}: {shown!r} != {want.get(key)!r}")
        if wrong:
            result.failures.append(f"{row['text']!r}: " + "; ".join(wrong))
    return result
