"""Risk engine: VaR/CVaR, stress tests, correlation and volatility-targeted sizing."""
