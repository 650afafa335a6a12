"""The offline router's explicit phrase patterns: which intent a request's wording names ("how did …
do", "var", "stress test", "journal: …"), which tool serves each intent, and the help text that lists
them. Stage one of the router weighs these patterns with the meaning scores (offline_intent.py).
Split from offline_grammar.py (issue 17)."""

from __future__ import annotations

import re

# Which tool serves which intent: the contract's name first, then name fragments to look for.
INTENT_TOOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "performance": ("get_index_performance", ("performance",)),
    "var": ("compute_var", ("var",)),
    "stress": ("stress_test", ("stress",)),
    "correlation": ("analyze_correlation", ("correlation",)),
    "sizing": ("size_positions", ("size", "sizing")),
    "journal_log": ("log_journal_entry", ("journal_entry", "log_journal", "add_journal")),
    "journal_search": ("search_journal", ("search_journal", "journal_search")),
    "rotation": ("propose_rotation", ("rotat",)),
    "review": ("quarterly_review", ("review",)),
    "portfolio": ("get_portfolio", ("portfolio", "holdings")),
    "transaction": ("record_transaction", ("transaction", "trade")),
    "targets": ("set_targets", ("targets",)),
    "lots": ("tax_lots", ("lots",)),
    "gains": ("realized_gains", ("gains", "realized", "realised")),
    "tiers": ("tier_allocation", ("tier",)),
    "rebalance": ("check_rebalance", ("rebalance",)),
    "harvest": ("harvest_losses", ("harvest",)),
    "backtest": ("backtest", ("backtest",)),
    "attribution": ("attribute_performance", ("attribut",)),
    "outcomes": ("journal_outcomes", ("outcomes",)),
}
INTENT_TITLES = {"performance": "performance", "var": "value at risk", "stress": "a stress test",
                 "correlation": "correlation", "sizing": "position sizing", "journal_log": "a journal entry",
                 "journal_search": "a journal search", "rotation": "rotation", "review": "a quarterly review",
                 "portfolio": "your portfolio", "transaction": "a ledger transaction", "targets": "setting targets",
                 "lots": "tax lots", "gains": "realised gains", "tiers": "a tier allocation",
                 "rebalance": "a rebalance check", "harvest": "tax-loss harvesting", "backtest": "a backtest",
                 "attribution": "performance attribution", "outcomes": "decision outcomes"}

GRAMMAR_HELP = """I'm the offline router: no model is configured, so I understand requests like these.

| ask | runs |
|---|---|
| `how did defi do over 90 days` · `perf layer1 ytd` · `compare layer1 and defi ytd` | performance |
| `var 99% 30d` · `cvar 95% for 60% BTC 40% ETH` | value at risk (default portfolio unless given) |
| `stress test luna` · `what if ftx happens again` | stress test |
| `correlation of defi, layer1 and memecoins` | correlation |
| `size positions for 40% vol` | position sizing |
| `journal: trimmed BTC after CPI` · `jot down: …` · `note that …` · `search journal for panic sells` | journal |
| `rotate momentum` · `backtest momentum since 2022` · `do I need to rebalance` | rotation, backtest, rebalance |
| `show my portfolio` · `bought 0.5 BTC at 60000` · `tax lots` · `realized gains 2026` | portfolio and ledger |
| `review 2026Q3` · `how did my decisions work out` | quarterly review, decision outcomes |
| `call TOOL {"arg": …}` | any tool with JSON arguments |

Other requests are matched to a tool by meaning; a tool that writes asks first when unsure. Follow-ups
edit the last call (`and monthly?`). Windows: 30d, 90d, 6m, 1y, ytd, all, or START:END dates; dates like
`since 2021`, `Q3 2025`, `end of June 2025`. See docs/offline_router.md."""


