"""Data-quality findings of a daily close panel: holes in a series and spike-and-revert outliers.

Pure pandas/numpy. Found once per market (tools/indices/series.py memoises them) and reported as
warnings by every tool whose window touches them, so a price typed ×10⁶ or a 60-day hole never
moves a volatility silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

GAP_DAYS = 5  # crypto trades every day: five missing days in a row is a hole, not a holiday
SPIKE_FACTOR = 3.0  # a close ×3 (or ÷3) from the previous one ...
REVERT_SHARE = 0.8  # ... that the next close undoes by at least 80 % (in log terms)
MIN_ANNUALISED_RETURNS = 30  # fewer daily returns make annualised figures noise (1.19e87 from 3 rows)


@dataclass(frozen=True)
class Finding:
    symbol: str
    first: pd.Timestamp  # the days the finding concerns
    last: pd.Timestamp
    text: str

    def touches(self, start, end) -> bool:
        return (start is None or self.last >= pd.Timestamp(start)) and (end is None or self.first <= pd.Timestamp(end))


def _gaps(symbol: str, column: pd.Series) -> list[Finding]:
    observed = np.flatnonzero(column.notna().to_numpy())
    if observed.size < 2:
        return []
    steps = np.diff(observed) - 1  # missing days between consecutive observations
    out = []
    for k in np.flatnonzero(steps >= GAP_DAYS):
        first, last = column.index[observed[k] + 1], column.index[observed[k + 1] - 1]
        out.append(Finding(symbol, first, last,
                           f"{symbol}: no prices {first.date()}..{last.date()} ({int(steps[k])} days): the move "
                           "across the hole counts as one day, which understates volatility around it"))
    return out


def _spikes(symbol: str, column: pd.Series) -> list[Finding]:
    prices = column.dropna()
    if len(prices) < 3:
        return []
    logs = np.diff(np.log(prices.to_numpy(dtype=float)))
    jump, back = logs[:-1], logs[1:]
    limit = np.log(SPIKE_FACTOR)
    hits = np.flatnonzero((np.abs(jump) >= limit) & (np.sign(back) == -np.sign(jump))
                          & (np.abs(back) >= REVERT_SHARE * np.abs(jump)))
    out = []
    for k in hits:
        day = prices.index[k + 1]
        ratio = float(np.exp(jump[k]))
        out.append(Finding(symbol, day, day,
                           f"{symbol}: suspect close on {day.date()} ({ratio:.3g}× the day before, undone the next "
                           "observation): likely a data error; returns and volatility around it are distorted"))
    return out


def find_problems(close: pd.DataFrame) -> dict[str, list[Finding]]:
    """{symbol: findings} for every column with a gap or a spike-and-revert outlier."""
    out: dict[str, list[Finding]] = {}
    for symbol in close.columns:
        column = close[symbol]
        findings = _gaps(str(symbol), column) + _spikes(str(symbol), column)
        if findings:
            out[str(symbol)] = findings
    return out


def short_history_note(name: str, returns: int) -> str | None:
    """The warning for annualised figures over fewer than MIN_ANNUALISED_RETURNS daily returns."""
    if returns >= MIN_ANNUALISED_RETURNS:
        return None
    return (f"{name}: only {returns} daily returns in the window: annualised figures are not meaningful "
            f"below {MIN_ANNUALISED_RETURNS} and are reported as null")


# ---------------------------------------------------------------- a flags file beside the prices

FLAGS_FILE = "data_quality_flags.csv"  # symbol,start_date,end_date,kind,note (the shared data's format)
FLAGGED_KINDS = ("warning", "removed")  # "info" rows explain conventions, not doubts about numbers
# The sample market's own flags, in the same format, shipped in the package: the stretches its generator
# draws before an asset's first real close (docs/sample_market.md, "Data-quality flags").
SAMPLE_FLAGS = Path(__file__).with_name("sample_quality_flags.csv")


def sample_flags() -> dict[str, list[Finding]]:
    """The sample market's flags (the same for every seed: they follow from the calibration)."""
    return flags_findings(SAMPLE_FLAGS.read_text(encoding="utf-8"), SAMPLE_FLAGS.name)


def flags_findings(text: str, file: str = FLAGS_FILE) -> dict[str, list[Finding]]:
    """Findings by symbol from a quality-flags CSV (its text): the curator's word that a stretch of a
    series is unreliable (thin early markets, artefacts). Rows for several symbols (`*…*`) are skipped."""
    import csv
    import io

    out: dict[str, list[Finding]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        symbol = (row.get("symbol") or "").strip()
        kind = (row.get("kind") or "").strip().lower()
        if not symbol or symbol.startswith("*") or kind not in FLAGGED_KINDS:
            continue
        try:
            first, last = pd.Timestamp(row["start_date"]), pd.Timestamp(row["end_date"])
        except (KeyError, ValueError):
            continue
        note = " ".join((row.get("note") or "").split())
        if len(note) > 160:
            note = note[:157].rsplit(" ", 1)[0] + " …"
        out.setdefault(symbol, []).append(Finding(
            symbol, first, last, f"{symbol} prices {first.date()}..{last.date()} flagged {kind} in {file}: {note}"))
    return out
