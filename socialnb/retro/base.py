"""What every part of the retro shares: the sprint vocabulary (from :mod:`socialnb.periods`),
the posts with their rates, and the trailing baseline each post is compared with."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import metrics as M
from .. import periods
from ..errors import AnalysisError

BASELINE_SPRINTS = 3

#: How a KPI's status is decided (printed on the page).


def _check_month(month: str) -> str:
    """``month`` when it is a sprint (``YYYY-MM``); an AnalysisError otherwise."""
    return periods.check_month(month, what="parameter 'month'", error=AnalysisError)


def previous_sprints(month: str, n: int = BASELINE_SPRINTS) -> list[str]:
    """The ``n`` sprints before ``month``, oldest first (:func:`socialnb.periods.months_before`).

    >>> previous_sprints("2026-01")
    ['2025-10', '2025-11', '2025-12']
    """
    return periods.months_before(_check_month(month), n)


#: Each post's sprint (``YYYY-MM`` of its local publishing time).
sprint_of = periods.post_months


def prepare_posts(
    posts: pd.DataFrame, account_daily: pd.DataFrame | None = None, *, include_clicks=False
) -> pd.DataFrame:
    """Posts with ``sprint``, ``engagements``, ``followers`` (at posting), ``rate`` (the platform's
    primary rate, :data:`~socialnb.metrics.PRIMARY_RATE`) and ``rate_metric`` (its name)."""
    out = M.with_engagements(M.with_format(posts), include_clicks=include_clicks)
    for col in ("pillar", "series", "planned_sprint"):
        if col not in out:
            out[col] = pd.NA
    out["sprint"] = sprint_of(out)
    out = M.followers_at_posting(out, account_daily if account_daily is not None else None)
    out["rate_metric"] = out["platform"].map(M.PRIMARY_RATE).astype("string")
    out["rate"] = np.nan
    for metric, idx in out.groupby("rate_metric").groups.items():
        out.loc[idx, "rate"] = M.per_post(out.loc[idx], metric, include_clicks=include_clicks)
    return out


# ====================================================================================== baselines
def _trailing_baseline(
    frame: pd.DataFrame, *, by_format: bool, exclude_series: bool = False, pools: dict | None = None
) -> pd.Series:
    """For every post: the median ``rate`` of the brand's organic posts on the same platform (and
    format) in the :data:`BASELINE_SPRINTS` sprints before the post's sprint, optionally leaving
    out posts of the post's own series. Falls back to all formats when fewer than 3 posts. When
    ``pools`` is given it receives, per post index, the baseline posts' rates (for intervals
    that carry the baseline's own uncertainty)."""
    rates = frame.dropna(subset=["rate"])
    fmt = frame["format"].astype("string").fillna("(none)")
    series = frame["series"].astype("string").fillna("")
    rfmt = fmt.loc[rates.index]
    rser = series.loc[rates.index]
    cache: dict[tuple, float] = {}
    pool_cache: dict[tuple, np.ndarray] = {}
    out = pd.Series(np.nan, index=frame.index)
    for i in frame.index:
        platform, sprint = frame.at[i, "platform"], frame.at[i, "sprint"]
        if pd.isna(sprint):
            continue
        f = fmt.at[i] if by_format else None
        s = series.at[i] if exclude_series and series.at[i] else None
        key = (platform, sprint, f, s)
        if key not in cache:
            prev = previous_sprints(sprint)
            pool = (rates["platform"] == platform) & rates["sprint"].isin(prev)
            if s is not None:  # series posts are compared with the brand's regular posts
                regular = pool & (rser == "")
                pool = regular if regular.sum() >= 3 else pool & (rser != s)
            narrow = pool & (rfmt == f) if f is not None else pool
            use = narrow if narrow.sum() >= 3 else pool
            cache[key] = float(rates.loc[use, "rate"].median()) if use.sum() >= 3 else np.nan
            pool_cache[key] = rates.loc[use, "rate"].to_numpy(float)
        out.at[i] = cache[key]
        if pools is not None and np.isfinite(cache[key]):
            pools[i] = pool_cache[key]
    return out


def _with_indices(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["baseline_format"] = _trailing_baseline(out, by_format=True)
    out["baseline_platform"] = _trailing_baseline(out, by_format=False)
    out["index_format"] = out["rate"] / out["baseline_format"]
    out["index_platform"] = out["rate"] / out["baseline_platform"]
    return out


def _baseline_word(ratio: M.Interval) -> str:
    if not np.isfinite(ratio.estimate):
        return "no baseline"
    if np.isfinite(ratio.low) and ratio.low > 1:
        return "above baseline"
    if np.isfinite(ratio.high) and ratio.high < 1:
        return "below baseline"
    return "within baseline range"
