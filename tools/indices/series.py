"""Index and asset series for tools: windows, name resolution, level and return panels.

The one place tools get daily levels of catalogue indices and single assets. Everything heavy
(the prepared market, each index's levels) is memoised in `ctx.memo`, so a second call on the
same context costs a dictionary lookup and a concat.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from indexdesk.tools.calendar import WINDOW_HELP, parse_window  # noqa: F401 - the window grammar, re-exported
from indexdesk.tools.errors import ToolError, close_matches, unknown_name
from indexdesk.tools.indices.catalogue import Catalogue, load_catalogue

if TYPE_CHECKING:
    import pandas as pd
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.indices.definitions import IndexDefinition
    from indexdesk.tools.indices.engine import IndexLevels, PreparedMarket
    from indexdesk.tools.market.base import MarketData

def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# ---------------------------------------------------------------- catalogue and names

def load(ctx: ToolContext) -> Catalogue:
    """The catalogue with aliases, re-read when the user's file changes."""
    path = ctx.settings.user_indices_path
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    key = ("catalogue", str(path), stamp)
    if key not in ctx.memo:
        ctx.memo[key] = load_catalogue(path)
    return ctx.memo[key]


def catalogue(ctx: ToolContext) -> dict[str, IndexDefinition]:
    """Built-in indices plus the user's (ctx.settings.user_indices_path), by name."""
    return load(ctx).indices


def _known_symbols(ctx: ToolContext) -> set[str]:
    from indexdesk.tools.market.universe import ASSETS

    market = ctx.memo.get(("market", ctx.settings.source))
    served = market.symbols if market is not None else ctx.price_source().available_symbols()
    return set(ASSETS) | {str(s).upper() for s in served}


def resolve_names(ctx: ToolContext, names: list[str]) -> list[str]:
    """Canonical names, in order, without repeats: index names lower-case, asset symbols upper-case."""
    if isinstance(names, str):
        names = [names]
    if not names:
        raise ToolError("no index or asset named", hint="name catalogue indices (e.g. 'defi') or symbols (e.g. 'BTC')")
    book = load(ctx)
    symbols: set[str] | None = None
    resolved: list[str] = []
    for raw in names:
        given = str(raw).strip()
        definition = book.lookup(given)
        alias_note = book.tier_alias_note(given)  # said where the user's own words are read, nowhere else
        if alias_note:
            from indexdesk.tools.call_notes import note

            note(alias_note)
        if definition is not None:
            canonical = definition.name
        else:
            symbols = symbols if symbols is not None else _known_symbols(ctx)
            canonical = given.upper()
            if canonical not in symbols:
                raise _unknown(given, book, symbols)
        if canonical not in resolved:
            resolved.append(canonical)
    return resolved


def _unknown(given: str, book: Catalogue, symbols: set[str]) -> ToolError:
    """Like `unknown_name`, but listing the indices before the (many) symbols."""
    matches = close_matches(given, book.names_and_aliases() + sorted(symbols))
    message = f"unknown index or asset {given!r}"
    if matches:
        message += "; did you mean " + " or ".join(repr(m) for m in matches) + "?"
    examples = ", ".join(s for s in ("BTC", "ETH", "SOL") if s in symbols)
    message += (f" valid: indices {', '.join(book.indices)}; or one of {len(symbols)} asset symbols"
                + (f" such as {examples}" if examples else ""))
    return ToolError(message, hint="use a catalogue index name or an asset symbol",
                     valid=list(book.indices) + sorted(symbols), field="indices")


# ---------------------------------------------------------------- levels

def prepared_market(ctx: ToolContext) -> PreparedMarket:
    """The configured source's panel prepared for the engine, once per context."""
    key = ("prepared_market", ctx.settings.source)
    if key not in ctx.memo:
        from indexdesk.tools.indices.engine import prepare_market
        from indexdesk.tools.market.universe import ASSETS

        market = ctx.market()
        ctx.memo[key] = prepare_market(market.close, market.market_cap,
                                       categories={s: a.category for s, a in ASSETS.items()},
                                       universe_order=list(ASSETS))
    return ctx.memo[key]


