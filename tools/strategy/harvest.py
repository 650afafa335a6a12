"""`harvest_losses`: ledger lots with unrealised losses worth realising, the tax saved, and a replacement."""

from __future__ import annotations

from decimal import Decimal

from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.registry import tool
from indexdesk.tools.risk.inputs import read_fraction
from indexdesk.memory.ledger.holding import HoldingRule
from indexdesk.tools.strategy import lots_source, tax_math
from indexdesk.tools.strategy.models import HarvestLine, HarvestResult

REPLACEMENT_WINDOW = 90  # days of returns the replacement's correlation is measured on
MAX_LINES = 15


def replacement_for(ctx: ToolContext, symbol: str) -> tuple[str | None, float | None]:
    """The catalogue index most correlated with `symbol` over the last 90 days (keeps the exposure)."""
    from indexdesk.tools.indices import series

    names = [n for n, d in series.catalogue(ctx).items() if d.tier != "cash"]
    try:
        panel, _ = series.return_panel(ctx, names + [symbol])
    except ToolError:
        return None, None
    from indexdesk.tools.risk.correlation_math import correlation_matrix

    matrix = correlation_matrix(panel.iloc[-REPLACEMENT_WINDOW:])
    scored = matrix[symbol].drop(symbol).dropna()
    if scored.empty:
        return None, None
    return str(scored.idxmax()), round(float(scored.max()), 3)


@tool(category="strategy", examples=(
    'tax loss harvesting',
    'which positions can I sell at a loss',
    'harvest losses before year end',
))
def harvest_losses(ctx: ToolContext, min_loss: float = 100.0, tax_rate: float = 0.3) -> HarvestResult:
    """Ledger lots with unrealised losses worth harvesting, the tax saved and a correlated replacement.

    Args:
        min_loss: smallest loss per lot worth harvesting, in currency.
        tax_rate: tax rate the realised loss offsets, e.g. 0.3.
    """
    from indexdesk.tools.price_provenance import honest_warnings

    warnings: list[str] = []
    if not (min_loss == min_loss and 0 <= min_loss < 1e12):
        raise ToolError(f"min_loss must be a non-negative amount, got {min_loss}", field="min_loss")
    rate = read_fraction(tax_rate, "tax_rate", "tax_rate", warnings)
    market = ctx.market()
    close = market.close
    today = close.index[-1].date() if len(close) else None
    lots = lots_source.open_lots(ctx, warnings, as_of=today)  # the lots held on the day they are priced
    if not lots:
        warnings.append("no ledger lots: record trades in the ledger (indexdesk portfolio import) to find losses "
                        "to harvest")
    from indexdesk.tools.portfolio.holdings import price_on

    prices: dict[str, Decimal] = {}
    for symbol in sorted({lot.symbol for lot in lots}):
        price, _ = price_on(ctx, symbol, today) if today else (None, None)  # as get_portfolio values the lot
        if price is None:
            warnings.append(f"no price for {symbol}: its lots were not checked")
        else:
            prices[symbol] = Decimal(str(price))
    found = tax_math.harvest_candidates(lots, prices, today, Decimal(str(min_loss)), rate,
                                        ctx.settings.holding_period_days) if today else []
    replacements: dict[str, tuple[str | None, float | None]] = {}
    lines = []
    for c in found[:MAX_LINES]:
        if c.symbol not in replacements:
            replacements[c.symbol] = replacement_for(ctx, c.symbol)
        name, corr = replacements[c.symbol]
        lines.append(HarvestLine(lot_id=c.lot_id, symbol=c.symbol, venue=c.venue, quantity=float(c.quantity),
                                 loss=round(float(c.loss), 2), tax_saved=round(float(c.tax_saved), 2),
                                 long_term=c.long_term, replacement=name, replacement_correlation=corr))
    if len(found) > MAX_LINES:
        warnings.append(f"{len(found) - MAX_LINES} more lot(s) with smaller losses not shown")
    total = sum((c.loss for c in found), Decimal(0))
    return HarvestResult(min_loss=float(min_loss), tax_rate=rate, lots=lines, total_loss=round(float(total), 2),
                         total_tax_saved=round(float(total) * rate, 2), source=market.label, as_of=market.as_of,
                         holding_rule=HoldingRule.of(ctx.settings.holding_period_days).label,
                         warnings=honest_warnings(ctx, warnings, ledger_valued=bool(lots)))
