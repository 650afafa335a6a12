"""Calibration figures for the synthetic sample market (`tools/market/sample.py`).

Every number here is a published fact or a rounded real close, with its source in
`docs/sample_market.md`. Prices marked "CG/BN close" are rounded daily closes from CoinGecko
(to 2022-09-25) or Binance (after), as found in `../shared/data/prices_daily.csv`; the module
holds a few dozen rounded figures, never the data set itself, and never reads it at run time.
Dates are ISO strings so the tables stay readable; `sample.py` converts them once.
"""

from __future__ import annotations

from dataclasses import dataclass

START = "2016-01-01"
END = "2026-10-31"
REFERENCE_DAY = "2022-09-25"  # last CoinGecko day in ../shared/data: the supplies below are its mcap / close
SUPPLY_DAYS = ("2016-01-01", "2018-01-07", "2020-01-01", REFERENCE_DAY)

# Student-t degrees of freedom and GARCH(1,1) parameters. A t-GARCH(1,1) fitted with `arch` to
# BTC daily log returns 2016-2026 gives alpha 0.10, beta 0.90, nu 3.1 (ETH: 0.17, 0.83, 3.2).
# Persistence is kept at 0.97 so the process has a finite unconditional variance.
T_DOF = 3.5
GARCH_ALPHA = 0.15
GARCH_BETA = 0.82
# The fitted real BTC conditional volatility exceeded 3x its median on 17 of 3,658 days (peak 4.5x on
# 2020-03-13, a scripted day here): cap the variance at 9x (3x the volatility).
GARCH_MAX_VARIANCE_RATIO = 9.0
# Real BTC GARCH residuals exceeded 6 sd on two days in ten years (8.6 on 2019-04-02, 11.6 on the
# COVID crash, which is scripted here), so drawn innovations stop at 6 sd.
MAX_INNOVATION = 6.0

# Annualised BTC volatility by year (realised, CG/BN closes); the market factor follows it, and
# every crypto factor is scaled by the same relative level, so 2017 is wild and 2025 calm.
MARKET_VOL_BY_YEAR = {2016: 0.50, 2017: 0.90, 2018: 0.80, 2019: 0.68, 2020: 0.62, 2021: 0.80,
                      2022: 0.62, 2023: 0.45, 2024: 0.52, 2025: 0.45, 2026: 0.45}
MARKET_VOL_REFERENCE = 0.65  # the level at which the category/idiosyncratic vols below are quoted


@dataclass(frozen=True)
class FactorLoading:
    """Market beta and annualised category / idiosyncratic volatility (at MARKET_VOL_REFERENCE)."""

    beta: float
    category_vol: float
    idio_vol: float


CATEGORY_LOADINGS: dict[str, FactorLoading] = {
    "store_of_value": FactorLoading(1.00, 0.00, 0.00),  # BTC *is* the market factor
    "layer1": FactorLoading(1.15, 0.35, 0.70),
    "layer2": FactorLoading(1.20, 0.40, 0.60),
    "defi": FactorLoading(1.20, 0.45, 0.60),
    "oracle": FactorLoading(1.15, 0.30, 0.70),
    "ai_data": FactorLoading(1.20, 0.45, 0.65),
    "gaming": FactorLoading(1.25, 0.50, 0.70),
    "meme": FactorLoading(1.30, 0.60, 1.00),
    "exchange": FactorLoading(0.90, 0.35, 0.60),
    "payments": FactorLoading(1.05, 0.35, 0.75),
    "privacy": FactorLoading(1.00, 0.30, 0.60),
    "infrastructure": FactorLoading(1.10, 0.35, 0.70),
    "gold": FactorLoading(0.03, 0.00, 0.15),  # PAXG: gold's ~15 %/yr, nearly uncorrelated with crypto
}
SYMBOL_LOADINGS: dict[str, FactorLoading] = {
    "ETH": FactorLoading(1.10, 0.35, 0.45),  # BTC-ETH daily correlation ~0.8 since 2020
    "LEO": FactorLoading(0.50, 0.35, 0.40),  # realised vol 64 %/yr, below BTC
    "SHIB": FactorLoading(1.30, 0.60, 1.30),
    "PEPE": FactorLoading(1.30, 0.60, 1.20),
}

