"""Result models of the risk tools: compact, JSON-friendly, each saying where its numbers came from."""

from __future__ import annotations

import math
from datetime import date

from pydantic import BaseModel, Field


def rounded(value: float, digits: int = 5) -> float:
    """Round for a compact result; NaN and inf pass through (the registry reports them as null)."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else value


class Provenance(BaseModel):
    source: str = Field(description="the MarketData label the numbers come from")
    as_of: date | None = Field(description="last day of the source's data")
    warnings: list[str] = Field(default_factory=list)


class VarComponent(BaseModel):
    name: str
    weight: float
    var: float = Field(description="this holding's part of the VaR, a fraction of the portfolio")
    cvar: float = Field(description="this holding's part of the CVaR, a fraction of the portfolio")
    var_amount: float
    share_of_var: float = Field(description="var / total VaR")


class VarResult(Provenance):
    origin: str = "explicit weights"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    method: str
    confidence: float
    horizon_days: int
    buy_and_hold: bool
    portfolio_value: float
    var: float = Field(description="loss not exceeded with the confidence, a positive fraction")
    cvar: float = Field(description="average loss when the VaR is exceeded, a positive fraction")
    var_amount: float
    cvar_amount: float
    tail_ratio: float = Field(description="CVaR / VaR")
    tail_note: str
    components: list[VarComponent]
    cash_weight: float
    start: date
    end: date
    observations: int = Field(description="daily returns used")
    scenarios: int = Field(description="windows (historical), paths (Monte Carlo) or days (parametric)")
    method_notes: str


class ScenarioResult(BaseModel):
    scenario: str
    description: str
    start: date | None = None
    end: date | None = None
    pnl: float = Field(description="P&L as a fraction of the portfolio (negative = loss)")
    pnl_amount: float
    max_drawdown: float
    worst_contributor: str | None
    worst_contributor_amount: float | None = None
    # A name -> fraction mapping, not a list of {name, pnl, amount} objects: with six holdings and six
    # scenarios the repeated keys alone cost several hundred tokens of the model's context.
    contributions: dict[str, float] = Field(description="P&L by holding, as a fraction of the portfolio")
    path_days: list[int] = Field(default_factory=list, description="days after start of each path point (≤ 8 points)")
    path_values: list[float] = Field(default_factory=list, description="portfolio value / start value")
    notes: list[str] = Field(default_factory=list)


class StressResult(Provenance):
    origin: str = "explicit weights"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    portfolio_value: float
    cash_weight: float
    scenarios: list[ScenarioResult]
    worst_scenario: str | None


class PairNote(BaseModel):
    first: str
    second: str
    correlation: float


class RollingCorrelation(BaseModel):
    pair: list[str]
    window_days: int
    dates: list[str]
    values: list[float]
    latest: float
    low: float
    high: float


class CorrelationResult(Provenance):
    origin: str = "explicit names"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    names: list[str]
    matrix: list[list[float]] = Field(description="rows and columns in the order of names")
    average_correlation: float
    same_bet: list[PairNote] = Field(description="pairs with correlation ≥ 0.9: the same bet twice")
    diversifiers: list[PairNote] = Field(description="pairs with correlation in 0.3–0.7")
    suggestions: list[str]
    rolling: RollingCorrelation | None = None
    start: date
    end: date
    observations: int


class SizedPosition(BaseModel):
    name: str
    base_weight: float
    volatility: float = Field(description="realised annualised volatility over the lookback")
    weight: float
    change: float


class SizingResult(Provenance):
    origin: str = "explicit weights"  # or "ledger as of YYYY-MM-DD" / "tier template (ledger empty)"
    target_volatility: float
    allow_leverage: bool
    positions: list[SizedPosition]
    invested: float
    cash: float
    scale: float = Field(description="common factor applied so the weights need no leverage (1 = none)")
    portfolio_volatility: float = Field(description="realised annualised volatility of the new weights")
    notes: list[str]
    start: date
    end: date
