"""Result models of the strategy tools: compact, units declared by type (tools/units.py)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

from indexdesk.tools.units import (Count, Days, Fraction, Money, OptionalDays, OptionalFraction, OptionalMoney, Price,
                                   Quantity, Ratio)


class Provenance(BaseModel):
    source: str
    as_of: date | None
    price_age_days: OptionalDays = Field(None, description="days from as_of to today: how old the prices are")
    warnings: list[str] = []

    @model_validator(mode="after")
    def _price_age(self):
        """The age of the prices, from the last day of data to today (every result that names a source)."""
        if self.price_age_days is None and self.as_of is not None:
            self.price_age_days = max(0, (date.today() - self.as_of).days)
        return self


class WeightLine(BaseModel):
    name: str
    tier: str
    current: Fraction
    target: Fraction
    trade: Fraction  # target - current: + buy, - sell
    signal: OptionalFraction = None  # lookback return or drawdown from high (the pair's z-score is in the note)
    note: str = ""


class RotationResult(Provenance):
    strategy: str
    lookback: Days
    tilt: Fraction
    origin: str
    lines: list[WeightLine]
    residual: Fraction = Field(0.0, description="sum of every line's trade: 0 (a rotation keeps the total invested) "
                                                "but for rounding")
    turnover: Fraction
    estimated_cost: Fraction
    estimated_cost_amount: Money
    backtest: str
    limit_breaches: list[str] = []  # the user's [limits] (targets.toml) the proposed weights would breach


class TierLine(BaseModel):
    tier: str
    target: Fraction
    low: Fraction
    high: Fraction


class TierResult(Provenance):
    regime: str
    rule: str
    btc_price: Price
    btc_200d_average: Price
    btc_volatility_30d: Fraction
    tiers: list[TierLine]
    stablecoin_sleeve: Fraction
    backtest: str


class LotSaleLine(BaseModel):
    lot_id: str
    symbol: str
    quantity: Quantity
    gain: Money
    long_term: bool
    reason: str


class RebalanceResult(Provenance):
    policy: str
    act: bool
    reason: str
    origin: str
    lines: list[WeightLine]  # the holdings, the targets not held, and a `cash` line: where the money goes
    residual: Fraction = Field(0.0, description="sum of every line's trade, cash included: 0 but for rounding")
    turnover: Fraction
    sells: list[LotSaleLine] = []
    realised_gain: OptionalMoney = None
    estimated_tax: OptionalMoney = None
    backtest: str
    limit_breaches: list[str] = []  # the user's [limits] (targets.toml) the rebalanced weights would breach


class HarvestLine(BaseModel):
    lot_id: str
    symbol: str
    venue: str
    quantity: Quantity
    loss: Money
    tax_saved: Money
    long_term: bool
    replacement: str | None
    replacement_correlation: Ratio | None


class HarvestResult(Provenance):
    min_loss: Money
    tax_rate: Fraction
    lots: list[HarvestLine]
    total_loss: Money
    total_tax_saved: Money
    holding_rule: str = Field("", description="when a lot counts as long term (the ledger's one rule)")


class StatsLine(BaseModel):
    name: str
    total_return: Fraction
    annual_return: Fraction
    annual_volatility: Fraction
    sharpe_ratio: Ratio
    max_drawdown: Fraction


class SweepLine(BaseModel):
    config: str
    edge: Fraction  # annual return minus the static targets', in sample


class SweepSummary(BaseModel):
    configurations: Count
    best: str
    in_sample_edge: Fraction
    out_of_sample_edge: Fraction
    walk_forward_edge: Fraction
    held_back_from: date
    top: list[SweepLine]
    verdict: str


class BacktestResult(Provenance):
    strategy: str
    params: str
    origin: str
    start: date
    end: date
    days: Count
    stats: list[StatsLine]
    turnover_per_year: Fraction
    cost_drag_per_year: Fraction  # annual return after costs minus before
    trades: Count
    sweep: SweepSummary | None = None


class AttributionResult(Provenance):
    strategy: str
    origin: str
    start: date
    end: date
    total: Fraction
    beta: Fraction
    index_selection: Fraction
    timing: Fraction
    cost_drag: Fraction  # fees, trading costs and (with a ledger) tax_drag
    tax_drag: Fraction  # estimated tax on gains realised in the window; part of cost_drag
    explanation: str
