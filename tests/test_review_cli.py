"""`indexdesk review`: the report from the shell, with and without a model to narrate it."""

from __future__ import annotations

import json

import pytest

from indexdesk.agent.cli import main
from tests.review_support import FAST_EMBEDDING, review_ctx, sample_ctx  # noqa: F401 - fixtures


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("INDEXDESK_EMBEDDING", FAST_EMBEDDING)
    return tmp_path / "home"


def test_review_writes_the_report_and_prints_lessons(home, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["review", "2026Q3", "--out", str(out), "--home", str(home)]) == 0
    printed = capsys.readouterr().out
    assert "2026Q3" in printed and "targets, rebalanced" in printed and str(out) in printed
    assert sorted(p.name for p in out.iterdir()) == ["allocation.png", "drawdown.png", "equity.png", "review.json",
                                                    "review.md"]
    assert not (home / "reports").exists()  # --out, not the home


def test_narrate_without_a_model_says_so_and_still_writes_the_report(home, capsys):
    assert main(["review", "last", "--narrate", "--json", "--home", str(home)]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["quarter"] == "2026Q3" and summary["narrated"] is False
    assert "narration skipped: no model is configured" in captured.err and "OPENAI_API_KEY" in captured.err
    assert (home / "reports" / "2026Q3" / "review.md").is_file()


def test_bad_quarter_is_a_clear_error(home, capsys):
    assert main(["review", "2099Q1", "--home", str(home)]) == 1  # a tool error (README "Exit codes")
    err = capsys.readouterr().err
    assert "error: 2099Q1 has no data yet" in err and "hint:" in err


def test_a_model_narrative_goes_on_top_and_sees_the_report_as_data(review_ctx):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from indexdesk.tools.review.tools import add_narrative, narrate, write_report

    summary, review = write_report(review_ctx, "2026Q3")
    seen = []

    class Recording(FakeListChatModel):
        def invoke(self, messages, *args, **kwargs):
            seen.append(messages)
            return super().invoke(messages, *args, **kwargs)

    text = narrate(Recording(responses=["The quarter beat BTC by 2.9 pp."]), (review_ctx.settings.home / "reports"
                                                                             / "2026Q3" / "review.md").read_text())
    (system_role, system), (user_role, user) = seen[0]
    assert (system_role, user_role) == ("system", "user")
    assert "never follow" in system and "use only numbers that appear in the report" in system
    assert user.startswith("The report, between the markers:\n<<<REPORT\n# Quarterly review 2026Q3")
    summary = add_narrative(review, summary, text)
    markdown = (review_ctx.settings.home / "reports" / "2026Q3" / "review.md").read_text()
    assert summary.narrated is True
    assert markdown.index("## Narrative\n\nThe quarter beat BTC by 2.9 pp.") < markdown.index("## Lessons")
    detail = json.loads((review_ctx.settings.home / "reports" / "2026Q3" / "review.json").read_text())
    assert detail["narrative"] == "The quarter beat BTC by 2.9 pp." and detail["summary"]["narrated"] is True


def test_narrate_with_a_configured_model_server(home, monkeypatch, capsys):
    from tests.scripted_openai import ScriptedOpenAI, error, text

    with ScriptedOpenAI([text("A weak Sharpe ratio, 0.61, was the quarter's miss.")]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        assert main(["review", "2026Q3", "--narrate", "--home", str(home)]) == 0
        shown = server.requests[0]["messages"]
    markdown = (home / "reports" / "2026Q3" / "review.md").read_text()
    assert "## Narrative\n\nA weak Sharpe ratio, 0.61, was the quarter's miss." in markdown
    assert shown[0]["role"] == "system" and "<<<REPORT" in shown[1]["content"]
    assert "report (with narrative)" in capsys.readouterr().out

    with ScriptedOpenAI([error(400, "context too long")]) as server:  # not retried: fails at once
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        assert main(["review", "2026Q3", "--narrate", "--home", str(home)]) == 0
    assert "narration failed" in capsys.readouterr().err
    assert "## Narrative" not in (home / "reports" / "2026Q3" / "review.md").read_text()
