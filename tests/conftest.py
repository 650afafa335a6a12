"""Shared fixtures: a temporary data home, the real price data in ../shared (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# PostgreSQL fixtures, defined here once so every module shares one throwaway server per worker.
from postgres_server import ledger_url, postgres_server  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
# The sample market runs to today for users; tests pin its last day so their numbers never drift. Set at
# import too, so module- and session-scoped fixtures (built before any autouse fixture) see it.
SAMPLE_THROUGH = "2026-10-31"
os.environ["INDEXDESK_SAMPLE_THROUGH"] = SAMPLE_THROUGH
KEPT_SETTINGS = ("INDEXDESK_HOME", "INDEXDESK_CONFIG", "INDEXDESK_SAMPLE_THROUGH", "INDEXDESK_SHARED_DATA", "INDEXDESK_FUZZ_SCALE")
SHARED_DATA = Path(os.environ.get("INDEXDESK_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test ever reads the user's home, keys or network settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("INDEXDESK_HOME", str(home))
    monkeypatch.setenv("INDEXDESK_SAMPLE_THROUGH", SAMPLE_THROUGH)
    monkeypatch.setenv("INDEXDESK_CONFIG", str(home / "config.toml"))  # never the developer's config file
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TOKEN_METRICS_API_KEY", "COINGECKO_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    # Every other INDEXDESK_* setting of the developer's shell (a real INDEXDESK_DATABASE_URL above all).
    for var in [v for v in os.environ if v.startswith("INDEXDESK_") and v not in KEPT_SETTINGS]:
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture
def settings(tmp_path):
    from indexdesk.tools.settings import Settings

    return Settings(home=tmp_path / "home")


@pytest.fixture
def ctx(settings):
    from indexdesk.tools.context import ToolContext

    return ToolContext(settings=settings)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "prices_daily.csv").exists():
        pytest.skip(f"real price data not found at {SHARED_DATA} (../shared is absent)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_prices(shared_data):
    """The real long CSV as a wide close panel (dates × symbols)."""
    import pandas as pd

    long = pd.read_csv(shared_data / "prices_daily.csv", parse_dates=["date"])
    return long.pivot(index="date", columns="symbol", values="close").sort_index()


@pytest.fixture(scope="module")
def vocab():
    """The offline router's vocabulary (catalogue names, tickers, nicknames)."""
    from indexdesk.agent.offline_grammar import Vocabulary

    return Vocabulary.build()


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    """The schemas the offline router sees for the real registry's tools (OpenAI function format)."""
    from indexdesk.tools.adapters.openai_schema import openai_tools
    from indexdesk.tools.toolbox import default_registry

    return {t["function"]["name"]: t["function"] for t in openai_tools(default_registry())}
