"""The journal's vocabulary, generated from what the tools know: the market universe and the catalogue.

Every universe asset (symbol, name, provider id, nicknames) and every catalogue index (built-in and
the user's indices.toml: name, title, aliases) becomes a phrase the journal parser understands, so
a new asset or a user index is understood without editing a list. Memoised per context and
re-built when the user's catalogue file changes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from indexdesk.tools.errors import ToolError

if TYPE_CHECKING:  # the context attaches this vocabulary to its journal: a runtime import would be a circle
    from indexdesk.tools.context import ToolContext

log = logging.getLogger("indexdesk.journal")


def universe_assets() -> list[tuple[str, str, str | None]]:
    """(symbol, name, provider id) of every asset in the market universe."""
    from indexdesk.tools.market.universe import ASSETS

    return [(a.symbol, a.name, a.coingecko_id) for a in ASSETS.values()]


def catalogue_stamp(ctx: ToolContext) -> tuple:
    """A key that changes when the user's catalogue file does."""
    path = ctx.settings.user_indices_path
    return (str(path), path.stat().st_mtime_ns if path.is_file() else None)


def catalogue_indices(ctx: ToolContext) -> tuple[list[tuple[str, str | None, tuple[str, ...]]], tuple]:
    """(name, title, aliases) of every catalogue index (built-in + user), and a key that changes with it."""
    from indexdesk.tools.indices import series

    stamp = catalogue_stamp(ctx)
    try:
        book = series.catalogue(ctx)
    except (ToolError, OSError, ValueError) as exc:
        # a broken user file must not stop the journal: the built-in catalogue still parses
        log.warning("user catalogue unreadable for the journal parser: %s", exc)
        from indexdesk.tools.indices.catalogue import load_catalogue

        book = load_catalogue(None).indices
    return [(name, d.title, tuple(d.aliases)) for name, d in book.items()], stamp


def journal_vocabulary(ctx: ToolContext):
    """The parser's `Vocabulary` for this context: universe assets + catalogue indices."""
    from indexdesk.memory.journal.vocabulary import build_vocabulary

    key = ("journal_vocabulary", catalogue_stamp(ctx))  # checked first: the journal asks on every call
    if key not in ctx.memo:
        indices, _ = catalogue_indices(ctx)
        ctx.memo[key] = build_vocabulary(universe_assets(), indices)
    return ctx.memo[key]
