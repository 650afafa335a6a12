"""Every store checked on open and restorable (issue 16 item 4): a damaged ledger, journal or sessions
file, a deleted ledger, rolling backups before history changes, `indexdesk doctor/backup/restore`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from indexdesk.memory import integrity
from indexdesk.memory.checkpoints import SessionStore, list_sessions
from indexdesk.memory.ledger import Tx, open_ledger
from indexdesk.memory.ledger.store import LedgerStore, changes_history
from indexdesk.tools.context import ToolContext
from indexdesk.tools.settings import Settings
from indexdesk.tools.toolbox import default_registry

SQL_WORDS = ("SELECT", "INSERT", "FROM transactions", "[SQL", "parameters", "Traceback")


def buys(n: int, start: int = 0) -> list[Tx]:
    return [Tx(tx_id=f"t{i}", kind="buy", symbol="BTC", quantity=Decimal("0.1"), when=datetime(2024, 1, 1) + timedelta(days=i),
               price=Decimal("40000"), fee=Decimal("0"), currency="USD") for i in range(start, start + n)]


def garble_pages(path: Path) -> None:
    """Overwrite the cell area of every page after the first: sqlite3 still opens the file, quick_check fails."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    size = path.stat().st_size
    with path.open("r+b") as handle:
        for page in range(1, size // 4096):
            handle.seek(page * 4096 + 3500)
            handle.write(b"\x13" * 500)


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def ctx_for(home: Path, **settings) -> ToolContext:
    return ToolContext(settings=Settings(home=home, **settings))


def make_ledger(home: Path, n: int = 5) -> Path:
    store = open_ledger(home / "ledger.sqlite", home=home)
    store.add_transactions(buys(n))
    store.close()
    return home / "ledger.sqlite"


@pytest.fixture
def cli(monkeypatch, capsys):
    """`indexdesk ARGS` in this process (stdin is no terminal, as in CI): a CompletedProcess-like result."""
    from indexdesk.agent.cli import main

    def run(home: Path, *argv: str) -> subprocess.CompletedProcess:
        monkeypatch.setenv("INDEXDESK_HOME", str(home))
        monkeypatch.delenv("INDEXDESK_DATABASE_URL", raising=False)
        capsys.readouterr()
        code = main(list(argv))
        out = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out.out, out.err)

    return run


def assert_clean(text: str) -> None:
    for word in SQL_WORDS:
        assert word not in text, (word, text[:500])


# ------------------------------------------------------------ damaged ledger

@pytest.mark.parametrize("tool, args", [("get_portfolio", {}), ("compute_var", {}), ("tax_lots", {}),
                                        ("realized_gains", {"year": 2024})])
def test_a_garbled_ledger_is_a_tool_error_naming_the_file_and_the_fix(home, tool, args):
    garble_pages(make_ledger(home))
    result = default_registry().call(tool, args, ctx_for(home))
    assert "ledger.sqlite" in result["error"] and "damaged" in result["error"], result
    assert "indexdesk restore" in result["hint"] and not result.get("internal")
    assert_clean(json.dumps(result))


def test_a_ledger_with_unreadable_values_is_a_tool_error_too(home):
    """quick_check passes (the pages are fine) but a value cannot be read back: still no SQL, no internal error."""
    path = make_ledger(home)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE transactions SET quantity = 'not a number', timestamp = 'garbage' WHERE tx_id = 't1'")
        connection.execute("UPDATE lots SET quantity = 'not a number' WHERE lot_id = 't1'")
        # The cold read takes the per-position summary kept beside the lots: garble it too.
        connection.execute("UPDATE meta SET value = '[[\"BTC\", \"-\", \"coin\", \"not a number\", \"1\", \"x\"]]' "
                           "WHERE key = 'positions'")
    for tool, args in (("get_portfolio", {}), ("realized_gains", {"year": 2024}), ("compute_var", {})):
        result = default_registry().call(tool, args, ctx_for(home))
        assert "ledger" in result["error"] and "cannot be used" in result["error"], result
        assert not result.get("internal")
        assert_clean(json.dumps(result))


