"""`indexdesk doctor`: every store and the configuration checked, derived stores healed on the spot.

Sources of truth (the ledger, the journal's log) are only checked: a damaged one is reported with
the file and the fix (`indexdesk restore`), never changed. Derived stores heal themselves here: the
ledger's lots are re-derived from its transactions, the journal's vector index (Chroma) re-synced
from its log, a damaged price cache or sessions file set aside and started anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

OK, HEALED, BROKEN, NOTE = "ok", "healed", "broken", "note"


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "detail": self.detail, **({"fix": self.fix} if self.fix else {})}


def check_configuration(settings: Any) -> list[Check]:
    checks = []
    if settings.lot_method not in ("fifo", "lifo", "hifo"):
        checks.append(Check("configuration", BROKEN, f"INDEXDESK_LOT_METHOD={settings.lot_method!r} is not a method",
                            "set it to fifo, lifo or hifo"))
    token = settings.api_token
    if token is not None and not str(token).strip() and str(token) != "":
        checks.append(Check("configuration", BROKEN, "INDEXDESK_API_TOKEN is blank (only whitespace)",
                            "set a real secret or unset it"))
    home = Path(settings.home)
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        checks.append(Check("configuration", BROKEN, f"the data home {home} is not writable ({exc.strerror})",
                            "set INDEXDESK_HOME to a folder you can write"))
    if not checks:
        checks.append(Check("configuration", OK, f"data home {home}, lot method {settings.lot_method}, "
                                                 f"{settings.backup_keep} backups kept per store"))
    return checks


def check_ledger(settings: Any) -> Check:
    from indexdesk.memory import integrity
    from indexdesk.memory.ledger.store import LEDGER_TABLES, open_ledger

    if settings.database_url:
        return _check_postgres_ledger(settings)
    home = Path(settings.home)
    path = home / "ledger.sqlite"
    if integrity.went_missing(home, "ledger", path):
        error = integrity.missing_error("ledger", path)
        return Check("ledger", BROKEN, error.message, error.hint)
    if not path.exists():
        return Check("ledger", OK, "no ledger yet (it is created by the first import or recorded transaction)")
    try:
        integrity.check_sqlite(path, "ledger", LEDGER_TABLES, home=home, full=True)
        store = open_ledger(path, method=settings.lot_method, holding_days=settings.holding_period_days,
                            backup_keep=settings.backup_keep, home=home)
        try:
            count = store.count()
            if not store.lots_agree():
                store.rebuild_lots()
                return Check("ledger", HEALED, f"{path}: {count} transactions; the lots disagreed with them and "
                                               "were re-derived")
        finally:
            store.close()
    except integrity.StoreError as exc:
        return Check("ledger", BROKEN, exc.message, exc.hint)
    return Check("ledger", OK, f"{path}: {count} transactions, integrity check passed, lots agree")


def _check_postgres_ledger(settings: Any) -> Check:
    from sqlalchemy import text

    from indexdesk.memory import integrity
    from indexdesk.memory.ledger.schema import current_revision, head_revision, make_engine

    engine = make_engine(settings.database_url)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = current_revision(connection)
    except Exception as exc:  # noqa: BLE001 - any driver failure means "cannot reach it"
        return Check("ledger", BROKEN, f"the PostgreSQL ledger {shown} cannot be reached ({type(exc).__name__})",
                     "check that the server is up and INDEXDESK_DATABASE_URL (host, port, database, user) is right")
    finally:
        engine.dispose()
    head = head_revision()
    if revision == head:
        return Check("ledger", OK, f"PostgreSQL {shown}: reachable, schema at {head}; back it up with pg_dump")
    if revision is None:
        return Check("ledger", NOTE, f"PostgreSQL {shown}: reachable, no ledger schema yet (created on first use)")
    try:
        from indexdesk.memory.ledger.store import LedgerStore

        LedgerStore(make_engine(settings.database_url), method=settings.lot_method,
                    holding_days=settings.holding_period_days).close()
    except integrity.StoreError as exc:
        return Check("ledger", BROKEN, exc.message, exc.hint)
    return Check("ledger", HEALED, f"PostgreSQL {shown}: migrations {revision} -> {head} applied")


def check_journal(settings: Any) -> Check:
    from indexdesk.memory import integrity
    from indexdesk.memory.journal.store import JOURNAL_FILE, JOURNAL_TABLES, open_journal

    home = Path(settings.home)
    path = home / "journal" / JOURNAL_FILE
    if not path.exists():
        return Check("journal", OK, "no journal yet")
    try:
        integrity.check_sqlite(path, "journal", JOURNAL_TABLES, home=home, full=True)
        store = open_journal(home, chroma_url=settings.chroma_url, embedding=settings.embedding,
                             openai_api_key=settings.secret("openai_api_key"), backup_keep=settings.backup_keep)
        try:
            count, notices = store.count(), store.take_notices()
        finally:
            store.close()
    except integrity.StoreError as exc:
        return Check("journal", BROKEN, exc.message, exc.hint)
    except Exception as exc:  # noqa: BLE001 - JournalError (model changed) and the vector index
        return Check("journal", BROKEN, f"the journal {path} cannot be opened: {getattr(exc, 'message', type(exc).__name__)}",
                     getattr(exc, "hint", None) or "run `indexdesk journal reindex`")
    if notices:
        return Check("journal", HEALED, f"{path}: {count} entries; " + "; ".join(notices))
    return Check("journal", OK, f"{path}: {count} entries, integrity check passed, vector index in step")


def check_sessions(settings: Any) -> Check:
    from indexdesk.memory.checkpoints import SESSIONS_FILE, SessionStore, is_postgres

    if is_postgres(settings.database_url):
        return Check("sessions", OK, "kept in the PostgreSQL database (checked with the ledger)")
    path = Path(settings.home) / SESSIONS_FILE
    if not path.exists():
        return Check("sessions", OK, "no saved conversations yet")
    store = SessionStore(settings.home)
    try:
        count = len(store.sessions())
    finally:
        store.close()
    if store.notice:
        return Check("sessions", HEALED, store.notice)
    return Check("sessions", OK, f"{path}: {count} saved conversations")


def check_price_cache(settings: Any) -> Check:
    from indexdesk.memory.price_cache import PriceCache
    from indexdesk.tools.market.remote import CACHE_FILE

    path = Path(settings.home) / CACHE_FILE
    if not path.exists():
        return Check("price cache", OK, "no downloaded prices yet")
    cache = PriceCache(path)
    if cache.recovered:
        return Check("price cache", HEALED, cache.recovered)
    return Check("price cache", OK, f"{path}: integrity check passed")


def check_backups(settings: Any) -> Check:
    from indexdesk.memory import integrity

    home = Path(settings.home)
    parts = []
    for store in ("ledger", "journal"):
        found = integrity.list_backups(home, store)
        if found:
            parts.append(f"{store}: {len(found)}, newest {found[0].taken:%Y-%m-%d %H:%M} UTC")
    if settings.database_url:
        parts.append("the PostgreSQL ledger is backed up with pg_dump, not here")
    return Check("backups", OK if parts else NOTE, "; ".join(parts) or "none yet (taken before imports and daily)")


def run_checks(settings: Any) -> list[Check]:
    checks = check_configuration(settings)
    for check in (check_ledger, check_journal, check_sessions, check_price_cache, check_backups):
        try:
            checks.append(check(settings))
        except Exception as exc:  # noqa: BLE001 - one check failing must not hide the others
            from indexdesk.tools.call_limits import public_error_text

            checks.append(Check(check.__name__.removeprefix("check_").replace("_", " "), BROKEN,
                                f"the check itself failed: {public_error_text(exc)}", "run with -v for details"))
    return checks
