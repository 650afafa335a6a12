"""What an index is: `IndexDefinition` and its constituent rule (pydantic, no I/O).

An index selects constituents by a rule (an explicit symbol list and/or universe categories,
optionally cut to the top N by market cap at each rebalance), weights them (market cap with a
per-asset cap, equal, or inverse volatility), rebalances weekly, monthly or quarterly, and may
charge an annual fee. The engine (`tools/indices/engine.py`) turns one into daily levels.
"""

from __future__ import annotations

import re
from typing import Literal

from indexdesk.tools.units import percent
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Tier = Literal["core", "satellite", "speculative", "cash"]
Weighting = Literal["market_cap", "equal", "inverse_volatility"]
Rebalance = Literal["weekly", "monthly", "quarterly"]

TIERS: tuple[str, ...] = ("core", "satellite", "speculative", "cash")
INDEX_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class ConstituentRule(BaseModel):
    """Which assets are eligible, and how many of them (by market cap) make the index."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    symbols: tuple[str, ...] = Field((), description="explicit constituents (upper-case symbols)")
    categories: tuple[str, ...] = Field((), description="universe categories whose assets are eligible; 'all' = every asset")
    exclude_categories: tuple[str, ...] = Field((), description="categories never eligible (with 'all')")
    top_n: int | None = Field(None, ge=1, le=100, description="keep the N largest by market cap at each rebalance")

    @field_validator("symbols", mode="before")
    @classmethod
    def _upper(cls, value):
        if isinstance(value, str):
            value = [value]
        return tuple(str(v).strip().upper() for v in value)

    @field_validator("categories", "exclude_categories", mode="before")
    @classmethod
    def _lower(cls, value):
        if isinstance(value, str):
            value = [value]
        return tuple(str(v).strip().lower() for v in value)

    @model_validator(mode="after")
    def _not_empty(self) -> ConstituentRule:
        if not self.symbols and not self.categories:
            raise ValueError("a rule needs 'symbols' or 'categories'")
        return self

    def describe(self) -> str:
        """One line for tables: 'top 5 by market cap of all except stablecoin, wrapped'."""
        parts = []
        if self.categories:
            what = "all" if "all" in self.categories else "category " + "/".join(self.categories)
            if self.exclude_categories:
                what += " except " + ", ".join(self.exclude_categories)
            parts.append(what)
        if self.symbols:
            parts.append(", ".join(self.symbols))
        scope = " + ".join(parts)
        return f"top {self.top_n} by market cap of {scope}" if self.top_n else scope


class IndexDefinition(BaseModel):
    """One index of the catalogue (built-in or from the user's TOML file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    tier: Tier
    category: str = Field(description="what the index tracks, for grouping: broad, layer1, defi, …")
    rule: ConstituentRule
    weighting: Weighting = "market_cap"
    max_weight: float | None = Field(None, gt=0, le=1, description="per-asset weight cap; excess is redistributed")
    rebalance: Rebalance = "monthly"
    fee_bps: float = Field(0.0, ge=0, le=1000, description="annual fee in basis points, accrued daily")
    lookback_days: int = Field(90, ge=5, le=730, description="inverse-volatility lookback")
    aliases: tuple[str, ...] = ()
    description: str = ""

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not INDEX_NAME.match(value):
            raise ValueError("index names are 2-40 lower-case letters, digits or '_', starting with a letter")
        return value

    @field_validator("aliases", mode="before")
    @classmethod
    def _lower_aliases(cls, value):
        if isinstance(value, str):
            value = [value]
        return tuple(str(v).strip().lower() for v in value)

    def constituents_text(self) -> str:
        return self.rule.describe()

    def weighting_text(self) -> str:
        text = self.weighting.replace("_", " ")
        if self.weighting == "inverse_volatility":
            text += f" ({self.lookback_days}d)"
        if self.max_weight is not None:
            text += f", max {percent(self.max_weight, 0)}"
        if self.fee_bps:
            text += f", fee {self.fee_bps:g} bp/y"
        return text
