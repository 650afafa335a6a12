"""The journal entry: what was decided, why, how it felt, and the market around it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Kind = Literal["decision", "thesis", "note", "lesson", "review"]
Action = Literal["buy", "sell", "rotate", "rebalance", "hedge", "hold"]
Direction = Literal["into", "out_of", "held"]
KINDS: tuple[str, ...] = get_args(Kind)
ACTIONS: tuple[str, ...] = get_args(Action)
MAX_TEXT_CHARS = 20_000  # a journal entry, not a document: text + tags + links, refused not truncated
MAX_TAGS = 32  # the user's own tags on one entry
MAX_TAG_CHARS = 64
MAX_LINKS = 64  # ledger transaction ids on one entry
MAX_LINK_CHARS = 128


def new_entry_id() -> str:
    return "j_" + uuid.uuid4().hex[:16]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


AmountBasis = Literal["units", "money", "portfolio_pct", "position_pct", "all"]
AMOUNT_BASES: tuple[str, ...] = get_args(AmountBasis)


class Position(BaseModel):
    """One index or asset a decision touched: what was done to it, how much (in the basis the user
    stated) and at what price. Older entries carry only name, direction, amount, weight_change_pct."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="catalogue index name (lower-case) or asset symbol (upper-case)")
    direction: Direction = "held"
    action: Literal["buy", "sell", "hold", "hedge", "rebalance"] | None = Field(
        None, description="what was done to this name (a rotation sells one side and buys the other)")
    amount_basis: AmountBasis | None = Field(
        None, description="how the size was stated: units, money, portfolio_pct (percentage points of the "
                          "portfolio), position_pct (percent of the position), all (the whole position)")
    quantity: float | None = Field(None, ge=0, description="units of the asset, e.g. 0.5 for '0.5 ETH'")
    amount: float | None = Field(None, description="currency amount moved, e.g. 2000 for $2,000")
    currency: str | None = Field(None, max_length=8, description="the currency the entry named for `amount` "
                                                                 "(USD, EUR, GBP), None when it named none")
    weight_change_pct: float | None = Field(None, description="portfolio weight change in percentage points, signed")
    position_pct: float | None = Field(None, ge=0, description="percent of the existing position (100 = all of it)")
    price: float | None = Field(None, gt=0, description="price per unit stated in the entry, e.g. 3200 for 'at 3200'")
    resulting_weight_pct: float | None = Field(
        None, ge=0, le=100, description="the name's weight after the decision, in percent of `resulting_weight_basis` "
                                        "('now 15% of the portfolio', 'from 10% to 5%' → 5)")
    resulting_weight_basis: Literal["portfolio_pct"] | None = Field(
        None, description="what the resulting weight is a share of: portfolio_pct = percent of the whole portfolio")

    @property
    def size(self) -> float | None:
        """The stated size in its own basis (units, currency, pp of the portfolio, % of the position)."""
        return {"units": self.quantity, "money": self.amount,
                "portfolio_pct": abs(self.weight_change_pct) if self.weight_change_pct is not None else None,
                "position_pct": self.position_pct, "all": self.position_pct}.get(self.amount_basis or "")


class Observation(BaseModel):
    """A return or loss the entry reports ("it lost 75% since I bought", "up 40% since"): what the
    market did, never a position size and never scored as a decision."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, description="the asset or index it is about; None = the portfolio as a whole")
    return_pct: float = Field(description="signed return in percent, e.g. -75 for 'lost 75%'")
    period: str | None = Field(None, description="the period as written ('since I bought', 'this month')")


class Plan(BaseModel):
    """A limit or an intention ("cap SOL at 3%", "will add BTC below 50k"): not a trade, not scored."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, description="the asset or index it is about; None = any single name")
    kind: Literal["limit", "entry", "exit"] = Field(
        description="limit = a weight not to exceed or to aim at; entry = when to buy/add; exit = when to sell/trim")
    value: float | None = Field(None, description="the level: a weight in percent or a price")
    unit: Literal["portfolio_pct", "price"] | None = None


class Transfer(BaseModel):
    """Coins moved between venues or wallets ("moved 0.05 BTC from Coinbase to Binance"): no trade."""

    model_config = ConfigDict(extra="forbid")

    name: str
    quantity: float | None = Field(None, ge=0, description="units moved, when stated")
    from_venue: str | None = None
    to_venue: str | None = None
    ledger_tx: str | None = Field(None, description="id of the ledger transfer it matches, when one does")