# Pegged and wrapped assets: log price = peg (0) or underlying + an AR(1) basis of this daily size.
STABLECOIN_NOISE = 0.0005  # daily; with AR coefficient 0.8 that is ~1 %/yr of price volatility
BASIS_AR = 0.8
TRACKERS: dict[str, tuple[str, float]] = {"WBTC": ("BTC", 0.0015), "STETH": ("ETH", 0.002)}


@dataclass(frozen=True)
class AssetCalibration:
    listed: str  # first day with a price (real listing, or 2016-01-01 if earlier)
    price_anchors: tuple[tuple[str, float], ...]  # the path passes exactly through these closes
    supply: tuple[tuple[str, float], ...]  # circulating supply, log-linear between points, flat outside
    turnover: float = 0.10  # median daily volume / market cap (CG 2016-2022)
    delisted: str | None = None  # last day with a price


Points = tuple[tuple[str, float], ...]


def _anchored(listed: str, anchors: Points, supply: float | Points, turnover: float = 0.10,
              supply_on: str = REFERENCE_DAY, delisted: str | None = None) -> AssetCalibration:
    """An asset with real-close anchors and a supply (constant, measured on `supply_on`, or a history)."""
    history = supply if isinstance(supply, tuple) else ((supply_on, supply),)
    return AssetCalibration(listed, anchors, history, turnover, delisted)


def _supply_history(*supplies: float) -> Points:
    """Circulating supply (CG mcap / close) on the days a 2016-2022 supply history is sampled at."""
    return tuple(zip(SUPPLY_DAYS[-len(supplies):], supplies))


# BTC drives the market factor: its anchors are the turning points of the real cycle (CG/BN closes).
# The bear-market end is set to 3,300 (real close 3,222) so the synthetic 2018 bear is -83 %.
BTC_ANCHORS: tuple[tuple[str, float], ...] = (
    ("2016-01-01", 434), ("2016-06-16", 765), ("2016-08-02", 517), ("2016-12-31", 964),
    ("2017-03-03", 1290), ("2017-06-11", 3010), ("2017-07-16", 1930), ("2017-09-01", 4860),
    ("2017-12-17", 19400), ("2018-02-05", 6850), ("2018-05-05", 9770), ("2018-06-28", 5880),
    ("2018-07-24", 8420), ("2018-11-13", 6390), ("2018-12-15", 3300), ("2019-06-26", 13000),
    ("2019-12-17", 6630), ("2020-02-12", 10300), ("2020-03-11", 7940), ("2020-04-30", 8610),
    ("2020-10-03", 10550), ("2020-12-31", 29000), ("2021-04-13", 63600), ("2021-06-21", 31700),
    ("2021-09-06", 52700), ("2021-11-08", 67600), ("2022-01-22", 35200), ("2022-03-28", 47000),
    ("2022-05-04", 39700), ("2022-05-13", 29300), ("2022-06-18", 19000), ("2022-08-13", 24400),
    ("2022-11-06", 20900), ("2022-11-21", 15800), ("2023-03-31", 28500), ("2023-06-14", 25100),
    ("2023-07-13", 31500), ("2023-09-11", 25200), ("2023-12-08", 44200), ("2024-01-22", 39600),
    ("2024-03-13", 73100), ("2024-05-01", 58400), ("2024-07-28", 68300), ("2024-09-06", 54000),
    ("2024-12-17", 106000), ("2025-03-10", 78600), ("2025-05-22", 112000), ("2025-08-13", 123000),
    ("2025-10-06", 125000), ("2025-11-22", 84700), ("2026-01-05", 93900),
)

