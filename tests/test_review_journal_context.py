"""The quarterly review quotes the dated entries that explain its best and worst decisions and names
the decisions it could not assess, with the reason."""

from __future__ import annotations

from datetime import date

from tests.review_support import review_ctx, sample_ctx  # noqa: F401 - fixtures
from tests.test_review_report import _log


def test_best_and_worst_decisions_come_with_their_journal_context_and_unassessed_ones_are_named(review_ctx):
    from indexdesk.tools.review.tools import write_report

    store = review_ctx.journal_store()
    _log(store, date(2026, 6, 25), "thesis: DeFi will lead as lending revenue recovers and layer-1 fees fall", "thesis")
    _log(store, date(2026, 7, 10), "rotated 5% from layer-1 into DeFi because lending revenue recovers", "decision",
         "rotate", [{"name": "layer1", "direction": "out_of", "weight_change_pct": -5},
                    {"name": "defi", "direction": "into", "weight_change_pct": 5}])
    _log(store, date(2026, 7, 1), "note: memecoins rally on hype, tempted to chase", "note")
    _log(store, date(2026, 7, 20), "bought 2% more memecoins chasing the hype rally", "decision", "buy",
         [{"name": "memecoins", "direction": "into", "weight_change_pct": 2}])
    _log(store, date(2026, 8, 3), "held everything through the dip", "decision", "hold")
    _log(store, date(2026, 8, 5), "sold some of that thing my friend mentioned", "decision", "sell")
    _log(store, date(2026, 9, 25), "bought 1% more large caps", "decision", "buy",
         [{"name": "large_cap", "direction": "into", "weight_change_pct": 1}])
    summary, review = write_report(review_ctx, "2026Q3")
    markdown = (review_ctx.settings.home / "reports" / "2026Q3" / "review.md").read_text()

    roles = {e.role: e for e in review.explained}
    assert set(roles) == {"best", "worst"}
    rotation = next(e for e in roles.values() if e.text.startswith("rotated 5%"))
    assert rotation.date == date(2026, 7, 10)
    assert rotation.context and rotation.context[0]["text"].startswith("thesis: DeFi will lead")
    assert rotation.context[0]["date"] == "2026-06-25" and 0 < rotation.context[0]["score"] <= 1
    assert "### The best decision: **" in markdown and "### The worst decision: **" in markdown
    assert "> thesis: DeFi will lead" in markdown

    reasons = {u.text: u.reason for u in review.unassessed}
    assert "not judged against the market" in reasons["held everything through the dip"]
    assert "no index or asset" in reasons["sold some of that thing my friend mentioned"]
    assert "bought 1% more large caps" not in reasons  # 30 days had passed by the data's end: assessed
    assert f"### Decisions it could not assess ({len(review.unassessed)})" in markdown


def test_summary_json_and_markdown_carry_the_unassessed_and_explained_decisions_compactly(review_ctx):
    """The summary the model sees has a count and at most 3 named reasons; review.json has every item;
    review.md says how many were not assessed and why, next to the hit rate."""
    import json

    from indexdesk.tools.review.journal_context import MAX_REASONS, not_assessed_brief
    from indexdesk.tools.review.tools import write_report

    store = review_ctx.journal_store()
    _log(store, date(2026, 7, 10), "rotated 5% from layer-1 into DeFi because lending revenue recovers", "decision",
         "rotate", [{"name": "layer1", "direction": "out_of", "weight_change_pct": -5},
                    {"name": "defi", "direction": "into", "weight_change_pct": 5}])
    _log(store, date(2026, 8, 3), "held everything through the dip", "decision", "hold")
    _log(store, date(2026, 8, 4), "held again, no change", "decision", "hold")
    _log(store, date(2026, 8, 5), "sold some of that thing my friend mentioned", "decision", "sell")
    _log(store, date(2026, 8, 6), "did the usual thing with the thing", "decision")
    summary, review = write_report(review_ctx, "2026Q3")
    folder = review_ctx.settings.home / "reports" / "2026Q3"

    assert summary.not_assessed.count == len(review.unassessed) == 4
    assert 1 <= len(summary.not_assessed.reasons) <= MAX_REASONS
    assert summary.not_assessed.reasons[0].startswith("a hold decision is not judged against the market (2)")
    assert any("no index or asset" in r for r in summary.not_assessed.reasons)
    assert [(e.role, e.entry_id) for e in summary.explained] == [(e.role, e.entry_id) for e in review.explained]
    assert summary.explained and summary.explained[0].quoted == len(review.explained[0].context)
    assert len(summary.model_dump_json()) < 6000  # compact: what the model sees

    detail = json.loads((folder / "review.json").read_text())
    assert detail["summary"]["not_assessed"]["count"] == 4
    assert {u["text"] for u in detail["unassessed"]} >= {"held everything through the dip", "held again, no change"}
    assert [e["entry_id"] for e in detail["explained"]] == [e.entry_id for e in review.explained]

    markdown = (folder / "review.md").read_text()
    assert "**Not assessed: 4** decisions journaled in the quarter (a hold decision is not judged" in markdown
    assert "### Decisions it could not assess (4)" in markdown

    # more than MAX_REASONS kinds of reason: the last named one says how many others the report holds
    from types import SimpleNamespace

    many = SimpleNamespace(unassessed=[SimpleNamespace(reason=f"reason {i}: detail") for i in range(5)])
    brief = not_assessed_brief(many)
    assert brief.count == 5 and len(brief.reasons) == MAX_REASONS and "2 other reason(s)" in brief.reasons[-1]
