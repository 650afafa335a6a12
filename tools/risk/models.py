"""Result models of the risk tools: compact, JSON-friendly, each saying where its numbers came from."""

from __future__ import annotations

import math
from datetime import date

from pydantic import BaseModel, Field, model_validator

from indexdesk.tools.units import Count, Days, Fraction, Money, OptionalDays, OptionalMoney, Ratio


def rounded(value: float, digits: int = 5) -> float:
    """Round for a compact result; NaN and inf pass through (the registry reports them as null)."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else value


class Provenance(BaseModel):
    source: str = Field(description="the MarketData label the numbers come from")
    as_of: date | None = Field(description="last day of the source's data")
    price_age_days: OptionalDays = Field(None, description="days from as_of to today: how old the prices are")
    warnings: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _price_age(self):
        """The age of the prices, from the last day of data to today (every result that names a source)."""
        if self.price_age_days is None and self.as_of is not None:
            self.price_age_days = max(0, (date.today() - self.as_of).days)
        return self


class VarComponent(BaseModel):
    name: str
    weight: Fraction
    var: Fraction = Field(description="this holding's part of the VaR, a fraction of the portfolio")
    cvar: Fraction = Field(description="this holding's part of the CVaR, a fraction of the portfolio")
    var_amount: Money
    share_of_var: Fraction = Field(description="var / total VaR")


class VarResult(Provenance):
    origin: str = "explicit weights"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    method: str
    confidence: Fraction
    horizon_days: Days
    buy_and_hold: bool
    portfolio_value: Money
    var: Fraction = Field(description="loss not exceeded with the confidence, a positive fraction")
    cvar: Fraction = Field(description="average loss when the VaR is exceeded, a positive fraction")
    var_amount: Money
    cvar_amount: Money
    tail_ratio: Ratio = Field(description="CVaR / VaR")
    tail_note: str
    components: list[VarComponent]
    cash_weight: Fraction
    start: date
    end: date
    observations: Count = Field(description="daily returns used")
    scenarios: Count = Field(description="windows (historical), paths (Monte Carlo) or days (parametric)")
    method_notes: str


class ScenarioResult(BaseModel):
    scenario: str
    description: str
    start: date | None = None
    end: date | None = None
    pnl: Fraction = Field(description="P&L as a fraction of the portfolio (negative = loss)")
    pnl_amount: Money
    max_drawdown: Fraction
    worst_contributor: str | None
    worst_contributor_amount: OptionalMoney = None
    # A name -> fraction mapping, not a list of {name, pnl, amount} objects: with six holdings and six
    # scenarios the repeated keys alone cost several hundred tokens of the model's context.
    contributions: dict[str, Fraction] = Field(description="P&L by holding, as a fraction of the portfolio")
    path_days: list[Days] = Field(default_factory=list, description="days after start of each path point (≤ 8 points)")
    path_values: list[Ratio] = Field(default_factory=list, description="portfolio value / start value")
    notes: list[str] = Field(default_factory=list)


class StressResult(Provenance):
    origin: str = "explicit weights"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    portfolio_value: Money
    cash_weight: Fraction
    scenarios: list[ScenarioResult]
    worst_scenario: str | None


class PairNote(BaseModel):
    first: str
    second: str
    correlation: Ratio


class RollingCorrelation(BaseModel):
    pair: list[str]
    window_days: Days
    dates: list[str]
    values: list[Ratio]
    latest: Ratio
    low: Ratio
    high: Ratio


class CorrelationResult(Provenance):
    origin: str = "explicit names"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    names: list[str]
    matrix: list[list[Ratio]] = Field(description="rows and columns in the order of names")
    average_correlation: Ratio
    same_bet: list[PairNote] = Field(description="pairs with correlation ≥ 0.9: the same bet twice")
    diversifiers: list[PairNote] = Field(description="pairs with correlation in 0.3–0.7")
    suggestions: list[str]
    rolling: RollingCorrelation | None = None
    start: date
    end: date
    observations: Count


class SizedPosition(BaseModel):
    name: str
    base_weight: Fraction
    volatility: Fraction = Field(description="realised annualised volatility over the lookback")
    weight: Fraction
    change: Fraction


class SizingResult(Provenance):
    origin: str = "explicit weights"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    target_volatility: Fraction
    allow_leverage: bool
    positions: list[SizedPosition]
    invested: Fraction
    cash: Fraction
    scale: Ratio = Field(description="common factor applied so the weights need no leverage (1 = none)")
    portfolio_volatility: Fraction = Field(description="realised annualised volatility of the new weights")
    notes: list[str]
    start: date
    end: date
