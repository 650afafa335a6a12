"""Portfolio tools: what is held (by tier, index and venue), tax lots, realised gains, and the two writes
(record a transaction, set targets) the agent asks about first."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from indexdesk.tools.context import ToolContext
from indexdesk.tools.errors import ToolError
from indexdesk.tools.portfolio.models import (
    GainLine,
    GainsResult,
    IndexTarget,
    LotLine,
    LotsResult,
    PortfolioResult,
    PositionLine,
    RecordResult,
    TargetsResult,
    TierLine,
    TierRange,
)
from indexdesk.tools.registry import tool
from indexdesk.tools.units import percent
from pydantic import Field

MAX_POSITIONS = 25
MAX_LOTS = 30
MAX_GAIN_LINES = 20
KindName = Literal["buy", "sell", "deposit", "withdrawal", "fee", "income", "transfer"]
SleeveName = Literal["", "index", "coin", "yield", "hedge", "stablecoin"]
Day = Annotated[str | None, Field(max_length=25)]
Name = Annotated[str, Field(max_length=40)]
Venue = Annotated[str, Field(max_length=64)]
MethodName = Literal["fifo", "lifo", "hifo"]


def _book_for(store, method: str | None, warnings: list[str]):
    """The book, or a what-if replay under another lot method (the book unchanged); (book, method, what_if)."""
    note = store.method_note
    if note and method is None:
        warnings.append(note)
    if method is None or method == store.method:
        return store.book(), store.method, False
    warnings.append(f"what-if: the whole history replayed under {method}; the book keeps {store.method}")
    return store.book(method=method), method, True


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _empty_hint() -> ToolError:
    return ToolError("the ledger holds no transactions yet",
                     hint="import a history (`indexdesk portfolio import FILE`) or record_transaction")


def _tier_lines(weights: dict[str, float], view) -> list[TierLine]:
    lines = []
    for tier in ("core", "satellite", "speculative", "cash"):
        weight = weights.get(tier, 0.0)
        low, high = view.ranges.get(tier, (None, None))
        target = view.tier_target(tier)
        if not weight and not target and low is None:
            continue
        status = ("below" if low is not None and weight < low - 1e-9 else
                  "above" if high is not None and weight > high + 1e-9 else "within")
        lines.append(TierLine(tier=tier, weight=round(weight, 4), target=round(target, 4), low=low, high=high,
                              status=status))
    return lines


def _empty_portfolio(ctx: ToolContext) -> PortfolioResult:
    """An empty ledger is an empty portfolio (not an error), with the way to fill it."""
    from indexdesk.tools.portfolio.targets_view import targets_view

    market = ctx.market()
    hint = _empty_hint()
    return PortfolioResult(as_of=market.as_of or date.today(), currency="USD", total_value=0.0, cash=0.0,
                           cost_basis=0.0, unrealized_pnl=0.0, positions=[], tiers=[], band=targets_view(ctx).band,
                           source=market.label, warnings=[f"{hint.message}: {hint.hint}"])


@tool(category="portfolio", examples=(
    'what do I hold',
    'show my portfolio and holdings',
    'my positions and their value',
    'current allocation versus targets',
    'how much cash do I have',
    'profit and loss per exchange and per tier',
    'unrealised P&L by venue',
))
def get_portfolio(ctx: ToolContext, as_of: Day = None) -> PortfolioResult:
    """What the ledger holds: units, value, weight vs target, cost basis and P&L by tier, index and venue.

    Args:
        as_of: YYYY-MM-DD; default the latest prices.
    """
    from indexdesk.tools.portfolio.holdings import ledger_or_none, valuation
    from indexdesk.tools.portfolio.targets_view import targets_view
    from indexdesk.tools.portfolio.yields import observed_apy
    from indexdesk.tools.price_provenance import honest_warnings, provenance

    value = valuation(ctx, as_of)
    if value is None:
        if as_of and ledger_or_none(ctx) is not None and ledger_or_none(ctx).count():
            raise ToolError(f"nothing was held on {as_of}", hint="choose a later as_of", field="as_of")
        return _empty_portfolio(ctx)
    view = targets_view(ctx)
    warnings = list(value.warnings)
    prices = provenance(ctx)
    total = value.total_value
    positions, tier_weights, drifted, sleeves = [], {}, [], {}
    apy = observed_apy(ledger_or_none(ctx), {p.name: p.units for p in value.positions}, value.as_of)
    for p in value.positions:
        weight = value.weight(p)
        target = view.index_targets.get(p.name)
        drift = weight - target if weight is not None and target is not None else None
        if drift is not None and abs(drift) > view.band:
            drifted.append(p.name)
        if weight is not None:
            tier_weights[p.tier] = tier_weights.get(p.tier, 0.0) + weight
            sleeves[p.sleeve] = sleeves.get(p.sleeve, 0.0) + weight
        positions.append(PositionLine(
            name=p.name, tier=p.tier, sleeve=p.sleeve, venue=p.venue, units=float(p.units), price=_r(p.price, 6),
            value=_r(p.value), weight=_r(weight, 4), target=_r(target, 4), drift=_r(drift, 4),
            cost_basis=_r(float(p.cost_basis)), unrealized_pnl=_r(p.value - float(p.cost_basis)) if p.value is not None else None,
            apy=_r(apy.get(p.name), 4), price_date=p.price_date, price_stale=p.stale))
    cash = float(value.cash) if value.cash_tracked else 0.0
    if value.cash_tracked and cash > 0 and total > 0:
        tier_weights["cash"] = tier_weights.get("cash", 0.0) + cash / total
    for name in view.index_targets:
        if name not in {p.name for p in value.positions}:
            drifted.append(name) if view.index_targets[name] > view.band else None
    if len(positions) > MAX_POSITIONS:
        warnings.append(f"{len(positions)} positions: the {MAX_POSITIONS} largest shown")
    priced_basis = sum(float(p.cost_basis) for p in value.priced)
    return PortfolioResult(
        as_of=value.as_of, currency=value.currency, total_value=round(total, 2), cash=round(cash, 2),
        cost_basis=round(sum(float(p.cost_basis) for p in value.positions), 2),
        unrealized_pnl=round(value.invested_value - priced_basis, 2), positions=positions[:MAX_POSITIONS],
        tiers=_tier_lines(tier_weights, view), sleeves={k: round(v, 4) for k, v in sleeves.items()}, unpriced=[p.name for p in value.unpriced], band=view.band,
        out_of_band=drifted, source=value.source, prices_as_of=prices.as_of, price_age_days=prices.age_days,
        warnings=honest_warnings(ctx, warnings))


@tool(category="portfolio", examples=(
    'show my tax lots',
    'cost basis of my BTC',
    'open lots and their acquisition dates',
    'which lots are at a loss',
))
def tax_lots(ctx: ToolContext, symbol: Annotated[str | None, Field(max_length=40)] = None,
             method: MethodName | None = None) -> LotsResult:
    """Open tax lots with cost basis, holding period and unrealised P&L.

    Args:
        symbol: one asset or index; default all.
        method: what-if lot method; default the book's.
    """
    from indexdesk.tools.portfolio.holdings import ledger_or_none, price_on
    from indexdesk.tools.portfolio.rows import Names, RowError
    from indexdesk.tools.price_provenance import honest_warnings, provenance

    store = ledger_or_none(ctx)
    if store is None or not store.count():
        raise _empty_hint()
    from indexdesk.tools.portfolio import basis

    warnings: list[str] = []
    book, used, what_if = _book_for(store, method, warnings)
    lots = book.lots
    unknown = basis.unknown_openers(store)
    if symbol:
        try:
            wanted = Names.of(ctx, store.currency() or "USD").resolve(symbol, "")
        except RowError as error:
            raise ToolError(error.reason, field="symbol") from None
        held = {lot.symbol for lot in lots}
        if wanted not in held:
            raise ToolError(f"no open lots of {wanted}", hint="held: " + ", ".join(sorted(held))[:200], field="symbol")
        lots = [lot for lot in lots if lot.symbol == wanted]
    market = ctx.market()
    day = market.as_of or date.today()
    lines, unpriced, pnl_total = [], set(), 0.0
    for lot in lots:
        price, _ = price_on(ctx, lot.symbol, day)
        value = None if price is None else float(lot.quantity) * price
        if value is None:
            unpriced.add(lot.symbol)
        else:
            pnl_total += value - float(lot.cost_basis)
        held_days = (day - lot.acquired.date()).days
        lines.append(LotLine(lot_id=lot.lot_id[:40], symbol=lot.symbol, venue=lot.venue, acquired=lot.acquired.date(),
                             units=float(lot.quantity), cost_basis=round(float(lot.cost_basis), 2), value=_r(value),
                             unrealized_pnl=_r(None if value is None else value - float(lot.cost_basis)),
                             days_held=held_days, long_term=store.rule.is_long(lot.acquired, day),
                             basis_unknown=basis.is_unknown(lot.lot_id, unknown)))
    if unpriced:
        warnings.append(f"unpriced (P&L not counted): {', '.join(sorted(unpriced))}")
    if any(line.basis_unknown for line in lines):
        warnings.append(basis.warning([line.symbol for line in lines if line.basis_unknown]))
    if len(lines) > MAX_LOTS:
        warnings.append(f"{len(lines)} lots: the {MAX_LOTS} oldest shown (give a symbol to narrow)")
    return LotsResult(method=used, what_if=what_if, holding_rule=store.rule.label,
                      holding_period_days=store.holding_days, lots=lines[:MAX_LOTS],
                      shown=min(len(lines), MAX_LOTS), total=len(lines),
                      cost_basis=round(sum(float(lot.cost_basis) for lot in lots), 2), unrealized_pnl=round(pnl_total, 2),
                      as_of=day, source=market.label, warnings=honest_warnings(ctx, warnings),
                      price_age_days=provenance(ctx).age_days)


@tool(category="portfolio", examples=(
    'realized gains this year',
    'how much profit did I realize',
    'capital gains report',
    'realised P&L for 2025',
))
def realized_gains(ctx: ToolContext, year: int, method: MethodName | None = None) -> GainsResult:
    """Realised gains of one calendar year, short and long term, by symbol.

    Args:
        year: calendar year, e.g. 2025.
        method: what-if lot method; default the book's.
    """
    from indexdesk.tools.portfolio.holdings import ledger_or_none

    if not 1970 <= year <= date.today().year:
        raise ToolError(f"year must be 1970 to {date.today().year}, got {year}", field="year")
    store = ledger_or_none(ctx)
    if store is None or not store.count():
        raise _empty_hint()
    from indexdesk.tools.portfolio import basis

    warnings: list[str] = []
    book, used, what_if = _book_for(store, method, warnings)
    closings = [c for c in book.closings if c.proceeds is not None and c.closed.year == year]
    unknown = basis.unknown_openers(store)
    unknown_symbols = sorted({c.symbol for c in closings if basis.is_unknown(c.lot_id, unknown)})
    by_symbol: dict[str, list[Decimal]] = {}
    for c in closings:
        row = by_symbol.setdefault(c.symbol, [Decimal(0)] * 4)
        row[1 if c.long_term else 0] += c.gain
        row[2] += c.proceeds
        row[3] += c.cost_basis
    lines = [GainLine(symbol=s, short_term=round(float(v[0]), 2), long_term=round(float(v[1]), 2),
                      proceeds=round(float(v[2]), 2), cost_basis=round(float(v[3]), 2))
             for s, v in sorted(by_symbol.items(), key=lambda kv: -abs(kv[1][0] + kv[1][1]))]
    short = sum((v[0] for v in by_symbol.values()), Decimal(0))
    long = sum((v[1] for v in by_symbol.values()), Decimal(0))
    if not closings:
        warnings.append(f"no sells in {year}")
    if any(c.kind == "fee" for c in closings):
        warnings.append("coins spent on fees are counted as disposals at their market value (coin_fee_disposal)")
    if unknown_symbols:
        warnings.insert(0, basis.warning(unknown_symbols))
    if len(lines) > MAX_GAIN_LINES:
        warnings.append(f"{len(lines)} symbols: the {MAX_GAIN_LINES} largest shown")
    return GainsResult(year=year, method=used, what_if=what_if, holding_rule=store.rule.label,
                       holding_period_days=store.holding_days,
                       short_term=round(float(short), 2), long_term=round(float(long), 2), total=round(float(short + long), 2),
                       proceeds=round(sum(float(v[2]) for v in by_symbol.values()), 2),
                       cost_basis=round(sum(float(v[3]) for v in by_symbol.values()), 2), closings=len(closings),
                       by_symbol=lines[:MAX_GAIN_LINES], currency=store.currency() or "USD",
                       basis_unknown=unknown_symbols, warnings=warnings)


@tool(state_changing=True, category="portfolio", examples=(
    'I bought 0.5 BTC at 60000',
    'record a sell of 10 SOL',
    'log a deposit of 1000 USD',
    'add a trade to the ledger',
    'I paid a fee',
), synonyms={"kind": {"bought": "buy", "purchased": "buy", "sold": "sell", "moved": "transfer", "sent": "transfer",
                      "transferred": "transfer", "staking": "income", "rewards": "income", "yield": "income",
                      "airdrop": "income", "deposited": "deposit", "withdrew": "withdrawal", "withdrawn": "withdrawal",
                      "sale": "sell", "purchase": "buy"}})
def record_transaction(ctx: ToolContext, kind: KindName, symbol: Name, quantity: float,
                       price: float | None = None, fee: float = 0.0, venue: Venue = "", to_venue: Venue = "",
                       day: Day = None, lot_id: Annotated[str, Field(max_length=160)] = "", sleeve: SleeveName = "",
                       note: Annotated[str, Field(max_length=200)] = "") -> RecordResult:
    """Record one ledger transaction.

    Args:
        kind: income = staking/yield; transfer = between venues.
        symbol: asset, index, or the currency (cash).
        quantity: units, positive.
        price: per unit.
        fee: in currency, into basis.
        venue: where (transfer: from).
        to_venue: transfer destination.
        day: YYYY-MM-DD; default now.
        lot_id: lot a sell closes.
        sleeve: default inferred.
        note: why.
    """
    from indexdesk.memory.ledger import LedgerConflict
    from indexdesk.tools.portfolio.rows import Names, RowError, check_row

    store = ctx.ledger_store()
    when = day or datetime.utcnow().replace(microsecond=0).isoformat()
    fields = {"date": when, "kind": kind, "symbol": symbol, "quantity": repr(quantity),
              "price": "" if price is None else repr(price), "fee": repr(fee) if fee else "", "venue": venue,
              "to_venue": to_venue, "lot_id": lot_id, "sleeve": sleeve, "note": note}
    try:
        tx = check_row(fields, Names.of(ctx, store.currency() or "USD"))  # id from the transaction's meaning
    except RowError as error:
        raise ToolError(error.reason, hint="fix the transaction and record it again") from None
    try:
        result = store.add_transactions([tx])
    except LedgerConflict as conflict:
        raise ToolError(conflict.reason, hint="check the quantity, venue or date", field="quantity") from None
    where = f" at {tx.venue}" if tx.venue else ""
    if tx.kind == "transfer":
        where = f" from {tx.venue} to {tx.to_venue}"
    priced = f" at {tx.price}" if tx.price is not None else ""
    summary = f"{tx.kind} {tx.quantity} {tx.symbol}{priced}{where} on {tx.when.date()}"
    book = store.book()
    # Cash (a deposit of the ledger's currency) is held in the book's cash, not in lots.
    cash = [amount for (_, currency), amount in book.cash.items() if currency == tx.symbol]
    held = sum(cash) if cash else book.units(tx.symbol)
    if result.removed:
        return RecordResult(tx_id=tx.tx_id, added=False, summary=summary, units_held=float(held), warnings=[
            "this transaction was deleted before (see `indexdesk portfolio history`): nothing added. To record it "
            "again, give it a note that tells it apart"])
    return RecordResult(tx_id=tx.tx_id, added=bool(result.added), summary=summary, units_held=float(held),
                        warnings=[] if result.added else [
                            "an identical transaction (same day, kind, symbol, quantity, price, venue and note) is "
                            "already recorded: nothing added. To record a second one, give it a note that tells "
                            "them apart"])


def _targets_result(ctx: ToolContext, warnings: list[str]) -> TargetsResult:
    from indexdesk.tools.portfolio.targets_view import targets_view

    view = targets_view(ctx)
    tiers = [TierLine(tier=t, weight=round(view.tier_target(t), 4), target=round(view.tier_target(t), 4),
                      low=view.ranges.get(t, (None, None))[0], high=view.ranges.get(t, (None, None))[1],
                      status=("within" if t not in view.ranges or
                              view.ranges[t][0] - 1e-9 <= view.tier_target(t) <= view.ranges[t][1] + 1e-9
                              else "outside"))
             for t in ("core", "satellite", "speculative", "cash") if t in view.ranges or view.tier_target(t)]
    for line in tiers:
        if line.status == "outside":
            warnings.append(f"{line.tier}: its index targets add up to {percent(line.target, 0)}, outside its range "
                            f"{percent(line.low, 0)}-{percent(line.high, 0)}")
    return TargetsResult(indices=[IndexTarget(name=n, weight=round(w, 4)) for n, w in view.index_targets.items()],
                         tiers=tiers, band=view.band, origin=view.origin, warnings=warnings)


@tool(state_changing=True, category="portfolio", examples=(
    'set my target allocation',
    'change my targets to 60% core',
    'update target weights',
    'make the satellite tier 30%',
))
def set_targets(ctx: ToolContext, indices: Annotated[list[IndexTarget] | None, Field(max_length=40)] = None,
                tier_ranges: Annotated[list[TierRange] | None, Field(max_length=4)] = None,
                band: float | None = None) -> TargetsResult:
    """Set index targets, tier ranges and rebalancing band; no arguments shows them.

    Args:
        indices: every holding's weight (index or coin, e.g. BTC); replaces all.
        tier_ranges: e.g. core 0.5-0.6.
        band: drift that triggers a rebalance, e.g. 0.05.
    """
    from indexdesk.tools.portfolio.targets_view import write_targets

    warnings: list[str] = []
    if indices or tier_ranges or band is not None:
        write_targets(ctx, {i.name: i.weight for i in indices} if indices else None,
                      {r.tier: (r.low, r.high) for r in tier_ranges} if tier_ranges else None, band, warnings)
    return _targets_result(ctx, warnings)
