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
    return [json.loads(line) for line in path.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]  # header comments say when a set was written


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


# ---------------------------------------------------------------- readings beyond positions (set v2)

PARSE_SET_V2 = Path(__file__).with_name("data") / "journal_parse_set_v2.jsonl"
PARSE_SET_V3 = Path(__file__).with_name("data") / "journal_parse_set_v3.jsonl"
PARSE_SET_D = Path(__file__).with_name("data") / "journal_parse_set_d.jsonl"
PARSE_SET_E = Path(__file__).with_name("data") / "journal_parse_set_e.jsonl"
PARSE_SET_F = Path(__file__).with_name("data") / "journal_parse_set_f.jsonl"
READINGS = ("positions", "resulting", "observations", "plans", "transfers")


def _got_readings(parsed) -> dict[str, set]:
    """The parser's readings as comparable sets (numbers rounded to 2 significant places of 1e-2)."""
    def n(x):
        return None if x is None else round(float(x), 2)

    positions = {(p.name, p.action, n(p.size), p.amount_basis) for p in parsed.positions}
    resulting = {(p.name, n(getattr(p, "resulting_weight_pct", None))) for p in parsed.positions
                 if getattr(p, "resulting_weight_pct", None) is not None}
    observations = {(o.name, n(o.return_pct)) for o in getattr(parsed, "observations", [])}
    plans = {(p.name, p.kind, n(p.value)) for p in getattr(parsed, "plans", [])}
    transfers = {(t.name, n(t.quantity)) for t in getattr(parsed, "transfers", [])}
    return {"positions": positions, "resulting": resulting, "observations": observations, "plans": plans,
            "transfers": transfers}


def _want_readings(row: dict) -> dict[str, set]:
    def n(x):
        return None if x is None else round(float(x), 2)

    return {"positions": {(p["asset"], p["action"], n(p["amount"]), p["basis"]) for p in row["positions"]},
            "resulting": {(p["asset"], n(p["resulting"])) for p in row["positions"] if p.get("resulting") is not None},
            "observations": {(o["asset"], n(o["return_pct"])) for o in row["observations"]},
            "plans": {(p["asset"], p["kind"], n(p["value"])) for p in row["plans"]},
            "transfers": {(t["asset"], n(t["quantity"])) for t in row["transfers"]}}


def _same(a: set, b: set) -> bool:
    """Equal sets, numbers within 1 % (labels round "a third" to 0.3333)."""
    if len(a) != len(b):
        return False
    rest = list(b)
    for item in a:
        match = next((other for other in rest if len(other) == len(item) and all(
            x == y or (isinstance(x, float) and isinstance(y, float) and math.isclose(x, y, rel_tol=1e-2))
            for x, y in zip(item, other))), None)
        if match is None:
            return False
        rest.remove(match)
    return True


@dataclass
class ReadingScore:
    lines: int = 0
    fully_right: int = 0
    right: dict = field(default_factory=lambda: {k: 0 for k in READINGS})
    labelled: dict = field(default_factory=lambda: {k: 0 for k in READINGS})  # lines where the reading is non-empty
    right_labelled: dict = field(default_factory=lambda: {k: 0 for k in READINGS})
    failures: list[str] = field(default_factory=list)

    def accuracy(self) -> dict[str, float]:
        out = {"fully right": self.fully_right / self.lines}
        for k in READINGS:
            out[k] = self.right[k] / self.lines  # every line counts: a reading found where none is meant is wrong
        for k in READINGS:  # only the lines that carry the reading
            out[f"{k} (labelled)"] = self.right_labelled[k] / max(1, self.labelled[k])
        return out


def score_readings(rows: list[dict], parse) -> ReadingScore:
    """Per line, each reading (positions with action/size/basis; resulting weights; observations;
    plans; transfers) must equal the label exactly; `parse(text)` returns a ParsedEntry."""
    result = ReadingScore()
    for row in rows:
        got, want = _got_readings(parse(row["text"])), _want_readings(row)
        result.lines += 1
        wrong = []
        for k in READINGS:
            result.labelled[k] += bool(want[k])
            if _same(got[k], want[k]):
                result.right[k] += 1
                result.right_labelled[k] += bool(want[k])
            else:
                wrong.append(f"{k}: {sorted(got[k], key=str)} != {sorted(want[k], key=str)}")
        result.fully_right += not wrong
        if wrong:
            result.failures.append(f"{row['text']!r}: " + "; ".join(wrong))
    return result
