"""Every store checked on open, backed up before history changes, and restorable.

* `check_sqlite(path, store, tables)`: `PRAGMA quick_check` plus the tables the store needs; a
  problem raises `StoreError` naming the file and the fix — never SQL, never a traceback. The full
  check runs when the file changed since its last good check (its size and modification times are
  remembered in `HOME/stores.json`), so opening an unchanged ledger costs a `stat`, not a scan;
  `indexdesk doctor` always runs it in full.
* `backup(path, store)`: a consistent copy with SQLite's online backup API (safe while other
  connections read or write) into `HOME/backups/<store>/`, newest `keep` kept
  (`INDEXDESK_BACKUP_KEEP`). `daily_backup` takes one when the newest is a day old.
* `restore(backup_file, target)`: the backup is checked first, the current file is set aside as
  `<name>.replaced-<time>` (never deleted), then the copy is put in place.
* `record_existing` / `went_missing`: a ledger that existed and is gone is reported, not silently
  replaced by an empty one (or by the tier template).

Standard library only: the CLI's `doctor`, `backup` and `restore` import it cheaply.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

STATE_FILE = "stores.json"
BACKUP_FOLDER = "backups"
DEFAULT_KEEP = 10
DAY_SECONDS = 86_400


class StoreError(Exception):
    """A store that cannot be used as it is: what is wrong with which file, and how to fix it."""

    def __init__(self, message: str, *, hint: str, path: Path | str | None = None, store: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = Path(path) if path is not None else None
        self.store = store

    def to_dict(self) -> dict:
        return {"error": self.message, "hint": self.hint}


def fix_hint(store: str, home: Path | None) -> str:
    """What to do about a damaged store (ledger and journal have backups; the rest heal)."""
    if store in ("ledger", "journal"):
        return (f"run `indexdesk doctor` for details, then `indexdesk restore --list` / `indexdesk restore --latest "
                f"--store {store}` to put back the newest good backup")
    return "run `indexdesk doctor`: it sets the damaged file aside and starts a new one"


def _stamp(path: Path) -> list[int]:
    stamp = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{path}{suffix}")
            stamp += [st.st_size, st.st_mtime_ns]
        except FileNotFoundError:
            stamp += [0, 0]
    return stamp


def _state(home: Path) -> dict:
    try:
        return json.loads((home / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _save_state(home: Path, state: dict) -> None:
    tmp = home / f".{STATE_FILE}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        os.replace(tmp, home / STATE_FILE)
    except OSError:  # a read-only home: the check simply runs again next time
        tmp.unlink(missing_ok=True)


def sqlite_problems(path: Path, tables: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a SQLite file (empty list: nothing). Reads only."""
    try:
        connection = sqlite3.connect(path, timeout=30)  # read-write open, only read: ro cannot join a WAL
    except sqlite3.Error as exc:
        return [f"cannot be opened ({exc})"]
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
        lines = [line for r in rows if r and r[0] != "ok" for line in str(r[0]).splitlines()
                 if line.strip() and not line.startswith("***")]
        if lines:
            return [f"the integrity check failed ({'; '.join(lines[:2])})"]
        present = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in tables if t not in present]
        # No tables at all is a store being created (another process opened it a moment ago): not damage.
        if missing and present:
            return [f"tables missing: {', '.join(missing)} (not an indexdesk {path.stem} file, or cut short)"]
        return []
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return [f"is not a readable SQLite database ({exc})"]
    finally:
        connection.close()


def check_sqlite(path: Path, store: str, tables: tuple[str, ...] = (), *, home: Path | None = None,
                 full: bool = False) -> None:
    """Raise StoreError when the file at `path` is damaged; cheap when it has not changed since it was last good."""
    path = Path(path)
    if not path.exists():
        return
    home = home or path.parent
    key = str(path.resolve())
    state = _state(home)
    stamp = _stamp(path)
    if not full and state.get("checked", {}).get(key) == stamp:
        return
    problems = sqlite_problems(path, tables)
    if problems:
        raise StoreError(f"the {store} file {path} is damaged: {problems[0]}", hint=fix_hint(store, home),
                         path=path, store=store)
    state.setdefault("checked", {})[key] = stamp
    _save_state(home, state)


def open_checked(home: Path, store: str, path: Path, tables: tuple[str, ...], opener, keep: int = DEFAULT_KEEP):
    """Check the file, open it with `opener()`, and give the opened store its backups: daily, and
    through its `before_history_change(reason)` hook before imports and edits."""
    existed = path.exists()
    check_sqlite(path, store, tables, home=home)
    try:
        opened = opener()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the {store} file {path} cannot be used: {type(exc).__name__}", hint=fix_hint(store, home),
                         path=path, store=store) from None
    opened.before_history_change = lambda reason: backup(path, store, home=home, reason=reason, keep=keep)
    if existed:
        daily_backup(path, store, home=home, keep=keep)
    return opened


