"""Series health: keep, scale or sunset each content series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metrics as M
from ..config import SeriesRule
from .base import (
    BASELINE_SPRINTS,
    _check_month,
    _trailing_baseline,
    previous_sprints,
)


def series_verdict(interval: M.Interval, n_sprints: int, rule: SeriesRule) -> str:
    """keep / scale / sunset / too early to tell, from the window ratio's interval.

    Sunset needs the whole interval below ``rule.sunset_below``; scale the whole interval above
    ``rule.scale_above``; fewer than ``rule.min_sprints`` sprints with posts (or no interval) is
    too early to tell; anything else is keep.

    Examples
    --------
    >>> from socialnb.config import SeriesRule
    >>> series_verdict(M.Interval(0.6, 0.5, 0.75), 4, SeriesRule())
    'sunset'
    >>> series_verdict(M.Interval(0.6, 0.5, 0.75), 1, SeriesRule())
    'too early to tell'
    """
    if n_sprints < rule.min_sprints or not np.isfinite(interval.estimate):
        return "too early to tell"
    if np.isfinite(interval.high) and interval.high < rule.sunset_below:
        return "sunset"
    if np.isfinite(interval.low) and interval.low > rule.scale_above:
        return "scale"
    return "keep"


SERIES_MIN_POSTS = 7
"""Fewest series posts in the window for an interval (and so a sunset or scale verdict)."""


def _series_interval(recent: pd.DataFrame, pools: dict, *, n_resamples: int, seed: int):
    """Median of the posts' rate / baseline ratios with a percentile bootstrap interval that
    carries both sources of uncertainty: each replicate resamples the series posts and, for
    every baseline pool, the baseline posts (their median is recomputed). Fewer than
    :data:`SERIES_MIN_POSTS` posts: no interval ("too few posts")."""
    method = "bootstrap of the series posts and of the baseline posts (both uncertainties)"
    ratios = recent["series_index"].to_numpy(float)
    est = float(np.median(ratios)) if ratios.size else np.nan
    if ratios.size < SERIES_MIN_POSTS or not all(i in pools for i in recent.index):
        return M.Interval(est, np.nan, np.nan, 0.95, method, n_resamples, seed)
    rng = np.random.default_rng(seed)
    rates = recent["rate"].to_numpy(float)
    base = np.empty((n_resamples, ratios.size))
    draws: dict[int, np.ndarray] = {}
    for j, i in enumerate(recent.index):
        pool = pools[i]
        key = id(pool)
        if key not in draws:
            draws[key] = np.median(pool[rng.integers(0, pool.size, (n_resamples, pool.size))], 1)
        base[:, j] = draws[key]
    pick = rng.integers(0, ratios.size, (n_resamples, ratios.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = np.median(rates[pick] / np.take_along_axis(base, pick, 1), axis=1)
    lo, hi = np.nanquantile(boot, [0.025, 0.975])
    return M.Interval(est, float(lo), float(hi), 0.95, method, n_resamples, seed)


def series_rule_text(rule: SeriesRule) -> str:
    """The series rule in words, for the page."""
    return (
        f"Each series post is compared with the brand's trailing baseline: the median rate of the "
        f"brand's posts outside any series on the same platform and format in the "
        f"{BASELINE_SPRINTS} sprints before it (each platform's primary engagement rate; other "
        f"formats or series posts fill in when fewer than 3 such posts exist). A series needs posts in at least "
        f"{rule.min_sprints} sprints. Its health is the median of those ratios over its posts in "
        f"the last {rule.window} sprints, with a 95% interval that carries the uncertainty of "
        f"both the series posts and the baseline posts (at least {SERIES_MIN_POSTS} posts in the "
        f"window, otherwise too few posts to judge). Sunset when the whole "
        f"interval is below {rule.sunset_below:g}; scale when it is entirely above "
        f"{rule.scale_above:g}; otherwise keep. One bad month cannot trigger a sunset."
    )


@dataclass(frozen=True, eq=False)
class SeriesHealth:
    """Per series: verdict, window ratio with interval, and the per-sprint trend."""

    month: str
    rule: SeriesRule
    table: pd.DataFrame  # one row per series
    trend: pd.DataFrame  # series x sprint: median ratio, interval, n posts

    @property
    def verdicts(self) -> dict[str, str]:
        return dict(zip(self.table["series"], self.table["verdict"], strict=True))

    @property
    def sunset_candidates(self) -> list[str]:
        return [s for s, v in self.verdicts.items() if v == "sunset"]

    @property
    def rule_text(self) -> str:
        return series_rule_text(self.rule)

    def to_frame(self) -> pd.DataFrame:
        """One row per series: verdict, ratio to the baseline and its 95% interval."""
        return self.table.copy()

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{k}: {v}" for k, v in self.verdicts.items()) or "no series"
        return f"SeriesHealth({self.month}: {verdicts})"

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots()
        t = self.trend.dropna(subset=["ratio"])
        sns.lineplot(data=t, x="sprint", y="ratio", hue="series", marker="o", ax=ax)
        for _, g in t.groupby("series"):
            ax.fill_between(g["sprint"], g["low"], g["high"], alpha=0.12)
        ax.axhline(1, color="#555", lw=1)
        ax.axhline(self.rule.sunset_below, color="#D55E00", ls="--", lw=1, label="sunset line")
        ax.axhline(self.rule.scale_above, color="#009E73", ls="--", lw=1, label="scale line")
        ax.set(xlabel="sprint", ylabel="rate / trailing baseline (median)")
        ax.tick_params(axis="x", rotation=45)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        return ax


def series_health(
    frame: pd.DataFrame,
    month: str,
    rule: SeriesRule,
    *,
    history: int = 9,
    seed: int = 0,
    n_resamples: int = 2000,
) -> SeriesHealth:
    """Series health for sprint ``month`` under ``rule`` (see :func:`series_rule_text`).

    ``frame`` is :func:`prepare_posts` output (organic posts are used). ``history`` sprints of
    trend are returned for the chart.
    """
    _check_month(month)
    f = M.select_scope(frame, "organic")
    f = f[f["sprint"].notna() & (f["sprint"] <= month)].copy()
    f["series"] = f["series"].astype("string").replace("", pd.NA)
    pools: dict = {}
    f["series_baseline"] = _trailing_baseline(f, by_format=True, exclude_series=True, pools=pools)
    f["series_index"] = f["rate"] / f["series_baseline"]
    s = f.dropna(subset=["series", "series_index"])
    window = previous_sprints(month, rule.window - 1) + [month]
    trend_sprints = previous_sprints(month, history - 1) + [month]
    rows, trend = [], []
    for k, (name, g) in enumerate(s.groupby("series", sort=True)):
        sprints = sorted(g["sprint"].unique())
        recent = g[g["sprint"].isin(window)]
        iv = _series_interval(recent, pools, n_resamples=n_resamples, seed=seed + k)
        verdict = series_verdict(iv, len(sprints), rule)
        reason = ""
        if len(sprints) < rule.min_sprints:
            reason = f"posts in {len(sprints)} sprint(s); the rule needs {rule.min_sprints}"
        elif recent.empty:
            reason = f"no posts in the last {rule.window} sprints"
        elif len(recent) < SERIES_MIN_POSTS:
            reason = (
                f"too few posts: {len(recent)} in the last {rule.window} sprints; an interval "
                f"needs at least {SERIES_MIN_POSTS}"
            )
        rows.append({"series": name, "verdict": verdict, "ratio": iv.estimate, "low": iv.low,
                     "high": iv.high, "posts_in_window": len(recent), "sprints_with_posts": len(sprints),
                     "first_sprint": sprints[0], "platforms": ", ".join(sorted(g["platform"].unique())),
                     "reason": reason})  # fmt: skip
        for j, sp in enumerate(trend_sprints):
            gs = g[g["sprint"] == sp]["series_index"]
            tiv = M.bootstrap_interval(gs, n_resamples=n_resamples, seed=seed + 100 * k + j)
            trend.append({"series": name, "sprint": sp, "ratio": tiv.estimate, "low": tiv.low,
                          "high": tiv.high, "n_posts": len(gs)})  # fmt: skip
    cols = ["series", "verdict", "ratio", "low", "high", "posts_in_window", "sprints_with_posts",
            "first_sprint", "platforms", "reason"]  # fmt: skip
    return SeriesHealth(
        month,
        rule,
        pd.DataFrame(rows, columns=cols),
        pd.DataFrame(trend, columns=["series", "sprint", "ratio", "low", "high", "n_posts"]),
    )