_INTENTS: list[tuple[str, re.Pattern]] = [
    ("outcomes", re.compile(r"\b(decisions?|calls|trades) (work(ed)? out|pa(id|y) off)\b|\bhit rate\b|\boutcomes?\b")),
    ("review", re.compile(r"\breview\b|\bquarterly (?:report|summary|write-?up)\b|\bend[- ]of[- ]quarter report\b")),
    ("backtest", re.compile(r"\bback-?test\w*|\bsimulat\w*|\bsweep\b|\bhow would (?:the |this |a |my )?[\w-]*\s?strategy\b|"
                            r"\bhow would (?:a |the )?(momentum|mean[- ]reversion|blended|pair|rotation|rebalancing)\b.*"
                            r"\bhave\b")),
    ("harvest", re.compile(r"\bharvest\w*|\btax[- ]loss|\bsell\b.*\bat a loss\b|\bsave (on )?tax|"
                           r"\blos(ing|s|ses|er)\b.*\b(lots?|positions?)\b.*\btax|\blosing (lots|positions)\b")),
    ("gains", re.compile(r"\breali[sz]ed\b|\bcapital gains?\b|\breali[sz]\w*\b.*\bgains?\b")),
    ("lots", re.compile(r"\btax lots?\b|\blots\b|\bcost basis\b")),
    ("attribution", re.compile(r"\battribut\w*|\bwhat drove\b|\bwhere did (?:my |the )?(?:returns?|alpha|gains?|"
                               r"performance|outperformance) come from\b|"
                               r"\bbreak (down|up)\b.*\breturns?\b|\bbeta\b.*\b(selection|timing)\b")),
    ("rebalance", re.compile(r"\brebalanc\w*|\bdrift\w*|\boff[- ]target\b")),
    ("targets", re.compile(r"\bset (my |the )?targets?\b|\b(change|update) (my |the )?targets?\b|\btarget (allocation|weights)\b")),
    ("rotation", re.compile(r"\brotat\w*|\btilt\w*\b.*\b(toward|towards|into|momentum)\b")),
    ("transaction", re.compile(r"^(i )?(just )?(bought|sold|moved|transferred|sent|received|got|deposited|withdrew|staked)"
                               r"\s+\$?\d|^(buy|sell|deposit|withdraw)\s+\$?\d|"
                               r"\b(record|add|log)\b.*\b(trade|transaction|buy|sell|sale|purchase|deposit|withdrawal)\b")),
    ("stress", re.compile(r"\bstress|\bscenarios?\b|\bwhat if\b|\bshocks?\b|\bcrash|\bcollapse|\bwhat happens\b|"
                          r"\b(luna|terra|ftx|covid|bear market|crisis|crises|black swan)\b|\bhappens again\b|"
                          r"\bhow would\b.*\bhit\b")),
    ("var", re.compile(r"\bc?var\b|value[- ]at[- ]risk|expected shortfall|\btail risk\b|\bes\b|"
                       r"\bhow much (could|can|might|would) (i|we|the portfolio) lose\b|\bworst[- ]case loss\b")),
    ("correlation", re.compile(r"correl|\bcorr\b|redundan|overlap|diversif|\bmov(?:e|es|ed|ing) (?:together|with|in lock-?step|in sync)\b")),
    ("tiers", re.compile(r"\btiers?\b|\bcore\b.*\bsatellite\b|\bregimes?\b|\bbull(?:ish)? (?:market|run|phase)\b|"
                         r"\bbull or bear\b|\bare we in a (?:bull|bear)\b")),
    ("portfolio", re.compile(r"\bwhat do i (hold|own)\b|\bmy (holdings|positions)\b|\b(show|see) (me )?my portfolio\b|"
                             r"\bwhat'?s in my portfolio\b|\bwhat is in my portfolio\b|\bwhat am i holding\b|"
                             r"^/?(portfolio|holdings)\b|\bportfolio (value|summary)\b")),
    ("sizing", re.compile(r"\bsize\b|\bsizing\b|\bsize positions|target vol|vol target|risk parity|"
                          r"\bposition (?:size|sizing|weights?)\b|\bhow (?:big|large) should\b")),
    ("performance", re.compile(r"perform|\breturns?\b|\bhow (did|has|have|is|are|was|were)\b|\bcompare\b|\bvs\.?\b|"
                               r"versus|drawdown|sharpe|sortino|\bperf\b|\bdid\b.*\bdo\b|\bdoing\b")),
]
_JOURNAL_LOG = [
    re.compile(r"^/?(?:journal\s+)?(?P<kind>decision|thesis|lesson)\s*[:\-–]\s*(?P<text>.+)$", re.S | re.I),
    re.compile(r"^/?(?:journal|log|note|jot)\s*[:\-–]\s*(?P<text>.+)$", re.S | re.I),
    re.compile(r"^/journal\s+(?!search\b|find\b)(?P<text>.+)$", re.S | re.I),
    re.compile(r"^(?:add|write|record|log)\s+(?:this\s+)?(?:to|in|into)\s+(?:my\s+|the\s+)?journal\s*[:\-–]?\s*"
               r"(?:that\s+)?(?P<text>.+)$", re.S | re.I),
]
_JOURNAL_SEARCH = [
    re.compile(r"^/?journal\s+(?:search|find)\s*[:\-–]?\s*(?:for\s+)?(?P<query>.+)$", re.S),
    re.compile(r"\b(?:search|find|look up|grep|query)\s+(?:in\s+)?(?:my\s+|the\s+)?journal(?:\s+entries)?\s*"
               r"(?:for|about|on|mentioning)?\s*[:\-]?\s*(?P<query>.+)$", re.S),
    re.compile(r"\bwhat (?:did|have|had) i (?:write|written|wrote|say|said|note|noted|log|logged|journal|journaled|"
               r"jot|jotted)\s+(?:down\s+)?(?:about|on|regarding)\s+(?P<query>.+?)\??$", re.S),
    re.compile(r"\bjournal entries\s+(?:about|on|mentioning|for)\s+(?P<query>.+?)\??$", re.S),
]


def detect_intent(text: str, has_entities: bool) -> tuple[str | None, dict[str, str]]:
    """The request's intent and any free text it carries (journal text or query)."""
    stripped = text.strip()
    low = stripped.lower()
    for pattern in _JOURNAL_SEARCH:
        m = pattern.search(low)
        if m:
            return "journal_search", {"query": _strip_quotes(stripped[m.start("query"):m.end("query")])}
    for pattern in _JOURNAL_LOG:
        m = pattern.match(stripped)
        if m:
            found = {"text": _strip_quotes(stripped[m.start("text"):m.end("text")])}
            if "kind" in m.groupdict():
                found["kind"] = m.group("kind").lower()
            return "journal_log", found
    body = low.lstrip("/")
    for intent, pattern in _INTENTS:
        if pattern.search(body):
            return intent, {}
    if has_entities:
        return "performance", {}
    return None, {}


def matching_intents(text: str) -> list[str]:
    """Every phrase-pattern intent the request matches, in the grammar's order ("simulate the covid
    crash": backtest's "simulate" and stress's "crash")."""
    body = text.strip().lower().lstrip("/")
    return [intent for intent, pattern in _INTENTS if pattern.search(body)]


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“”":
        return text[1:-1].strip()
    return text.rstrip("?").strip()
