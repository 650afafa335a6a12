"""Tax lots from the ledger, when there is one (`indexdesk.tools.portfolio.lots.open_lots`).

The ledger module may be absent (an install without it) or empty: both mean "no ledger lots",
and the tools fall back to explicit weights or the tier template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexdesk.tools.context import ToolContext


def open_lots(ctx: "ToolContext", warnings: list[str], as_of=None) -> list:
    """Open lots at the end of `as_of` (the day the caller prices them; default now)."""
    try:
        from indexdesk.tools.portfolio.lots import open_lots as ledger_lots
    except ImportError:
        return []
    try:
        return list(ledger_lots(ctx, as_of=as_of) or [])
    except Exception as exc:  # noqa: BLE001 - a broken ledger must not hide the rest of the answer
        warnings.append(f"ledger lots could not be read ({type(exc).__name__}); tax-aware parts left out")
        return []
