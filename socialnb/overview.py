"""The monthly overview: what the brand published on each of its platforms, and how it landed.

Every platform is judged by its own exposure (:data:`socialnb.metrics.PRIMARY_RATE`: reach on
Facebook and Instagram, impressions on X and LinkedIn, views on TikTok and YouTube) and
engagements as :func:`socialnb.metrics.engagements` defines them (likes + comments + shares +
saves, over the parts the export reports). Nothing here redefines a metric.

Examples
--------
>>> from socialnb import overview
>>> totals = overview.platform_totals(ws.posts("fernway"), "2026-10")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import metrics as M

__all__ = [
    "month_posts",
    "exposure_metric",
    "platform_totals",
    "format_rates",
    "top_posts",
    "totals_record",
]


def exposure_metric(platform: str) -> str:
    """The exposure a platform's engagement rate divides by (``reach``, ``impressions``,
    ``views``), from :data:`socialnb.metrics.PRIMARY_RATE`."""
    rate = M.PRIMARY_RATE.get(str(platform), "er_impressions")
    return str(M.definition(rate).denominator)


def month_posts(posts: pd.DataFrame, month: str) -> pd.DataFrame:
    """The posts published in ``month`` (``YYYY-MM``, the brand's local time) with an
    ``engagements`` column and the format filled (:func:`socialnb.metrics.with_format`)."""
    local = M._local_time(posts)
    out = M.with_format(posts[local.dt.strftime("%Y-%m") == month])
    return M.with_engagements(out)


def _sum(values: pd.Series) -> float:
    return float(pd.to_numeric(values, errors="coerce").sum(min_count=1))


def _rate_row(sub: pd.DataFrame, platform: str) -> dict:
    """Posts, engagements, exposure and the rate of totals (organic posts reporting both)."""
    metric = exposure_metric(platform)
    exposure = pd.to_numeric(sub[metric], errors="coerce") if metric in sub else np.nan
    organic = M.select_scope(sub, "organic")
    org_exp = exposure[organic.index] if metric in sub else pd.Series(dtype=float)
    both = organic["engagements"].notna() & org_exp.gt(0)
    den = _sum(org_exp[both])
    return {
        "posts": len(sub),
        "boosted_posts": len(sub) - len(organic),
        "engagements": _sum(sub["engagements"]),
        "exposure_metric": metric,
        "exposure": _sum(exposure) if metric in sub else np.nan,
        "engagement_rate": _sum(organic["engagements"][both]) / den if den > 0 else np.nan,
        "rate_posts": int(both.sum()),
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
        row = {"platform": platform, **_rate_row(sub, platform)}
        row["definition"] = f"engagements ÷ {row['exposure_metric']}"
        rows.append(row)
    cols = ["platform", "posts", "boosted_posts", "engagements", "exposure_metric", "exposure",
            "engagement_rate", "rate_posts", "definition"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def format_rates(posts: pd.DataFrame, month: str) -> pd.DataFrame:
    """Per platform and format (``unknown`` where the export names none): the month's posts,
    engagements, the platform's exposure and the rate of totals, as :func:`platform_totals`."""
    cur = month_posts(posts, month)
    rows = [
        {"platform": platform, "format": fmt, **_rate_row(sub, platform)}
        for (platform, fmt), sub in cur.groupby(["platform", "format"], sort=True)
    ]
    cols = ["platform", "format", "posts", "boosted_posts", "engagements", "exposure_metric",
            "exposure", "engagement_rate", "rate_posts"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def top_posts(posts: pd.DataFrame, month: str, n: int = 3) -> pd.DataFrame:
    """The month's ``n`` most engaging organic posts of each platform, with their permalinks.

    Ranked by engagement rate (engagements ÷ the platform's exposure) among the posts whose
    exposure is at least the platform's median for the month, so that a post seen by a handful
    of people cannot top the list by luck. A platform whose export reports no exposure is
    ranked by engagements (``rank_by`` says which).
    """
    cur = M.select_scope(month_posts(posts, month), "organic")
    parts = []
    for platform, sub in cur.groupby("platform", sort=True):
        metric = exposure_metric(platform)
        exposure = pd.to_numeric(sub[metric], errors="coerce") if metric in sub else None
        sub = sub.assign(exposure=exposure if exposure is not None else np.nan)
        rated = sub[sub["exposure"].gt(0) & sub["engagements"].notna()]
        if len(rated):
            rated = rated[rated["exposure"] >= rated["exposure"].median()]
            rated = rated.assign(engagement_rate=rated["engagements"] / rated["exposure"])
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
    from .retro import _text

    local = M._local_time(top)
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
    :func:`socialnb.record` (``month_totals``), from :func:`platform_totals`."""
    return {
        str(r["platform"]): {
            "posts": int(r["posts"]),
            "engagements": r["engagements"],
            "exposure_metric": r["exposure_metric"],
            "exposure": r["exposure"],
        }
        for r in totals.to_dict("records")
    }
