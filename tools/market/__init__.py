"""Market data: one PriceSource interface, several sources, and a local cache."""