def test_portfolio_export_on_a_garbled_ledger_exits_1_with_the_fix(home, cli, tmp_path):
    garble_pages(make_ledger(home))
    out = cli(home, "portfolio", "export", "--output", str(tmp_path / "out.csv"))
    assert out.returncode == 1, out.stderr
    assert "ledger.sqlite" in out.stderr and "restore" in out.stderr
    assert_clean(out.stderr + out.stdout)


def test_a_deleted_ledger_is_reported_not_replaced_by_the_template(home, cli):
    path = make_ledger(home)
    path.unlink()
    for tool in ("get_portfolio", "compute_var"):
        result = default_registry().call(tool, {}, ctx_for(home))
        assert "missing" in result["error"] and "a ledger existed" in result["error"], result
        assert "restore --latest" in result["hint"]
    assert not path.exists()  # nothing silently created in its place
    assert cli(home, "restore", "--forget-missing", "--store", "ledger").returncode == 0
    assert "error" not in default_registry().call("compute_var", {}, ctx_for(home))  # the template, on purpose now


def test_a_ledger_from_an_unknown_schema_version_is_refused_with_the_reason(home):
    path = make_ledger(home)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    with pytest.raises(integrity.StoreError, match="schema this indexdesk does not know"):
        open_ledger(path, home=home)


# ------------------------------------------------------------ backups

def test_every_import_and_delete_takes_a_backup_of_the_state_before_it(home):
    store = open_ledger(home / "ledger.sqlite", home=home)
    store.add_transactions(buys(3))
    store.add_transactions(buys(3))  # all already there: nothing changes, no backup
    store.add_transactions(buys(2, start=3))
    assert store.delete_transactions(["t0"]) == 1
    backups = integrity.list_backups(home, "ledger")
    assert [b.reason for b in backups] == ["delete", "import", "import"]
    counts = [sqlite3.connect(b.path).execute("SELECT count(*) FROM transactions").fetchone()[0] for b in backups]
    assert counts == [5, 3, 0]  # each holds the history just before its write
    assert store.count() == 4


def test_backups_roll_keeping_the_newest_n(home):
    store = open_ledger(home / "ledger.sqlite", home=home, backup_keep=3)
    for i in range(6):
        store.add_transactions(buys(1, start=i))
    backups = integrity.list_backups(home, "ledger")
    assert len(backups) == 3
    counts = [sqlite3.connect(b.path).execute("SELECT count(*) FROM transactions").fetchone()[0] for b in backups]
    assert counts == [5, 4, 3]


def test_the_keep_setting_reaches_the_store_through_the_context(home, monkeypatch):
    monkeypatch.setenv("INDEXDESK_BACKUP_KEEP", "2")
    ctx = ToolContext(settings=Settings(home=home))
    store = ctx.ledger_store()
    for i in range(4):
        store.add_transactions(buys(1, start=i))
    assert store.backup_keep == 2 and len(integrity.list_backups(home, "ledger")) == 2


def test_a_daily_backup_on_open_at_most_once_a_day(home):
    make_ledger(home)
    for found in integrity.list_backups(home, "ledger"):
        found.path.unlink()
    open_ledger(home / "ledger.sqlite", home=home).close()
    open_ledger(home / "ledger.sqlite", home=home).close()
    daily = integrity.list_backups(home, "ledger")
    assert [b.reason for b in daily] == ["daily"]
    old = daily[0].path.with_name(f"ledger-{datetime.now(timezone.utc) - timedelta(days=2):%Y%m%dT%H%M%S%f}-daily.sqlite")
    daily[0].path.rename(old)
    open_ledger(home / "ledger.sqlite", home=home).close()
    assert [b.reason for b in integrity.list_backups(home, "ledger")] == ["daily", "daily"]


def test_a_future_history_changing_method_gets_its_backup_with_one_line(home):
    class AmendingStore(LedgerStore):
        @changes_history("amend")
        def amend_note(self, tx_id: str, note: str) -> None:
            from sqlalchemy import update

            from indexdesk.memory.ledger.models import TransactionRow
            from indexdesk.memory.ledger.schema import write_transaction

            with write_transaction(self.engine) as connection:
                connection.execute(update(TransactionRow).where(TransactionRow.tx_id == tx_id).values(note=note))

    make_ledger(home)
    store = open_ledger(home / "ledger.sqlite", home=home)
    amending = AmendingStore(store.engine, home=home)
    amending.amend_note("t1", "fixed")
    assert integrity.list_backups(home, "ledger")[0].reason == "amend"


