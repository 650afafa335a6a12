"""Sizes and prices in a journal line: "0.5 ETH", "$2k of SOL", "10% of the portfolio", "by 10%", "half", "at 3200".

Each size carries its basis, because the same "10 %" means two things:
* portfolio_pct — percentage points of the portfolio ("moved 10% of the portfolio", "bought 3% XRP",
  "5 pp", "rotated 5% from layer-1 into DeFi");
* position_pct — a share of the existing position ("trimmed BTC by 10%", "sold 10% of my ETH",
  "took 10% off SOL", "half my DOGE"); "all" is the whole position (100 %).
A number written right before an asset is units ("0.5 ETH", "2k DOGE"); currency is money.
All functions take the lower-cased text and return spans so the parser can pair sizes with names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"\d[\d,]*(?:\.\d+)?|\.\d+"
_SCALE = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "mil": 1e6,
          "b": 1e9, "bn": 1e9, "billion": 1e9}
SCALE = r"(?:\s?(?:k|mm|m|bn|b)\b|\s(?:thousand|grand|million|mil|billion)\b)"
_CURRENCY_WORDS = r"(?:usd|dollars?|bucks|eur|euros?|gbp|pounds|quid|usdc|usdt|dai|busd|fdusd)\b"


@dataclass(frozen=True)
class Size:
    value: float
    basis: str  # units | money | portfolio_pct | position_pct | all
    start: int
    end: int
    mention: int | None = None  # index of the mention this size is bound to (units, "of my X")
    currency: str | None = None  # money: the currency the text names ("€2,000" → EUR); None when it names none


@dataclass(frozen=True)
class PriceMention:
    value: float
    start: int
    end: int


def to_number(raw: str, scale: str | None = None) -> float:
    value = float(raw.replace(",", ""))
    return value * _SCALE.get((scale or "").strip(), 1.0)


def _free(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= a or start >= b for a, b in spans)


_PRICE = re.compile(
    rf"(?:\bat|@|\baround|\bnear|\bavg|\baverage(?: price)?(?: of)?|\bentry(?: price)?(?: of)?|\bprice(?: of)?|"
    rf"\bfilled(?: at)?)\s*(?:~\s*|about\s+|roughly\s+|around\s+)?[$€£]?\s*({NUMBER})({SCALE})?(?![\d.,]?\d)"  # whole number: "at 30%" is no price 3
    rf"(?!\s*(?:%|percent|pct|pp|am\b|pm\b|o'?clock|"
    rf"days?|weeks?|months?|x\b|times))", re.IGNORECASE)
_EACH_PRICE = re.compile(rf"[$€£]\s?({NUMBER})({SCALE})?\s*(?:apiece|a coin|per coin|per token)\b")


def prices(lowered: str) -> list[PriceMention]:
    out = [PriceMention(to_number(m.group(1), m.group(2)), m.start(), m.end()) for m in _PRICE.finditer(lowered)]
    out += [PriceMention(to_number(m.group(1), m.group(2)), m.start(), m.end()) for m in _EACH_PRICE.finditer(lowered)]
    return [p for p in out if p.value > 0]


_PORTFOLIO_WORDS = (r"(?:total |whole |entire |overall |crypto )?(?:portfolio|book|account|capital|net worth|pf|nav|"
                    r"allocation|holdings|stack|money|funds)")
_POSITION_WORDS = r"(?:position|bag|bags|holding|stake|exposure)"
_OWNER = r"(?:my |the |our |that |this |his |her )?"
_PERCENT = re.compile(rf"({NUMBER})\s*(%|percent\b|pct\b|pp\b|percentage points?\b|points?\b)")
_FRACTIONS = {"half": 50.0, "a half": 50.0, "one half": 50.0, "a third": 100 / 3, "one third": 100 / 3,
              "two thirds": 200 / 3, "a quarter": 25.0, "one quarter": 25.0, "three quarters": 75.0,
              "a fifth": 20.0, "a tenth": 10.0, "one tenth": 10.0}
_FRACTION = re.compile(r"\b(" + "|".join(sorted(_FRACTIONS, key=len, reverse=True)) + r")\b(?:\s+of)?")
_HALVED = re.compile(r"\bhalved\b|\bcut\b[^.;]{0,20}\bin half\b")
_ALL = re.compile(r"\b(?:all(?: of)?(?= (?:my|the|our|of)\b| (?!in\b)[a-z$])|everything|entire|whole|completely|fully|the lot|every last|all out|"
                  r"(?:my |the )?(?:remaining|rest of (?:my|the))|"
                  r"100 ?% of (?:my |the )?(?:position|bag))\b")
_EXIT_VERB = re.compile(r"\b(?:exit(?:ed|ing)?|clos(?:ed|ing|e) (?:out )?(?:my |the |our )?|sold out of|got out of|"
                        r"dumped (?:all|everything)|liquidat(?:ed|e)|zeroed|capitulated out of)\b")


def _percent_basis(lowered: str, m: re.Match, mention_starts: list[int]) -> tuple[str, int | None]:
    unit = m.group(2)
    if unit.startswith(("pp", "percentage point", "point")):
        return "portfolio_pct", None
    after = lowered[m.end():m.end() + 48]
    if re.match(rf"\s*of {_OWNER}{_PORTFOLIO_WORDS}\b", after):
        return "portfolio_pct", None
    if re.match(rf"\s*of {_OWNER}(?:\w+ )?{_POSITION_WORDS}\b", after):
        bound = next((i for i, s in enumerate(mention_starts) if s > m.end()), None)
        return "position_pct", bound if bound is not None and mention_starts[bound] - m.end() < 24 else None
    if re.match(r"\s*of (?:it|them|those|that)\b", after):
        return "position_pct", None
    of_mention = re.match(rf"\s*(?:of|off|from) {_OWNER}", after)
    if of_mention:
        target = m.end() + of_mention.end()
        bound = next((i for i, s in enumerate(mention_starts) if s in (target, target + 1)), None)
        if bound is not None:
            word = after[:of_mention.end()].strip().split(" ")[0]
            # "5% from layer-1 into DeFi" moves portfolio points (both sides); "10% of my ETH" a share of it
            return ("portfolio_pct", None) if word == "from" else ("position_pct", bound)
    if re.match(r"\s*off\b", after):
        return "position_pct", None
    before = lowered[max(0, m.start() - 24):m.start()]
    if re.search(r"\bby\s*(?:another\s+|about\s+|around\s+|~)?$", before):
        if not re.search(r"\b(?:weight|allocation|exposure)\s+(?:\w+\s+)?by\s*$", before):
            return "position_pct", None
    return "portfolio_pct", None


def sizes(lowered: str, mention_spans: list[tuple[int, int]], price_spans: list[tuple[int, int]]) -> list[Size]:
    """Every size stated in `lowered`, with its basis; `mention_spans` are the asset/index mentions."""
    taken = list(price_spans)
    starts = [s for s, _ in mention_spans]
    out: list[Size] = []
    # units: a number right before a name ("0.5 ETH", "2k DOGE", "1.2 million PEPE")
    for i, (start, _end) in enumerate(mention_spans):
        m = re.search(rf"(?<![\w.$€£])({NUMBER})({SCALE})?\s*(?:x\s+)?$", lowered[max(0, start - 24):start])
        if m and _free(taken, start - len(m.group(0)), start):
            s = start - len(m.group(0))
            out.append(Size(to_number(m.group(1), m.group(2)), "units", s, start, i))
            taken.append((s, start))
    for m in re.finditer(rf"(?<![\w.])({NUMBER})({SCALE})?\s+(?:more|extra|additional)\b", lowered):
        if _free(taken, m.start(), m.end()):  # "INJ, 20 more at 18"
            out.append(Size(to_number(m.group(1), m.group(2)), "units", m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in re.finditer(rf"(?<![\w.])({NUMBER})({SCALE})?\s+(?:tokens?|coins?|units?)\b", lowered):
        if _free(taken, m.start(), m.end()):  # "INJ: 50 tokens at 22"
            out.append(Size(to_number(m.group(1), m.group(2)), "units", m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in re.finditer(rf"[$€£]\s?({NUMBER})({SCALE})?|\b({NUMBER})({SCALE})?\s*(?:[€$£]|{_CURRENCY_WORDS}|"
                         rf"(?:usdc|usdt|dai|busd|tusd|fdusd)\b(?=\s+worth\b)|(?=\s+worth\b))"
                         rf"|\b({NUMBER})\s+(grand)\b", lowered):
        if _free(taken, m.start(), m.end()):
            raw, scale = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5) if m.group(i))
            out.append(Size(to_number(raw, scale), "money", m.start(), m.end(), currency=currency_named(m.group(0))))
            taken.append((m.start(), m.end()))
    for m in re.finditer(rf"(?<![\w.$€£])({NUMBER})(\s?(?:k|grand)\b|\s(?:thousand)\b)(?!\s*(?:%|x\b))", lowered):
        if _free(taken, m.start(), m.end()):  # "added 2k to the AI index": a bare thousands figure is money
            out.append(Size(to_number(m.group(1), m.group(2)), "money", m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _PERCENT.finditer(lowered):
        if _free(taken, m.start(), m.end()):
            basis, bound = _percent_basis(lowered, m, starts)
            out.append(Size(float(m.group(1).replace(",", "")), basis, m.start(), m.end(), bound))
            taken.append((m.start(), m.end()))
    for m in _FRACTION.finditer(lowered):
        if _free(taken, m.start(), m.end()):
            out.append(Size(_FRACTIONS[m.group(1)], "position_pct", m.start(), m.end()))
    for m in re.finditer(r"(?<![\w./])([1-9])\s?/\s?([2-9]|10)\s+of\b", lowered):
        if _free(taken, m.start(), m.end()):  # "sold 1/4 of my LINK"
            out.append(Size(round(100.0 * int(m.group(1)) / int(m.group(2)), 4), "position_pct", m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _HALVED.finditer(lowered):
        out.append(Size(50.0, "position_pct", m.start(), m.end()))
    for m in _ALL.finditer(lowered):
        if _free(taken, m.start(), m.end()):
            out.append(Size(100.0, "all", m.start(), m.end()))
    return sorted(out, key=lambda s: s.start)


def exits_whole_position(segment: str) -> bool:
    """'exited SOL', 'closed my LINK position', 'sold out of DOGE': the whole position without saying 'all'."""
    return bool(_EXIT_VERB.search(segment)) and not re.search(r"\b(?:partial(?:ly)?|part of|some)\b", segment)


_CURRENCY_OF = (("€", "EUR"), ("£", "GBP"), ("$", "USD"), ("eur", "EUR"), ("gbp", "GBP"), ("pound", "GBP"),
                ("quid", "GBP"), ("usd", "USD"), ("dollar", "USD"), ("buck", "USD"), ("dai", "USD"))


def currency_named(text: str) -> str | None:
    """The currency a money phrase names ("€2,000", "500 euros", "$3k", "300 usdc worth"), else None:
    an amount is never given a currency its writer did not say."""
    low = text.lower()
    return next((code for mark, code in _CURRENCY_OF if mark in low), None)
