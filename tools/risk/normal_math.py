"""The standard normal distribution without scipy: pdf, cdf, log-cdf and quantile (ppf).

Scalars or numpy arrays in, the same shape out. The quantile is the standard library's
`statistics.NormalDist.inv_cdf` (Wichura's AS241, ~1e-16 relative); the cdf uses `erfc`, accurate
deep in the lower tail where `1 + erf` would cancel; the log-cdf switches to the asymptotic series
below -30 where the cdf itself underflows. tests/test_risk_var.py checks all four against scipy.stats.norm.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

_STANDARD = NormalDist()
_ROOT_2 = math.sqrt(2.0)
_ROOT_2PI = math.sqrt(2.0 * math.pi)
_LOG_ROOT_2PI = math.log(_ROOT_2PI)


def _scalar_ppf(p: float) -> float:
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    if not 0.0 < p < 1.0:  # NaN or outside [0, 1], as scipy
        return math.nan
    return _STANDARD.inv_cdf(p)


def _scalar_logcdf(x: float) -> float:
    if x > -30.0:
        return math.log(0.5 * math.erfc(-x / _ROOT_2))
    # Φ(x) ≈ φ(x)/(-x) · (1 − 1/x² + 3/x⁴ − 15/x⁶) for x → −∞
    inv2 = 1.0 / (x * x)
    return -0.5 * x * x - _LOG_ROOT_2PI - math.log(-x) + math.log1p(-inv2 + 3 * inv2 * inv2 - 15 * inv2 ** 3)


def _elementwise(function, value):
    if np.ndim(value) == 0:
        return function(float(value))
    array = np.asarray(value, dtype=float)
    return np.fromiter((function(v) for v in array.ravel()), dtype=float, count=array.size).reshape(array.shape)


class _StandardNormal:
    """The subset of `scipy.stats.norm` this package uses, with the same names."""

    @staticmethod
    def pdf(x):
        if np.ndim(x) == 0:
            return math.exp(-0.5 * float(x) ** 2) / _ROOT_2PI
        array = np.asarray(x, dtype=float)
        return np.exp(-0.5 * array * array) / _ROOT_2PI

    @staticmethod
    def cdf(x):
        return _elementwise(lambda v: 0.5 * math.erfc(-v / _ROOT_2), x)

    @staticmethod
    def logcdf(x):
        return _elementwise(_scalar_logcdf, x)

    @staticmethod
    def ppf(p):
        return _elementwise(_scalar_ppf, p)


norm = _StandardNormal()
