"""Where a ledger valuation's prices come from and how old they are: one place for every tool.

Every result valued from the ledger names its price source and the age of its prices (fields of the
result model, shown in the CLI header), and a ledger valued at the synthetic sample market says so
in the FIRST warning — the line every surface (CLI, chat, MCP text, the review) shows first — with the
fix. Prices older than `Settings.price_max_age_days` are flagged (per holding by `holdings.valuation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext

SAMPLE_MARKER = "SAMPLE PRICES"
SAMPLE_FIX = ("`indexdesk data sync --source coingecko` for real prices, or INDEXDESK_SOURCE=csv:FILE "
              "with your own daily closes")
SAMPLE_WARNING = (f"{SAMPLE_MARKER}: your ledger is valued at the synthetic sample market, not at real prices; "
                  f"values, P&L and trades are illustrations only. Fix: {SAMPLE_FIX}")


@dataclass(frozen=True)
class PriceProvenance:
    source: str  # the market's label, e.g. "csv:prices.csv" or "sample (synthetic)"
    as_of: date | None  # the last day with prices
    age_days: int | None  # days from that day to today
    synthetic: bool


def provenance(ctx: "ToolContext", today: date | None = None) -> PriceProvenance:
    market = ctx.market()
    as_of = market.as_of
    age = None if as_of is None else max(0, ((today or date.today()) - as_of).days)
    return PriceProvenance(market.label, as_of, age, bool(market.synthetic))


def describe(p: PriceProvenance) -> str:
    """`prices: csv:prices.csv, as of 2026-01-05 (331 days old)` — the header line of a ledger result."""
    age = "" if p.age_days is None else (" (today)" if p.age_days == 0 else
                                          f" ({p.age_days} day{'s' if p.age_days != 1 else ''} old)")
    return f"prices: {p.source}, as of {p.as_of or '-'}{age}"


def honest_warnings(ctx: "ToolContext", warnings: list[str], *, ledger_valued: bool = True) -> list[str]:
    """`warnings` with the sample-market line first when a ledger is valued at the synthetic market, and one
    line when the prices themselves are older than the configured age. Repeats are dropped."""
    p = provenance(ctx)
    out = [w for w in warnings if not w.startswith(SAMPLE_MARKER)]
    limit = ctx.settings.price_max_age_days
    if ledger_valued and p.age_days is not None and p.age_days > limit and not p.synthetic:
        old = (f"prices are {p.age_days} days old (last close {p.as_of}; the limit is {limit}, "
               "INDEXDESK_PRICE_MAX_AGE_DAYS): sync newer prices before trading on these numbers")
        out.insert(0, old)
    if ledger_valued and p.synthetic:
        out.insert(0, SAMPLE_WARNING)
    return list(dict.fromkeys(out))


def header_lines(result: dict) -> tuple[list[str], str | None]:
    """(sample-market warnings, `prices: … as of … (N days old)`) for a CLI header above a ledger result."""
    sample = [w for w in result.get("warnings") or [] if str(w).startswith(SAMPLE_MARKER)]
    source = result.get("source")
    if not source:
        return sample, None
    as_of = result.get("prices_as_of") or result.get("as_of")
    age = result.get("price_age_days")
    p = PriceProvenance(source, as_of, age, False)
    return sample, describe(p)
