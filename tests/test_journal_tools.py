"""The journal tools through the registry: extraction with and without a model, context snapshot, errors."""

import numpy as np
import pandas as pd
import pytest

from indexdesk.tools.journal.tools import btc_volatility_30d, classify_regime
from indexdesk.tools.registry import Registry, is_error

EXAMPLE = "rotated 5% from layer-1 into DeFi yesterday because momentum turned; nervous about the CPI print"


@pytest.fixture
def registry():
    return Registry.from_modules(["indexdesk.tools.journal.tools"])


@pytest.fixture
def jctx(ctx, monkeypatch):
    """A context on the hashing embedder with a tiny hand-made market, so no test waits on either."""
    from indexdesk.tools.indices import series

    ctx.settings = ctx.settings.model_copy(update={"embedding": "hash:64"})
    days = pd.date_range("2025-01-01", "2026-12-31", freq="D")
    btc = pd.Series(100.0 * np.exp(0.01 * np.sin(np.arange(len(days)))), index=days)

    def level_panel(_ctx, names, start=None, end=None):
        panel = pd.DataFrame({n: (btc if n == "BTC" else btc * 0 + 100.0 + len(n)) for n in names})
        panel = panel.loc[pd.Timestamp(start) if start else None: pd.Timestamp(end) if end else None]
        return panel, type("Market", (), {"label": "fake"})()

    monkeypatch.setattr(series, "level_panel", level_panel)
    monkeypatch.setattr(series, "resolve_names",
                        lambda _ctx, names: [{"layer-1": "layer1"}.get(n, n) for n in names])
    return ctx


def test_offline_parser_understands_the_issue_example(registry, jctx):
    result = registry.call("log_journal_entry", {"text": EXAMPLE}, jctx)
    assert not is_error(result), result
    assert result["extraction"] == "parser"
    assert result["entry"]["action"] == "rotate"
    assert [(p["name"], p["weight_change_pct"]) for p in result["entry"]["positions"]] == [("layer1", -5.0), ("defi", 5.0)]
    assert "emotional state: nervous" in result["understood"]
    ctx_snapshot = result["market_context"]
    assert set(ctx_snapshot["levels"]) == {"layer1", "defi", "BTC"} and ctx_snapshot["source"] == "fake"
    stored = jctx.journal_store().get(result["id"])
    assert stored.text == EXAMPLE and stored.market_context.regime == "sideways"
    hits = registry.call("search_journal", {"query": "when was I anxious about inflation data?"}, jctx)["hits"]
    assert hits[0]["id"] == result["id"]


class _Structured:
    def __init__(self, reply):
        self.reply = reply

    def invoke(self, messages):
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


class _Model:
    def __init__(self, reply):
        self.reply = reply

    def with_structured_output(self, schema):
        self.schema = schema
        return _Structured(self.reply if isinstance(self.reply, Exception) else schema.model_validate(self.reply))


def test_model_extraction_is_used_and_a_failing_model_falls_back(registry, jctx):
    jctx.model = _Model({"kind": "decision", "action": "rotate", "confidence": 3, "emotional_state": "nervous",
                         "positions": [{"name": "layer-1", "direction": "out_of", "weight_change_pct": -5}]})
    result = registry.call("log_journal_entry", {"text": EXAMPLE}, jctx)
    assert result["extraction"] == "model" and result["entry"]["confidence"] == 3
    assert result["entry"]["positions"][0]["name"] == "layer1"
    jctx.model = _Model(TimeoutError("model down"))
    result = registry.call("log_journal_entry", {"text": EXAMPLE}, jctx)
    assert result["extraction"] == "parser" and any("model extraction failed" in w for w in result["warnings"])
    assert jctx.journal_store().count() == 2


@pytest.mark.parametrize("args, message", [
    ({"text": "  "}, "empty"),
    ({"text": "x" * 1_000_000}, "1,000,000 characters"),
    ({"text": "sold", "when": "2026-02-30"}, "not a valid date"),
    ({"text": "sold on 2026-13-01"}, "not a valid date"),
    ({"text": "sold", "kind": "decisoin"}, "kind"),
    ({"text": "sold", "when": "2999-01-01"}, "future"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(registry, jctx, args, message):
    result = registry.call("log_journal_entry", args, jctx)
    assert is_error(result) and message in result["error"]
    assert jctx.journal_store().count() == 0


def test_search_errors(registry, jctx):
    assert "not a valid date" in registry.call("search_journal", {"query": "x", "start": "2026-02-30"}, jctx)["error"]
    assert "between 1 and 50" in registry.call("search_journal", {"query": "x", "k": 0}, jctx)["error"]


def test_regime_and_volatility_by_hand():
    days = pd.date_range("2026-01-01", periods=100, freq="D")
    rising = pd.Series(np.linspace(100, 150, 100), index=days)
    assert classify_regime(rising) == "bull"
    crashed = pd.Series([100.0] * 90 + [70.0] * 10, index=days)
    assert classify_regime(crashed) == "crash"
    alternating = pd.Series(100.0 * np.cumprod([1.0] + [1.01, 1 / 1.01] * 49 + [1.01]), index=days)
    returns = alternating.pct_change().dropna().iloc[-30:]
    assert btc_volatility_30d(alternating) == pytest.approx(returns.std(ddof=1) * np.sqrt(365))
    assert np.isnan(btc_volatility_30d(alternating.iloc[:10]))
