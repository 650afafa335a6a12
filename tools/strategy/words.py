"""Users' words for the strategy tools' choices, declared once and attached to each tool's spec
(`@tool(synonyms=...)`): the offline router reads them; schemas and --help list the values."""

STRATEGY_WORDS = {
    "mean-reversion": "mean_reversion", "mean reversion": "mean_reversion", "reversion": "mean_reversion",
    "reverting": "mean_reversion", "contrarian": "mean_reversion", "laggards": "mean_reversion",
    "losers": "mean_reversion", "buy the dip": "mean_reversion", "buying the dip": "mean_reversion",
    "buy the dips": "mean_reversion", "buying dips": "mean_reversion", "buy low": "mean_reversion",
    "trend following": "momentum", "trend-following": "momentum", "trend": "momentum", "winners": "momentum",
    "leaders": "momentum", "strongest": "momentum", "ride the winners": "momentum",
    "blend": "blended", "mix of both": "blended", "combined": "blended",
    "pair trade": "pair", "pairs": "pair", "defi vs layer1": "pair", "defi versus layer1": "pair",
    "static targets": "static", "fixed weights": "static", "buy and hold": "static", "hold the targets": "static",
    "tier template": "static", "no rotation": "static",
}
CADENCE_WORDS = {
    "every week": "weekly", "each week": "weekly", "every month": "monthly", "each month": "monthly",
    "every quarter": "quarterly", "each quarter": "quarterly", "every three months": "quarterly",
}
POLICY_WORDS = {
    "on a schedule": "calendar", "calendar rebalancing": "calendar", "bands": "threshold", "band": "threshold",
    "drift": "threshold", "asymmetric": "asymmetric_bands", "asymmetric bands": "asymmetric_bands",
    "volatility trigger": "volatility_trigger", "vol trigger": "volatility_trigger",
    "when volatility spikes": "volatility_trigger",
}