# Scripted daily simple returns. Market days replace the market factor's draw (and feed its
# GARCH variance, so volatility stays high afterwards); category days are added to that factor;
# symbol days replace the asset's whole return.
MARKET_SHOCKS: dict[str, float] = {
    # COVID: the close-to-close drop was -35 % (CG) / -40 % (Binance) on 03-12; the intraday
    # trough on 03-13 was about -52 % from the 03-11 close. The sample puts that trough in the closes.
    "2020-03-12": -0.40, "2020-03-13": -0.16,
    # FTX week, real BTC closes (Binance): 20,906 -> 20,591 -> 18,547 -> 15,923 -> 17,601.
    "2022-11-07": -0.015, "2022-11-08": -0.099, "2022-11-09": -0.142, "2022-11-10": 0.105,
}
CATEGORY_SHOCKS: dict[str, dict[str, float]] = {
    # Exchange tokens priced in the risk of the next exchange failing (CRO -40 % that month).
    "exchange": {"2022-11-08": -0.06, "2022-11-09": -0.08, "2022-11-10": 0.02},
    # Terra was a layer-1: other L1s sold off harder than BTC that week.
    "layer1": {"2022-05-09": -0.04, "2022-05-10": -0.03, "2022-05-11": -0.03},
}
SYMBOL_SHOCKS: dict[str, dict[str, float]] = {
    # Terra Classic closes (CG): 82.62 (05-05) 77.56 68.58 63.86 33.14 16.87 1.063 0.001219 0.0001155
    "LUNA": {"2022-05-06": -0.0612, "2022-05-07": -0.1158, "2022-05-08": -0.0689, "2022-05-09": -0.4810,
             "2022-05-10": -0.4911, "2022-05-11": -0.9370, "2022-05-12": -0.99885, "2022-05-13": -0.9052},
    # FTT closes (Yahoo): 22.27 (11-06) 22.14 5.52 2.30; real 11-10 close 3.52 is replaced by 2.20,
    # the level FTT returned to within three days, so the window shows the -90 % of those days.
    "FTT": {"2022-11-07": -0.0058, "2022-11-08": -0.7507, "2022-11-09": -0.5833, "2022-11-10": -0.0435},
}

