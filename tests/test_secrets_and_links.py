"""API keys never show in a repr; journal text can never make a live link in the review Markdown."""

from __future__ import annotations

import pytest


def test_settings_repr_hides_every_api_key(monkeypatch, tmp_path):
    from indexdesk.tools.settings import Settings

    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-SECRET")
    monkeypatch.setenv("COINGECKO_API_KEY", "cg-SECRET")
    monkeypatch.setenv("TOKEN_METRICS_API_KEY", "tm-SECRET")
    settings = Settings(home=tmp_path)
    for shown in (repr(settings), str(settings), str(settings.model_dump()), settings.model_dump_json()):
        assert "SECRET" not in shown
    assert settings.secret("openai_api_key") == "sk-openai-SECRET"
    assert settings.secret("coingecko_api_key") == "cg-SECRET"
    assert settings.secret("tokenmetrics_api_key") == "tm-SECRET"
    assert Settings(home=tmp_path, openai_api_key=None).secret("model") == settings.model


def test_the_keys_still_reach_the_providers(tmp_path):
    from indexdesk.tools.market.coingecko import CoinGeckoSource
    from indexdesk.tools.market.tokenmetrics import TokenMetricsSource
    from indexdesk.tools.settings import Settings

    settings = Settings(home=tmp_path, coingecko_api_key="cg-key", tokenmetrics_api_key="tm-key")
    assert "cg-key" in CoinGeckoSource.from_settings(settings).client.headers.values()
    assert TokenMetricsSource.from_settings(settings).client.headers["x-api-key"] == "tm-key"


HOSTILE = [
    "[click me](javascript:alert(1))",
    "\\[escaped\\](javascript:alert(1))",
    "see [ref]\n\n[ref]: javascript:alert(2)",
    "<javascript:alert(3)> <a href=\"javascript:alert(4)\">x</a>",
    "![img](javascript:alert(5))",
    "[a]( javascript:alert(6) 'title')",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_journal_text_makes_no_live_link(text):
    from markdown_it import MarkdownIt

    from indexdesk.tools.review.markdown import quote_block

    html = MarkdownIt("commonmark").render(quote_block(text))
    assert "<a " not in html and "<img" not in html and 'href="' not in html and 'src="' not in html, html
    assert "javascript:" in html  # still quoted as written: data, not removed
