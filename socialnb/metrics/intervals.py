"""Seeded percentile bootstrap intervals over posts (a median, a mean, or a ratio of two)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


# ----------------------------------------------------------------------------------- intervals
@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile bootstrap interval."""

    estimate: float
    low: float
    high: float
    level: float = 0.95
    method: str = "percentile bootstrap over posts"
    n_resamples: int = 0
    seed: int | None = None

    def __str__(self) -> str:
        return f"{self.estimate:.4g} [{self.low:.4g}, {self.high:.4g}]"

    def excludes(self, value: float) -> bool:
        """True when the whole interval is above or below ``value``."""
        return bool(self.low > value or self.high < value)


_STATS: dict[str, Callable] = {"median": np.median, "mean": np.mean}

#: What the bootstrap functions accept as a group of per-post values.
Values = Sequence[float] | np.ndarray | pd.Series


def _finite(values: Values) -> np.ndarray:
    """The numbers among ``values`` (NaN and text dropped), as floats."""
    return np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").dropna(), dtype=float)


def _draws(x: np.ndarray, f: Callable, rng: np.random.Generator, n_resamples: int) -> np.ndarray:
    """``f`` over ``n_resamples`` resamples of ``x`` (with replacement, same size)."""
    return f(x[rng.integers(0, x.size, size=(n_resamples, x.size))], axis=1)


def _interval(est: float, draws: np.ndarray, level: float, method: str, n: int, seed) -> Interval:
    """The percentile interval of ``draws`` around ``est`` (NaN bounds without a finite draw)."""
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return Interval(est, np.nan, np.nan, level, method, n, seed)
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return Interval(est, float(lo), float(hi), level, method, n, seed)


def bootstrap_interval(
    values: Values,
    *,
    statistic: str = "median",
    level: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval of the median (or mean) of ``values`` (NaN dropped).

    Seeded: the same values and seed give the same interval. With one value the interval is the
    value itself; with none, NaN.

    >>> iv = bootstrap_interval([1.0, 2.0, 3.0, 4.0, 100.0], n_resamples=200)
    >>> iv.estimate, iv.low <= 3.0 <= iv.high
    (3.0, True)
    """
    x = _finite(values)
    method = f"percentile bootstrap over posts ({statistic})"
    if x.size == 0:
        return Interval(np.nan, np.nan, np.nan, level, method, n_resamples, seed)
    f = _STATS[statistic]
    draws = _draws(x, f, np.random.default_rng(seed), n_resamples)
    return _interval(float(f(x)), draws, level, method, n_resamples, seed)


def bootstrap_ratio(
    current: Values,
    baseline: Values,
    *,
    seed: int = 0,
    n_resamples: int = 2000,
    level: float = 0.95,
    statistic: str = "median",
) -> Interval:
    """Ratio statistic(current) / statistic(baseline), with a percentile bootstrap interval that
    resamples both groups of posts independently (seeded; options as :func:`bootstrap_interval`).

    >>> bootstrap_ratio([2.0, 4.0, 6.0], [1.0, 2.0, 3.0], n_resamples=200).estimate
    2.0
    """
    a, b = _finite(current), _finite(baseline)
    method = f"percentile bootstrap over posts (ratio of {statistic}s)"
    f = _STATS[statistic]
    if a.size == 0 or b.size == 0 or f(b) <= 0:
        return Interval(np.nan, np.nan, np.nan, level, method, n_resamples, seed)
    rng = np.random.default_rng(seed)
    da, db = _draws(a, f, rng, n_resamples), _draws(b, f, rng, n_resamples)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(db > 0, da / db, np.nan)
    return _interval(float(f(a) / f(b)), ratios, level, method, n_resamples, seed)
