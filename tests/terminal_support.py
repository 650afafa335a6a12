"""A realistic data home for the terminal tests: a ledger at several venues and journal decisions."""

from __future__ import annotations

from pathlib import Path

# A realistic ledger: coins at several venues, a transfer to cold storage, a partial sale, income.
LEDGER = """date,kind,symbol,quantity,price,fee,currency,venue,to_venue,note
2024-01-02,deposit,USD,60000,,,USD,kraken,,
2024-01-03,buy,BTC,0.4,42000,10,USD,kraken,,core position
2024-02-01,buy,ETH,4,2300,5,USD,binance,,
2024-03-01,buy,SOL,60,110,3,USD,coinbase,,
2024-03-01T12:30:00,transfer,BTC,0.1,,1,USD,kraken,ledger,cold storage
2024-06-01,sell,ETH,1,3500,3.5,USD,binance,,trim
2024-07-01,income,ETH,0.01,3400,,USD,binance,,staking
2025-01-15,buy,DOGE,20000,0.33,2,USD,binance,,speculative
2025-04-10,buy,BTC,0.05,79000,5,USD,coinbase,,dip
2026-07-20,sell,SOL,20,150,2,USD,coinbase,,rotate
"""
JOURNAL = (
    "2026-07-02 rotated from layer1 into defi, expecting defi to outperform over 90 days, confidence 4",
    "2026-07-10 bought memecoins on hype, risky, confidence 2",
    "2026-08-01 trimmed BTC to rebalance to targets",
)


def realistic_home(tmp_path: Path) -> Path:
    """A data home with the ledger above and three journal decisions (the hash embedder: no model)."""
    from indexdesk.agent.cli import main

    home = tmp_path / "home"
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    assert main(["--home", str(home), "portfolio", "import", str(ledger)]) == 0
    for text in JOURNAL:
        assert main(["--home", str(home), "journal", "add", text]) == 0
    return home
