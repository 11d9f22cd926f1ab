"""What each metric is, per post: engagements, each platform's exposure, every rate of
``reference/metrics.md`` with its numerator, denominator and version, and which posts a result
covers (``scope``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..periods import local_time

#: Version of the definitions below; bump it when a formula changes (results carry it).
METRICS_VERSION = 1

#: Meta's switch from impressions/plays to Views as the primary metric, per platform (the first
#: day of the "views" era). A series that crosses one of these dates is marked at the break.
VIEWS_CHANGE: dict[str, date] = {
    "instagram": date(2025, 4, 21),
    "facebook": date(2025, 11, 15),
}

#: The parts of an engagement (clicks are opt-in).
ENGAGEMENT_PARTS: tuple[str, ...] = ("likes", "comments", "shares", "saves")

#: Which posts a result covers.
SCOPES: tuple[str, ...] = ("organic", "boosted", "all")

#: The rate each platform is usually judged by (its most meaningful exposure).
PRIMARY_RATE: dict[str, str] = {
    "facebook": "er_reach",
    "instagram": "er_reach",
    "x": "er_impressions",
    "linkedin": "er_impressions",
    "tiktok": "er_views",
    "youtube": "er_views",
}


@dataclass(frozen=True)
class MetricDefinition:
    """What a metric is: numerator over denominator (``None``: a count per post).

    ``per`` scales the ratio (1000 for "per 1,000 followers").
    """

    name: str
    numerator: str
    denominator: str | None
    description: str
    per: float = 1.0
    version: int = METRICS_VERSION

    @property
    def formula(self) -> str:
        """The formula in words, e.g. ``engagements / reach`` or ``saves per post``."""
        if self.denominator is None:
            return f"{self.numerator} per post"
        scale = f" x {self.per:,.0f}" if self.per != 1 else ""
        return f"{self.numerator} / {self.denominator}{scale}"

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def _d(name, num, den, text, per=1.0) -> MetricDefinition:
    return MetricDefinition(name=name, numerator=num, denominator=den, description=text, per=per)


#: Every metric socialnb computes per post, by name.
METRICS: dict[str, MetricDefinition] = {
    m.name: m
    for m in (
        _d("er_impressions", "engagements", "impressions", "engagement rate by impressions"),
        _d("er_views", "engagements", "views", "engagement rate by views (views count repeats)"),
        _d("er_reach", "engagements", "reach", "engagement rate by reach (ERR)"),
        _d("er_followers", "engagements", "followers", "engagement rate by followers at posting"),
        _d("conversation_rate", "comments", None, "comments per post"),
        _d("conversation_per_1k", "comments", "followers", "comments per 1,000 followers", 1000),
        _d("amplification_rate", "shares", None, "shares per post"),
        _d("amplification_per_1k", "shares", "followers", "shares per 1,000 followers", 1000),
        _d("applause_rate", "likes", None, "likes per post"),
        _d("applause_per_1k", "likes", "followers", "likes per 1,000 followers", 1000),
        _d("virality_rate", "shares", "impressions", "shares per impression"),
        _d("virality_rate_views", "shares", "views", "shares per view"),
        _d("save_rate", "saves", "reach", "saves per person reached"),
        _d("send_rate", "shares", "reach", "shares (sends) per person reached"),
        _d("ctr", "clicks", "impressions", "click-through rate"),
        _d("follow_rate", "follows", "reach", "follows from the post per person reached"),
        _d("reach_per_post", "reach", None, "people reached per post"),
        _d("views_per_post", "views", None, "views per post"),
        _d("impressions_per_post", "impressions", None, "impressions per post"),
        _d("saves_per_post", "saves", None, "saves per post"),
        _d("shares_per_post", "shares", None, "shares per post"),
        _d("comments_per_post", "comments", None, "comments per post"),
        _d("engagements_per_post", "engagements", None, "engagements per post"),
    )
}


def definition(metric: str) -> MetricDefinition:
    """The :class:`MetricDefinition` of ``metric`` (raises AnalysisError naming the choices).

    >>> definition("er_reach").formula, definition("conversation_per_1k").formula
    ('engagements / reach', 'comments / followers x 1,000')
    """
    try:
        return METRICS[metric]
    except KeyError:
        raise AnalysisError(
            f"unknown metric {metric!r}. What to do: use one of {', '.join(METRICS)}."
        ) from None


def primary_rate(platform: str) -> str:
    """The rate ``platform`` is judged by (:data:`PRIMARY_RATE`; ``er_impressions`` for a
    platform it does not list).

    >>> primary_rate("instagram"), primary_rate("x")
    ('er_reach', 'er_impressions')
    """
    return PRIMARY_RATE.get(str(platform), "er_impressions")


def exposure_metric(platform: str) -> str:
    """The exposure a platform's engagement rate divides by: the denominator of its
    :func:`primary_rate` (``reach``, ``impressions`` or ``views``).

    >>> exposure_metric("facebook"), exposure_metric("tiktok"), exposure_metric("linkedin")
    ('reach', 'views', 'impressions')
    """
    return str(definition(primary_rate(platform)).denominator)


def exposure(posts: pd.DataFrame) -> pd.Series:
    """Each post's exposure by its own platform's measure (:func:`exposure_metric`): reach on
    Facebook and Instagram, impressions on X and LinkedIn, views on TikTok and YouTube. NaN where
    the export does not report that measure (never 0, never another platform's measure).

    >>> p = pd.DataFrame({"platform": ["instagram", "x", "x"], "reach": [120.0, None, None],
    ...                   "impressions": [900.0, 400.0, None]})
    >>> exposure(p).tolist()
    [120.0, 400.0, nan]
    """
    out = pd.Series(np.nan, index=posts.index, dtype="float64", name="exposure")
    if "platform" not in posts or not len(posts):
        return out
    for platform, idx in posts.groupby("platform", sort=False).groups.items():
        column = exposure_metric(platform)
        if column in posts:
            out.loc[idx] = pd.to_numeric(posts.loc[idx, column], errors="coerce")
    return out


# ----------------------------------------------------------------------------------- counts
def engagements(posts: pd.DataFrame, *, include_clicks: bool = False) -> pd.Series:
    """likes + comments + shares + saves per post, over the parts the platform reports.

    A part the export does not report (NaN) is left out of the sum, not counted as 0; a post
    reporting none of the parts gets NaN. Clicks are added only with ``include_clicks=True``.
    The platform's own total (``platform_engagements``) is never used here: it stays beside ours.

    >>> p = pd.DataFrame({"likes": [10.0, None], "comments": [2.0, None], "saves": [None, None],
    ...                   "clicks": [5.0, 1.0]})
    >>> engagements(p).tolist(), engagements(p, include_clicks=True).tolist()
    ([12.0, nan], [17.0, 1.0])
    """
    parts = list(ENGAGEMENT_PARTS) + (["clicks"] if include_clicks else [])
    frame = pd.DataFrame(
        {p: pd.to_numeric(posts[p], errors="coerce") if p in posts else np.nan for p in parts},
        index=posts.index,
    )
    return frame.sum(axis=1, min_count=1).astype("float64").rename("engagements")


def with_engagements(posts: pd.DataFrame, *, include_clicks: bool = False) -> pd.DataFrame:
    """A copy of ``posts`` with an ``engagements`` column (``platform_engagements`` kept).

    >>> with_engagements(pd.DataFrame({"likes": [3.0], "shares": [1.0]}))["engagements"].tolist()
    [4.0]
    """
    out = posts.copy()
    out["engagements"] = engagements(posts, include_clicks=include_clicks)
    if "platform_engagements" not in out:
        out["platform_engagements"] = np.nan
    return out


#: The format of a post whose export names none (X, some hand-made sheets): a level of its own.
UNKNOWN_FORMAT = "unknown"


def with_format(posts: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``posts`` whose ``format`` is lower-case text, :data:`UNKNOWN_FORMAT` where the
    export names none (NaN or blank), so that no analysis drops a post for a missing format.

    >>> with_format(pd.DataFrame({"format": [" Reel ", None, ""]}))["format"].tolist()
    ['reel', 'unknown', 'unknown']
    """
    out = posts.copy()
    fmt = out["format"] if "format" in out else pd.Series(pd.NA, index=out.index)
    fmt = fmt.astype("string").str.strip().str.lower()
    out["format"] = fmt.mask(fmt.isna() | fmt.eq(""), UNKNOWN_FORMAT).astype(object)
    return out


def followers_at_posting(posts: pd.DataFrame, account_daily: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``posts`` with ``followers``: the account's follower level on the last day on or
    before the post's (local) date, per platform. NaN where the daily data has no level.

    >>> posts = pd.DataFrame({"platform": ["x", "x"], "published_at": ["2026-10-02T09:00Z",
    ...                       "2026-09-01T09:00Z"]})
    >>> daily = pd.DataFrame({"platform": ["x", "x"], "date": ["2026-10-01", "2026-10-05"],
    ...                       "followers": [1200.0, 1250.0]})
    >>> followers_at_posting(posts, daily)["followers"].tolist()
    [1200.0, nan]
    """
    out = posts.copy()
    out["followers"] = np.nan
    if account_daily is None or not len(account_daily) or "followers" not in account_daily:
        return out
    daily = account_daily.dropna(subset=["followers"])[["platform", "date", "followers"]].copy()
    daily["date"] = pd.to_datetime(daily["date"]).astype("datetime64[us]")
    days = local_time(out).dt.normalize().astype("datetime64[us]")
    for platform, idx in out.groupby("platform", sort=False).groups.items():
        d = daily[daily["platform"] == platform].sort_values("date")
        if d.empty:
            continue
        left = pd.DataFrame({"date": days.loc[idx], "_i": idx}).dropna(subset=["date"])
        left = left.sort_values("date")
        merged = pd.merge_asof(left, d[["date", "followers"]], on="date", direction="backward")
        out.loc[merged["_i"].to_numpy(), "followers"] = merged["followers"].to_numpy()
    return out


def select_scope(posts: pd.DataFrame, scope: str = "organic") -> pd.DataFrame:
    """Posts of one scope: ``organic``, ``boosted`` or ``all``.

    A post whose distribution is unknown (NA) counts as organic: exports flag boosted posts.

    >>> p = pd.DataFrame({"post_id": ["a", "b", "c"], "distribution": ["organic", "boosted", None]})
    >>> select_scope(p)["post_id"].tolist(), select_scope(p, "boosted")["post_id"].tolist()
    (['a', 'c'], ['b'])
    """
    if scope not in SCOPES:
        raise AnalysisError(f"unknown scope {scope!r}. What to do: use one of {SCOPES}.")
    if scope == "all" or "distribution" not in posts:
        return posts if scope != "boosted" else posts.iloc[0:0]
    dist = posts["distribution"].astype("string").fillna("organic").str.lower()
    return posts[dist == scope]


# ----------------------------------------------------------------------------------- per post
def _column(posts: pd.DataFrame, name: str, include_clicks: bool) -> pd.Series:
    if name == "engagements":
        return engagements(posts, include_clicks=include_clicks)
    if name not in posts:
        if name == "followers":
            raise AnalysisError(
                "the posts carry no 'followers' column. What to do: add it with "
                "metrics.followers_at_posting(posts, account_daily)."
            )
        return pd.Series(np.nan, index=posts.index)
    return pd.to_numeric(posts[name], errors="coerce").astype("float64")


def _num_den(
    posts: pd.DataFrame, d: MetricDefinition, include_clicks: bool
) -> tuple[pd.Series, pd.Series]:
    num = _column(posts, d.numerator, include_clicks)
    if d.denominator is None:
        den = pd.Series(1.0, index=posts.index)
    else:
        den = _column(posts, d.denominator, include_clicks)
    usable = num.notna() & den.notna() & (den > 0)
    return num.where(usable), den.where(usable)


def per_post(posts: pd.DataFrame, metric: str, *, include_clicks: bool = False) -> pd.Series:
    """The metric's value for every post (NaN where the numerator or a positive denominator is
    missing: a post with 0 reach has no engagement rate by reach).

    >>> p = pd.DataFrame({"likes": [10.0, 5.0, 1.0], "reach": [200.0, 0.0, None]})
    >>> per_post(p, "er_reach").tolist()
    [0.05, nan, nan]
    """
    d = definition(metric)
    num, den = _num_den(posts, d, include_clicks)
    return (num / den * d.per).rename(metric)


# ----------------------------------------------------------------------------------- account level
def follower_growth_rate(followers_start: float, followers_end: float) -> float:
    """Net new followers in the period / followers at its start (NaN if the start is unknown).

    >>> follower_growth_rate(1000, 1050), follower_growth_rate(float("nan"), 1050)
    (0.05, nan)
    """
    if not np.isfinite(followers_start) or followers_start <= 0 or not np.isfinite(followers_end):
        return np.nan
    return float((followers_end - followers_start) / followers_start)


def returning_audience_share(returning_viewers: float, total_viewers: float) -> float:
    """Returning viewers / all viewers (YouTube, TikTok): a loyalty measure; NaN without data.

    >>> returning_audience_share(300, 1200), returning_audience_share(300, 0)
    (0.25, nan)
    """
    if not np.isfinite(total_viewers) or total_viewers <= 0 or not np.isfinite(returning_viewers):
        return np.nan
    return float(returning_viewers / total_viewers)
