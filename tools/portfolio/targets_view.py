"""Targets of the portfolio: per-holding weights, tier ranges and the rebalancing band — one source of truth.

* Per-holding target weights (indices and coins alike) and tier ranges (core 50–60 %, satellite
  30–40 %, speculative 10–20 % by default) live in `HOME/targets.toml` (the file every tool reads
  through `tools/targets.py`); `set_targets` rewrites its `[tiers.*]` and `[tier_ranges]` and keeps
  every other section, and the ledger's `targets` table mirrors it (re-imported whenever the file
  changes), so PostgreSQL readers see the same. Ranges an older ledger recorded still count when the
  file sets none.
* The rebalancing band (default 5 percentage points) lives in the ledger's `targets` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.targets import DEFAULT_RANGES, TIER_NAMES  # noqa: F401  (re-exported: one table of defaults)

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

DEFAULT_BAND = 0.05
TIERS = TIER_NAMES


@dataclass
class TargetsView:
    index_targets: dict[str, float]  # holding (index or asset) -> fraction
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
    kept = [t for t in store.targets() if t.kind != "index" and not (t.kind == "tier" and portfolio.ranges_set)]
    entries = kept + [TargetEntry("index", name, tier.name, target=Decimal(str(pct)) / 100)
                      for tier in portfolio.tiers for name, pct in tier.indices.items()]
    if portfolio.ranges_set:  # the file's ranges, mirrored
        entries += [TargetEntry("tier", tier, tier, low=Decimal(str(lo)), high=Decimal(str(hi)))
                    for tier, (lo, hi) in portfolio.ranges.items()]
    store.replace_targets(entries, stamp)


def targets_view(ctx: "ToolContext", *, sync: bool = True) -> TargetsView:
    from indexdesk.tools.portfolio.holdings import ledger_or_none
    from indexdesk.tools.targets import targets, tier_ranges

    portfolio = targets(ctx)
    band = DEFAULT_BAND
    store = ledger_or_none(ctx)
    if store is not None:
        if sync:
            _sync(ctx, store, portfolio)
        for entry in store.targets():
            if entry.kind == "band" and entry.target is not None:
                band = float(entry.target)
    ranges = tier_ranges(ctx)
    return TargetsView({n: w for n, w in portfolio.weights().items()},
                       {n: t.name for t in portfolio.tiers for n in t.indices}, ranges, band, portfolio.origin)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(round(value, 9)) if isinstance(value, float) else str(value)  # repr keeps every digit
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else _toml_value(key)


def _toml_tables(document: dict, prefix: str = "") -> list[str]:
    """A TOML document of tables of plain values (what targets.toml holds), sections in order."""
    lines: list[str] = []
    plain = {k: v for k, v in document.items() if not isinstance(v, dict)}
    if prefix and (plain or not document):
        lines.append(f"[{prefix}]")
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in plain.items()]
    if plain:
        lines.append("")
    for key, value in document.items():
        if isinstance(value, dict):
            lines += _toml_tables(value, f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key))
    return lines


def _toml(tiers: dict[str, dict[str, float]], risk, ranges: dict[str, tuple[float, float]] | None = None,
          others: dict | None = None) -> str:
    """targets.toml: the tiers (percent of the whole portfolio per holding), the ranges, the risk targets, and
    every other section the file already had (kept as it was)."""
    document: dict = {"tiers": {t: {n: round(p, 6) for n, p in ws.items()} for t, ws in tiers.items()}}
    if ranges is not None:
        document["tier_ranges"] = {t: [round(lo * 100, 6), round(hi * 100, 6)] for t, (lo, hi) in ranges.items()}
    document["risk"] = risk.model_dump()
    document.update({k: v for k, v in (others or {}).items() if k not in document})
    head = "# Target portfolio: percent of the whole portfolio per index or asset, by tier (written by set_targets)."
    return "\n".join([head, ""] + _toml_tables(document)).rstrip("\n") + "\n"


def _file_document(ctx: "ToolContext") -> dict:
    import tomllib

    from indexdesk.tools.targets import targets_path

    path = targets_path(ctx)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def write_targets(ctx: "ToolContext", indices: dict[str, float] | None, ranges: dict[str, tuple[float, float]] | None,
                  band: float | None, warnings: list[str]) -> None:
    """Validate and store new targets: holding weights and tier ranges into targets.toml, the band into the ledger.

    A holding's tier is its one tier (`targets.holding_tier`: [holding_tiers], an index's catalogue tier,
    the default map of single assets).
    """
    from indexdesk.memory.ledger import TargetEntry
    from indexdesk.tools.indices.series import load, resolve_names
    from indexdesk.tools.targets import (default_asset_tier, known_symbols, parse_targets_text, targets,
                                         targets_path)

    current = targets(ctx)
    book = load(ctx)
    new_ranges = dict(targets_view(ctx, sync=False).ranges)
    for tier, (low, high) in (ranges or {}).items():
        if tier not in TIERS:
            raise unknown_name("tier", tier, TIERS, field="tier_ranges")
        if not 0 <= low <= high <= 1:
            raise ToolError(f"tier range of {tier} must satisfy 0 <= low <= high <= 1, got {low}..{high}",
                            field="tier_ranges")
        new_ranges[tier] = (low, high)
    if indices:
        tiers: dict[str, dict[str, float]] = {}
        for raw, weight in indices.items():
            name = resolve_names(ctx, [raw])[0]  # an index (lower case) or an asset symbol (upper case)
            definition = book.lookup(name)
            tier = current.holding_tiers.get(name) or (definition.tier if definition is not None
                                                        else default_asset_tier(name))
            tiers.setdefault(tier, {})[name] = tiers.get(tier, {}).get(name, 0.0) + weight
        total = sum(indices.values())
        scale = 100.0 if total <= 1.0 + 1e-9 else 1.0
        if scale == 100.0:
            warnings.append("weights read as fractions of the portfolio")
        tiers = {t: {n: w * scale for n, w in ws.items()} for t in TIERS if (ws := tiers.get(t))}
    else:
        tiers = {t.name: dict(t.indices) for t in current.tiers}
    if band is not None and not 0 < band <= 0.5:  # checked before anything is written
        raise ToolError(f"band must be a fraction above 0 and at most 0.5 (e.g. 0.05), got {band}", field="band")
    if indices or ranges:
        text = _toml(tiers, current.risk, new_ranges, _file_document(ctx))
        parse_targets_text(text, "new targets", set(book.indices), known_symbols(ctx))  # raises before writing
        path = targets_path(ctx)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    store = ctx.ledger_store()
    view = targets_view(ctx)
    new_band = view.band if band is None else band
    if not 0 < new_band <= 0.5:
        raise ToolError(f"band must be a fraction above 0 and at most 0.5 (e.g. 0.05), got {band}", field="band")
    kept = [t for t in store.targets() if t.kind == "index"]
    entries = kept + [TargetEntry("tier", tier, tier, low=Decimal(str(lo)), high=Decimal(str(hi)))
                      for tier, (lo, hi) in view.ranges.items()]
    entries.append(TargetEntry("band", "default", target=Decimal(str(new_band))))
    store.replace_targets(entries, store.meta("targets_source") or "")
