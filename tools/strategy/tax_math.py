"""Tax-aware lot choice and loss-harvest selection over lot objects. Pure: decimal, datetime.

A lot is any object with `lot_id, symbol, venue, quantity (Decimal), cost_basis (Decimal, total,
fees included), acquired (date or datetime)` — the ledger's one `Lot`. Amounts stay Decimal; rates
are plain floats turned to Decimal. Unit cost and the holding-period rule are the ledger's own
(`indexdesk.memory.ledger.holding`): `holding` is a HoldingRule, a number of days, or None for the
calendar-year rule.

Sell order (to realise as little taxable gain as possible, as the playbook says):
1. lots at a loss, the largest loss per unit first (highest basis);
2. long-term gain lots (held more than a year by the holding rule), highest basis first;
3. short-term gain lots that are not close to turning long-term, highest basis first;
4. last, short-term lots within `near_days` of the one-year mark (selling them now would turn a
   soon-long-term gain into a short-term one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from indexdesk.memory.ledger.holding import HoldingRule, as_day, unit_cost

NEAR_DAYS = 30
Holding = HoldingRule | int | None


@dataclass(frozen=True)
class LotSale:
    lot_id: str
    symbol: str
    venue: str
    quantity: Decimal
    proceeds: Decimal
    basis: Decimal
    gain: Decimal  # proceeds - basis (negative = loss)
    long_term: bool
    reason: str


def _rule(holding: Holding) -> HoldingRule:
    return holding if isinstance(holding, HoldingRule) else HoldingRule.of(holding)


def unit_basis(lot) -> Decimal:
    return unit_cost(lot.cost_basis, lot.quantity)


def is_long_term(lot, on: date, holding_days: Holding = None) -> bool:
    return _rule(holding_days).is_long(lot.acquired, on)


def _bucket(lot, price: Decimal, on: date, near_days: int, holding_days: Holding) -> tuple[int, str]:
    if unit_basis(lot) > price:
        return 0, "loss lot"
    if is_long_term(lot, on, holding_days):
        return 1, "long-term gain, highest basis first"
    turns_long = _rule(holding_days).first_long_day(lot.acquired)
    if (turns_long - as_day(on)).days <= near_days:
        return 3, f"short-term, turns long-term on {turns_long}: sold last"
    return 2, "short-term gain, highest basis first"


def sell_order(lots, price: Decimal, on: date, near_days: int = NEAR_DAYS,
               holding_days: Holding = None) -> list:
    """Lots of one symbol in the order to sell them (see the module doc); ties by lot_id."""
    return sorted((lot for lot in lots if lot.quantity > 0),
                  key=lambda lot: (_bucket(lot, price, on, near_days, holding_days)[0], -unit_basis(lot),
                                   str(lot.lot_id)))


def choose_lots(lots, quantity: Decimal, price: Decimal, on: date, near_days: int = NEAR_DAYS,
                holding_days: Holding = None) -> list[LotSale]:
    """Sales that make up `quantity` units at `price`, lot by lot in tax-aware order (partial last lot)."""
    remaining = Decimal(quantity)
    sales: list[LotSale] = []
    for lot in sell_order(lots, price, on, near_days, holding_days):
        if remaining <= 0:
            break
        take = min(remaining, lot.quantity)
        basis = unit_basis(lot) * take
        proceeds = price * take
        sales.append(LotSale(str(lot.lot_id), lot.symbol, lot.venue, take, proceeds, basis, proceeds - basis,
                             is_long_term(lot, on, holding_days), _bucket(lot, price, on, near_days, holding_days)[1]))
        remaining -= take
    return sales


def estimated_tax(sales: list[LotSale], short_rate: float, long_rate: float) -> Decimal:
    """Tax on the net gain of each holding period (a net loss saves tax: negative)."""
    short = sum((s.gain for s in sales if not s.long_term), Decimal(0))
    long_ = sum((s.gain for s in sales if s.long_term), Decimal(0))
    return short * Decimal(str(short_rate)) + long_ * Decimal(str(long_rate))


@dataclass(frozen=True)
class HarvestCandidate:
    lot_id: str
    symbol: str
    venue: str
    quantity: Decimal
    loss: Decimal  # positive amount of unrealised loss
    tax_saved: Decimal
    long_term: bool


def harvest_candidates(lots, prices: dict[str, Decimal], on: date, min_loss: Decimal,
                       tax_rate: float, holding_days: Holding = None) -> list[HarvestCandidate]:
    """Lots whose unrealised loss is at least `min_loss`, largest loss first (lots without a price are skipped)."""
    rate = Decimal(str(tax_rate))
    out = []
    for lot in lots:
        price = prices.get(lot.symbol)
        if price is None or lot.quantity <= 0:
            continue
        loss = lot.cost_basis - price * lot.quantity
        if loss >= min_loss and loss > 0:
            out.append(HarvestCandidate(str(lot.lot_id), lot.symbol, lot.venue, lot.quantity, loss, loss * rate,
                                        is_long_term(lot, on, holding_days)))
    return sorted(out, key=lambda c: (-c.loss, c.lot_id))
