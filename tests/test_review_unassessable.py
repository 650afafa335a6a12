"""Decisions the review cannot assess are counted and named, never silently left out of the hit rate."""

from __future__ import annotations

from datetime import date, datetime, timezone

from indexdesk.memory.journal.models import JournalEntry, Position
from tests.review_support import review_ctx, sample_ctx  # noqa: F401 - fixtures
from indexdesk.tools.review.outcomes import is_assessable_decision


def _log(store, day: date, text: str, action: str | None, positions: list[Position]):
    store.add(JournalEntry(text=text, kind="decision", action=action, positions=positions,
                           timestamp=datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)))


def test_unassessable_decisions_are_counted_with_their_reason(review_ctx):
    from indexdesk.tools.registry import Registry
    from indexdesk.tools.review.tools import write_report

    store = review_ctx.journal_store()
    _log(store, date(2026, 7, 10), "bought 2% defi on the dip", "buy", [Position(name="defi", direction="into",
                                                                                 weight_change_pct=2.0)])
    _log(store, date(2026, 7, 20), "bought the dip in my favourite coin", "buy", [])
    _log(store, date(2026, 8, 1), "moved things around a bit", None, [])
    assert is_assessable_decision(store.list_entries()[-1])  # kept, so that it is counted

    summary, review = write_report(review_ctx, "2026Q3")
    rate = summary.hit_rates[0]
    assert (rate.assessed, rate.unassessable) == (1, 2)
    note = next(w for w in summary.warnings if "could not be assessed" in w)
    assert note.startswith("2 of 3 decisions could not be assessed and are not in the hit rate (no position understood")
    assert "'bought the dip in my favourite coin'" in note
    markdown = (review_ctx.settings.home / "reports" / "2026Q3" / "review.md").read_text()
    assert "2 unassessable (no position understood)" in markdown

    outcomes = Registry.from_modules(["indexdesk.tools.review.tools"]).call("journal_outcomes", {}, review_ctx)
    assert outcomes["hit_rates"][0]["unassessable"] == 2
    assert any("could not be assessed" in w for w in outcomes["warnings"])
