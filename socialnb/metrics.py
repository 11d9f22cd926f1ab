"""Metric definitions: engagements and every rate in ``reference/metrics.md``, each with its
numerator, denominator, aggregation, scope and version.

A rate is computed per post, then aggregated over a group of posts as the **median of per-post
rates** (robust to one viral post), with the **rate of totals** beside it. Organic and boosted
posts are reported separately (``scope``). Meta's 2025 Views change (:data:`VIEWS_CHANGE`) is
marked on every result whose posts cross it.

Examples
--------
>>> import pandas as pd
>>> from socialnb import metrics
>>> posts = pd.DataFrame({"platform": ["instagram"] * 3, "format": ["reel", "reel", "image"],
...                       "likes": [30.0, 8.0, 5.0], "comments": [2.0, 2.0, 0.0],
...                       "reach": [400.0, 200.0, 100.0],
...                       "published_at": ["2026-10-01", "2026-10-02", "2026-10-03"]})
>>> res = metrics.aggregate(posts, "er_reach")
>>> res.label
'median of per-post engagements / reach, organic posts, v1'
>>> round(res.value, 3), round(res.rate_of_totals, 4), res.totals_label
(0.05, 0.0671, 'rate of totals: sum of engagements / sum of reach, organic posts, v1')
>>> metrics.metric_table(posts, "er_reach", by=["format"])[["format", "value", "n_posts"]]
  format  value  n_posts
0  image  0.050        1
1   reel  0.065        2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .periods import local_time

__all__ = [
    "METRICS_VERSION",
    "VIEWS_CHANGE",
    "ENGAGEMENT_PARTS",
    "SCOPES",
    "PRIMARY_RATE",
    "MetricDefinition",
    "MetricResult",
    "Interval",
    "METRICS",
    "definition",
    "primary_rate",
    "exposure_metric",
    "exposure",
    "engagements",
    "with_engagements",
    "UNKNOWN_FORMAT",
    "with_format",
    "followers_at_posting",
    "select_scope",
    "per_post",
    "aggregate",
    "metric_table",
    "MEDIAN_OF_POSTS",
    "RATE_OF_TOTALS",
    "RATE_GROUPS",
    "shown_rates",
    "views_change_within",
    "follower_growth_rate",
    "returning_audience_share",
    "bootstrap_interval",
    "bootstrap_ratio",
]

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


#: Kept for the callers that have not moved to :func:`socialnb.periods.local_time` yet (retro.py);
#: remove once none reads it (issue 13).
_local_time = local_time


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


# ----------------------------------------------------------------------------------- aggregate
def views_change_within(
    start, end, platforms: Sequence[str] | None = None
) -> dict[str, pd.Timestamp]:
    """Meta's Views changes (platform -> date) that fall after ``start`` and on/before ``end``.

    >>> views_change_within("2025-01-01", "2025-12-31", ["instagram", "x"])
    {'instagram': Timestamp('2025-04-21 00:00:00')}
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    out = {}
    for platform, day in VIEWS_CHANGE.items():
        if platforms is not None and platform not in set(platforms):
            continue
        t = pd.Timestamp(day)
        if lo < t <= hi:
            out[platform] = t
    return out


def _views_breaks(posts: pd.DataFrame) -> tuple[str, ...]:
    if not len(posts) or "platform" not in posts:
        return ()
    local = local_time(posts)
    marks = []
    for platform, day in VIEWS_CHANGE.items():
        mine = posts["platform"] == platform
        if not mine.any():
            continue
        t = pd.Timestamp(day)
        span = local[mine]
        eras = set()
        if "metric_era" in posts:
            eras = {e for e in posts.loc[mine, "metric_era"].dropna().astype(str) if e}
        if (span.min() < t <= span.max()) or len(eras) > 1:
            marks.append(f"{platform} Views change {day.isoformat()}")
    return tuple(marks)


#: The two aggregations of a rate over a group of posts, as pages name them.
MEDIAN_OF_POSTS = "median of per-post rates"
RATE_OF_TOTALS = "rate of totals"


