"""The explicit context every tool receives: settings and lazily opened dependencies.

No schema shows it; no module keeps it in a global. Tests build one with a temp home and
whatever fakes they need (`ToolContext(settings, source=...)`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from indexdesk.tools.settings import Settings

if TYPE_CHECKING:
    from indexdesk.tools.market.base import MarketData, PriceSource


@dataclass
class ToolContext:
    settings: Settings
    source: "PriceSource | None" = None
    journal: Any = None
    ledger: Any = None
    model: Any = None  # a chat model for tools that can use one (journal extraction); None = offline
    memo: dict = field(default_factory=dict, repr=False)  # per-context memo: loaded panels, index levels
    # One load of the market at a time: the chat warms it in a thread while a first turn may ask for it.
    _market_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> "ToolContext":
        return cls(settings=settings or Settings(), **overrides)

    def price_source(self) -> "PriceSource":
        if self.source is None:
            from indexdesk.tools.market.sources import open_source

            self.source = open_source(self.settings.source, self.settings)
        return self.source

    def market(self) -> "MarketData":
        """The full panel of the configured source, loaded once per context."""
        key = ("market", self.settings.source)
        if key not in self.memo:
            with self._market_lock:
                if key not in self.memo:
                    self.memo[key] = self.price_source().load()
        return self.memo[key]

    def journal_store(self) -> Any:
        if self.journal is None:
            from indexdesk.memory.journal.store import open_journal

            self.journal = open_journal(home=self.settings.ensure_home(), chroma_url=self.settings.chroma_url,
                                        embedding=self.settings.embedding,
                                        openai_api_key=self.settings.secret("openai_api_key"),
                                        backup_keep=self.settings.backup_keep)
        from indexdesk.tools.journal.vocabulary import journal_vocabulary

        # Tags name assets and indices with the full vocabulary (universe + catalogue + indices.toml);
        # memoised per context and re-built when the user's catalogue file changes.
        self.journal.vocabulary = journal_vocabulary(self)
        return self.journal

    def ledger_store(self) -> Any:
        if self.ledger is None:
            from indexdesk.memory.ledger import open_ledger

            target = self.settings.database_url or self.settings.ensure_home() / "ledger.sqlite"
            self.ledger = open_ledger(target, method=self.settings.lot_method,
                                      holding_days=self.settings.holding_period_days,
                                      fee_disposal=self.settings.coin_fee_disposal,
                                      backup_keep=self.settings.backup_keep, home=self.settings.home)
        return self.ledger