# ---------------------------------------------------------------- existence markers

def record_existing(home: Path, store: str, path: Path) -> None:
    state = _state(home)
    if state.get("existed", {}).get(store) != str(path):
        state.setdefault("existed", {})[store] = str(path)
        _save_state(home, state)


def went_missing(home: Path, store: str, path: Path) -> bool:
    """True when `path` held this store once (recorded) and is gone now."""
    return not Path(path).exists() and _state(home).get("existed", {}).get(store) == str(path)


def forget_existing(home: Path, store: str) -> None:
    state = _state(home)
    if state.get("existed", {}).pop(store, None) is not None:
        _save_state(home, state)


def missing_error(store: str, path: Path) -> StoreError:
    return StoreError(f"the {store} file {path} is missing, but a {store} existed there",
                      hint=f"put it back with `indexdesk restore --latest --store {store}` (backups in "
                           f"{Path(path).parent / BACKUP_FOLDER / store}); to start an empty {store} on purpose: "
                           f"`indexdesk restore --forget-missing --store {store}`",
                      path=path, store=store)


# ---------------------------------------------------------------- backups

@dataclass(frozen=True)
class Backup:
    path: Path
    store: str
    taken: datetime
    reason: str
    size: int


def backup_folder(home: Path, store: str) -> Path:
    return Path(home) / BACKUP_FOLDER / store


def list_backups(home: Path, store: str) -> list[Backup]:
    """Backups of one store, newest first."""
    folder = backup_folder(home, store)
    found = []
    for path in folder.glob(f"{store}-*.sqlite"):
        parts = path.stem.split("-", 2)  # store-YYYYmmddTHHMMSSffffff-reason
        try:
            taken = datetime.strptime(parts[1], "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc)
            size = path.stat().st_size
        except (IndexError, ValueError, FileNotFoundError):  # not ours, or pruned by another process just now
            continue
        found.append(Backup(path, store, taken, parts[2] if len(parts) > 2 else "", size))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy through the online backup API (pages copied under SQLite's own locking)."""
    src = sqlite3.connect(source, timeout=60)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup(path: Path, store: str, *, home: Path | None = None, reason: str = "manual",
           keep: int = DEFAULT_KEEP) -> Backup | None:
    """Copy a SQLite store into `HOME/backups/<store>/` and keep the newest `keep`; None when there is no file."""
    path = Path(path)
    if not path.exists():
        return None
    home = Path(home or path.parent)
    folder = backup_folder(home, store)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    target = folder / f"{store}-{now:%Y%m%dT%H%M%S%f}-{reason}.sqlite"
    partial = target.with_suffix(".partial")
    _copy(path, partial)
    os.replace(partial, target)  # a backup is either whole or absent
    for old in list_backups(home, store)[max(1, keep):]:
        old.path.unlink(missing_ok=True)
    return Backup(target, store, now, reason, target.stat().st_size) if target.exists() else None


def daily_backup(path: Path, store: str, *, home: Path | None = None, keep: int = DEFAULT_KEEP) -> Backup | None:
    """A backup when the newest is older than a day (or there is none); otherwise nothing."""
    home = Path(home or Path(path).parent)
    newest = list_backups(home, store)
    if newest and time.time() - newest[0].taken.timestamp() < DAY_SECONDS:
        return None
    return backup(path, store, home=home, reason="daily", keep=keep)


def set_aside(path: Path, label: str = "damaged") -> Path | None:
    """Move a file (and its -wal/-shm) to `<name>.<label>-<time>`; never deletes anything."""
    path = Path(path)
    if not path.exists():
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f"{path.name}.{label}-{stamp}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{path}{suffix}")
        if extra.exists():
            os.replace(extra, Path(f"{aside}{suffix}"))
    return aside


def restore(backup_file: Path, target: Path, store: str, tables: tuple[str, ...] = ()) -> Path | None:
    """Put a checked backup in place of `target`; returns where the replaced file went (None: there was none)."""
    backup_file = Path(backup_file)
    problems = sqlite_problems(backup_file, tables)
    if problems:
        raise StoreError(f"the backup {backup_file} is damaged too: {problems[0]}",
                         hint="pick another one from `indexdesk restore --list`", path=backup_file, store=store)
    target = Path(target)
    staged = target.with_name(f".{target.name}.restoring")
    staged.unlink(missing_ok=True)
    _copy(backup_file, staged)
    aside = set_aside(target, "replaced")
    os.replace(staged, target)
    return aside
