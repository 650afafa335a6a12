"""The checkup's journal-discipline section: undocumented trades, decisions due for review, the next review.

* A ledger buy or sell is documented when a journal entry links it (`ledger_links`) or an entry
  within ±3 days (`journal_ledger.MATCH_DAYS`) names its symbol; trades of the last 90 days are checked.
* A decision's review date is 90 days after it (the longest horizon `journal_outcomes` judges);
  it is due once that date has come and no `review` entry was journaled since.
* The quarterly review is due the day after the quarter of the checkup's day ends.

Reading only: the ledger and the journal are opened when they exist, never created.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from indexdesk.tools.review.checkup_models import DueReview, JournalSection, UndocumentedTrade
from indexdesk.tools.review.checkup_sections import action

if TYPE_CHECKING:
    from indexdesk.tools.review.checkup_sections import Inputs

TRADES_CHECKED_DAYS = 90
REVIEW_AFTER_DAYS = 90
MAX_LISTED = 10
DOCUMENTED_KINDS = ("buy", "sell")


def next_quarterly_review(day: date) -> date:
    """The first day of the quarter after `day`'s (the day the quarter can be reviewed)."""
    quarter_end_month = ((day.month - 1) // 3 + 1) * 3
    if quarter_end_month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, quarter_end_month + 1, 1)


def _entry_day(entry) -> date:
    return entry.timestamp.date()


def undocumented_trades(transactions, entries, window_days: int) -> list:
    """The buys and sells no entry links or names within ±`window_days` days."""
    linked = {link for e in entries for link in e.ledger_links}
    by_day: dict[date, set[str]] = {}
    for entry in entries:
        names = {n.upper() for n in entry.names} | {t.upper() for t in entry.all_tags()}
        by_day.setdefault(_entry_day(entry), set()).update(names)
    out = []
    for tx in transactions:
        if str(tx.kind).lower() not in DOCUMENTED_KINDS or str(tx.tx_id) in linked:
            continue
        day = tx.when.date() if hasattr(tx.when, "date") else tx.when
        near = set().union(*(by_day.get(day + timedelta(days=k), set()) for k in range(-window_days, window_days + 1)))
        if str(tx.symbol).upper() not in near:
            out.append(tx)
    return out


def journal_section(inputs: "Inputs") -> JournalSection:
    from indexdesk.tools.journal.ledger_links import MATCH_DAYS
    from indexdesk.tools.portfolio.holdings import ledger_or_none
    from indexdesk.tools.review.outcomes import compute_outcomes, is_assessable_decision, journal_if_any

    ctx, day = inputs.ctx, inputs.day
    since = day - timedelta(days=TRADES_CHECKED_DAYS)
    store = ledger_or_none(ctx)
    transactions = list(store.transactions(start=since, end=day)) if store is not None else []
    journal = journal_if_any(ctx)
    nearby, decided, last_review = [], [], date.min
    if journal is not None:  # read only the days that matter: the trades' window and the decisions due
        nearby = journal.list_entries(start=since - timedelta(days=MATCH_DAYS), end=day)
        reviews = journal.list_entries(end=day, kinds=["review"], limit=1, newest_first=True)
        last_review = _entry_day(reviews[0]) if reviews else date.min
        first = last_review - timedelta(days=REVIEW_AFTER_DAYS - 1) if reviews else None
        decided = journal.list_entries(start=first, end=day - timedelta(days=REVIEW_AFTER_DAYS), kinds=["decision"])
    missing = undocumented_trades(transactions, nearby, MATCH_DAYS)
    trades = [t for t in transactions if str(t.kind).lower() in DOCUMENTED_KINDS]
    listed = [UndocumentedTrade(tx_id=str(t.tx_id), when=t.when.date() if hasattr(t.when, "date") else t.when,
                                kind=str(t.kind), symbol=str(t.symbol), quantity=float(t.quantity),
                                price=None if t.price is None else float(t.price)) for t in missing[-MAX_LISTED:]]
    decisions = [e for e in decided if is_assessable_decision(e)
                 and last_review < _entry_day(e) + timedelta(days=REVIEW_AFTER_DAYS) <= day]
    due = []
    if decisions:
        outcomes, notes = compute_outcomes(ctx, decisions, horizons=(REVIEW_AFTER_DAYS,))
        by_id = {o.entry_id: o for o in outcomes}
        for entry in decisions[-MAX_LISTED:]:
            outcome = by_id.get(entry.id)
            relative = outcome.horizons[0].relative_return if outcome is not None and outcome.horizons else None
            due.append(DueReview(entry_id=entry.id, decided=_entry_day(entry), action=str(entry.action or "decision"),
                                 review_date=_entry_day(entry) + timedelta(days=REVIEW_AFTER_DAYS),
                                 relative_return_90d=relative, text=entry.text[:120]))
    review_on = next_quarterly_review(day)
    parts = [f"{len(missing)} of {len(trades)} trade(s) since {since} not journaled (±{MATCH_DAYS} days)",
             f"{len(decisions)} decision(s) due for review", f"quarterly review on {review_on}"]
    common = dict(title="Journal discipline", tools=["ledger transactions", "journal", "journal_outcomes"],
                  window_days=MATCH_DAYS, trades_checked=len(trades), undocumented=listed,
                  undocumented_count=len(missing), due_reviews=due, next_quarterly_review=review_on,
                  days_to_quarterly_review=(review_on - day).days, summary="; ".join(parts))
    if journal is None and trades:
        common["summary"] += " (no journal yet)"
    if missing:
        first = missing[-1]
        when = first.when.date() if hasattr(first.when, "date") else first.when
        text = f"{str(first.kind).capitalize()} {first.quantity:g} {first.symbol} on {when} because ..."
        return JournalSection(status="act", action=action(
            f'indexdesk journal add "{text}" --when {when}', "log_journal_entry", {"text": text, "when": str(when)}, writes=True,
            why="journal why you made the trade (asks first); the entry links the ledger transaction"), **common)
    if due:
        return JournalSection(status="act", action=action(
            "indexdesk review", "quarterly_review", {"quarter": "last"},
            why="score the decisions whose review date has come against what happened"), **common)
    return JournalSection(status="ok", **common)
