"""Conversation checkpoints that survive the process: LangGraph checkpoints in SQLite under the data home.

`HOME/sessions.sqlite` holds the checkpointer's tables (the messages of every session, by thread id)
and a small `indexdesk_sessions` table with what `/sessions` shows: id, last use, turns, model.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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


class SessionStore:
    """The sessions database of one data home; hands the LangGraph checkpointer out."""

    def __init__(self, home: Path | str):
        self.path = Path(home) / SESSIONS_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the checkpointer (which locks around its own use) and the
        # metadata table (guarded here); the chat runs turns in a worker thread.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(_SCHEMA)
            self._conn.commit()
        self._saver = None

    def checkpointer(self):
        if self._saver is None:
            from langgraph.checkpoint.sqlite import SqliteSaver

            self._saver = SqliteSaver(self._conn)
            self._saver.setup()
        return self._saver

    def touch(self, session_id: str, *, model: str | None = None, turn_done: bool = False) -> None:
        now = _now()
        with self._lock:
            self._conn.execute(
                "INSERT INTO indexdesk_sessions (id, created, last_used, turns, model) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET last_used = excluded.last_used, "
                "turns = indexdesk_sessions.turns + ?, model = COALESCE(excluded.model, indexdesk_sessions.model)",
                (session_id, now, now, int(turn_done), model, int(turn_done)),
            )
            self._conn.commit()

    def sessions(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, created, last_used, turns, model FROM indexdesk_sessions ORDER BY last_used DESC, id"
            ).fetchall()
        return [dict(zip(("id", "created", "last_used", "turns", "model"), row)) for row in rows]

    def delete(self, session_id: str) -> None:
        """Forget a session's messages and its row."""
        self.checkpointer().delete_thread(session_id)
        with self._lock:
            self._conn.execute("DELETE FROM indexdesk_sessions WHERE id = ?", (session_id,))
            self._conn.commit()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def list_sessions(home: Path | str) -> list[dict[str, Any]]:
    """Saved sessions of a data home, most recently used first: id, created, last_used, turns, model."""
    if not (Path(home) / SESSIONS_FILE).exists():
        return []
    store = SessionStore(home)
    try:
        return store.sessions()
    finally:
        store.close()
