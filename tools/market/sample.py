"""The offline `sample` price source: a synthetic, deterministic market for every universe symbol.

The generator is a factor model with fat tails and volatility clustering:

    log return(asset) = beta * market + category factor + idiosyncratic

each factor a GARCH(1,1) process driven by Student-t innovations. The market factor *is* BTC.
Its path is bridged through the turning points of the real cycle (`BTC_ANCHORS`), and a few
assets are bridged through their own real closes, so levels and cycles look like the real
market while every day's move is drawn from the seed. The stress episodes a risk tool needs
(`EPISODES`) are scripted on their real dates. All figures and their sources are in
`tools/market/sample_calibration.py` and `docs/sample_market.md`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from indexdesk.tools.errors import unknown_name
from indexdesk.tools.market import sample_calibration as cal
from indexdesk.tools.market.base import MarketData
from indexdesk.tools.market.universe import ASSETS

if TYPE_CHECKING:
    import pandas as pd

EPISODES: dict[str, tuple[date, date]] = {
    "bear_2018": (date(2017, 12, 17), date(2018, 12, 15)),
    "covid_crash_2020": (date(2020, 3, 11), date(2020, 3, 13)),
    "luna_collapse_2022": (date(2022, 5, 5), date(2022, 5, 13)),
    "ftx_collapse_2022": (date(2022, 11, 6), date(2022, 11, 10)),
}

DAYS_PER_YEAR = 365
PEGGED_CATEGORIES = ("stablecoin", "wrapped")
VOLUME_NOISE = 0.35  # log-sd of daily volume around its level
VOLUME_AR = 0.7
# log turnover rises 2.4 per unit |log return| (BTC, CG 2016-2022 regression): a -40 % day trades ~3x
VOLUME_MOVE_SENSITIVITY = 2.4


class SampleSource:
    """Synthetic daily market from 2016-01-01, generated from `seed` in a fraction of a second.

    The calibrated market ends on 2026-10-31 (`cal.END`); `through` extends it day by day to a later
    day (the settings path passes today) by `extend_market`, leaving every earlier value unchanged.
    """

    name = "sample"

    def __init__(self, seed: int = 7, through: date | None = None) -> None:
        self.seed = int(seed)
        self.through = through
        self._panel: MarketData | None = None

    def available_symbols(self) -> list[str]:
        return list(ASSETS)

    def load(self, symbols: Sequence[str] | None = None, start: date | None = None,
             end: date | None = None) -> MarketData:
        """The panel for `symbols` (None = all) between `start` and `end`, inclusive."""
        if self._panel is None:
            self._panel = extend_market(generate_market(self.seed), self.seed, self.through)
        wanted = None
        if symbols is not None:
            wanted = [str(s).upper() for s in symbols]
            for symbol in wanted:
                if symbol not in ASSETS:
                    raise unknown_name("symbol", symbol, ASSETS, field="symbols")
        part = self._panel.select(wanted, start, end)
        # Callers get their own frames: the cached panel must not change under the next caller.
        return MarketData(close=part.close.copy(), source=part.source, volume=part.volume.copy(),
                          market_cap=part.market_cap.copy(), synthetic=True, notes=part.notes)


def generate_market(seed: int) -> MarketData:
    """The full synthetic panel for one seed: close, volume and market cap of every ASSETS symbol."""
    import pandas as pd

    dates = pd.date_range(cal.START, cal.END, freq="D", name="date")
    symbols = list(ASSETS)
    rng = np.random.default_rng(seed)
    log_returns, log_prices = _simulate_log_prices(rng, dates, symbols)
    listed = _listing_mask(dates, symbols)
    close = np.where(listed, np.exp(log_prices), np.nan)
    supply = np.column_stack([_log_interpolate(dates, cal.ASSET_CALIBRATION[s].supply) for s in symbols])
    market_cap = close * supply
    volume = market_cap * _turnover(rng, log_returns, symbols)

    def frame(values: np.ndarray) -> "pd.DataFrame":
        return pd.DataFrame(values, index=dates, columns=symbols)

    windows = ", ".join(f"{name} {a}..{b}" for name, (a, b) in EPISODES.items())
    notes = (f"synthetic sample market (seed {seed}): generated prices, not real ones",
             f"stress episodes on their real dates: {windows}")
    return MarketData(close=frame(close), source="sample", volume=frame(volume),
                      market_cap=frame(market_cap), synthetic=True, notes=notes)


EXTENSION_BLOCK = 366  # days drawn per seeded block: day i's draw depends only on (seed, i)
EXTENSION_POOL = 365  # the extension resamples whole days of the calibrated market's last year


def extend_market(base: MarketData, seed: int, through: date | None) -> MarketData:
    """`base` continued to `through` by resampling whole days of its last year (seed-deterministic).

    Each new day copies one past day's log returns of every asset at once (so correlations, fat tails
    and the day's volume turnover come along); pegged assets resample their level, not a return, so a
    stablecoin stays at its peg. Day i after the end is drawn from its own seeded block, so a panel
    extended to a later day has exactly the same values on the days an earlier one had.
    """
    import pandas as pd

    last = base.close.index[-1]
    if through is None or pd.Timestamp(through) <= last:
        return base
    days = pd.date_range(last + pd.Timedelta(days=1), pd.Timestamp(through), freq="D", name="date")
    n = len(days)
    blocks = [np.random.default_rng(np.random.SeedSequence([seed, 20261031, b])).integers(0, EXTENSION_POOL,
                                                                                      EXTENSION_BLOCK)
              for b in range(-(-n // EXTENSION_BLOCK))]
    picks = np.concatenate(blocks)[:n] + (len(base.close) - EXTENSION_POOL)
    close = base.close.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        log_close = np.log(close)
        log_returns = np.diff(log_close, axis=0, prepend=np.nan)
        turnover = (base.volume / base.market_cap).to_numpy()
    symbols = list(base.close.columns)
    pegged = np.array([ASSETS[s].category in PEGGED_CATEGORIES for s in symbols])
    trackers = {symbols.index(s): symbols.index(u) for s, (u, _) in cal.TRACKERS.items() if s in symbols}
    new_log = log_close[-1] + np.cumsum(np.nan_to_num(log_returns[picks]), axis=0)
    new_log[:, pegged] = log_close[picks][:, pegged]  # a peg's level, not a walk
    for j, u in trackers.items():  # a wrapped token follows its underlying, with the resampled basis
        new_log[:, j] = new_log[:, u] + (log_close[picks, j] - log_close[picks, u])
    alive = ~np.isnan(close[-1])  # delisted assets stay delisted
    new_close = np.where(alive, np.exp(new_log), np.nan)
    supply = (base.market_cap.to_numpy()[-1] / close[-1])
    new_cap = new_close * supply
    new_volume = new_cap * turnover[picks]

    def grown(frame: "pd.DataFrame", values: np.ndarray) -> "pd.DataFrame":
        return pd.concat([frame, pd.DataFrame(values, index=days, columns=frame.columns)])

    notes = base.notes + (f"days after {last.date()} extend the sample by resampling whole days of its last year "
                          f"(seed {seed}); earlier days are unchanged",)
    return MarketData(close=grown(base.close, new_close), source=base.source, volume=grown(base.volume, new_volume),
                      market_cap=grown(base.market_cap, new_cap), synthetic=True, notes=notes)


def _simulate_log_prices(rng: np.random.Generator, dates: "pd.DatetimeIndex",
                         symbols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Daily log returns and log prices (T x N), before listing masks."""
    n_days = len(dates)
    categories = list(cal.CATEGORY_LOADINGS)
    modelled = [s for s in symbols if ASSETS[s].category not in PEGGED_CATEGORIES]
    loadings = [cal.SYMBOL_LOADINGS.get(s, cal.CATEGORY_LOADINGS[ASSETS[s].category]) for s in modelled]

    market_vol = _market_daily_vol(dates)
    regime = market_vol * np.sqrt(DAYS_PER_YEAR) / cal.MARKET_VOL_REFERENCE
    market_shock_days = _day_mask(dates, cal.MARKET_SHOCKS)
    fixed = np.full((n_days, 1 + len(categories) + len(modelled)), np.nan)
    fixed[:, 0] = _scripted(dates, cal.MARKET_SHOCKS) / market_vol
    shocks = _garch_t(rng, fixed)

    market = _bridge(market_vol * shocks[:, 0], dates, cal.BTC_ANCHORS, market_shock_days)[0]
    category_vol = np.array([cal.CATEGORY_LOADINGS[c].category_vol for c in categories])
    category = shocks[:, 1:1 + len(categories)] * (category_vol / np.sqrt(DAYS_PER_YEAR)) * regime[:, None]
    for name, days in cal.CATEGORY_SHOCKS.items():
        category[:, categories.index(name)] += np.nan_to_num(_scripted(dates, days))
    idio_vol = np.array([loading.idio_vol for loading in loadings])
    idio = shocks[:, 1 + len(categories):] * (idio_vol / np.sqrt(DAYS_PER_YEAR)) * regime[:, None]

    log_returns = np.zeros((n_days, len(symbols)))
    log_prices = np.zeros((n_days, len(symbols)))
    column = {s: i for i, s in enumerate(symbols)}
    for j, (symbol, loading) in enumerate(zip(modelled, loadings)):
        returns = loading.beta * market + category[:, categories.index(ASSETS[symbol].category)] + idio[:, j]
        fixed_days = market_shock_days.copy()
        if symbol in cal.SYMBOL_SHOCKS:
            scripted = _scripted(dates, cal.SYMBOL_SHOCKS[symbol])
            returns = np.where(np.isnan(scripted), returns, scripted)
            fixed_days |= ~np.isnan(scripted)
        anchors = cal.ASSET_CALIBRATION[symbol].price_anchors
        k = column[symbol]
        log_returns[:, k], log_prices[:, k] = _bridge(returns, dates, anchors, fixed_days)

    pegged = [s for s in symbols if ASSETS[s].category in PEGGED_CATEGORIES]
    noise_size = np.array([cal.TRACKERS[s][1] if s in cal.TRACKERS else cal.STABLECOIN_NOISE for s in pegged])
    basis = _ar1(rng.standard_normal((n_days, len(pegged))) * noise_size, cal.BASIS_AR)
    for j, symbol in enumerate(pegged):
        underlying = log_prices[:, column[cal.TRACKERS[symbol][0]]] if symbol in cal.TRACKERS else 0.0
        log_prices[:, column[symbol]] = underlying + basis[:, j]
        log_returns[1:, column[symbol]] = np.diff(log_prices[:, column[symbol]])
    return log_returns, log_prices


