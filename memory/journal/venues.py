"""Exchanges and wallets users name in journal lines and requests ("on Kraken", "to my Ledger"), one list
for the journal's transfer readings and the offline router's venue parameters; no imports, so reading it costs nothing."""

VENUES = ("coinbase", "binance", "kraken", "bybit", "okx", "kucoin", "gemini", "bitstamp", "bitfinex", "crypto.com",
          "ledger", "trezor", "metamask", "phantom", "cold storage", "cold wallet", "hardware wallet", "hot wallet",
          "wallet", "wallets", "exchange", "bank", "arbitrum", "optimism", "base", "self-custody", "self custody")
