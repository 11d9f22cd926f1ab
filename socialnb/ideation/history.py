"""The brand's post history as the performance model sees it: one row an organic post with its
engagements, its exposure and the model's covariates; which sprints to plan and check; whether
there is enough history to fit."""

from __future__ import annotations

import pandas as pd

from .. import metrics as M
from .. import periods
from ..errors import AnalysisError
from ..periods import next_month

__all__ = [
    "EXPOSURE",
    "MIN_HISTORY_POSTS",
    "post_outcomes",
    "next_month",
    "resolve_sprints",
    "history_gap",
]

#: Exposure per platform: the denominator of its :data:`socialnb.metrics.PRIMARY_RATE` (reach on
#: Facebook and Instagram, impressions on X and LinkedIn, views on TikTok and YouTube), the one
#: every page divides by. A post whose export lacks it is left out of the model, never measured
#: by another exposure (an Instagram post's engagements per view is another rate).
EXPOSURE: dict[str, tuple[str, ...]] = {
    platform: (str(M.definition(rate).denominator),) for platform, rate in M.PRIMARY_RATE.items()
}

#: Organic posts with an exposure the performance model needs before the sprint it predicts.
MIN_HISTORY_POSTS = 10

_HOUR_BINS = ((0, 6, "night"), (6, 11, "morning"), (11, 15, "midday"), (15, 19, "afternoon"),
              (19, 24, "evening"))  # fmt: skip
_AGE_BINS = ((0, 3, "0-2d"), (3, 7, "3-6d"), (7, 14, "7-13d"), (14, 10**6, "14d+"))
_MATURE = "14d+"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _binned(values: pd.Series, bins, default: str) -> pd.Series:
    out = pd.Series(default, index=values.index, dtype=object)
    for lo, hi, name in bins:
        out[values.ge(lo) & values.lt(hi)] = name
    return out


def post_outcomes(posts: pd.DataFrame) -> pd.DataFrame:
    """Organic posts with ``engagements`` (:func:`socialnb.metrics.engagements`), ``exposure``
    (:data:`EXPOSURE`) and ``exposure_metric``, and the model's covariates: ``hour_bin``,
    ``weekday``, ``age_bin`` (days from publishing to the export), ``sprint``
    (:func:`socialnb.periods.post_months`) and ``pillar`` (``unknown`` for NA).

    Posts without their platform's exposure or without any engagement part are left out;
    boosted posts too (a boosted post never sets an organic baseline).

    Examples
    --------
    >>> posts = pd.DataFrame({"platform": ["x", "x"], "format": [None, "video"],
    ...     "likes": [5, 1], "comments": [1, None], "shares": [0, 0], "saves": [None, None],
    ...     "impressions": [300, None], "reach": [None, None], "views": [None, None],
    ...     "published_local": ["2026-10-05 09:30", "2026-10-06 20:00"],
    ...     "published_at": ["2026-10-05 09:30Z", "2026-10-06 20:00Z"],
    ...     "exported_at": ["2026-11-01 00:00Z"] * 2, "date_precision": ["minute", "day"],
    ...     "distribution": ["organic", "organic"], "pillar": [None, "gear"]})
    >>> post_outcomes(posts)[["format", "engagements", "exposure", "hour_bin", "sprint"]]
        format  engagements  exposure hour_bin   sprint
    0  unknown          6.0     300.0  morning  2026-10
    """
    if posts.empty:
        raise AnalysisError("no posts: ingest the brand's exports first (Workspace.ingest).")
    p = M.with_format(posts)
    if "distribution" in p:
        p = p[p["distribution"].fillna("organic").astype(str) != "boosted"]
    p = p.assign(engagements=M.engagements(p), exposure=float("nan"), exposure_metric="")
    for platform, (metric,) in EXPOSURE.items():
        sel = (p["platform"] == platform).to_numpy()
        if sel.any() and metric in p:
            p.loc[sel, "exposure"] = pd.to_numeric(p.loc[sel, metric], errors="coerce")
            p.loc[sel, "exposure_metric"] = metric
    p = p[p["exposure"].gt(0) & p["engagements"].notna()].copy()
    local = pd.to_datetime(p["published_local"])
    minute = p["date_precision"].astype(str).eq("minute")
    p["hour_bin"] = _binned(local.dt.hour.where(minute), _HOUR_BINS, "unknown")
    age = (
        pd.to_datetime(p["exported_at"], utc=True) - pd.to_datetime(p["published_at"], utc=True)
    ).dt.total_seconds() / 86400.0
    p["age_bin"] = _binned(age, _AGE_BINS, _MATURE)
    p["weekday"] = [(_WEEKDAYS[d] if d == d else "unknown") for d in local.dt.day_of_week]
    p["sprint"] = periods.post_months(p).astype(object)
    p["pillar"] = p["pillar"].astype(object).where(p["pillar"].notna(), "unknown").str.lower()
    p["platform"] = p["platform"].astype(str)
    return p.reset_index(drop=True)


def resolve_sprints(month: str, posts: pd.DataFrame) -> tuple[str, str]:
    """Which sprint to plan and which to check, given the notebook's ``month``.

    The report passes the month it reports on (a finished sprint with posts); a person may pass
    the sprint to plan. Rule: if ``month`` already has posts, it is the finished sprint: plan
    ``month + 1`` and check ``month``. Otherwise ``month`` is the sprint to plan, and the check is
    the latest sprint before it that has posts. Returns ``(to_plan, to_check)``.

    Examples
    --------
    >>> posts = pd.DataFrame({"published_local": ["2026-09-03 10:00", "2026-10-02 08:00"],
    ...                       "published_at": ["2026-09-03 08:00Z", "2026-10-02 06:00Z"]})
    >>> resolve_sprints("2026-10", posts), resolve_sprints("2026-12", posts)
    (('2026-11', '2026-10'), ('2026-12', '2026-10'))
    """
    periods.check_month(month)
    before = sorted(m for m in set(periods.post_months(posts).dropna()) if m <= month)
    if not before:
        raise AnalysisError(f"no posts on or before {month}: ingest the brand's exports first.")
    if before[-1] == month:
        return next_month(month), month
    return month, before[-1]


def history_gap(posts: pd.DataFrame, month: str, *, check: bool = False) -> str:
    """Why the performance model cannot be fitted for sprint ``month`` yet, in one sentence, or
    ``""`` when it can (:func:`fit_performance`; with ``check=True`` also whether
    :func:`calibrate` can check sprint ``month``: it needs posts with an exposure in it).

    Examples
    --------
    >>> history_gap(pd.DataFrame(), "2026-11")[:59]
    'Too little history to fit the performance model for 2026-11'
    """
    periods.check_month(month)
    h = post_outcomes(posts) if len(posts) else pd.DataFrame({"sprint": pd.Series(dtype=object)})
    n = int((h["sprint"] < month).sum())
    if n < MIN_HISTORY_POSTS:
        return (
            f"Too little history to fit the performance model for {month}: {n} organic posts "
            f"with engagements and an exposure (reach, impressions or views) before it, and it "
            f"needs at least {MIN_HISTORY_POSTS}. It fits once the brand has that many posts; "
            "ingest older exports if they exist."
        )
    if check and not (h["sprint"] == month).any():
        return f"No organic post with an exposure in {month}: there is nothing to check."
    return ""
