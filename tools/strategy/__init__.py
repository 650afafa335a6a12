"""Strategy engine: rotation rules, rebalancing policies, backtests, attribution, tax lots."""
