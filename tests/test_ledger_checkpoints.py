"""With a PostgreSQL database URL, conversation checkpoints live in PostgreSQL (LangGraph's Postgres
checkpointer): two processes — here two `indexdesk ask` runs with different data homes — share a session."""

from __future__ import annotations

from scripted_openai import ScriptedOpenAI, text

from indexdesk.memory.checkpoints import PostgresSessionStore, SessionStore, is_postgres, libpq_url, list_sessions


def test_url_recognition():
    assert is_postgres("postgresql+psycopg://u@h:5/db") and is_postgres("postgresql://u@h/db")
    assert not is_postgres(None) and not is_postgres("sqlite:///x.sqlite")
    assert libpq_url("postgresql+psycopg://u@h:5/db") == "postgresql://u@h:5/db"


def test_postgres_session_store_is_chosen_and_keeps_sessions(postgres_server, tmp_path):
    url = postgres_server.new_database()
    store = SessionStore(tmp_path, url)
    assert isinstance(store, PostgresSessionStore)
    assert type(store.checkpointer()).__name__ == "PostgresSaver"
    store.touch("q3", model="m", turn_done=True)
    store.touch("q3", turn_done=True)
    store.close()
    assert [(s["id"], s["turns"], s["model"]) for s in list_sessions(tmp_path / "elsewhere", url)] == [("q3", 2, "m")]
    assert not (tmp_path / "sessions.sqlite").exists()


def test_two_processes_share_a_session_through_postgres(postgres_server, monkeypatch, capsys, tmp_path):
    from indexdesk.agent.cli import main

    url = postgres_server.new_database()
    monkeypatch.setenv("INDEXDESK_DATABASE_URL", url)
    with ScriptedOpenAI([text("first"), text("second")]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        main(["--home", str(tmp_path / "a"), "ask", "--session", "s1", "one"])
        main(["--home", str(tmp_path / "b"), "ask", "--session", "s1", "two"])  # another home: same database
    assert [m["content"] for m in server.messages(1)[1:]] == ["one", "first", "two"]
    assert [(s["id"], s["turns"]) for s in list_sessions(tmp_path / "c", url)] == [("s1", 2)]
    assert capsys.readouterr().out.split() == ["first", "second"]
