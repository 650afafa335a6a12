"""The domain of indexdesk: typed tools, their registry and adapters, market data, index and risk math.

Kept import-light on purpose: the CLI imports this package at start-up.
"""