ASSET_CALIBRATION: dict[str, AssetCalibration] = {
    "BTC": AssetCalibration(START, BTC_ANCHORS, (("2016-01-01", 1.50e7), (REFERENCE_DAY, 1.915e7),
                                                 ("2026-01-01", 1.997e7)), 0.05),
    "ETH": AssetCalibration(START, (
        ("2016-01-01", 0.946), ("2016-06-16", 20.5), ("2016-12-31", 8.01), ("2017-06-12", 398),
        ("2017-12-17", 729), ("2018-01-13", 1450), ("2018-12-15", 83.8), ("2019-06-26", 337),
        ("2019-12-17", 122), ("2020-03-11", 194), ("2020-12-30", 753), ("2021-05-11", 4180),
        ("2021-07-20", 1800), ("2021-11-08", 4815), ("2022-06-18", 995), (REFERENCE_DAY, 1294),
        ("2022-11-06", 1568), ("2023-12-27", 2378), ("2024-03-11", 4065), ("2024-08-05", 2420),
        ("2024-12-16", 3986), ("2025-04-08", 1473), ("2025-08-22", 4832), ("2026-01-05", 3225)),
        (("2016-01-01", 7.73e7), (REFERENCE_DAY, 1.207e8)), 0.06),
    "BNB": AssetCalibration("2017-07-25", (
        ("2017-10-30", 1.30), ("2018-01-06", 24.4), ("2018-12-14", 4.47), ("2019-06-21", 38.9),
        ("2020-03-16", 9.40), ("2021-05-03", 675), ("2022-06-18", 197), (REFERENCE_DAY, 274),
        ("2024-12-07", 750), ("2025-10-08", 1307), ("2026-01-05", 910)),
        _supply_history(9.9e7, 1.53e8, 1.632e8), 0.05),
    "SOL": AssetCalibration("2020-04-10", (
        ("2020-04-10", 0.958), ("2020-05-11", 0.514), ("2021-01-02", 1.80), ("2021-11-06", 259),
        (REFERENCE_DAY, 32.3), ("2022-12-29", 9.64), ("2023-12-25", 121), ("2024-11-22", 257),
        ("2025-04-08", 105), ("2026-01-05", 138)), ((REFERENCE_DAY, 3.55e8),), 0.08),
    "XRP": AssetCalibration(START, (
        ("2016-01-01", 0.00594), ("2017-03-01", 0.00538), ("2018-01-07", 3.40), ("2018-09-11", 0.264),
        ("2018-12-15", 0.284), ("2019-12-17", 0.186), ("2021-04-14", 1.84), ("2022-06-18", 0.309),
        (REFERENCE_DAY, 0.494), ("2024-07-07", 0.420), ("2024-12-02", 2.72), ("2025-07-22", 3.55),
        ("2026-01-05", 2.35)),
        _supply_history(3.35e10, 3.87e10, 4.33e10, 4.99e10), 0.04),
    "ADA": _anchored("2017-10-18", (("2017-10-18", 0.02685), ("2018-01-04", 1.179), ("2018-12-15", 0.02769),
                                    ("2021-09-03", 2.967), (REFERENCE_DAY, 0.4473),
                                    ("2026-01-05", 0.4211)), _supply_history(2.59e10, 3.11e10, 3.38e10), 0.05),
    "AVAX": _anchored("2020-09-21", (("2020-09-21", 5.284), ("2021-11-22", 134.5), (REFERENCE_DAY, 17.32),
                                     ("2026-01-05", 14.45)), 2.96e8, 0.07),
    "DOT": _anchored("2020-08-18", (("2020-08-18", 2.937), ("2021-11-04", 54.14), (REFERENCE_DAY, 6.209),
                                    ("2026-01-05", 2.208)), 1.15e9, 0.05),
    "TRX": _anchored("2017-11-09", (("2017-11-09", 0.002387), ("2018-01-05", 0.2317), ("2018-12-15", 0.01271),
                                    ("2021-04-15", 0.1662), (REFERENCE_DAY, 0.05976),
                                    ("2026-01-05", 0.2922)), _supply_history(6.57e10, 6.61e10, 9.23e10), 0.25),
    "ATOM": _anchored("2019-02-23", (("2019-02-23", 2.752), ("2021-09-19", 43.84), (REFERENCE_DAY, 14.08),
                                     ("2026-01-05", 2.369)), 2.93e8, 0.16),
    "NEAR": _anchored("2020-10-13", (("2020-10-13", 1.184), ("2021-12-26", 16.15), (REFERENCE_DAY, 3.647),
                                     ("2025-06-12", 2.369)), 7.86e8, 0.07),
    "ALGO": _anchored("2019-06-20", (("2019-06-20", 1.605), ("2021-09-12", 2.383), (REFERENCE_DAY, 0.388),
                                     ("2025-06-12", 0.1805)), 6.93e9, 0.28),
    "ICP": _anchored("2021-05-09", (("2021-05-09", 461.6), (REFERENCE_DAY, 5.906), ("2025-06-12", 5.821)),
                                    2.62e8, 0.05),
    "HBAR": _anchored("2019-09-17", (("2019-09-17", 0.1144), ("2021-09-15", 0.5088), (REFERENCE_DAY, 0.05913),
                                     ("2025-06-12", 0.1629)), 2.33e10, 0.04),
    "APT": _anchored("2022-10-19", (("2022-10-19", 7.32), ("2025-06-12", 4.696)),
                                    1.3e8, 0.1, supply_on="2022-10-19"),
    "SUI": _anchored("2023-05-03", (("2023-05-03", 1.4), ("2025-06-12", 3.208)),
                                    5.28e8, 0.1, supply_on="2023-05-03"),
    "XTZ": _anchored("2018-07-02", (("2018-07-02", 2.938), ("2021-10-03", 8.552), (REFERENCE_DAY, 1.462),
                                    ("2025-06-12", 0.5877)), 9.03e8, 0.04),
    "EOS": _anchored("2017-07-09", (("2017-07-09", 2.24), ("2018-04-29", 21.27), ("2018-12-15", 1.886),
                                    ("2021-05-11", 14.22), (REFERENCE_DAY, 1.166),
                                    ("2024-12-31", 0.78)), 1.01e9, 0.37),
    "LUNA": AssetCalibration("2019-05-07", (
        ("2019-11-27", 0.209), ("2020-12-30", 0.669), ("2021-03-15", 16.3), ("2021-05-23", 4.18),
        ("2021-12-26", 99.9), ("2022-04-04", 116.5), ("2022-05-05", 82.6), ("2022-06-08", 4.67e-5),
        (REFERENCE_DAY, 1.97e-4), ("2023-12-04", 2.58e-4), ("2025-06-12", 5.81e-5)),
        # ~353 M LUNA before the run (mcap 41 B / 116.5); 6.9 T after the mint-to-redeem spiral.
        (("2022-05-08", 3.53e8), ("2022-05-13", 6.50e12), (REFERENCE_DAY, 6.92e12)), 0.07),
    "ETC": _anchored("2016-07-24", (("2016-07-24", 0.7523), ("2018-01-14", 44.34), ("2018-12-15", 3.601),
                                    ("2021-05-06", 136.4), (REFERENCE_DAY, 28.42),
                                    ("2026-01-05", 13.31)), 1.37e8, 0.34),
    "VET": _anchored("2018-07-26", (("2018-07-26", 0.02492), ("2021-04-20", 0.2608), (REFERENCE_DAY, 0.02244),
                                    ("2025-06-12", 0.02342)), 7.24e10, 0.11),
    "FLOW": _anchored("2021-01-26", (("2021-01-26", 6.936), ("2021-03-04", 39.24), (REFERENCE_DAY, 1.649),
                                     ("2025-06-12", 0.361)), 1.03e9, 0.04),
    "MATIC": _anchored("2019-04-26", (("2019-04-26", 0.00547), ("2021-12-26", 2.882), (REFERENCE_DAY, 0.7409),
                                      ("2024-09-10", 0.3794)), 7.43e9, 0.2, delisted="2024-09-10"),
    "ARB": _anchored("2023-03-23", (("2023-03-23", 1.32), ("2025-06-12", 0.366)),
                                    1.275e9, 0.1, supply_on="2023-03-23"),
    "OP": _anchored("2022-06-01", (("2022-06-01", 1.232), (REFERENCE_DAY, 0.905), ("2025-06-12", 0.63)),
                                   2.14e8, 0.1),
    "UNI": _anchored("2020-09-16", (("2020-09-16", 3.444), ("2021-05-04", 42.88), (REFERENCE_DAY, 5.665),
                                    ("2026-01-05", 6.162)), 7.52e8, 0.05),
    "AAVE": _anchored("2020-10-02", (("2021-01-01", 90.71), ("2021-05-18", 628.8), (REFERENCE_DAY, 73.6),
                                     ("2025-06-12", 293.9)), 1.41e7, 0.1),
    "MKR": _anchored("2017-12-20", (("2021-01-01", 581.1), ("2021-05-03", 5982.0), (REFERENCE_DAY, 708),
                                    ("2025-06-12", 1985.0)), 9.77e5, 0.1),
    "CRV": _anchored("2020-08-14", (("2021-01-01", 0.62), ("2021-11-25", 5.93), (REFERENCE_DAY, 0.888),
                                    ("2025-06-12", 0.6227)), 5.6e8, 0.1),
    "COMP": _anchored("2020-06-16", (("2021-01-01", 145.5), ("2021-05-11", 854.3), (REFERENCE_DAY, 61.3),
                                     ("2025-06-12", 54.36)), 7.2e6, 0.1),
    "SNX": _anchored("2018-03-15", (("2021-01-01", 8.308), ("2021-02-12", 27.13), (REFERENCE_DAY, 2.319),
                                    ("2025-06-12", 0.645)), 2.6e8, 0.1),
    "LDO": _anchored("2021-01-04", (("2021-01-04", 1.751), ("2021-08-21", 6.361), (REFERENCE_DAY, 1.574),
                                    ("2025-06-12", 0.861)), 6.45e8, 0.03),
    "INJ": _anchored("2020-10-21", (("2021-01-01", 4.082), ("2021-04-29", 22.19), (REFERENCE_DAY, 1.798),
                                    ("2025-06-12", 12.29)), 7.25e7, 0.1),
    "LINK": _anchored("2017-11-09", (("2017-11-09", 0.2254), ("2018-01-08", 1.453), ("2018-12-15", 0.204),
                                    ("2021-05-09", 51.85), (REFERENCE_DAY, 7.863),
                                     ("2026-01-05", 13.9)), 4.93e8, 0.11),
    "FET": _anchored("2019-03-01", (("2021-01-01", 0.05333), ("2021-09-15", 0.9497), (REFERENCE_DAY, 0.0801),
                                    ("2025-06-12", 0.718)), 8.17e8, 0.1),
    "GRT": _anchored("2020-12-17", (("2021-01-01", 0.3617), ("2021-02-13", 2.333), (REFERENCE_DAY, 0.1013),
                                    ("2025-06-12", 0.0897)), 6.9e9, 0.1),
    "RENDER": _anchored("2020-06-01", (("2024-07-26", 6.78), ("2025-06-12", 3.528)),
                                       3.9e8, 0.1, supply_on="2024-07-26"),
    "FIL": _anchored("2020-10-14", (("2020-10-14", 61.04), ("2021-03-31", 189.6), (REFERENCE_DAY, 5.717),
                                    ("2025-06-12", 2.505)), 2.91e8, 0.11),
    "THETA": _anchored("2018-01-24", (("2018-01-24", 0.2169), ("2021-04-16", 14.1), (REFERENCE_DAY, 1.082),
                                      ("2025-06-12", 0.74)), 1e9, 0.06),
    "QNT": _anchored("2018-06-29", (("2018-06-29", 0.5837), ("2021-09-10", 396.6), (REFERENCE_DAY, 116.4),
                                    ("2025-06-12", 112.9)), 1.34e7, 0.03),
    "SAND": _anchored("2020-08-13", (("2020-08-13", 0.08092), ("2021-11-28", 7.514), (REFERENCE_DAY, 0.8657),
                                     ("2025-06-12", 0.2725)), 1.5e9, 0.24),
    "MANA": _anchored("2017-10-28", (("2017-10-28", 0.01009), ("2021-11-25", 5.199), (REFERENCE_DAY, 0.6992),
                                     ("2025-06-12", 0.2733)), 1.81e9, 0.16),
    "AXS": _anchored("2020-11-03", (("2020-11-03", 0.1457), ("2021-11-07", 159.8), (REFERENCE_DAY, 12.42),
                                    ("2025-06-12", 2.427)), 9.02e7, 0.13),
    "APE": _anchored("2022-03-16", (("2022-03-16", 8.537), (REFERENCE_DAY, 5.724), ("2025-06-12", 0.6888)),
                                    3.13e8, 0.23),
    "CHZ": _anchored("2019-07-01", (("2019-07-01", 0.01712), ("2021-04-16", 0.7526), (REFERENCE_DAY, 0.2572),
                                    ("2025-06-12", 0.03727)), 5.34e9, 0.13),
    "DOGE": AssetCalibration(START, (
        ("2016-01-01", 1.36e-4), ("2017-12-26", 0.00987), ("2018-01-07", 0.0176), ("2018-12-14", 0.00205),
        ("2021-01-01", 0.00554), ("2021-05-07", 0.682), ("2022-06-18", 0.0531), (REFERENCE_DAY, 0.0614),
        ("2024-12-08", 0.466),
        ("2025-12-31", 0.118)), _supply_history(1.02e11, 1.13e11, 1.23e11, 1.32e11), 0.04),
    "SHIB": AssetCalibration("2020-08-01", (
        ("2021-03-01", 1.39e-8), ("2021-05-10", 3.53e-5), ("2021-07-20", 5.93e-6), ("2021-10-27", 8.19e-5),
        ("2022-06-18", 7.73e-6), (REFERENCE_DAY, 1.10e-5), ("2024-03-04", 3.59e-5), ("2025-12-31", 6.91e-6)),
        ((REFERENCE_DAY, 5.88e14),), 0.08),
    "PEPE": AssetCalibration("2023-05-05", (
        ("2023-05-05", 3.73e-6), ("2023-09-17", 6.2e-7), ("2024-12-09", 2.65e-5), ("2025-03-10", 5.7e-6)),
        (("2023-05-05", 3.91e14),), 0.10),
    "FTT": AssetCalibration("2019-07-29", (
        ("2019-07-29", 1.645), ("2019-12-31", 2.145), ("2021-09-09", 80.5), (REFERENCE_DAY, 23.49),
        ("2022-11-06", 22.27), ("2022-11-13", 1.489), ("2023-09-22", 1.099), ("2024-03-31", 1.911),
        ("2025-06-12", 0.930)), ((REFERENCE_DAY, 1.34e8),), 0.02),
    "OKB": _anchored("2018-06-06", (("2018-06-06", 4.76), ("2021-05-02", 41.59), (REFERENCE_DAY, 14.91),
                                    ("2024-12-31", 47.0)), 2.52e8, 0.07),
    "LEO": _anchored("2019-05-20", (("2019-05-20", 1.065), ("2021-12-30", 3.815), (REFERENCE_DAY, 4.105),
                                    ("2024-12-31", 9.6)), 9.35e8, 0.01),
    "CRO": _anchored("2019-01-01", (("2019-01-01", 0.02133), ("2021-11-23", 0.8915), (REFERENCE_DAY, 0.1158),
                                    ("2024-12-31", 0.137)), 2.52e10, 0.02),
    "LTC": _anchored("2016-01-01", (("2016-01-01", 3.512), ("2017-12-18", 360.7), ("2018-12-15", 23.64),
                                    ("2021-05-09", 384.7), (REFERENCE_DAY, 52.58),
                                    ("2026-01-05", 83.46)), _supply_history(4.39e7, 5.47e7, 6.37e7, 7.12e7), 0.32),
    "BCH": _anchored("2017-08-02", (("2017-08-02", 767.8), ("2017-12-20", 3786), ("2018-12-15", 76.93),
                                    ("2021-05-11", 1547.0), (REFERENCE_DAY, 113.5),
                                    ("2026-01-05", 645.2)), 1.92e7, 0.27),
    "XLM": _anchored("2016-01-01", (("2016-01-01", 0.001755), ("2018-01-03", 0.8756), ("2018-12-15", 0.09487),
                                    ("2021-05-11", 0.7275), (REFERENCE_DAY, 0.1175),
                                    ("2026-01-05", 0.2526)), _supply_history(4.84e9, 1.79e10, 2.0e10, 2.54e10), 0.05),
    "XMR": _anchored("2016-01-01", (("2016-01-01", 0.5125), ("2018-01-09", 542.3), ("2018-12-15", 38.4),
                                    ("2021-05-09", 479.6), (REFERENCE_DAY, 141.0),
                                    ("2024-02-20", 118.7)), 1.81e7, 0.04),
    "XCN": _anchored("2022-03-14", (("2022-03-14", 0.05252), (REFERENCE_DAY, 0.07549)), 2.14e10, 0.02),
    "WBTC": _anchored("2019-01-31", ((REFERENCE_DAY, 18800),), 2.44e5, 0.04),  # tracks BTC
    "STETH": _anchored("2020-12-21", ((REFERENCE_DAY, 1291),), 4.35e6, 0.01),  # tracks ETH
    "PAXG": AssetCalibration("2019-09-05", (
        ("2020-08-30", 1982), ("2021-03-30", 1701), ("2022-03-08", 2053), ("2022-09-26", 1619),
        ("2023-12-03", 2088), ("2024-10-30", 2785), ("2025-12-27", 4571), ("2026-01-05", 4445)),
        ((REFERENCE_DAY, 3.2e5),), 0.02),
    # Stablecoins: price pinned near 1; supply follows the real mcap on 1 January of each year (CG),
    # then rounded published figures after the data ends (see the doc).
    "USDT": AssetCalibration(START, ((REFERENCE_DAY, 1.0),), (
        ("2016-01-01", 1.0e6), ("2017-01-01", 1.0e7), ("2018-01-01", 1.38e9), ("2019-01-01", 2.08e9),
        ("2020-01-01", 4.29e9), ("2021-01-01", 2.11e10), ("2022-01-01", 7.88e10), (REFERENCE_DAY, 6.80e10),
        ("2024-01-01", 9.17e10), ("2025-01-01", 1.37e11), ("2026-01-01", 1.87e11)), 0.71),
    "USDC": AssetCalibration("2018-10-04", ((REFERENCE_DAY, 1.0),), (
        ("2018-10-04", 1.0e8), ("2019-01-01", 2.62e8), ("2020-01-01", 5.2e8), ("2021-01-01", 4.12e9),
        ("2022-01-01", 4.26e10), (REFERENCE_DAY, 4.96e10), ("2024-01-01", 2.45e10), ("2025-01-01", 4.4e10),
        ("2026-01-01", 7.5e10)), 0.25),
    "DAI": AssetCalibration("2019-11-18", ((REFERENCE_DAY, 1.0),), (
        ("2020-01-01", 4.1e7), ("2021-01-01", 1.21e9), ("2022-01-01", 8.99e9), (REFERENCE_DAY, 6.48e9),
        ("2024-01-01", 5.3e9)), 0.09),
    "BUSD": AssetCalibration("2019-09-20", ((REFERENCE_DAY, 1.0),), (
        ("2020-01-01", 1.98e8), ("2021-01-01", 1.08e9), ("2022-01-01", 1.45e10), (REFERENCE_DAY, 2.10e10),
        ("2023-02-13", 1.6e10), ("2023-12-15", 1.0e9)), 0.44, delisted="2023-12-15"),
    "FRAX": AssetCalibration("2020-12-20", ((REFERENCE_DAY, 1.0),), (
        ("2021-01-01", 7.2e7), ("2022-01-01", 1.83e9), (REFERENCE_DAY, 1.36e9), ("2024-01-01", 6.5e8)), 0.02),
}
