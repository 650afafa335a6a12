"""Settings from the environment (prefix ``INDEXDESK_``) and a `config.toml`, with a data home from platformdirs.

Precedence: values passed in code (`--home`, `--source`) > environment > the config file > defaults.
The config file is `config.toml` in the platform's config dir (`indexdesk config path`), or the file
named by `INDEXDESK_CONFIG`; its keys are the field names below (`source = "binance"`, `model = …`).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


def config_path() -> Path:
    """The settings file: `INDEXDESK_CONFIG`, else config.toml in the platform config dir."""
    explicit = os.environ.get("INDEXDESK_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("indexdesk", appauthor=False)) / "config.toml"


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("indexdesk", appauthor=False))


class Settings(BaseSettings):
    """Everything configurable. Tests always pass a temporary `home`."""

    model_config = SettingsConfigDict(env_prefix="INDEXDESK_", extra="ignore", populate_by_name=True)

    home: Path = Field(default_factory=default_home, description="data home: caches, journal, ledger, sessions")
    source: str = Field("sample", description="price source: sample | csv:PATH | coingecko | binance | tokenmetrics")
    annualization: int = Field(365, description="periods per year; crypto trades every day")
    indices_file: Path | None = Field(None, description="TOML file with user-defined indices (default HOME/indices.toml)")
    sample_through: date | None = Field(None, description="last day of the sample market; unset = today (UTC)")
    offline: bool = Field(False, description="never touch the network; answer from the cache and mark results stale")
    price_max_age_days: int = Field(3, ge=0, description="a held asset's price older than this many days is flagged")

    # Model
    model: str = Field("gpt-4o-mini", description="chat model name")
    openai_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY", "INDEXDESK_OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("OPENAI_BASE_URL", "INDEXDESK_OPENAI_BASE_URL"))
    request_timeout: float = Field(60.0, description="seconds before a model request is abandoned")
    max_tool_iterations: int = Field(8, description="tool calls allowed in one turn")
    tool_selection: str = Field("embedding", description="tools per model call: embedding (local selector) | llm | all")
    fallback_model: str | None = Field(None, description="second model (same server) tried when the first keeps failing")
    context_tokens: int = Field(24_000, description="conversation tokens kept for the model; older turns are summarised")

    # Journal
    chroma_url: str | None = Field(None, description="Chroma server URL; unset = embedded PersistentClient under home")
    embedding: str = Field("minilm-int8", description="minilm-int8 | openai:text-embedding-3-small | st:MODEL")

    # Ledger
    database_url: str | None = Field(None, description="ledger database URL (postgresql+psycopg://...); unset = SQLite HOME/ledger.sqlite")
    transfer_window_hours: float = Field(72.0, ge=0, le=24 * 60, description="a deposit this many hours after a withdrawal at another venue may be the same transfer")
    transfer_fee_tolerance: float = Field(0.02, ge=0, le=0.5, description="largest network fee of a transfer, as a fraction of the withdrawal")
    lot_method: str = Field("fifo", description="tax-lot method a NEW ledger starts with: fifo | lifo | hifo "
                                               "(an existing ledger keeps its recorded method)")
    holding_period_days: int | None = Field(None, description="unset = long term after more than one calendar "
                                                              "year (US rule); N = after more than N days")
    coin_fee_disposal: bool = Field(True, description="a fee paid in a coin is a disposal at market value (US "
                                                      "practice); false = its basis just leaves the books")
    backup_keep: int = Field(10, ge=1, le=1000, description="rolling backups kept per store (ledger, journal) under HOME/backups")

    # Providers
    coingecko_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("COINGECKO_API_KEY", "INDEXDESK_COINGECKO_API_KEY"))
    coingecko_pro: bool = False
    coingecko_base_url: str | None = None
    binance_base_url: str = "https://api.binance.com"
    tokenmetrics_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("TOKEN_METRICS_API_KEY", "INDEXDESK_TOKENMETRICS_API_KEY"))
    tokenmetrics_base_url: str = "https://api.tokenmetrics.com/v2"
    http_timeout: float = 20.0
    http_retries: int = 4
    http_backoff: float = Field(0.5, description="seconds before the first retry; doubles each retry (capped at 30 s)")
    history_days: int = Field(365, description="days of history a remote source downloads the first time")
    api_token: str | None = Field(None, repr=False, description="bearer token `indexdesk serve` requires; unset = no auth")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple:
        """The environment wins over the config file; values passed in code win over both."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_path()),
                dotenv_settings, file_secret_settings)

    def secret(self, name: str) -> str | None:
        """The plain value of a secret setting (API keys are SecretStr: repr and logs show '**********')."""
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else value

    @property
    def user_indices_path(self) -> Path:
        return self.indices_file or self.home / "indices.toml"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home
