"""Engines and migrations: SQLite (WAL, foreign keys, immediate write locks) or PostgreSQL, one code path.

Migrations are Alembic revisions in `migrations/versions/`, run on open inside a write lock, so two
processes opening a new ledger at once cannot both create it.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")
PG_LOCK_KEY = 4_242_010  # one advisory lock serialises ledger writers on a PostgreSQL database
SQLITE_BUSY_MS = 60_000


def database_url(url_or_path: str | Path) -> str:
    """A SQLAlchemy URL from a URL or a file path (a path means SQLite)."""
    text_value = str(url_or_path)
    if "://" in text_value:
        return text_value
    path = Path(text_value).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):  # pragma: no cover - exercised through every test
            # The driver's own implicit BEGIN would defer the write lock; SQLAlchemy's recipe hands
            # transaction control to the begin event below.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: large imports update three indexes
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):  # pragma: no cover
            immediate = connection.get_execution_options().get("ledger_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One writer at a time: SQLite BEGIN IMMEDIATE, PostgreSQL a transaction-scoped advisory lock."""
    with engine.connect().execution_options(ledger_write=True) as connection:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
            yield connection


def _alembic_config(connection: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)  # type: ignore[arg-type]
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the head revision (no-op when it is there)."""
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return
    from alembic import command

    with write_transaction(engine) as connection:
        if current_revision(connection) != head:  # another process may have migrated meanwhile
            command.upgrade(_alembic_config(connection), "head")