def _garch_t(rng: np.random.Generator, fixed: np.ndarray) -> np.ndarray:
    """Unit-variance GARCH(1,1) paths with Student-t innovations, one column per factor.

    Where `fixed` is not NaN that value is the day's shock (in units of normal volatility) and
    it drives the next days' variance like any other shock, so volatility clusters after a crash.
    """
    nu, alpha, beta = cal.T_DOF, cal.GARCH_ALPHA, cal.GARCH_BETA
    innovations = np.clip(rng.standard_t(nu, size=fixed.shape) / np.sqrt(nu / (nu - 2.0)),
                          -cal.MAX_INNOVATION, cal.MAX_INNOVATION)
    omega = 1.0 - alpha - beta
    scripted_rows = ~np.isnan(fixed).all(axis=1)
    out = np.empty_like(innovations)
    variance = np.ones(fixed.shape[1])
    for t in range(fixed.shape[0]):
        shock = np.sqrt(variance) * innovations[t]
        if scripted_rows[t]:
            shock = np.where(np.isnan(fixed[t]), shock, fixed[t])
        out[t] = shock
        variance = np.minimum(omega + alpha * shock * shock + beta * variance, cal.GARCH_MAX_VARIANCE_RATIO)
    # Heavy tails make a sample's variance land well below 1 (~0.65 with nu 3.5): rescale the
    # drawn days so each factor realises exactly its calibrated volatility in every seed.
    drawn = np.isnan(fixed)
    spread = np.sqrt(np.nanmean(np.where(drawn, out, np.nan) ** 2, axis=0))
    return np.where(drawn, out / spread, out)


