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
    that carry the baseline's own uncertainty; posts with the same platform, sprint, format and
    series share one array, in the frame's order).

    Computed once per distinct (platform, sprint, format, series) on numpy arrays."""
    has_rate = frame["rate"].notna().to_numpy()
    platform = frame["platform"].astype(object).to_numpy()
    sprint = frame["sprint"].astype(object).to_numpy()
    fmt = frame["format"].astype("string").fillna("(none)").astype(object).to_numpy()
    series = frame["series"].astype("string").fillna("").astype(object).to_numpy()
    r_rate = frame["rate"].to_numpy(float)[has_rate]
    r_platform, r_sprint = platform[has_rate], sprint[has_rate]
    r_fmt, r_series = fmt[has_rate], series[has_rate]
    r_regular = r_series == ""
    r_sprint_s = pd.Series(r_sprint, dtype=object)
    # each dated post's group: platform, sprint, format ("" when not by format), own series
    # ("" when none or not excluded); computed once per group
    dated = frame["sprint"].notna().to_numpy()
    keys = pd.DataFrame({
        "platform": platform, "sprint": sprint,
        "format": fmt if by_format else "",
        "series": series if exclude_series else "",
    })[dated]  # fmt: skip
    code = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    groups = keys.iloc[np.unique(code, return_index=True)[1]]
    by_months: dict[tuple, np.ndarray] = {}
    values = np.full(len(groups), np.nan)
    arrays: list[np.ndarray] = []
    for g, (p, sp, f, s) in enumerate(groups.itertuples(index=False, name=None)):
        if (p, sp) not in by_months:
            months = r_sprint_s.isin(previous_sprints(sp)).to_numpy()
            by_months[(p, sp)] = (r_platform == p) & months
        pool = by_months[(p, sp)]
        if s:  # series posts are compared with the brand's regular posts
            regular = pool & r_regular
            pool = regular if regular.sum() >= 3 else pool & (r_series != s)
        use = pool & (r_fmt == f) if by_format else pool
        if use.sum() < 3:
            use = pool
        arrays.append(r_rate[use])
        if use.sum() >= 3:
            values[g] = np.median(arrays[-1])
    out = np.full(len(frame), np.nan)
    out[dated] = values[code]
    if pools is not None:
        for i, g in zip(frame.index[dated], code, strict=True):
            if np.isfinite(values[g]):
                pools[i] = arrays[g]
    return pd.Series(out, index=frame.index)


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
