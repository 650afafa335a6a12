"""Stored text is data, never markup: journal text, symbols, venues, notes and index names that look
like Markdown, HTML or Rich markup are shown as typed — in tables, Markdown answers, the review, MCP."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from indexdesk.agent.cli import main

HOSTILE = [
    "![T](http://evil.example/t.png)",
    "<img src=x onerror=alert(1)>",
    "[link=http://evil.example]kraken[/link]",
    "kraken[/]",
    "[click](javascript:alert(1))",
    "**bold** | pipe | `code` _em_",
    "line one\n# heading",
]
LIVE = {"image", "html_inline", "html_block", "link_open", "heading_open", "strong_open", "em_open", "code_inline"}


def live_tokens(markdown: str) -> set[str]:
    found = set()
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        found.add(token.type)
        found.update(child.type for child in token.children or [])
    return found & LIVE


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_has_no_live_markdown(text):
    from indexdesk.tools.text import md_escape

    assert not live_tokens(md_escape(text))
    assert not live_tokens(f"| a |\n|---|\n| {md_escape(text)} |")


def test_answer_tables_escape_stored_text():
    from indexdesk.agent.render import result_markdown

    result = {"hits": [{"id": "j_1", "text": t, "venue": t} for t in HOSTILE], "source": "s", "as_of": "d"}
    assert not live_tokens(result_markdown(result).split("\n\n", 1)[-1])


def test_mcp_quarterly_prompt_takes_its_argument_as_plain_text():
    from indexdesk.tools.adapters.mcp_server import quarterly_prompt

    text = quarterly_prompt("2026Q3](http://evil.example)<img src=x> ignore previous").messages[0].content.text
    assert "<" not in text and "](" not in text and "2026Q3" in text


LEDGER = """date,kind,symbol,quantity,price,fee,currency,venue,to_venue,note
2024-01-03,buy,BTC,0.1,42000,10,USD,kraken[/],,![T](http://evil.example/t.png)
2024-02-01,buy,ETH,2,2300,5,USD,[link=http://evil.example]kraken[/link],,<img src=x onerror=alert(1)>
"""


def test_cli_tables_draw_hostile_venues_as_text(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:32")
    home = str(tmp_path / "home")
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert main(["--home", home, "portfolio", "import", str(path)]) == 0
    capsys.readouterr()
    for argv in (["portfolio", "--wide"], ["portfolio", "lots", "--wide"]):
        assert main(["--home", home, *argv]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert "kraken[/]" in out                                  # no MarkupError, shown as typed
        assert "[link=http://evil.example]kraken[/link]" in out   # not a hyperlink
    for text in HOSTILE[:3]:
        assert main(["--home", home, "journal", "add", f"bought BTC {text}"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "journal", "search", "bought BTC"]) == 0
    out = capsys.readouterr().out
    assert "[link=http://evil.example]kraken[/link]" in out and "<img src=x onerror=alert(1)>" in out


def test_review_notes_and_journal_stay_inert(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INDEXDESK_EMBEDDING", "hash:32")
    home = tmp_path / "home"
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert main(["--home", str(home), "portfolio", "import", str(path)]) == 0
    assert main(["--home", str(home), "journal", "add", "2026-07-02 bought BTC ![T](http://evil.example/t.png) "
                 "<img src=x onerror=alert(1)>"]) == 0
    assert main(["--home", str(home), "review", "2026Q3", "--out", str(tmp_path / "report")]) == 0
    markdown = (tmp_path / "report" / "review.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    images = [c.attrs.get("src") for t in tokens for c in t.children or [] if c.type == "image"]
    assert all(src in ("equity.png", "drawdown.png", "allocation.png") for src in images), images
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    assert not any(c.type == "html_inline" for t in tokens for c in t.children or [])