def _bridge(returns: np.ndarray, dates: "pd.DatetimeIndex", anchors: Sequence[tuple[str, float]],
            fixed_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shift the drift between consecutive anchors so the path hits each anchor exactly.

    The shift is spread evenly over the days that are not scripted, which keeps every draw's
    shape (tails, clusters) and changes only the trend. The first anchor fixes the level.
    Returns the adjusted log returns and the log price path.
    """
    returns = returns.copy()
    returns[0] = 0.0
    positions = _positions(dates, [day for day, _ in anchors])
    targets = np.log([price for _, price in anchors])
    for (a, b), (ya, yb) in zip(zip(positions[:-1], positions[1:]), zip(targets[:-1], targets[1:])):
        free = ~fixed_days[a + 1:b + 1]
        gap = (yb - ya) - returns[a + 1:b + 1].sum()
        returns[a + 1:b + 1][free] += gap / max(int(free.sum()), 1)
    path = np.cumsum(returns)
    return returns, path - path[positions[0]] + targets[0]


def _ar1(noise: np.ndarray, phi: float) -> np.ndarray:
    """AR(1) filter along axis 0 (x_t = phi x_{t-1} + e_t), truncated where phi^k < 1e-4."""
    out = noise.copy()
    lags = int(np.ceil(np.log(1e-4) / np.log(phi)))
    for k in range(1, lags):
        out[k:] += phi ** k * noise[:-k]
    return out


def _turnover(rng: np.random.Generator, log_returns: np.ndarray, symbols: list[str]) -> np.ndarray:
    """Daily volume / market cap: each asset's median turnover, persistent noise, more on big moves."""
    level = np.array([cal.ASSET_CALIBRATION[s].turnover for s in symbols])
    noise = _ar1(rng.standard_normal(log_returns.shape), VOLUME_AR) * VOLUME_NOISE * np.sqrt(1 - VOLUME_AR ** 2)
    activity = np.exp(noise + VOLUME_MOVE_SENSITIVITY * np.abs(log_returns))
    return level * activity / np.median(activity, axis=0)


def _market_daily_vol(dates: "pd.DatetimeIndex") -> np.ndarray:
    """BTC's realised volatility by calendar year, interpolated between mid-years, as a daily sd."""
    years = sorted(cal.MARKET_VOL_BY_YEAR)
    knots = np.array([np.datetime64(f"{y}-07-01") for y in years]).astype("datetime64[D]").astype(float)
    annual = np.interp(dates.values.astype("datetime64[D]").astype(float), knots,
                       [cal.MARKET_VOL_BY_YEAR[y] for y in years])
    return annual / np.sqrt(DAYS_PER_YEAR)


def _scripted(dates: "pd.DatetimeIndex", simple_returns: dict[str, float]) -> np.ndarray:
    """Scripted simple returns as a log-return column, NaN on unscripted days."""
    out = np.full(len(dates), np.nan)
    positions = _positions(dates, list(simple_returns))
    out[positions] = np.log1p(list(simple_returns.values()))
    return out


def _positions(dates: "pd.DatetimeIndex", days: Sequence[str]) -> np.ndarray:
    """Row numbers of ISO days in the daily index (pandas' get_indexer is ~50x slower here)."""
    offsets = np.array(days, dtype="datetime64[D]") - dates.values[0].astype("datetime64[D]")
    return offsets.astype(int)


def _day_mask(dates: "pd.DatetimeIndex", days: dict[str, float]) -> np.ndarray:
    return ~np.isnan(_scripted(dates, days))


def _log_interpolate(dates: "pd.DatetimeIndex", points: Sequence[tuple[str, float]]) -> np.ndarray:
    """A positive series through `points`, log-linear between them and flat outside."""
    days = dates.values.astype("datetime64[D]").astype(float)
    knots = np.array([np.datetime64(day) for day, _ in points]).astype("datetime64[D]").astype(float)
    return np.exp(np.interp(days, knots, np.log([value for _, value in points])))


def _listing_mask(dates: "pd.DatetimeIndex", symbols: list[str]) -> np.ndarray:
    """True where the asset trades: from its listing day to its delisting day (if any)."""
    days = dates.values.astype("datetime64[D]")
    mask = np.empty((len(dates), len(symbols)), dtype=bool)
    for j, symbol in enumerate(symbols):
        calibration = cal.ASSET_CALIBRATION[symbol]
        last = np.datetime64(calibration.delisted or cal.END)
        mask[:, j] = (days >= np.datetime64(calibration.listed)) & (days <= last)
    return mask
