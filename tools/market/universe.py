"""The asset universe: what each symbol is, its category, and its ids at the data providers.

Categories drive category + top-N index rules and the synthetic sample market's factor model.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Asset:
    symbol: str
    name: str
    category: str  # store_of_value, smart_contract (layer1), layer2, defi, oracle, ai_data, gaming, meme, exchange, stablecoin, payments, privacy, infrastructure, gold
    coingecko_id: str
    binance_pair: str | None  # USDT pair on Binance spot, None when not listed there


def _a(symbol, name, category, cg, pair="USDT"):
    return Asset(symbol, name, category, cg, f"{symbol}{pair}" if pair else None)


ASSETS: dict[str, Asset] = {a.symbol: a for a in [
    _a("BTC", "Bitcoin", "store_of_value", "bitcoin"),
    _a("ETH", "Ethereum", "layer1", "ethereum"),
    _a("BNB", "BNB", "exchange", "binancecoin"),
    _a("SOL", "Solana", "layer1", "solana"),
    _a("XRP", "XRP", "payments", "ripple"),
    _a("ADA", "Cardano", "layer1", "cardano"),
    _a("AVAX", "Avalanche", "layer1", "avalanche-2"),
    _a("DOT", "Polkadot", "layer1", "polkadot"),
    _a("TRX", "TRON", "layer1", "tron"),
    _a("ATOM", "Cosmos", "layer1", "cosmos"),
    _a("NEAR", "NEAR Protocol", "layer1", "near"),
    _a("ALGO", "Algorand", "layer1", "algorand"),
    _a("ICP", "Internet Computer", "layer1", "internet-computer"),
    _a("HBAR", "Hedera", "layer1", "hedera-hashgraph"),
    _a("APT", "Aptos", "layer1", "aptos"),
    _a("SUI", "Sui", "layer1", "sui"),
    _a("XTZ", "Tezos", "layer1", "tezos"),
    _a("EOS", "EOS", "layer1", "eos"),
    _a("LUNA", "Terra Classic", "layer1", "terra-luna"),
    _a("ETC", "Ethereum Classic", "layer1", "ethereum-classic"),
    _a("VET", "VeChain", "layer1", "vechain"),
    _a("FLOW", "Flow", "gaming", "flow"),
    _a("MATIC", "Polygon", "layer2", "matic-network"),
    _a("ARB", "Arbitrum", "layer2", "arbitrum"),
    _a("OP", "Optimism", "layer2", "optimism"),
    _a("UNI", "Uniswap", "defi", "uniswap"),
    _a("AAVE", "Aave", "defi", "aave"),
    _a("MKR", "Maker", "defi", "maker"),
    _a("CRV", "Curve DAO", "defi", "curve-dao-token"),
    _a("COMP", "Compound", "defi", "compound-governance-token"),
    _a("SNX", "Synthetix", "defi", "havven"),
    _a("LDO", "Lido DAO", "defi", "lido-dao"),
    _a("INJ", "Injective", "defi", "injective-protocol"),
    _a("LINK", "Chainlink", "oracle", "chainlink"),
    _a("FET", "Fetch.ai", "ai_data", "fetch-ai"),
    _a("GRT", "The Graph", "ai_data", "the-graph"),
    _a("RENDER", "Render", "ai_data", "render-token"),
    _a("FIL", "Filecoin", "ai_data", "filecoin"),
    _a("THETA", "Theta Network", "ai_data", "theta-token"),
    _a("QNT", "Quant", "infrastructure", "quant-network"),
    _a("SAND", "The Sandbox", "gaming", "the-sandbox"),
    _a("MANA", "Decentraland", "gaming", "decentraland"),
    _a("AXS", "Axie Infinity", "gaming", "axie-infinity"),
    _a("APE", "ApeCoin", "gaming", "apecoin"),
    _a("CHZ", "Chiliz", "gaming", "chiliz"),
    _a("DOGE", "Dogecoin", "meme", "dogecoin"),
    _a("SHIB", "Shiba Inu", "meme", "shiba-inu"),
    _a("PEPE", "Pepe", "meme", "pepe"),
    _a("FTT", "FTX Token", "exchange", "ftx-token"),
    _a("OKB", "OKB", "exchange", "okb", None),
    _a("LEO", "UNUS SED LEO", "exchange", "leo-token", None),
    _a("CRO", "Cronos", "exchange", "crypto-com-chain", None),
    _a("LTC", "Litecoin", "payments", "litecoin"),
    _a("BCH", "Bitcoin Cash", "payments", "bitcoin-cash"),
    _a("XLM", "Stellar", "payments", "stellar"),
    _a("XMR", "Monero", "privacy", "monero"),
    _a("XCN", "Onyxcoin", "infrastructure", "chain-2", None),
    _a("WBTC", "Wrapped Bitcoin", "wrapped", "wrapped-bitcoin"),
    _a("STETH", "Lido Staked Ether", "wrapped", "staked-ether", None),
    _a("PAXG", "PAX Gold", "gold", "pax-gold"),
    _a("USDT", "Tether", "stablecoin", "tether", None),
    _a("USDC", "USD Coin", "stablecoin", "usd-coin"),
    _a("DAI", "Dai", "stablecoin", "dai", None),
    _a("BUSD", "Binance USD", "stablecoin", "binance-usd", None),
    _a("FRAX", "Frax", "stablecoin", "frax", None),
]}

CATEGORIES: tuple[str, ...] = tuple(sorted({a.category for a in ASSETS.values()}))
