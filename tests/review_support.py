"""Fixtures shared by the review tests: one loaded sample market per module, fresh homes per test."""

from __future__ import annotations

import pytest

FAST_EMBEDDING = "hash:64"  # the journal's model-free embedding: these tests exercise the review, not retrieval quality


@pytest.fixture(scope="module")
def sample_ctx(tmp_path_factory):
    """A context on the sample market with its panel and index levels loaded once for the module."""
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    ctx = ToolContext(settings=Settings(home=tmp_path_factory.mktemp("review_home"), embedding=FAST_EMBEDDING,
                                        source="sample"))
    ctx.market()
    return ctx


@pytest.fixture
def review_ctx(sample_ctx, tmp_path):
    """A context with its own empty home (journal, targets, reports) that reuses the loaded market."""
    from indexdesk.tools.context import ToolContext

    return ToolContext(settings=sample_ctx.settings.model_copy(update={"home": tmp_path / "home"}),
                       source=sample_ctx.source, memo=sample_ctx.memo)