def index_levels(ctx: ToolContext, name: str) -> IndexLevels:
    """Engine result (levels, weights, notes) of one catalogue index, memoised per definition."""
    definition = load(ctx).lookup(name)
    if definition is None:
        raise unknown_name("index", name, load(ctx).names_and_aliases(), field="indices")
    key = ("index_levels", ctx.settings.source, definition)
    if key not in ctx.memo:
        from indexdesk.tools.indices.engine import build_index

        ctx.memo[key] = build_index(definition, prepared_market(ctx))
    return ctx.memo[key]


def _panel_key(ctx: ToolContext, kind: str, canonical: list[str]) -> tuple:
    # Keyed by the definitions too, so an edited user file never serves stale levels.
    book = load(ctx)
    return (kind, ctx.settings.source, tuple((name, book.lookup(name)) for name in canonical))


def _full_levels(ctx: ToolContext, canonical: list[str]) -> pd.DataFrame:
    key = _panel_key(ctx, "level_panel", canonical)
    if key in ctx.memo:
        return ctx.memo[key]
    import pandas as pd

    market = ctx.market()
    book = load(ctx)
    columns = {}
    for name in canonical:
        if book.lookup(name) is not None:
            columns[name] = index_levels(ctx, name).levels
        elif name in market.close.columns:
            columns[name] = market.close[name]
        else:
            raise ToolError(f"no prices for {name} from source {market.label!r}",
                            hint="choose another asset or source", field="indices")
    frame = pd.DataFrame(columns, index=market.close.index)
    ctx.memo[key] = frame
    return frame


def level_panel(ctx: ToolContext, names: list[str], start: date | None = None,
                end: date | None = None) -> tuple[pd.DataFrame, MarketData]:
    """Daily levels (indices start at 100 at inception; an asset's level is its close), NaN before inception.

    A windowed read (start or end given) notes the data problems inside the window for the running
    tool call (see `data_notes`)."""
    canonical = resolve_names(ctx, names)
    frame = _full_levels(ctx, canonical)
    if start is not None or end is not None:
        frame = frame.loc[start and str(start): end and str(end)]
        _note_all(data_notes(ctx, canonical, start, end))
    return frame, ctx.market()


# ---------------------------------------------------------------- data notes that travel with the numbers

def quality_findings(ctx: ToolContext) -> dict:
    """Holes and suspect prices of every symbol of the configured source, found once per context."""
    key = ("quality", ctx.settings.source)
    if key not in ctx.memo:
        from indexdesk.tools.market.quality import find_problems

        found = find_problems(ctx.market().close)
        for symbol, flagged in _flags_beside_prices(ctx).items():
            found[symbol] = list(found.get(symbol, [])) + flagged
        ctx.memo[key] = found
    return ctx.memo[key]


def _flags_beside_prices(ctx: ToolContext) -> dict:
    """The curator's quality flags when the price file has a `data_quality_flags.csv` beside it; the
    sample market's own flags (shipped in the package) for the sample."""
    from pathlib import Path

    from indexdesk.tools.market.quality import FLAGS_FILE, flags_findings, sample_flags

    source = str(ctx.settings.source or "sample")
    if source.lower().split(":", 1)[0] == "sample":
        return sample_flags()
    if not source.lower().startswith("csv:"):
        return {}
    flags = Path(source[4:]).expanduser().parent / FLAGS_FILE
    try:
        return flags_findings(flags.read_text(encoding="utf-8")) if flags.is_file() else {}
    except (OSError, UnicodeDecodeError, ValueError):
        return {}


def data_notes(ctx: ToolContext, names: list[str], start: date | None = None, end: date | None = None) -> list[str]:
    """What every number built on these series between start and end must say: an index's coverage
    (constituents missing from the source, rebalances held as cash, k of n priced), and holes or
    suspect prices of the assets (or of the constituents an index held then)."""
    import pandas as pd

    book = load(ctx)
    key = ("data_notes", ctx.settings.source, tuple((n, book.lookup(n)) for n in names), start, end)
    if key in ctx.memo:
        return list(ctx.memo[key])
    findings = quality_findings(ctx)
    close = ctx.market().close
    if close.empty:
        return []
    first = pd.Timestamp(start) if start is not None else close.index[0]
    last = pd.Timestamp(end) if end is not None else close.index[-1]
    notes: list[str] = []
    for name in names:
        if book.lookup(name) is None:
            notes += [f.text for f in findings.get(name, ()) if f.touches(first, last)]
            continue
        levels = index_levels(ctx, name)
        notes += [f"{name}: {text}" for text in levels.notes_for(first, last, coverage_only=True)]
        source_note = _source_coverage(ctx, book.lookup(name))
        if source_note:
            notes.append(f"{name}: {source_note}")
        weights = levels.weights
        if findings and not weights.empty:
            governing = weights.index[weights.index <= first]
            rows = weights.loc[(governing[-1] if len(governing) else first): last]
            notes += [f"{name} holds {f.text}" for f in _held_findings(rows, findings, first, last)]
    ctx.memo[key] = list(dict.fromkeys(notes))
    return list(ctx.memo[key])