# ------------------------------------------------------------ journal

def test_a_garbled_journal_is_a_tool_error_naming_the_file(home):
    ctx = ctx_for(home, embedding="hash:64")
    registry = default_registry()
    assert "error" not in registry.call("log_journal_entry", {"text": "bought BTC at 40000 because momentum"}, ctx)
    ctx.journal.close()
    garble_pages(home / "journal" / "journal.sqlite")
    for tool, args in (("search_journal", {"query": "BTC"}), ("log_journal_entry", {"text": "sold ETH"})):
        result = registry.call(tool, args, ctx_for(home, embedding="hash:64"))
        assert "journal.sqlite" in result["error"] and "indexdesk restore" in result["hint"], result
        assert not result.get("internal")
        assert_clean(json.dumps(result))


def test_journal_import_and_edit_take_backups(home):
    from indexdesk.memory.journal.store import open_journal

    store = open_journal(home, embedding="hash:64")
    from indexdesk.memory.journal.models import JournalEntry

    entry = store.add(JournalEntry(text="bought BTC at 40000", kind="decision"))
    store.edit(entry.id, text="bought BTC at 41000")
    exported = []

    class Out:
        def write(self, text):
            exported.append(text)

    store.export_jsonl(Out())
    other = open_journal(home / "other", embedding="hash:64")
    other.import_jsonl("".join(exported).splitlines())
    assert [b.reason for b in integrity.list_backups(home, "journal")] == ["amend"]
    assert [b.reason for b in integrity.list_backups(home / "other", "journal")] == ["import"]
    store.close()
    other.close()


# ------------------------------------------------------------ sessions

def test_a_damaged_sessions_file_is_set_aside_and_a_new_one_started(home):
    store = SessionStore(home)
    store.touch("q3-review", model="test", turn_done=True)
    store.close()
    (home / "sessions.sqlite").write_bytes(b"this is not a database at all" * 200)
    for name in ("sessions.sqlite-wal", "sessions.sqlite-shm"):
        (home / name).unlink(missing_ok=True)
    fresh = SessionStore(home)
    assert "sessions.sqlite" in fresh.notice and "moved to" in fresh.notice and "new one started" in fresh.notice
    fresh.touch("new", turn_done=True)
    assert [s["id"] for s in fresh.sessions()] == ["new"]
    fresh.close()
    assert list(home.glob("sessions.sqlite.damaged-*"))  # kept, not deleted
    assert [s["id"] for s in list_sessions(home)] == ["new"]


def test_ask_with_a_session_on_a_damaged_sessions_file_answers_with_a_notice(home):
    home.mkdir(parents=True)
    (home / "sessions.sqlite").write_bytes(b"garbage" * 1000)
    env = {**os.environ, "INDEXDESK_HOME": str(home)}
    out = subprocess.run([sys.executable, "-m", "indexdesk.agent.cli", "ask", "--session", "s1",
                          "performance of defi over 90d"], capture_output=True, text=True, env=env, timeout=300)
    assert "Traceback" not in out.stderr
    assert "sessions file" in out.stderr and "new one started" in out.stderr, out.stderr[-800:]


# ------------------------------------------------------------ doctor, backup, restore

