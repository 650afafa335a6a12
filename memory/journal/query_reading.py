"""A search query read like an entry: the assets, indices, actions, feelings and dates it names,
as facets matched against the entries' metadata (their tags and dates).

    "chainlink purchases"                           → index:LINK, action:buy
    "moving money from L1 to decentralized finance" → index:layer1, index:defi
    "what did I sell in March 2024?"                → action:sell, 2024-03-01..2024-03-31

The share of a query's facets an entry carries (names weigh most) is one part of its relevance
(ranking.relevance) and an entry sharing a name or a date with the query is a candidate even when
its words and meaning are far: "nothing matches" is said only when no entry shares either.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

# How much each kind of facet counts in the metadata share: a named asset or index says most about
# what is asked for; a date range next; an action or a feeling narrows it.
FACET_WEIGHTS = {"index": 1.0, "date": 1.0, "action": 0.5, "emotion": 0.5}
MIN_FACET_TOTAL = 1.0  # the weight of one name or date
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))


@dataclass
class QueryFacets:
    labels: dict[str, float] = field(default_factory=dict)  # entry label ("tag:index:LINK") → weight
    period: tuple[date, date] | None = None

    @property
    def total(self) -> float:
        return sum(self.labels.values()) + (FACET_WEIGHTS["date"] if self.period else 0.0)

    def share(self, labels: set[str], day: date | None) -> float:
        """The weighted share of the query's facets an entry carries (0-1)."""
        if not self.total:
            return 0.0
        got = sum(w for label, w in self.labels.items() if label in labels)
        if self.period and day is not None and self.period[0] <= day <= self.period[1]:
            got += FACET_WEIGHTS["date"]
        # A query naming only an action or a feeling ("cashing in after …") shares it with a third of
        # the journal: such facets alone are never a full match (the share is out of at least one name's weight).
        return got / max(self.total, MIN_FACET_TOTAL)


def query_period(query: str) -> tuple[date, date] | None:
    """The date range a query names: 'March 2024', 'in 2023', 'Q3 2025', '2024-05-02'."""
    lowered = query.lower()
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", lowered)
    if m:
        try:
            day = date(*(int(g) for g in m.groups()))
            return day, day
        except ValueError:
            return None
    m = re.search(rf"\b({_MONTH})\.?\s+(?:of\s+)?((?:19|20)\d{{2}})\b", lowered)
    if m:
        year, month = int(m.group(2)), _MONTHS[m.group(1)]
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    m = re.search(r"\bq([1-4])\s*((?:19|20)\d{2})\b", lowered)
    if m:
        year, quarter = int(m.group(2)), int(m.group(1))
        end_month = 3 * quarter
        return date(year, end_month - 2, 1), date(year, end_month, calendar.monthrange(year, end_month)[1])
    m = re.search(r"\b(?:in|during|of|since|throughout)\s+((?:19|20)\d{2})\b", lowered)
    if m:
        year = int(m.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    return None


def query_facets(query: str, tags: list[str]) -> QueryFacets:
    """Facets from the query's tags (read by the same lexicon and vocabulary as entries) and its dates."""
    labels = {}
    for tag in tags:
        family = tag.split(":", 1)[0]
        if family in FACET_WEIGHTS:
            labels[f"tag:{tag}"] = FACET_WEIGHTS[family]
    return QueryFacets(labels=labels, period=query_period(query))