def _held_findings(rows: pd.DataFrame, findings: dict, first: pd.Timestamp, last: pd.Timestamp) -> list:
    """The findings an index really held: a weight row applies from its rebalance day to the next one, and a
    finding counts only when a row holding its symbol overlaps both the finding's days and the window (an index
    that bought SHIB after its flagged stretch is not warned about that stretch)."""
    import pandas as pd

    out = []
    starts = list(rows.index)
    for i, day in enumerate(starts):
        until = starts[i + 1] - pd.Timedelta(days=1) if i + 1 < len(starts) else last
        begin, end = max(day, first), min(until, last)
        if begin > end:
            continue
        for symbol in rows.columns[(rows.iloc[i] > 0).to_numpy()]:
            out += [f for f in findings.get(str(symbol), ()) if f.touches(begin, end) and f not in out]
    return out


QUALITY_MARKS = (" flagged ", "suspect close", ": no prices ")  # the three kinds of finding (tools/market/quality.py)


def quality_notes(ctx: ToolContext, names: list[str], start: date | None = None,
                  end: date | None = None) -> list[str]:
    """The data notes over a window that doubt the prices themselves (a flagged stretch, a suspect close,
    a hole), without the coverage notes: for results that say their coverage another way (the review's
    contribution lines) or build on series read without a window (a backtest's universe)."""
    return [n for n in data_notes(ctx, names, start, end) if any(mark in n for mark in QUALITY_MARKS)]


def _source_coverage(ctx: ToolContext, definition: IndexDefinition) -> str | None:
    """Which of the universe assets an index draws from the source lacks altogether, when that leaves
    it fewer than it should hold (the engine only sees the symbols the source has)."""
    key = ("source_coverage", ctx.settings.source, definition)
    if key not in ctx.memo:
        from indexdesk.tools.market.universe import ASSETS

        rule = definition.rule
        wanted, excluded = set(rule.categories), set(rule.exclude_categories)
        members = [s for s, asset in ASSETS.items()
                   if s in rule.symbols or (("all" in wanted or asset.category in wanted) and asset.category not in excluded)]
        intended = min(rule.top_n or len(members), len(members))
        served = set(ctx.market().symbols)
        lacking = [s for s in members if s not in served]
        have = len(members) - len(lacking)
        text = None
        if members and have < intended:
            shown = ", ".join(lacking[:6]) + (" …" if len(lacking) > 6 else "")
            text = (f"only {have} of the {intended} constituents it should hold are in this price source "
                    f"(missing: {shown})")
        ctx.memo[key] = text
    return ctx.memo[key]


def _note_all(notes: list[str]) -> None:
    from indexdesk.tools.call_notes import note

    for text in notes:
        note(text)


def observed_returns(levels: pd.DataFrame) -> pd.DataFrame:
    """Simple returns from each observation to the previous one (a gap's move lands on its last day)."""
    return levels / levels.ffill().shift(1) - 1.0


def return_panel(ctx: ToolContext, names: list[str], start: date | None = None,
                 end: date | None = None) -> tuple[pd.DataFrame, MarketData]:
    """Simple daily returns of `level_panel` on the days after `start` through `end`.

    The level on `start` is the base of the first return, so a window's returns compound to
    its total return. Returns are taken between consecutive observations (NaN on missing days).
    """
    canonical = resolve_names(ctx, names)
    key = _panel_key(ctx, "return_panel", canonical)
    if key not in ctx.memo:
        ctx.memo[key] = observed_returns(_full_levels(ctx, canonical))
    frame = ctx.memo[key]
    if start is not None:
        frame = frame.loc[str(start + timedelta(days=1)):]
    if end is not None:
        frame = frame.loc[: str(end)]
    if start is not None or end is not None:
        _note_all(data_notes(ctx, canonical, start, end))
    return frame, ctx.market()