@dataclass(frozen=True)
class MetricResult:
    """One metric aggregated over a group of posts, with its definition."""

    definition: MetricDefinition
    scope: str
    value: float  # median of per-post values
    rate_of_totals: float  # sum(numerator) / sum(denominator) (for counts: the mean per post)
    n_posts: int  # posts with a usable value
    n_missing: int  # posts left out (numerator or denominator not reported, or 0 denominator)
    views_breaks: tuple[str, ...] = ()
    include_clicks: bool = False
    numerator_sum: float = np.nan  # sum(numerator) over the posts with a usable value
    denominator_sum: float = np.nan  # sum(denominator) over the same posts (posts for a count)

    @property
    def aggregation(self) -> str:
        """How :attr:`value` aggregates the posts (:data:`MEDIAN_OF_POSTS` for a rate)."""
        return MEDIAN_OF_POSTS if self.definition.is_rate else "median of per-post values"

    @property
    def totals_aggregation(self) -> str:
        """How :attr:`rate_of_totals` aggregates the posts (:data:`RATE_OF_TOTALS` for a rate,
        the mean per post for a count)."""
        return RATE_OF_TOTALS if self.definition.is_rate else "mean per post"

    def _qualifiers(self) -> str:
        scope = "all posts" if self.scope == "all" else f"{self.scope} posts"
        clicks = " (clicks counted as engagements)" if self.include_clicks else ""
        text = f"{clicks}, {scope}, v{self.definition.version}"
        if self.views_breaks:
            text += "; crosses " + ", ".join(self.views_breaks)
        return text

    @property
    def label(self) -> str:
        """E.g. ``median of per-post engagements / reach, organic posts, v1``."""
        return f"median of per-post {self.definition.formula}{self._qualifiers()}"

    @property
    def totals_label(self) -> str:
        """E.g. ``rate of totals: sum of engagements / sum of reach, organic posts, v1`` (for a
        count: ``mean of saves per post, ...``)."""
        d = self.definition
        if not d.is_rate:
            return f"mean of {d.formula}{self._qualifiers()}"
        scale = f" x {d.per:,.0f}" if d.per != 1 else ""
        ratio = f"sum of {d.numerator} / sum of {d.denominator}{scale}"
        return f"{RATE_OF_TOTALS}: {ratio}{self._qualifiers()}"

    def label_of(self, aggregation: str) -> str:
        """The label of one aggregation: :data:`MEDIAN_OF_POSTS` or :data:`RATE_OF_TOTALS`."""
        return self.label if aggregation == MEDIAN_OF_POSTS else self.totals_label

    def value_of(self, aggregation: str) -> float:
        """The value of one aggregation: :data:`MEDIAN_OF_POSTS` or :data:`RATE_OF_TOTALS`."""
        return self.value if aggregation == MEDIAN_OF_POSTS else self.rate_of_totals

    def __str__(self) -> str:
        return f"{self.definition.name} = {self.value:.4g} ({self.label}; n = {self.n_posts})"

    def to_frame(self) -> pd.DataFrame:
        d = self.definition
        return pd.DataFrame(
            [
                {
                    "metric": d.name,
                    "value": self.value,
                    "rate_of_totals": self.rate_of_totals,
                    "n_posts": self.n_posts,
                    "n_missing": self.n_missing,
                    "numerator": d.numerator,
                    "denominator": d.denominator or "post",
                    "aggregation": self.aggregation,
                    "scope": self.scope,
                    "version": d.version,
                    "views_break": "; ".join(self.views_breaks),
                    "label": self.label,
                    "totals_label": self.totals_label,
                }
            ]
        )


def aggregate(
    posts: pd.DataFrame,
    metric: str,
    *,
    scope: str = "organic",
    include_clicks: bool = False,
) -> MetricResult:
    """Aggregate ``metric`` over ``posts``: the median of per-post values, the rate of totals
    beside it (totals over the posts where both parts are reported).

    Parameters
    ----------
    posts
        Canonical post rows (``socialnb.schema.POST_FIELDS``); ``followers`` for the
        follower-based rates (see :func:`followers_at_posting`).
    metric
        A name in :data:`METRICS`.
    scope
        ``organic`` (default), ``boosted`` or ``all``.
    include_clicks
        Count clicks as engagements (a brand's opt-in).
    """
    d = definition(metric)
    chosen = select_scope(posts, scope)
    num, den = _num_den(chosen, d, include_clicks)
    values = (num / den * d.per).dropna()
    total_num, total_den = float(num.dropna().sum()), float(den.dropna().sum())
    rot = total_num / total_den * d.per if total_den > 0 else np.nan
    return MetricResult(
        definition=d,
        scope=scope,
        value=float(values.median()) if len(values) else np.nan,
        rate_of_totals=rot,
        n_posts=int(values.size),
        n_missing=int(len(chosen) - values.size),
        views_breaks=_views_breaks(chosen),
        include_clicks=include_clicks,
        numerator_sum=total_num if len(values) else np.nan,
        denominator_sum=total_den if len(values) else np.nan,
    )


