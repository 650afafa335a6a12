"""Result model of `checkup`: one section per step of the playbook's routine, units declared by type."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from indexdesk.tools.strategy.models import HarvestLine
from indexdesk.tools.units import (Count, Days, Fraction, Money, OptionalFraction, OptionalMoney, OptionalPerRow,
                                   OptionalPrice, PerRow, Quantity)

Status = Literal["act", "ok", "info", "unavailable"]


class SuggestedAction(BaseModel):
    """What the user can run next; nothing is executed by the checkup."""

    command: str = Field(description="the CLI command, e.g. `indexdesk rebalance threshold`")
    tool: str = Field(description="the tool the command calls")
    arguments: str = Field("", description="the tool call's arguments as JSON")
    writes: bool = Field(False, description="true: a write tool, which asks for confirmation first")
    why: str = ""


class Section(BaseModel):
    title: str
    tools: list[str] = Field(description="the tools whose results these numbers are")
    status: Status
    summary: str = Field(description="one line")
    action: SuggestedAction | None = None
    error: str | None = None  # the section could not be computed (the tool's own error)


class TierGap(BaseModel):
    tier: str
    current: Fraction
    target: Fraction
    low: Fraction
    high: Fraction
    gap: Fraction  # current - target


class RegimeSection(Section):
    regime: str = ""
    btc_volatility_30d: OptionalFraction = None
    tiers: list[TierGap] = []
    outside_range: list[str] = []


class TradeLine(BaseModel):
    name: str
    current: Fraction
    target: Fraction
    trade: Fraction  # + buy, - sell, fraction of the portfolio
    amount: Money  # trade × portfolio value


class RebalanceSection(Section):
    policy: str = ""
    policy_from: str = ""  # targets.toml [rebalance] or the tool's defaults
    fires: bool = False
    reason: str = ""
    turnover: Fraction = 0.0
    trades: list[TradeLine] = []
    realised_gain: OptionalMoney = None
    estimated_tax: OptionalMoney = None
    tax_rate: Fraction = 0.0
    lot_method: str = ""
    holding_rule: str = ""
    limit_breaches: list[str] = []


class RotationSection(Section):
    strategy: str = ""
    rule_from: str = ""
    trades: list[TradeLine] = []
    turnover: Fraction = 0.0
    estimated_cost_amount: Money = 0.0
    backtest: str = ""
    in_sample_edge: OptionalFraction = None
    out_of_sample_edge: OptionalFraction = None
    verdict: str = ""
    limit_breaches: list[str] = []


class LongTermSoon(BaseModel):
    lot_id: str
    symbol: str
    quantity: Quantity
    acquired: date
    long_term_on: date
    days_left: Days
    unrealised_gain: OptionalMoney = None


class TaxSection(Section):
    min_loss: Money = 0.0
    tax_rate: Fraction = 0.0
    harvestable: list[HarvestLine] = []
    total_loss: Money = 0.0
    total_tax_saved: Money = 0.0
    turning_long_term: list[LongTermSoon] = []


class LimitCheck(BaseModel):
    name: str
    unit: str = Field(description="fraction or ratio: the unit of limit and value")
    limit: PerRow
    value: OptionalPerRow = None  # null: not measured (see detail)
    breached: bool
    detail: str
    source: str


class RiskSection(Section):
    limits_from: str = ""
    checks: list[LimitCheck] = []  # breaches first
    breaches: Count = 0
    not_set: list[str] = []


class UndocumentedTrade(BaseModel):
    tx_id: str
    when: date
    kind: str
    symbol: str
    quantity: Quantity
    price: OptionalPrice = None


class DueReview(BaseModel):
    entry_id: str
    decided: date
    action: str
    review_date: date
    relative_return_90d: OptionalFraction = None
    text: str


class JournalSection(Section):
    window_days: Days = 3
    trades_checked: Count = 0
    undocumented: list[UndocumentedTrade] = []
    undocumented_count: Count = 0
    due_reviews: list[DueReview] = []
    next_quarterly_review: date | None = None
    days_to_quarterly_review: Days = 0


class CheckupResult(BaseModel):
    as_of: date | None
    holdings_from: str = Field(description="ledger, else targets, else the tier template")
    holdings: Count
    portfolio_value: Money
    actions: Count  # sections with a suggested action
    regime: RegimeSection
    rebalance: RebalanceSection
    rotation: RotationSection
    tax: TaxSection
    risk: RiskSection
    journal: JournalSection
    source: str
    warnings: list[str] = []
