"""Result models of the portfolio tools; every number declares its unit."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from indexdesk.tools.units import (Count, Label, Days, Fraction, Money, OptionalDays, OptionalFraction, OptionalMoney,
                                   OptionalPrice, Quantity)


class PositionLine(BaseModel):
    name: str
    tier: str
    sleeve: str = Field(description="index, coin, yield, hedge or stablecoin")
    venue: str
    units: Quantity
    price: OptionalPrice = None
    value: OptionalMoney = None
    weight: OptionalFraction = None
    target: OptionalFraction = None
    drift: OptionalFraction = Field(None, description="weight minus target")
    cost_basis: Money
    unrealized_pnl: OptionalMoney = None
    apy: OptionalFraction = Field(None, description="income received over the last year, annualised (yield sleeve)")
    price_date: date | None = Field(None, description="day of the price it is valued at")
    price_stale: bool = Field(False, description="that price is older than the configured age (price_max_age_days)")


class TierLine(BaseModel):
    tier: str
    weight: Fraction
    target: Fraction = Field(description="sum of the tier's index targets")
    low: OptionalFraction = None
    high: OptionalFraction = None
    status: str = Field(description="within, below or above the tier's range")


class PortfolioResult(BaseModel):
    as_of: date
    currency: str
    total_value: Money
    cash: Money
    cost_basis: Money
    unrealized_pnl: Money
    positions: list[PositionLine]
    tiers: list[TierLine]
    sleeves: dict[str, Fraction] = Field(default_factory=dict, description="weight by sleeve (70/30 index-plus)")
    unpriced: list[str] = Field(default_factory=list, description="held but without a price: not valued")
    band: Fraction = Field(description="rebalancing band: drift beyond it is flagged")
    out_of_band: list[str] = Field(default_factory=list)
    source: str = Field(description="price source the ledger is valued at")
    prices_as_of: date | None = Field(None, description="last day of that source's prices")
    price_age_days: OptionalDays = Field(None, description="days from prices_as_of to today")
    warnings: list[str] = Field(default_factory=list)


class LotLine(BaseModel):
    lot_id: str
    symbol: str
    venue: str
    acquired: date
    units: Quantity
    cost_basis: Money
    value: OptionalMoney = None
    unrealized_pnl: OptionalMoney = None
    days_held: Days
    long_term: bool
    basis_unknown: bool = Field(False, description="deposited without a price: the zero basis is not a real cost")


class LotsResult(BaseModel):
    method: str = Field(description="lot method these lots were built with (the book's, or the what-if asked)")
    what_if: bool = Field(False, description="true when method differs from the book's: the book is unchanged")
    holding_rule: str = Field(description="when a lot turns long term")
    holding_period_days: OptionalDays = Field(None, description="null = the calendar-year rule")
    lots: list[LotLine]
    shown: Count
    total: Count
    cost_basis: Money
    unrealized_pnl: OptionalMoney = None
    as_of: date
    source: str
    price_age_days: OptionalDays = Field(None, description="days from as_of (the prices' last day) to today")
    warnings: list[str] = Field(default_factory=list)


class GainLine(BaseModel):
    symbol: str
    short_term: Money
    long_term: Money
    proceeds: Money
    cost_basis: Money


class GainsResult(BaseModel):
    year: Label
    method: str = Field(description="lot method the gains were computed with (the book's, or the what-if asked)")
    what_if: bool = Field(False, description="true when method differs from the book's: the book is unchanged")
    holding_rule: str = Field(description="when a gain is long term")
    holding_period_days: OptionalDays = Field(None, description="null = the calendar-year rule")
    short_term: Money
    long_term: Money
    total: Money
    proceeds: Money
    cost_basis: Money
    closings: Count
    by_symbol: list[GainLine]
    currency: str
    basis_unknown: list[str] = Field(default_factory=list,
                                     description="symbols whose gains include lots of unknown basis (overstated)")
    warnings: list[str] = Field(default_factory=list)


class RecordResult(BaseModel):
    tx_id: str
    added: bool = Field(description="false when the same id was already recorded")
    summary: str
    units_held: Quantity = Field(description="units of the symbol held after it, all venues")
    warnings: list[str] = Field(default_factory=list)


class IndexTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=40)
    weight: Fraction


class TierRange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: str = Field(max_length=20)
    low: float
    high: float

    @field_validator("tier")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class TargetsResult(BaseModel):
    indices: list[IndexTarget]
    tiers: list[TierLine]
    band: Fraction
    origin: str = Field(description="where the index targets come from")
    warnings: list[str] = Field(default_factory=list)
