"""`indexdesk doctor`, `indexdesk backup`, `indexdesk restore`: the stores checked, copied and put back.

docs/ledger.md "Backups, restore and doctor" describes what each does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

STORES = ("ledger", "journal")
FILES = {"ledger": "ledger.sqlite", "journal": "journal/journal.sqlite"}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("doctor", help="check every store and the configuration; heal derived stores",
                              description="Checks the configuration, the ledger, the journal (and its vector "
                                          "index), saved sessions and the price cache. Derived stores are healed "
                                          "on the spot; a damaged ledger or journal is reported with the fix. "
                                          "Exits 1 when something is broken.")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_doctor)

    p = subparsers.add_parser("backup", help="back up the ledger and the journal now (SQLite online backup)",
                              description="Copies the SQLite ledger and journal into HOME/backups/<store>/, keeping "
                                          "the newest INDEXDESK_BACKUP_KEEP of each. Backups are also taken before "
                                          "every import, delete or amend, and daily.")
    p.add_argument("--store", choices=(*STORES, "all"), default="all", help="which store (default: all)")
    p.set_defaults(func=cmd_backup)

    p = subparsers.add_parser("restore", help="list backups or put one back",
                              description="Puts a backup back in place of the ledger or journal. The backup is "
                                          "checked first; the file it replaces is kept beside it "
                                          "(<name>.replaced-<time>).")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--list", action="store_true", help="list the backups, newest first")
    which.add_argument("--latest", action="store_true", help="restore the newest backup")
    which.add_argument("file", nargs="?", help="a backup file (from --list)")
    which.add_argument("--forget-missing", action="store_true",
                       help="a deleted store is not coming back: let the next use start an empty one")
    p.add_argument("--store", choices=STORES, default=None, help="which store (default: ledger; FILE tells by its name)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_restore)


def _settings(args: argparse.Namespace):
    from indexdesk.agent.cli import make_context

    return make_context(args).settings


def cmd_doctor(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from indexdesk.agent.doctor import BROKEN, Check, run_checks

    try:
        checks = run_checks(_settings(args))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
        checks = [Check("configuration", BROKEN, f"the settings do not load: {problems[:300]}",
                        "fix the INDEXDESK_* variable named")]
    broken = any(c.status == BROKEN for c in checks)
    if args.json:
        print(json.dumps({"ok": not broken, "checks": [c.as_dict() for c in checks]}, indent=2))
    else:
        marks = {"ok": "ok    ", "healed": "healed", "broken": "BROKEN", "note": "note  "}
        for check in checks:
            print(f"{marks.get(check.status, check.status)}  {check.name}: {check.detail}")
            if check.fix:
                print(f"        fix: {check.fix}")
        print("something is broken: see the fixes above" if broken else "all stores are usable")
    return 1 if broken else 0


def cmd_backup(args: argparse.Namespace) -> int:
    from indexdesk.memory import integrity

    settings = _settings(args)
    home = Path(settings.home)
    failed = False
    for store in (STORES if args.store == "all" else (args.store,)):
        if store == "ledger" and settings.database_url:
            print("ledger: on PostgreSQL — back it up with the server's tools, e.g. "
                  "`pg_dump --format=custom --file=ledger.dump <database>` (restore with pg_restore)")
            continue
        path = home / FILES[store]
        try:
            integrity.check_sqlite(path, store, home=home, full=True)
            made = integrity.backup(path, store, home=home, reason="manual", keep=settings.backup_keep)
        except integrity.StoreError as exc:
            print(f"{store}: not backed up — {exc.message}\n  fix: {exc.hint}", file=sys.stderr)
            failed = True
            continue
        print(f"{store}: {made.path} ({made.size:,} bytes)" if made else f"{store}: nothing to back up yet")
    return 1 if failed else 0


def _store_of(args: argparse.Namespace) -> str:
    if args.store:
        return args.store
    if args.file:
        name = Path(args.file).name
        for store in STORES:
            if name.startswith(f"{store}-"):
                return store
    return "ledger"


def cmd_restore(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import UsageError
    from indexdesk.memory import integrity

    settings = _settings(args)
    home = Path(settings.home)
    store = _store_of(args)
    if args.list:
        for name in ((args.store,) if args.store else STORES):
            found = integrity.list_backups(home, name)
            print(f"{name}: {len(found)} backup(s) in {integrity.backup_folder(home, name)}")
            for b in found:
                print(f"  {b.taken:%Y-%m-%d %H:%M:%S} UTC  {b.reason:<7} {b.size:>12,} B  {b.path}")
        return 0
    if args.forget_missing:
        integrity.forget_existing(home, store)
        print(f"{store}: the next use starts an empty {store}")
        return 0
    if store == "ledger" and settings.database_url:
        raise UsageError("the ledger is on PostgreSQL: restore it with the server's tools (pg_restore)",
                         hint="indexdesk restore works on the SQLite ledger and journal")
    if args.latest:
        found = integrity.list_backups(home, store)
        if not found:
            raise UsageError(f"there is no {store} backup in {integrity.backup_folder(home, store)}",
                             hint="indexdesk restore --list shows what there is")
        chosen = found[0].path
    else:
        chosen = Path(args.file).expanduser()
        if not chosen.is_file():
            raise UsageError(f"no backup file {chosen}", hint="indexdesk restore --list shows the backups")
    target = home / FILES[store]
    if not args.yes and not _confirmed(f"replace {target} with {chosen}?"):
        print("not restored (pass --yes to confirm without a question)", file=sys.stderr)
        return 1
    tables = _tables(store)
    try:
        aside = integrity.restore(chosen, target, store, tables)
    except integrity.StoreError as exc:
        print(f"error: {exc.message}\nhint: {exc.hint}", file=sys.stderr)
        return 1
    print(f"{store}: restored from {chosen}" + (f"; the replaced file is kept as {aside}" if aside else ""))
    if store == "journal":
        print("the journal's vector index re-syncs from the restored log on next use")
    return 0


def _tables(store: str) -> tuple[str, ...]:
    if store == "ledger":
        from indexdesk.memory.ledger.store import LEDGER_TABLES

        return LEDGER_TABLES
    from indexdesk.memory.journal.store import JOURNAL_TABLES

    return JOURNAL_TABLES


def _confirmed(question: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False
