"""The monthly overview: what the brand published on each of its platforms, and how it landed.

Every platform is judged by its own exposure (:data:`socialnb.metrics.PRIMARY_RATE`: reach on
Facebook and Instagram, impressions on X and LinkedIn, views on TikTok and YouTube) and
engagements as :func:`socialnb.metrics.engagements` defines them (likes + comments + shares +
saves, over the parts the export reports). Nothing here redefines a metric.

Examples
--------
>>> import pandas as pd
>>> from socialnb import overview
>>> posts = overview._example_posts()  # 3 posts in October, 1 in September
>>> overview.platform_totals(posts, "2026-10")[["platform", "posts", "exposure",
...                                             "engagement_rate"]]
    platform  posts  exposure  engagement_rate
0  instagram      2    1200.0         0.045833
1          x      1     300.0         0.020000
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import metrics as M
from . import periods

__all__ = [
    "month_posts",
    "exposure_metric",
    "rates_shown",
    "platform_totals",
    "format_rates",
    "top_posts",
    "totals_record",
    "MEASURES",
    "MonthInNumbers",
    "month_in_numbers",
    "month_trend",
    "trend_figure",
]


#: The exposure a platform's engagement rate divides by (:func:`socialnb.metrics.exposure_metric`).
exposure_metric = M.exposure_metric


def month_posts(posts: pd.DataFrame, month: str) -> pd.DataFrame:
    """The posts published in ``month`` (``YYYY-MM``, the brand's local time:
    :func:`socialnb.periods.post_months`) with an ``engagements`` column and the format filled
    (:func:`socialnb.metrics.with_format`).

    >>> p = pd.DataFrame({"platform": ["x", "x"], "published_at": ["2026-09-30T23:00Z",
    ...                   "2026-10-02T08:00Z"], "likes": [3.0, 5.0], "format": [None, "text"]})
    >>> month_posts(p, "2026-10")[["format", "engagements"]].to_dict("records")
    [{'format': 'text', 'engagements': 5.0}]
    """
    out = M.with_format(posts[_months(posts) == month])
    return M.with_engagements(out)


def _months(frame: pd.DataFrame, daily: bool = False) -> pd.Series:
    """Each post's (or daily row's) month, "" where its time is missing: no mask holds NA."""
    if not len(frame):
        return pd.Series("", index=frame.index, dtype=object)
    months = periods.daily_months(frame) if daily else periods.post_months(frame)
    return months.fillna("").astype(object)


def _sum(values: pd.Series) -> float:
    return float(pd.to_numeric(values, errors="coerce").sum(min_count=1))


def _rate_row(sub: pd.DataFrame, platform: str) -> dict:
    """Posts, engagements, exposure and the engagement rate of one platform's posts: the rate of
    totals of its :func:`socialnb.metrics.primary_rate` over the organic posts reporting both
    (:func:`socialnb.metrics.aggregate`)."""
    res = M.aggregate(sub, M.primary_rate(platform), scope="organic")
    organic = M.select_scope(sub, "organic")
    metric = M.exposure_metric(platform)
    return {
        "posts": len(sub),
        "boosted_posts": len(sub) - len(organic),
        "engagements": _sum(sub["engagements"]) if "engagements" in sub else np.nan,
        "exposure_metric": metric,
        "exposure": _sum(M.exposure(sub)) if metric in sub else np.nan,
        "engagement_rate": res.rate_of_totals,
        "rate_posts": res.n_posts,
        "rate_engagements": res.numerator_sum,
        "rate_exposure": res.denominator_sum,
        "metric": res.definition.name,
        "scope": res.scope,
        "definition": res.totals_label,
    }


def platform_totals(
    posts: pd.DataFrame, month: str, platforms: Iterable[str] | None = None
) -> pd.DataFrame:
    """One row per platform: the month's posts, engagements and the platform's exposure.

    Parameters
    ----------
    posts : ``Workspace.posts(brand)``.
    month : ``YYYY-MM``.
    platforms : the platforms the brand has (default: every platform with posts in ``posts``);
        a platform with no post in the month gets a row with 0 posts and missing sums.

    Returns
    -------
    DataFrame with ``platform``, ``posts``, ``boosted_posts``, ``engagements`` (every post),
    ``exposure_metric``, ``exposure`` (the sum over every post, NaN where the export reports
    none), ``engagement_rate`` (engagements ÷ exposure summed over the organic posts reporting
    both: a rate of totals), ``rate_posts`` (those posts) and ``definition`` (in words).
    """
    cur = month_posts(posts, month)
    names = list(dict.fromkeys([*(platforms or ()), *sorted(posts["platform"].dropna().unique())]))
    rows = []
    for platform in names:
        sub = cur[cur["platform"] == platform]
        rows.append({"platform": platform, **_rate_row(sub, platform)})
    cols = ["platform", "posts", "boosted_posts", "engagements", "exposure_metric", "exposure",
            "engagement_rate", "rate_posts", "metric", "scope", "definition"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def format_rates(posts: pd.DataFrame, month: str) -> pd.DataFrame:
    """Per platform and format (``unknown`` where the export names none): the month's posts,
    engagements, the platform's exposure and the rate of totals, as :func:`platform_totals`.

    >>> posts = _example_posts()
    >>> format_rates(posts, "2026-10")[["platform", "format", "engagement_rate", "rate_posts"]]
        platform   format  engagement_rate  rate_posts
    0  instagram    image           0.0275           1
    1  instagram     reel           0.0550           1
    2          x  unknown           0.0200           1
    """
    cur = month_posts(posts, month)
    rows = [
        {"platform": platform, "format": fmt, **_rate_row(sub, platform)}
        for (platform, fmt), sub in cur.groupby(["platform", "format"], sort=True)
    ]
    cols = ["platform", "format", "posts", "boosted_posts", "engagements", "exposure_metric",
            "exposure", "engagement_rate", "rate_posts", "metric", "scope", "definition"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def rates_shown(table: pd.DataFrame, month: str) -> list[dict]:
    """The engagement rates of :func:`platform_totals` or :func:`format_rates` as the rows a
    page records (``socialnb.record("rates_shown", ...)``, :func:`socialnb.metrics.shown_rates`):
    rates of totals of each platform's primary rate, organic posts.

    >>> t = pd.DataFrame({"platform": ["x"], "metric": ["er_impressions"], "scope": ["organic"],
    ...                   "engagement_rate": [0.02], "rate_posts": [12]})
    >>> rates_shown(t, "2026-10")[0]["value"], rates_shown(t, "2026-10")[0]["n_posts"]
    (0.02, 12)
    """
    shown = table[table["rate_posts"] > 0].rename(columns={"rate_posts": "n_posts"})
    return M.shown_rates(
        shown, month=month, aggregation=M.RATE_OF_TOTALS, value_column="engagement_rate"
    )


def top_posts(posts: pd.DataFrame, month: str, n: int = 3) -> pd.DataFrame:
    """The month's ``n`` most engaging organic posts of each platform, with their permalinks.

    Ranked by engagement rate (engagements ÷ the platform's exposure) among the posts whose
    exposure is at least the platform's median for the month, so that a post seen by a handful
    of people cannot top the list by luck. A platform whose export reports no exposure is
    ranked by engagements (``rank_by`` says which).

    >>> posts = _example_posts()
    >>> top_posts(posts, "2026-10", n=1)[["platform", "published", "engagement_rate"]]
        platform         published  engagement_rate
    0  instagram  2026-10-02 09:00            0.055
    1          x  2026-10-05 12:00            0.020
    """
    cur = M.select_scope(month_posts(posts, month), "organic")
    parts = []
    for platform, sub in cur.groupby("platform", sort=True):
        metric = M.exposure_metric(platform)
        sub = sub.assign(exposure=M.exposure(sub),
                         engagement_rate=M.per_post(sub, M.primary_rate(platform)))  # fmt: skip
        rated = sub.dropna(subset=["engagement_rate"])
        if len(rated):
            rated = rated[rated["exposure"] >= rated["exposure"].median()]
            best = rated.nlargest(n, "engagement_rate")
            rank_by = f"engagements ÷ {metric}"
        else:
            best = sub.dropna(subset=["engagements"]).nlargest(n, "engagements")
            best = best.assign(engagement_rate=np.nan)
            rank_by = f"engagements (no {metric} reported)"
        parts.append(best.assign(exposure_metric=metric, rank_by=rank_by))
    cols = ["platform", "published", "format", "engagements", "exposure_metric", "exposure",
            "engagement_rate", "rank_by", "caption", "permalink"]  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=cols)
    top = pd.concat(parts, ignore_index=True)
    from ._text import plain_text as _text

    local = periods.local_time(top)
    precision = (
        top["date_precision"].astype("string").fillna("minute")
        if "date_precision" in top
        else pd.Series("minute", index=top.index)
    )
    top["published"] = local.dt.strftime("%Y-%m-%d %H:%M")  # as precise as the export is
    top.loc[precision.eq("day"), "published"] = local.dt.strftime("%Y-%m-%d")
    top.loc[precision.eq("month"), "published"] = local.dt.strftime("%Y-%m")
    top["caption"] = top["text"].map(lambda t: _text(t, 80)) if "text" in top else ""
    top["permalink"] = top["permalink"].map(_text) if "permalink" in top else ""
    return top[cols].reset_index(drop=True)


def totals_record(totals: pd.DataFrame) -> dict:
    """``{platform: {posts, engagements, exposure_metric, exposure}}`` for
    :func:`socialnb.record` (``month_totals``), from :func:`platform_totals`.

    >>> posts = _example_posts()
    >>> totals_record(platform_totals(posts, "2026-10"))["x"]
    {'posts': 1, 'engagements': 6.0, 'exposure_metric': 'impressions', 'exposure': 300.0}
    """
    return {
        str(r["platform"]): {
            "posts": int(r["posts"]),
            "engagements": r["engagements"],
            "exposure_metric": r["exposure_metric"],
            "exposure": r["exposure"],
        }
        for r in totals.to_dict("records")
    }


# --- the month in numbers, for the index ----------------------------------------------------

#: The measures of :func:`month_in_numbers`, in reading order, with what each one is.
MEASURES: dict[str, str] = {
    "posts": "posts published in the month (organic and boosted)",
    "exposure": (
        "each platform's own exposure summed over its posts: reach on Facebook and Instagram, "
        "impressions on X and LinkedIn, views on TikTok and YouTube (the total adds these up)"
    ),
    "engagements": "likes + comments + shares + saves, summed over the month's posts",
    "engagement_rate": (
        "engagements ÷ exposure, summed over the month's organic posts that report both "
        "(a rate of totals)"
    ),
    "follows": (
        "new followers: the account's daily follows where the export has them, else the sum of "
        "the posts' follows"
    ),
    "video_views": (
        "video views: the account's daily video views where the export has them, else the sum "
        "over the posts"
    ),
    "link_clicks": (
        "link clicks: the account's daily link clicks where the export has them, else the sum "
        "over the posts"
    ),
}
#: The row of :func:`month_in_numbers` that adds up every platform.
ALL_PLATFORMS = "all platforms"
#: Account-level columns preferred over the posts' own for a measure.
_DAILY_COLUMN = {"follows": "follows_gained", "video_views": "video_views",
                 "link_clicks": "link_clicks"}  # fmt: skip


def _daily_sources(
    daily: pd.DataFrame, daily_m: pd.Series, platforms: list[str]
) -> dict[str, tuple[pd.DataFrame, pd.Series, frozenset[str]]]:
    """Each platform's daily rows, their months, and the account columns of
    :data:`_DAILY_COLUMN` it reports at all (a value in any month), found once for every month
    :func:`month_in_numbers` adds up."""
    out = {}
    for platform in platforms:
        mine = daily["platform"] == platform if len(daily) else pd.Series(False, index=daily.index)
        rows = daily.loc[mine]
        reported = frozenset(
            column
            for column in _DAILY_COLUMN.values()
            if column in daily and pd.to_numeric(rows[column], errors="coerce").notna().any()
        )
        out[platform] = (rows, daily_m[mine], reported)
    return out


def _measure_sum(
    posts_m: pd.DataFrame, source: tuple[pd.DataFrame, pd.Series, frozenset[str]], month: str,
    measure: str,
) -> float:  # fmt: skip
    """A count measure of one platform and month: the account's daily column where the platform
    reports it at all (``source``: :func:`_daily_sources`), else the posts' own column (NaN when
    neither reports it)."""
    column = _DAILY_COLUMN[measure]
    rows, months, reported = source
    if column in reported:
        return _sum(rows.loc[months == month, column])
    if measure in posts_m:
        return _sum(posts_m[measure])
    return np.nan


def _numbers(
    posts: pd.DataFrame, post_m: pd.Series, sources: dict, month: str, platforms: list[str]
) -> dict[str, dict[str, float]]:  # fmt: skip
    """``{platform or ALL_PLATFORMS: {measure: value}}`` for one month."""
    cur = M.with_engagements(posts[post_m == month])
    out: dict[str, dict[str, float]] = {}
    rate_num = rate_den = 0.0
    for platform in platforms:
        sub = cur[cur["platform"] == platform]
        row = _rate_row(sub, platform)
        rate_num += 0.0 if np.isnan(row["rate_engagements"]) else row["rate_engagements"]
        rate_den += 0.0 if np.isnan(row["rate_exposure"]) else row["rate_exposure"]
        values = {
            "posts": float(row["posts"]),
            "exposure": row["exposure"],
            "engagements": row["engagements"],
            "engagement_rate": row["engagement_rate"],
        }
        for measure in _DAILY_COLUMN:
            values[measure] = _measure_sum(sub, sources[platform], month, measure)
        out[platform] = values
    total = {
        m: float(pd.Series([v[m] for v in out.values()], dtype=float).sum(min_count=1))
        for m in MEASURES
    }
    total["engagement_rate"] = rate_num / rate_den if rate_den > 0 else np.nan
    out[ALL_PLATFORMS] = total
    return out


def _change(now: float, then: float) -> float:
    """Relative change ``now / then - 1``; NaN when either is missing or ``then`` is 0."""
    if not (np.isfinite(now) and np.isfinite(then)) or then == 0:
        return np.nan
    return now / then - 1


@dataclass(frozen=True, eq=False)
class MonthInNumbers:
    """A month's totals per platform and across them, against last month and a year before.

    ``table`` has one row per (platform, measure): ``value``, ``previous`` (the month before),
    ``vs_previous`` (relative change), ``year_ago`` (the same month a year before) and
    ``vs_year_ago``; missing is NaN (a platform that reports no such number, or no history).
    The platform ``"all platforms"`` adds the platforms up (its engagement rate is the rate of
    the summed totals). ``definitions`` says what each measure is (:data:`MEASURES`).
    """

    month: str
    previous_month: str
    year_ago_month: str
    table: pd.DataFrame
    definitions: dict[str, str]

    def to_frame(self) -> pd.DataFrame:
        """The long table: platform, measure, value, previous, vs_previous, year_ago,
        vs_year_ago, definition."""
        return self.table.assign(definition=self.table["measure"].map(self.definitions))

    def rates_shown(self) -> list[dict]:
        """The month's engagement rate of each platform as the rows a page records
        (:func:`socialnb.metrics.shown_rates`: the rate of totals of the platform's primary rate,
        organic posts). The total over all platforms mixes denominators: it is no metric of
        :data:`socialnb.metrics.METRICS` and is left out."""
        t = self.table[(self.table["measure"] == "engagement_rate")]
        t = t[(t["platform"] != ALL_PLATFORMS) & t["value"].notna()]
        t = t.assign(metric=t["platform"].map(M.primary_rate), scope="organic")
        return M.shown_rates(
            t, month=self.month, aggregation=M.RATE_OF_TOTALS, value_column="value"
        )

    def wide(self, column: str = "value") -> pd.DataFrame:
        """One row per platform (the total last), one column per measure, of ``column``."""
        out = self.table.pivot(index="platform", columns="measure", values=column)
        order = [p for p in dict.fromkeys(self.table["platform"])]
        return out.reindex(index=order, columns=list(self.definitions))


def month_in_numbers(posts: pd.DataFrame, daily: pd.DataFrame | None, month: str) -> MonthInNumbers:
    """The month in numbers, per platform and in total, with its changes.

    Parameters
    ----------
    posts : ``Workspace.posts(brand)``.
    daily : ``Workspace.account_daily(brand)`` (None or empty: follows, video views and link
        clicks come from the posts alone).
    month : ``YYYY-MM`` in the brand's local time.

    Returns
    -------
    MonthInNumbers
        Engagements and exposure as :func:`platform_totals` defines them (from
        :mod:`socialnb.metrics`); a platform with posts in any month appears every month.

    Examples
    --------
    >>> posts = _example_posts()
    >>> n = month_in_numbers(posts, None, "2026-10")
    >>> n.wide().loc["instagram", ["posts", "exposure", "engagement_rate"]].tolist()
    [2.0, 1200.0, 0.04583333333333333]
    >>> float(n.wide("vs_previous").loc["instagram", "exposure"])  # 1,200 against 500 in Sep
    1.4
    """
    daily = daily if daily is not None else pd.DataFrame(columns=["platform", "date"])
    post_m = _months(posts)
    daily_m = _months(daily, daily=True)
    platforms = sorted(posts["platform"].dropna().unique()) if len(posts) else []
    prev, year = periods.shift_month(month, -1), periods.shift_month(month, -12)
    sources = _daily_sources(daily, daily_m, platforms)
    now, before, ago = (_numbers(posts, post_m, sources, m, platforms)
                        for m in (month, prev, year))  # fmt: skip
    rows = []
    for platform in [*platforms, ALL_PLATFORMS]:
        for measure in MEASURES:
            v, p, y = now[platform][measure], before[platform][measure], ago[platform][measure]
            if measure != "posts":  # a platform silent in a month reports nothing, not zero
                p = np.nan if before[platform]["posts"] == 0 else p
                y = np.nan if ago[platform]["posts"] == 0 else y
            rows.append({
                "platform": platform, "measure": measure, "value": v,
                "previous": p, "vs_previous": _change(v, p),
                "year_ago": y, "vs_year_ago": _change(v, y),
            })  # fmt: skip
    return MonthInNumbers(month, prev, year, pd.DataFrame(rows), dict(MEASURES))


def month_trend(
    posts: pd.DataFrame, daily: pd.DataFrame | None, month: str, months: int = 12
) -> pd.DataFrame:
    """The ``months`` months up to ``month``, per platform: ``followers`` (the last daily level
    of the month), ``engagement_rate`` and ``exposure`` as :func:`month_in_numbers` has them.

    Missing is NaN (no daily followers, a month without posts).

    >>> posts = _example_posts()
    >>> month_trend(posts, None, "2026-10", months=2).round(3)
         month   platform  followers  engagement_rate  exposure
    0  2026-09  instagram        NaN            0.044     500.0
    1  2026-09          x        NaN              NaN       NaN
    2  2026-10  instagram        NaN            0.046    1200.0
    3  2026-10          x        NaN            0.020     300.0
    """
    daily = daily if daily is not None else pd.DataFrame(columns=["platform", "date"])
    post_m = _months(posts)
    platforms = sorted(posts["platform"].dropna().unique()) if len(posts) else []
    span = [periods.shift_month(month, -k) for k in range(months - 1, -1, -1)]
    level = pd.DataFrame(columns=["platform", "month", "followers"])
    if len(daily) and "followers" in daily:
        d = daily.dropna(subset=["followers"]).assign(month=lambda f: _months(f, daily=True))
        d = d.sort_values("date").groupby(["platform", "month"], as_index=False).last()
        level = d[["platform", "month", "followers"]]
    cur = M.with_engagements(posts[post_m.isin(span)]) if len(posts) else posts
    cur = cur.assign(_month=post_m[cur.index]) if len(posts) else cur.assign(_month=[])
    # each platform's months in one pass: the rate as _rate_row gives it (metric_table is
    # aggregate per group), the exposure summed over all the month's posts
    rates, exposure = {}, {}
    for platform in platforms:
        mine = cur[cur["platform"] == platform]
        table = M.metric_table(mine, M.primary_rate(platform), by=["_month"], scope="organic")
        rates |= {
            (m, platform): v for m, v in zip(table["_month"], table["rate_of_totals"], strict=True)
        }
        if M.exposure_metric(platform) in mine:
            sums = M.exposure(mine).groupby(mine["_month"]).sum(min_count=1)
            exposure |= {(m, platform): float(v) for m, v in sums.items()}
    last = level.groupby(["platform", "month"])["followers"].last()
    rows = [
        {
            "month": m,
            "platform": platform,
            "followers": float(last.get((platform, m), np.nan)),
            "engagement_rate": rates.get((m, platform), np.nan),
            "exposure": exposure.get((m, platform), np.nan),
        }
        for m in span
        for platform in platforms
    ]
    return pd.DataFrame(rows, columns=["month", "platform", "followers", "engagement_rate",
                                       "exposure"])  # fmt: skip


def trend_figure(trend: pd.DataFrame, measure: str, title: str | None = None):
    """A small line chart of one column of :func:`month_trend`, one line per platform, with
    Meta's metric changes (:data:`socialnb.metrics.VIEWS_CHANGE`) marked where they fall in the
    span (a dashed line in the platform's colour; the caller writes the caption). The legend
    sits below the axes, never over the data. Returns a matplotlib Figure
    (None when the measure has no value at all).

    >>> posts = _example_posts()
    >>> fig = trend_figure(month_trend(posts, None, "2026-10", months=3), "exposure")
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['instagram', 'x']
    >>> trend_figure(month_trend(posts, None, "2026-10"), "followers") is None
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from .plots import PLATFORM_COLORS, format_number, format_percent, label

    data = trend.pivot(index="month", columns="platform", values=measure)
    data = data.dropna(axis=1, how="all")
    if data.empty:
        return None
    months = list(data.index)
    fig = Figure(figsize=(6.4, 2.9), dpi=100, layout="constrained")  # not pyplot's: no state
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    x = np.arange(len(months))
    for platform in data.columns:
        ax.plot(x, data[platform].to_numpy(dtype=float), marker="o", ms=3, lw=1.6,
                color=PLATFORM_COLORS.get(platform, "#555555"), label=platform)  # fmt: skip
    fmt = format_percent if measure == "engagement_rate" else format_number
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt(v, 2)))
    step = max(1, len(months) // 6)
    ax.set_xticks(x[::step], [m for m in months[::step]], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", color="#e4e7eb", lw=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or label(measure), fontsize=10, loc="left")
    start = pd.Timestamp(f"{months[0]}-01") - pd.Timedelta(days=1)
    end = pd.Timestamp(f"{months[-1]}-01") + pd.offsets.MonthEnd(0)
    for platform, day in M.views_change_within(start, end, list(data.columns)).items():
        # the caption beside the chart says what the line is: no text drawn over the data
        pos = months.index(day.strftime("%Y-%m")) + (day.day - 1) / day.days_in_month - 0.5
        ax.axvline(pos, color=PLATFORM_COLORS.get(platform, "#555555"), ls="--", lw=1)
    ncol = min(len(data.columns), 6)
    fig.legend(loc="outside lower center", ncol=ncol, fontsize=8, frameon=False)
    return fig


def _example_posts() -> pd.DataFrame:
    """The small brand of this module's examples: Instagram and X, October 2026 and a September
    post (X's export names no format)."""
    return pd.DataFrame({
        "platform": ["instagram", "instagram", "x", "instagram"],
        "published_at": pd.to_datetime(["2026-10-02 09:00", "2026-10-20 18:00",
                                        "2026-10-05 12:00", "2026-09-10 09:00"], utc=True),
        "format": ["reel", "image", None, "reel"],
        "likes": [40.0, 10.0, 6.0, 20.0],
        "comments": [4.0, 1.0, 0.0, 2.0],
        "reach": [800.0, 400.0, np.nan, 500.0],
        "impressions": [np.nan, np.nan, 300.0, np.nan],
        "text": ["a", "b", "c", "d"],
        "permalink": ["https://instagram.com/p/a", "https://instagram.com/p/b",
                      "https://x.com/i/status/3", "https://instagram.com/p/d"],
    })  # fmt: skip
