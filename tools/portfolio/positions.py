"""A portfolio as every tool sees it: holdings (names, weights, value, origin) and how weights arrive.

`weights` arrive as a list of `{name, weight}` items (strict OpenAI schemas cannot express a
mapping) or as a plain mapping `{"BTC": 0.6, "defi": 0.4}` / CLI text `BTC=0.6,defi=0.4`, turned
into items by a before-validator. Explicit weights, the ledger (`portfolio.holdings.current_holdings`)
and the tier template all resolve to the same `Holdings`, so the risk and strategy tools need not
know where a portfolio came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from indexdesk.tools.params import MAX_NAMES, Name


def items_from_mapping(value: Any, key: str) -> Any:
    """{"BTC": 0.6} or "BTC=0.6,defi=0.4" → [{"name": "BTC", key: 0.6}]; lists pass through."""
    if isinstance(value, str):
        pairs = [part for part in value.replace(";", ",").split(",") if part.strip()]
        parsed = {}
        for pair in pairs:
            name, sep, number = pair.partition("=")
            if not sep:
                name, sep, number = pair.partition(":")
            if not sep:
                raise ValueError(f"{pair.strip()!r} is not NAME=NUMBER")
            parsed[name.strip()] = number.strip()
        value = parsed
    if isinstance(value, dict):
        return [{"name": name, key: amount} for name, amount in value.items()]
    return value


class WeightItem(BaseModel):
    """One holding: a catalogue index or an asset symbol and its fraction of the portfolio."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="catalogue index (e.g. defi) or asset symbol (e.g. BTC)")
    weight: float = Field(description="fraction of the portfolio, e.g. 0.4")


WeightList = Annotated[list[WeightItem], Field(max_length=MAX_NAMES),
                       BeforeValidator(lambda v: items_from_mapping(v, "weight"))]


@dataclass(frozen=True)
class Holdings:
    """A portfolio as the risk engine sees it: canonical names, weights (fractions), value, origin."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    portfolio_value: float
    origin: str = "explicit weights"
    # From the ledger: (venue, each holding's fraction of its units kept there); empty otherwise.
    venues: tuple[tuple[str, tuple[float, ...]], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def invested(self) -> float:
        return float(sum(self.weights))

    @property
    def cash(self) -> float:
        """The remainder at zero return (negative when the weights borrow)."""
        return 1.0 - self.invested


DEFAULT_PORTFOLIO_VALUE = 100000.0