def metric_table(
    posts: pd.DataFrame,
    metric: str,
    *,
    by: Sequence[str] = (),
    scope: str = "organic",
    include_clicks: bool = False,
) -> pd.DataFrame:
    """:func:`aggregate` per group of ``by`` columns: one row per group with ``value`` (median of
    per-post values), ``rate_of_totals``, ``n_posts``, ``n_missing`` and the definition's label.
    Groups with a missing key are shown as "(none)".

    >>> p = pd.DataFrame({"platform": ["x", "x", "x"], "pillar": ["tips", None, "tips"],
    ...                   "likes": [4.0, 9.0, 6.0], "impressions": [100.0, 300.0, 100.0],
    ...                   "published_at": ["2026-10-01", "2026-10-02", "2026-10-03"]})
    >>> metric_table(p, "er_impressions", by=["pillar"])[["pillar", "value", "rate_of_totals"]]
       pillar  value  rate_of_totals
    0  (none)   0.03            0.03
    1    tips   0.05            0.05
    """
    by = list(by)
    rows = []
    if not by:
        return aggregate(posts, metric, scope=scope, include_clicks=include_clicks).to_frame()
    keys = posts[by].astype("string").fillna("(none)")
    for key, sub in posts.groupby([keys[c] for c in by], sort=True):
        key = key if isinstance(key, tuple) else (key,)
        res = aggregate(sub, metric, scope=scope, include_clicks=include_clicks)
        if res.n_posts == 0 and res.n_missing == 0:
            continue
        row = dict(zip(by, key, strict=True))
        row.update(res.to_frame().iloc[0].to_dict())
        rows.append(row)
    cols = by + list(
        aggregate(posts.iloc[0:0], metric, scope=scope, include_clicks=include_clicks).to_frame()
    )
    return pd.DataFrame(rows, columns=cols)


# ----------------------------------------------------------------------------------- rates shown
#: The columns that say which posts a shown rate covers (besides the month).
RATE_GROUPS: tuple[str, ...] = ("platform", "format", "pillar", "series")


def shown_rates(
    table: pd.DataFrame,
    *,
    month: str,
    aggregation: str,
    value_column: str | None = None,
) -> list[dict]:
    """The rates a page shows, as rows to record (``socialnb.record("rates_shown", rows)``).

    Every page records each engagement rate it shows with its definition, so that one number
    per (month, group, metric, aggregation, scope) can be checked across pages.

    Parameters
    ----------
    table
        A frame with ``metric`` and ``scope`` columns (as :func:`metric_table` returns), the
        group columns it has among :data:`RATE_GROUPS`, and the value column.
    month
        The month (``YYYY-MM``) the posts were published in (``"*"`` for several months).
    aggregation
        :data:`MEDIAN_OF_POSTS` or :data:`RATE_OF_TOTALS`.
    value_column
        Where the value is; by default ``value`` for the median and ``rate_of_totals`` for the
        rate of totals (the columns of :func:`metric_table`).

    Examples
    --------
    >>> t = pd.DataFrame({"platform": ["x"], "metric": ["er_impressions"], "scope": ["organic"],
    ...                   "value": [0.012], "rate_of_totals": [0.015], "n_posts": [40]})
    >>> shown_rates(t, month="2026-10", aggregation=RATE_OF_TOTALS)[0]["value"]
    0.015
    """
    if aggregation not in (MEDIAN_OF_POSTS, RATE_OF_TOTALS):
        raise AnalysisError(
            f"unknown aggregation {aggregation!r}. What to do: use {MEDIAN_OF_POSTS!r} or "
            f"{RATE_OF_TOTALS!r}."
        )
    column = value_column or ("value" if aggregation == MEDIAN_OF_POSTS else "rate_of_totals")
    groups = [c for c in RATE_GROUPS if c in table]
    rows = []
    for rec in table.to_dict("records"):
        value = pd.to_numeric(pd.Series([rec.get(column)]), errors="coerce").iloc[0]
        row = {"month": month, "metric": str(rec["metric"]), "aggregation": aggregation}
        row["scope"] = str(rec.get("scope", "organic"))
        row.update({g: (None if pd.isna(rec[g]) else str(rec[g])) for g in groups})
        row["value"] = None if pd.isna(value) else float(value)
        if "n_posts" in rec and not pd.isna(rec["n_posts"]):
            row["n_posts"] = int(rec["n_posts"])
        rows.append(row)
    return rows


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
