"""Targets of the portfolio: per-index weights, tier ranges and the rebalancing band — one source of truth.

* Per-index target weights live in `HOME/targets.toml` (the file every tool already reads through
  `tools/targets.py`); `set_targets` rewrites that file, and the ledger's `targets` table mirrors
  it (re-imported whenever the file changes), so PostgreSQL readers see the same.
* Tier ranges (core 50–60 %, satellite 30–40 %, speculative 10–20 % by default) and the rebalancing
  band (default 5 percentage points) live in the ledger's `targets` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from indexdesk.tools.errors import ToolError, unknown_name

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

DEFAULT_RANGES = {"core": (0.50, 0.60), "satellite": (0.30, 0.40), "speculative": (0.10, 0.20)}
DEFAULT_BAND = 0.05
TIERS = ("core", "satellite", "speculative", "cash")


@dataclass
class TargetsView:
    index_targets: dict[str, float]  # index -> fraction
    index_tiers: dict[str, str]
    ranges: dict[str, tuple[float, float]]
    band: float
    origin: str

    def tier_target(self, tier: str) -> float:
        return sum(w for name, w in self.index_targets.items() if self.index_tiers.get(name) == tier)


def _sync(ctx: "ToolContext", store, portfolio) -> None:
    """Mirror the TOML's index weights into the ledger when the file changed since the last import."""
    from indexdesk.memory.ledger import TargetEntry

    stamp = f"{portfolio.origin}"
    path = ctx.settings.home / "targets.toml"
    if path.is_file():
        stamp += f"@{path.stat().st_mtime_ns}"
    if store.meta("targets_source") == stamp:
        return
    kept = [t for t in store.targets() if t.kind != "index"]
    entries = kept + [TargetEntry("index", name, tier.name, target=Decimal(str(pct)) / 100)
                      for tier in portfolio.tiers for name, pct in tier.indices.items()]
    store.replace_targets(entries, stamp)


def targets_view(ctx: "ToolContext", *, sync: bool = True) -> TargetsView:
    from indexdesk.tools.portfolio.holdings import ledger_or_none
    from indexdesk.tools.targets import targets

    portfolio = targets(ctx)
    ranges = dict(DEFAULT_RANGES)
    band = DEFAULT_BAND
    store = ledger_or_none(ctx)
    if store is not None:
        if sync:
            _sync(ctx, store, portfolio)
        for entry in store.targets():
            if entry.kind == "tier" and entry.low is not None and entry.high is not None:
                ranges[entry.name] = (float(entry.low), float(entry.high))
            elif entry.kind == "band" and entry.target is not None:
                band = float(entry.target)
    return TargetsView({n: w for n, w in portfolio.weights().items()},
                       {n: t.name for t in portfolio.tiers for n in t.indices}, ranges, band, portfolio.origin)


def _toml(tiers: dict[str, dict[str, float]], risk) -> str:
    lines = ["# Target portfolio: percent of the whole portfolio per index, by tier (written by set_targets).", ""]
    for tier, indices in tiers.items():
        lines.append(f"[tiers.{tier}]")
        lines += [f"{name} = {round(pct, 6):g}" for name, pct in indices.items()]
        lines.append("")
    lines.append("[risk]")
    lines += [f"{key} = {value!r}" for key, value in risk.model_dump().items()]
    return "\n".join(lines) + "\n"


def write_targets(ctx: "ToolContext", indices: dict[str, float] | None, ranges: dict[str, tuple[float, float]] | None,
                  band: float | None, warnings: list[str]) -> None:
    """Validate and store new targets: index weights into targets.toml, ranges and band into the ledger."""
    from indexdesk.memory.ledger import TargetEntry
    from indexdesk.tools.indices.series import load
    from indexdesk.tools.targets import parse_targets_text, targets, targets_path

    current = targets(ctx)
    if indices:
        book = load(ctx)
        tiers: dict[str, dict[str, float]] = {}
        for raw, weight in indices.items():
            definition = book.lookup(raw)
            if definition is None:
                raise unknown_name("index", raw, book.names_and_aliases(), field="indices")
            tiers.setdefault(definition.tier, {})[definition.name] = weight
        total = sum(indices.values())
        scale = 100.0 if total <= 1.0 + 1e-9 else 1.0
        if scale == 100.0:
            warnings.append("index weights read as fractions of the portfolio")
        tiers = {t: {n: w * scale for n, w in ws.items()} for t, ws in tiers.items()}
        from indexdesk.tools.limits import rules_toml

        text = _toml(tiers, current.risk) + "\n" + rules_toml(current.rules)  # keep [limits], [rebalance], ...
        parse_targets_text(text, "new targets", set(book.indices))  # raises before anything is written
        path = targets_path(ctx)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    store = ctx.ledger_store()
    view = targets_view(ctx)
    new_ranges = dict(view.ranges)
    for tier, (low, high) in (ranges or {}).items():
        if tier not in TIERS:
            raise unknown_name("tier", tier, TIERS, field="tier_ranges")
        if not 0 <= low <= high <= 1:
            raise ToolError(f"tier range of {tier} must satisfy 0 <= low <= high <= 1, got {low}..{high}",
                            field="tier_ranges")
        new_ranges[tier] = (low, high)
    new_band = view.band if band is None else band
    if not 0 < new_band <= 0.5:
        raise ToolError(f"band must be a fraction above 0 and at most 0.5 (e.g. 0.05), got {band}", field="band")
    kept = [t for t in store.targets() if t.kind == "index"]
    entries = kept + [TargetEntry("tier", tier, tier, low=Decimal(str(lo)), high=Decimal(str(hi)))
                      for tier, (lo, hi) in new_ranges.items()]
    entries.append(TargetEntry("band", "default", target=Decimal(str(new_band))))
    store.replace_targets(entries, store.meta("targets_source") or "")
