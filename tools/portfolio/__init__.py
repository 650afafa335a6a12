"""The ledger's tools: holdings (`holdings.current_holdings`), open lots (`lots.open_lots`), import and
export (`importer`), targets (`targets_view`), the ledger's own return (`performance`), and the tools
get_portfolio, tax_lots, realized_gains, record_transaction, set_targets (`tools`). docs/ledger.md."""
