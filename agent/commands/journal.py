"""`indexdesk journal add|search|show|edit|export|import|reindex`: the trading journal from the shell."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    from indexdesk.agent.cli import add_source_options
    from indexdesk.agent.commands.run import add_json_flag

    parser = subparsers.add_parser("journal", help="write, search, edit, export and import journal entries")
    sub = parser.add_subparsers(dest="journal_command", metavar="ACTION", required=True)

    from indexdesk.agent.commands.tool_args import add_tool_arguments

    p = sub.add_parser("add", help="write an entry in plain language (the parser reads what it can)")
    add_tool_arguments(p, "log_journal_entry", positional="text", flags={"tags": "--tag"})
    add_json_flag(p)
    add_source_options(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("search", help="search by meaning and words")
    add_tool_arguments(p, "search_journal", positional="query",
                       flags={"kinds": "--kind", "indices": "--index", "tags": "--tag", "k": "-k"})
    add_json_flag(p)
    add_source_options(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", help="one entry in full, with its previous versions")
    p.add_argument("id")
    add_json_flag(p)
    add_source_options(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("edit", help="correct an entry; the previous version is kept")
    p.add_argument("id")
    p.add_argument("--set", action="append", dest="changes", default=[], metavar="FIELD=VALUE",
                   help="e.g. --set confidence=4 --set action=rotate --set 'tags=[\"macro\"]' (JSON values allowed)")
    add_json_flag(p)
    add_source_options(p)
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("export", help="every version of every entry as JSONL")
    p.add_argument("path", nargs="?", default="-", help="file (default: stdout)")
    add_source_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="load a JSONL export (all or nothing; identical versions are skipped)")
    p.add_argument("path", help="file, or - for stdin")
    add_json_flag(p)
    add_source_options(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("reindex", help="re-embed every entry with the configured embedding model")
    add_json_flag(p)
    add_source_options(p)
    p.set_defaults(func=cmd_reindex)


def _store(args):
    from indexdesk.agent.cli import make_context
    from indexdesk.tools.journal.tools import journal_errors

    ctx = make_context(args)
    with journal_errors():
        store = ctx.journal_store()
    for notice in store.take_notices():
        print(f"notice: {notice}", file=sys.stderr)
    return ctx, store


def cmd_add(args: argparse.Namespace) -> int:
    from indexdesk.agent.commands.run import run_tool

    run = run_tool(args, "log_journal_entry")
    if run.done:
        return run.code
    result = run.result
    print(f"saved {result['id']}")
    for line in result["understood"]:
        print(f"  {line}")
    _warnings(result)
    print(f"correct it with: indexdesk journal edit {result['id']} --set FIELD=VALUE")
    return 0


def _warnings(result: dict) -> None:
    from indexdesk.agent.terminal import console, print_footer

    print_footer(console(), {"warnings": result.get("warnings")})


def cmd_search(args: argparse.Namespace) -> int:
    from indexdesk.agent.commands.run import run_tool

    run = run_tool(args, "search_journal", progress="searching the journal")
    if run.done:
        return run.code
    from rich.text import Text

    from indexdesk.agent.terminal import console

    con = console()
    for hit in run.result["hits"]:
        what = " ".join(x for x in (hit["kind"], hit.get("action") or "", ",".join(hit["indices"])) if x)
        con.print(Text(f"{hit['date']}  {hit['id']}  relevance {hit['score']:.2f}  [{what}]"))
        con.print(Text(f"    \"{hit['text']}\""))
    _warnings(run.result)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from indexdesk.tools.journal.tools import journal_errors

    _, store = _store(args)
    with journal_errors():
        versions = store.history(args.id)
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json({"entry": versions[-1].model_dump(mode="json"),
                    "earlier_versions": [old.model_dump(mode="json") for old in versions[:-1]]})
        return 0
    print(versions[-1].model_dump_json(indent=2))
    if len(versions) > 1:
        print(f"{len(versions) - 1} earlier version(s):")
        for old in versions[:-1]:
            print(f"  v{old.version} written {old.created_at.isoformat()}: {old.model_dump_json(exclude={'text'})[:200]}")
    return 0


def parse_changes(pairs: list[str]) -> dict:
    """FIELD=VALUE pairs; VALUE is JSON when it parses as JSON, else a plain string."""
    from indexdesk.agent.cli import UsageError

    changes = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--set {pair!r} needs FIELD=VALUE", hint="e.g. --set confidence=4")
        key, raw = pair.split("=", 1)
        try:
            changes[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            changes[key.strip()] = raw
    if not changes:
        raise UsageError("nothing to change", hint="give at least one --set FIELD=VALUE")
    return changes


def cmd_edit(args: argparse.Namespace) -> int:
    from indexdesk.tools.journal.tools import journal_errors

    changes = parse_changes(args.changes)
    _, store = _store(args)
    with journal_errors():
        updated = store.edit(args.id, **changes)
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json(updated.model_dump(mode="json"))
        return 0
    print(f"{updated.id} is now version {updated.version}; the previous version is kept (journal show {updated.id})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _, store = _store(args)
    if args.path == "-":
        count = store.export_jsonl(sys.stdout)
    else:
        with open(args.path, "w", encoding="utf-8") as out:
            count = store.export_jsonl(out)
    print(f"exported {count} entry versions", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from indexdesk.tools.journal.tools import journal_errors

    from indexdesk.agent.progress import ProgressEmbedder, progress

    _, store = _store(args)
    lines = sys.stdin.readlines() if args.path == "-" else open(args.path, encoding="utf-8").readlines()
    with journal_errors(), progress(f"importing {len(lines)} lines (embedding)", total=len(lines)) as bar:
        plain = store.embedder
        store.embedder = ProgressEmbedder(plain, bar)  # the embedding is what takes the time
        try:
            count = store.import_jsonl(lines)
        finally:
            store.embedder = plain
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json({"imported": count})
        return 0
    print(f"imported {count} new entry versions")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import make_context
    from indexdesk.memory.journal.embeddings import make_embedder
    from indexdesk.memory.journal.store import JournalStore
    from indexdesk.tools.journal.tools import journal_errors

    from indexdesk.agent.progress import ProgressEmbedder, progress

    settings = make_context(args).settings
    with journal_errors():
        embedder = make_embedder(settings.embedding, settings.secret("openai_api_key"))
        store = JournalStore.open_for_reindex(settings.ensure_home() / "journal", embedder, settings.chroma_url)
        with progress("re-embedding the journal") as bar:
            count = store.reindex(ProgressEmbedder(embedder, bar))
    for notice in store.take_notices():
        print(f"notice: {notice}", file=sys.stderr)
    if args.json:
        from indexdesk.agent.commands.run import print_json

        print_json({"reembedded": count, "model": embedder.model_id})
        return 0
    print(f"re-embedded {count} entries with {embedder.model_id}")
    return 0
