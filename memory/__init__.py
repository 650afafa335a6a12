"""What persists: the journal (Chroma), the portfolio ledger (SQLite or PostgreSQL), price cache, conversation checkpoints.

Nothing here imports `tools` or `agent`; callers hand in paths and settings explicitly.
"""
