"""The journal's tools: log, search and outcomes (tools.py), links to the ledger (ledger_links.py), the parser's vocabulary (vocabulary.py)."""
