"""Conversation checkpoints that survive the process: LangGraph checkpoints in SQLite under the data home,
or in PostgreSQL when the database URL is PostgreSQL (so several chat/HTTP processes share sessions).

`HOME/sessions.sqlite` (or the PostgreSQL database) holds the checkpointer's tables (the messages of
every session, by thread id) and a small `indexdesk_sessions` table with what `/sessions` shows:
id, last use, turns, model.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from indexdesk.memory.integrity import set_aside, sqlite_problems

SESSIONS_FILE = "sessions.sqlite"
MAX_SESSION_ID = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS indexdesk_sessions (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    last_used TEXT NOT NULL,
    turns INTEGER NOT NULL DEFAULT 0,
    model TEXT
)
"""


class InvalidSessionId(ValueError):
    """A session id that cannot name a conversation; `hint` says what would."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def check_session_id(session_id: str) -> str:
    session_id = (session_id or "").strip()
    if not session_id or len(session_id) > MAX_SESSION_ID or any(ch in session_id for ch in "\n\r\t"):
        raise InvalidSessionId(f"invalid session id {session_id!r}",
                               hint=f"use a short name such as q3-review (1-{MAX_SESSION_ID} characters, one line)")
    return session_id


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def is_postgres(database_url: str | None) -> bool:
    return bool(database_url) and str(database_url).split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def libpq_url(database_url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://…) as the conninfo psycopg takes (postgresql://…)."""
    scheme, rest = database_url.split("://", 1)
    return "postgresql://" + rest


class _SessionRows:
    """What both session stores share: the checkpointer handed out once, and the small sessions table
    (queries written once with `?` marks; PostgreSQL's driver takes `%s`)."""

    _mark = "?"
    _conn: Any
    _lock: threading.Lock
    _saver: Any

    def _new_saver(self):  # the LangGraph checkpointer over this store's connection
        raise NotImplementedError

    def _run(self, sql: str, params: tuple = ()) -> list:
        with self._lock:
            cursor = self._conn.execute(sql.replace("?", self._mark), params)
            rows = cursor.fetchall() if sql.startswith("SELECT") else []
            if isinstance(self._conn, sqlite3.Connection):
                self._conn.commit()  # PostgreSQL's connection is in autocommit
        return rows

    def checkpointer(self):
        if self._saver is None:
            self._saver = self._new_saver()
            self._saver.setup()
        return self._saver

    def touch(self, session_id: str, *, model: str | None = None, turn_done: bool = False) -> None:
        now = _now()
        self._run("INSERT INTO indexdesk_sessions (id, created, last_used, turns, model) VALUES (?, ?, ?, ?, ?) "
                  "ON CONFLICT(id) DO UPDATE SET last_used = excluded.last_used, "
                  "turns = indexdesk_sessions.turns + ?, model = COALESCE(excluded.model, indexdesk_sessions.model)",
                  (session_id, now, now, int(turn_done), model, int(turn_done)))

    def sessions(self) -> list[dict[str, Any]]:
        rows = self._run("SELECT id, created, last_used, turns, model FROM indexdesk_sessions "
                         "ORDER BY last_used DESC, id")
        return [dict(zip(("id", "created", "last_used", "turns", "model"), row)) for row in rows]

    def delete(self, session_id: str) -> None:
        """Forget a session's messages and its row."""
        self.checkpointer().delete_thread(session_id)
        self._run("DELETE FROM indexdesk_sessions WHERE id = ?", (session_id,))


class PostgresSessionStore(_SessionRows):
    """Sessions in PostgreSQL: LangGraph's PostgresSaver plus the same small sessions table."""

    def __init__(self, database_url: str):
        import psycopg
        from psycopg.rows import dict_row

        conninfo = libpq_url(database_url)
        # The checkpointer wants autocommit and dict rows; the sessions table gets its own connection.
        self._saver_conn = psycopg.connect(conninfo, autocommit=True, prepare_threshold=0, row_factory=dict_row)
        self._conn = psycopg.connect(conninfo, autocommit=True)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute(_SCHEMA)
        self._saver = None

    _mark = "%s"

    def _new_saver(self):
        from langgraph.checkpoint.postgres import PostgresSaver

        return PostgresSaver(self._saver_conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._saver_conn.close()


class SessionStore(_SessionRows):
    """The sessions database of one data home; hands the LangGraph checkpointer out.

    `SessionStore(home, database_url=URL)` with a PostgreSQL URL returns a PostgresSessionStore."""

    def __new__(cls, home: Path | str, database_url: str | None = None):
        if is_postgres(database_url):
            return PostgresSessionStore(database_url)  # type: ignore[return-value]
        return super().__new__(cls)

    def __init__(self, home: Path | str, database_url: str | None = None):
        self.path = Path(home) / SESSIONS_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.notice: str | None = None  # said once by the caller: a damaged file was set aside
        self._lock = threading.Lock()
        self._saver = None
        # Conversations are not the book of record: a damaged file is set aside (kept, renamed) and a
        # new one started, with a notice — never a traceback on every `ask --session`.
        problems = sqlite_problems(self.path) if self.path.exists() else []
        try:
            if problems:
                raise sqlite3.DatabaseError(problems[0])
            self._open()
        except sqlite3.DatabaseError as exc:
            aside = set_aside(self.path, "damaged")
            self.notice = (f"the sessions file {self.path} was damaged ({str(exc)[:120]}); it was moved to {aside} "
                           "and a new one started — earlier conversations are not available")
            self._open()

    def _open(self) -> None:
        # One connection shared by the checkpointer (which locks around its own use) and the
        # metadata table (guarded here); the chat runs turns in a worker thread.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        try:
            with self._lock:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(_SCHEMA)
                self._conn.execute("SELECT count(*) FROM indexdesk_sessions").fetchone()
                self._conn.commit()
        except sqlite3.DatabaseError:
            self._conn.close()
            raise

    def _new_saver(self):
        from langgraph.checkpoint.sqlite import SqliteSaver

        return SqliteSaver(self._conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def list_sessions(home: Path | str, database_url: str | None = None) -> list[dict[str, Any]]:
    """Saved sessions of a data home (or PostgreSQL database), most recently used first: id, created,
    last_used, turns, model."""
    if not is_postgres(database_url) and not (Path(home) / SESSIONS_FILE).exists():
        return []
    store = SessionStore(home, database_url)
    try:
        return store.sessions()
    finally:
        store.close()