class MarketContext(BaseModel):
    """The market when the entry was written, handed in by the tools layer as plain data."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    levels: dict[str, float] = Field(default_factory=dict, description="level or price of each index/asset involved")
    btc_volatility_30d: float | None = Field(None, description="annualised 30-day volatility of BTC daily returns")
    regime: str | None = Field(None, description="bull | bear | sideways | crash")
    source: str | None = None


class JournalEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_entry_id)
    version: int = 1
    timestamp: datetime = Field(default_factory=utc_now, description="when the decision happened")
    created_at: datetime = Field(default_factory=utc_now, description="when this version was written")
    kind: Kind = "note"
    action: Action | None = None
    positions: list[Position] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list, description="returns/losses reported, not trades")
    plans: list[Plan] = Field(default_factory=list, description="limits and intentions, not trades")
    transfers: list[Transfer] = Field(default_factory=list, description="coins moved between venues, not trades")
    rationale: str | None = None
    expected_outcome: str | None = None
    invalidation: str | None = None
    confidence: int | None = Field(None, ge=1, le=5)
    emotional_state: str | None = None
    tags: list[str] = Field(default_factory=list, description="the user's own tags")
    derived_tags: list[str] = Field(default_factory=list, description="canonical tags added at write time")
    ledger_links: list[str] = Field(default_factory=list, description="ids of ledger transactions")
    text: str = Field(description="the raw text as written; never lost")
    market_context: MarketContext | None = None
    extraction: Literal["model", "parser", "manual", "import"] = "manual"

    @field_validator("text")
    @classmethod
    def _text_is_real(cls, value: str) -> str:
        if not value or not value.strip():
            raise ValueError("the entry text is empty")
        if len(value) > MAX_TEXT_CHARS:
            raise ValueError(f"the entry text has {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,}")
        return value

    @field_validator("ledger_links")
    @classmethod
    def _bounded_links(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_LINKS:
            raise ValueError(f"{len(value):,} ledger links; at most {MAX_LINKS} on one entry")
        long = next((v for v in value if len(v) > MAX_LINK_CHARS), None)
        if long is not None:
            raise ValueError(f"a ledger link of {len(long):,} characters; at most {MAX_LINK_CHARS}")
        return value

    @model_validator(mode="after")
    def _within_size_limit(self) -> "JournalEntry":
        # Labels are indexed and embedded with the text, so they share its budget (a 1 MB tag made search crawl).
        size = len(self.text) + sum(map(len, self.tags)) + sum(map(len, self.ledger_links))
        if size > MAX_TEXT_CHARS:
            raise ValueError(f"the entry has {size:,} characters with its tags and links; the limit is {MAX_TEXT_CHARS:,}")
        return self

    @field_validator("timestamp", "created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        tags = list(dict.fromkeys(t.strip().lower() for t in value if t and t.strip()))
        if len(tags) > MAX_TAGS:
            raise ValueError(f"{len(tags):,} tags; at most {MAX_TAGS} on one entry")
        long = next((t for t in tags if len(t) > MAX_TAG_CHARS), None)
        if long is not None:
            raise ValueError(f"a tag of {len(long):,} characters ({long[:20]!r}…); at most {MAX_TAG_CHARS}")
        return tags

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(p.name for p in self.positions))

    def all_tags(self) -> list[str]:
        return list(dict.fromkeys(self.tags + self.derived_tags))

    def search_text(self) -> str:
        """Everything a person wrote, for the lexical index and the embedding."""
        parts = [self.text]
        for extra in (self.rationale, self.expected_outcome, self.invalidation, self.emotional_state):
            if extra and extra not in self.text:
                parts.append(extra)
        return "\n".join(parts)


class SearchHit(BaseModel):
    """One search result: the entry and how it matched (the store's and the search's common type)."""

    entry: JournalEntry
    score: float  # relevance 0-1 (ranking.py): meaning, shared words and shared metadata; results come in its order
    vector_rank: int | None = None
    lexical_rank: int | None = None
    similarity: float | None = None
    rare_words: list[str] = []
    metadata: float = 0.0  # share of the query's names, dates, actions and feelings the entry carries (0-1)