def test_doctor_on_a_healthy_home_exits_0(home, cli):
    make_ledger(home)
    out = cli(home, "doctor", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["ok"] is True
    assert {c["name"] for c in report["checks"]} >= {"configuration", "ledger", "journal", "sessions", "price cache"}


def test_doctor_reports_a_garbled_ledger_and_exits_1_then_restore_fixes_it(home, cli):
    path = make_ledger(home, 5)
    store = open_ledger(path, home=home)
    store.add_transactions(buys(2, start=5))  # the backup before this holds 5 transactions
    store.close()
    garble_pages(path)
    out = cli(home, "doctor")
    assert out.returncode == 1 and "BROKEN" in out.stdout and "ledger.sqlite" in out.stdout
    assert_clean(out.stdout + out.stderr)
    listed = cli(home, "restore", "--list")
    assert listed.returncode == 0 and listed.stdout.count(" import ") == 2
    refused = cli(home, "restore", "--latest")  # no terminal, no --yes: nothing changes
    assert refused.returncode == 1 and "--yes" in refused.stderr
    restored = cli(home, "restore", "--latest", "--yes")
    assert restored.returncode == 0, restored.stderr
    assert list(home.glob("ledger.sqlite.replaced-*"))  # the damaged file is kept
    assert cli(home, "doctor").returncode == 0
    assert open_ledger(path, home=home).count() == 5


def test_restore_refuses_a_damaged_backup(home, cli, tmp_path):
    make_ledger(home)
    bad = tmp_path / "ledger-20240101T000000000000-manual.sqlite"
    bad.write_bytes(b"nope" * 1000)
    out = cli(home, "restore", str(bad), "--yes")
    assert out.returncode == 1 and "damaged too" in out.stderr
    assert open_ledger(home / "ledger.sqlite", home=home).count() == 5  # untouched


def test_doctor_heals_derived_stores(home, cli):
    from indexdesk.memory.price_cache import PriceCache
    from indexdesk.tools.market.remote import CACHE_FILE

    path = make_ledger(home)
    with sqlite3.connect(path) as connection:  # the lots are derived: doctor re-derives them
        connection.execute("DELETE FROM lots")
    PriceCache(home / CACHE_FILE)
    (home / CACHE_FILE).write_bytes(b"garbage" * 2000)
    out = cli(home, "doctor", "--json")
    report = {c["name"]: c for c in json.loads(out.stdout)["checks"]}
    assert out.returncode == 0, out.stdout
    assert report["ledger"]["status"] == "healed" and report["price cache"]["status"] == "healed"
    assert len(open_ledger(path, home=home).book().lots) == 5


def test_backup_command_copies_both_stores(home, cli):
    make_ledger(home)
    out = cli(home, "backup")
    assert out.returncode == 0 and "ledger: " in out.stdout and "journal: nothing to back up yet" in out.stdout
    assert integrity.list_backups(home, "ledger")[0].reason == "manual"


# ------------------------------------------------------------ PostgreSQL

def test_doctor_and_backup_on_postgresql(home, postgres_server):
    url = postgres_server.new_database()
    store = open_ledger(url)
    store.add_transactions(buys(3))
    store.close()
    env_home = home
    env = {**os.environ, "INDEXDESK_HOME": str(env_home), "INDEXDESK_DATABASE_URL": url}
    run = lambda *argv: subprocess.run([sys.executable, "-m", "indexdesk.agent.cli", *argv],  # noqa: E731
                                       capture_output=True, text=True, env=env, timeout=300)
    doctor = run("doctor", "--json")
    ledger = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}["ledger"]
    assert doctor.returncode == 0 and ledger["status"] == "ok" and "reachable" in ledger["detail"]
    backup = run("backup", "--store", "ledger")
    assert backup.returncode == 0 and "pg_dump" in backup.stdout
    from sqlalchemy.engine import make_url

    env["INDEXDESK_DATABASE_URL"] = make_url(url).set(port=1).render_as_string(hide_password=False)
    unreachable = run("doctor")
    assert unreachable.returncode == 1 and "cannot be reached" in unreachable.stdout
    assert_clean(unreachable.stdout + unreachable.stderr)


def test_a_store_another_process_is_creating_is_not_called_damaged(tmp_path):
    """Two processes opening a new journal at once: the second may see the file before its tables."""
    empty = tmp_path / "journal.sqlite"
    sqlite3.connect(empty).execute("PRAGMA user_version = 0").connection.close()
    assert integrity.sqlite_problems(empty, ("meta", "entries")) == []
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE photos (id INTEGER)")
    assert "tables missing" in integrity.sqlite_problems(foreign, ("meta", "entries"))[0]


def test_an_unreachable_postgresql_ledger_is_a_store_error_with_the_fix():
    with pytest.raises(integrity.StoreError) as info:
        open_ledger("postgresql+psycopg://ledger@127.0.0.1:1/nope")
    assert "cannot be used" in info.value.message and "PostgreSQL" in info.value.hint
    assert_clean(info.value.message + info.value.hint)
