"""The sprint retro: what shipped, what landed with the audience, which series to keep, scale or
sunset, and how the audience grew.

Every function takes DataFrames (posts as ``Workspace.posts``, the calendar as
:func:`socialnb.calendar.load_calendar`, ``Workspace.account_daily``) and a
:class:`~socialnb.config.BrandConfig`, so it can be tested without files;
:func:`build_retro` loads a workspace and returns one frozen :class:`Retro`.

A sprint is a calendar month (``YYYY-MM``) of the brand's local time. Rates follow
:mod:`socialnb.metrics` (median of per-post rates, organic posts, each platform's primary rate:
:data:`socialnb.metrics.PRIMARY_RATE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import _stats
from . import metrics as M
from .calendar import CalendarMatch, match_calendar, tag_posts, title_similarity
from .config import BrandConfig, SeriesRule, Target
from .errors import AnalysisError

__all__ = [
    "KPI_STATUS_RULE",
    "BASELINE_SPRINTS",
    "SERIES_MIN_POSTS",
    "KPI_MIN_POSTS",
    "FORMATS_MULTIPLICITY",
    "sprint_of",
    "previous_sprints",
    "prepare_posts",
    "CalendarMatch",
    "match_calendar",
    "title_similarity",
    "TAKEAWAY_SECTIONS",
    "tag_posts",
    "Delivery",
    "delivery",
    "kpi_status",
    "Kpis",
    "kpis",
    "breakdown",
    "format_table",
    "top_posts",
    "series_verdict",
    "series_rule_text",
    "SeriesHealth",
    "series_health",
    "follower_growth",
    "loyalty",
    "awareness",
    "BestTime",
    "best_time",
    "Takeaway",
    "Retro",
    "retro",
    "build_retro",
]

#: Sprints in the trailing baseline.
BASELINE_SPRINTS = 3

#: How a KPI's status is decided (printed on the page).
KPI_STATUS_RULE = (
    "on track: the sprint's value is at or above the target; at risk: below the target, but the "
    "target is inside its 95% bootstrap interval (or, for counts without an interval, within 10% "
    "of it); off track: the whole interval is below the target (or a count more than 10% short)."
)

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _check_month(month: str) -> str:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise AnalysisError(
            f"parameter 'month' = {month!r} is not a sprint like '2026-10'. "
            "What to do: pass the month as YYYY-MM."
        )
    return month


def previous_sprints(month: str, n: int = BASELINE_SPRINTS) -> list[str]:
    """The ``n`` sprints before ``month``, oldest first."""
    p = pd.Period(_check_month(month), freq="M")
    return [str(p - k) for k in range(n, 0, -1)]


def sprint_of(posts: pd.DataFrame) -> pd.Series:
    """Each post's sprint (``YYYY-MM`` of its local publishing time)."""
    local = M._local_time(posts)
    return local.dt.strftime("%Y-%m").astype("string").rename("sprint")


def _text(value, limit: int | None = None) -> str:
    """Plain, single-line text (no control characters); never HTML."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(value))
    text = re.sub(r"\s+", " ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text


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


# ====================================================================================== delivery
@dataclass(frozen=True, eq=False)
class Delivery:
    """Planned vs shipped for one sprint.

    ``delivery_rate`` = calendar rows of the sprint published within the sprint / all calendar
    rows of the sprint (dropped rows included: they were planned).
    """

    month: str
    planned: int
    shipped: int
    slipped: int
    dropped: int
    not_shipped: int
    ambiguous: int
    published_posts: int
    unplanned_posts: int
    shipped_from_earlier: int
    rows: pd.DataFrame
    unplanned: pd.DataFrame

    @property
    def likely_matches(self) -> int:
        """Not-shipped rows flagged with a likely match among the unplanned posts."""
        if "likely_post_id" not in self.rows:
            return 0
        return int(self.rows["likely_post_id"].notna().sum())

    @property
    def delivery_rate(self) -> float:
        return self.shipped / self.planned if self.planned else float("nan")

    def to_frame(self) -> pd.DataFrame:
        items = [
            ("planned (calendar rows of the sprint)", self.planned),
            ("shipped within the sprint", self.shipped),
            ("slipped (published in a later sprint)", self.slipped),
            ("dropped (marked dropped in the calendar)", self.dropped),
            ("not shipped (no post found)", self.not_shipped),
            ("  of which with a likely match among the unplanned posts", self.likely_matches),
            ("ambiguous (several posts fit; check by hand)", self.ambiguous),
            ("posts published in the sprint", self.published_posts),
            ("  of which unplanned (no calendar row)", self.unplanned_posts),
            ("  of which planned for an earlier sprint", self.shipped_from_earlier),
        ]
        return pd.DataFrame(items, columns=["item", "count"])


def delivery(match: CalendarMatch, posts: pd.DataFrame, month: str) -> Delivery:
    """Delivery of sprint ``month`` from a :func:`match_calendar` over the whole calendar."""
    _check_month(month)
    rows = match.rows[match.rows["sprint"] == month].copy()
    counts = rows["outcome"].value_counts()
    p = posts.copy()
    p["_sprint"] = sprint_of(p)
    mine = p[p["_sprint"] == month]
    matched = match.rows.dropna(subset=["post_id"])
    mkeys = set(matched["platform"].astype(str) + "|" + matched["post_id"].astype(str))
    keys = mine["platform"].astype(str) + "|" + mine["post_id"].astype(str)
    earlier = set(
        (matched["platform"].astype(str) + "|" + matched["post_id"].astype(str))[
            matched["sprint"] < month
        ]
    )
    unplanned = mine[~keys.isin(mkeys)]
    cols = [
        c
        for c in ("platform", "post_id", "published_local", "format", "text", "permalink")
        if c in unplanned
    ]
    unplanned = unplanned[cols].copy()
    if "likely_post_id" in match.rows:
        flagged = match.rows.dropna(subset=["likely_post_id"])
        row_of = dict(
            zip(
                flagged["platform"].astype(str) + "|" + flagged["likely_post_id"].astype(str),
                flagged["calendar_row"],
                strict=True,
            )
        )
        ukeys = unplanned["platform"].astype(str) + "|" + unplanned["post_id"].astype(str)
        unplanned["likely_calendar_row"] = pd.array(ukeys.map(row_of), dtype="Int64")
    if "text" in unplanned:
        unplanned["text"] = unplanned["text"].map(lambda t: _text(t, 100))
    return Delivery(
        month=month,
        planned=len(rows),
        shipped=int(counts.get("shipped", 0)),
        slipped=int(counts.get("slipped", 0)),
        dropped=int(counts.get("dropped", 0)),
        not_shipped=int(counts.get("not shipped", 0)),
        ambiguous=int(counts.get("ambiguous", 0)),
        published_posts=len(mine),
        unplanned_posts=len(unplanned),
        shipped_from_earlier=int(keys.isin(earlier).sum()),
        rows=rows.reset_index(drop=True),
        unplanned=unplanned.reset_index(drop=True),
    )


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


# ====================================================================================== KPIs
def kpi_status(value: float, target: float, low: float = np.nan, high: float = np.nan) -> str:
    """Status of a KPI under :data:`KPI_STATUS_RULE` (higher is better)."""
    if not np.isfinite(value):
        return "no data"
    if value >= target:
        return "on track"
    if np.isfinite(high):
        return "at risk" if high >= target else "off track"
    return "at risk" if value >= 0.9 * target else "off track"


def _baseline_word(ratio: M.Interval) -> str:
    if not np.isfinite(ratio.estimate):
        return "no baseline"
    if np.isfinite(ratio.low) and ratio.low > 1:
        return "above baseline"
    if np.isfinite(ratio.high) and ratio.high < 1:
        return "below baseline"
    return "within baseline range"


KPI_MIN_POSTS = 6
"""Fewest posts in the sprint for a KPI interval: the median's distribution-free interval
needs 6 to reach 95% (below: no interval, "too few posts")."""


def _median_interval(values: pd.Series) -> M.Interval:
    """The median with its distribution-free order-statistic 95% interval (coverage >= 95% for
    any distribution; the percentile bootstrap covered 89% at 4 posts). NaN below
    :data:`KPI_MIN_POSTS` posts."""
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(float)
    est = float(np.median(x)) if x.size else np.nan
    lo, hi = _stats.median_ci(x) if x.size >= KPI_MIN_POSTS else (np.nan, np.nan)
    method = "order-statistic interval of the median" if np.isfinite(lo) else "too few posts"
    return M.Interval(est, lo, hi, 0.95, method)


def _matched_ratio(cur: pd.DataFrame, base: pd.DataFrame, col: str, n_resamples: int, seed: int):
    """Median of ``col`` in ``cur`` over the format-matched baseline: the baseline's per-format
    medians weighted by the current sprint's format mix (formats with < 3 baseline posts use the
    platform's median over all formats). Stratified bootstrap interval (seeded)."""
    cur = cur.dropna(subset=[col])
    base = base.dropna(subset=[col])
    if cur.empty or len(base) < 3:
        return np.nan, M.Interval(np.nan, np.nan, np.nan, n_resamples=n_resamples, seed=seed)
    few = len(cur) < KPI_MIN_POSTS
    rng = np.random.default_rng(seed)
    a = cur[col].to_numpy(float)
    fa = cur["format"].astype("string").fillna("(none)")
    fb = base["format"].astype("string").fillna("(none)")
    weights = fa.value_counts(normalize=True)
    b_all = base[col].to_numpy(float)
    point = 0.0
    draws = np.zeros(n_resamples)
    for f, w in weights.items():
        b = base.loc[fb == f, col].to_numpy(float)
        if b.size < 3:
            b = b_all
        point += w * np.median(b)
        draws += w * np.median(b[rng.integers(0, b.size, (n_resamples, b.size))], axis=1)
    da = np.median(a[rng.integers(0, a.size, (n_resamples, a.size))], axis=1)
    est = float(np.median(a) / point) if point > 0 else np.nan
    ratios = da / np.where(draws > 0, draws, np.nan)
    ratios = ratios[np.isfinite(ratios)]
    if not ratios.size:
        return point, M.Interval(est, np.nan, np.nan, n_resamples=n_resamples, seed=seed)
    lo, hi = np.quantile(ratios, [0.025, 0.975])
    method = "stratified percentile bootstrap over posts (ratio to format-matched baseline)"
    if few:
        lo = hi = np.nan
        method = f"too few posts (fewer than {KPI_MIN_POSTS}) for an interval"
    return point, M.Interval(est, float(lo), float(hi), 0.95, method, n_resamples, seed)


@dataclass(frozen=True, eq=False)
class Kpis:
    """KPIs vs target and vs the trailing baseline (see :data:`KPI_STATUS_RULE`)."""

    month: str
    table: pd.DataFrame
    rule: str = KPI_STATUS_RULE

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def records(self) -> list[dict]:
        """``[{name, value, baseline, target, status}]`` for ``socialnb.record``."""
        cols = ["name", "value", "baseline", "target", "status"]
        return [
            {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
            for r in self.table[cols].to_dict("records")
        ]


def _daily_growth(daily: pd.DataFrame, platform: str | None, month: str) -> dict:
    d = daily if platform is None else daily[daily["platform"] == platform]
    d = d.sort_values("date")
    start = pd.Timestamp(month + "-01")
    end = start + pd.offsets.MonthBegin(1)
    inside = d[(d["date"] >= start) & (d["date"] < end)]
    out = {"followers_start": np.nan, "followers_end": np.nan, "gained": np.nan, "lost": np.nan}
    if "follows_gained" in inside:
        out["gained"] = inside["follows_gained"].sum(min_count=1)
        out["lost"] = inside["follows_lost"].sum(min_count=1)
    levels = d.dropna(subset=["followers"]) if "followers" in d else d.iloc[0:0]
    before = levels[levels["date"] < start]
    during = levels[(levels["date"] >= start) & (levels["date"] < end)]
    if len(during):
        out["followers_start"] = float(
            before["followers"].iloc[-1] if len(before) else during["followers"].iloc[0]
        )
        out["followers_end"] = float(during["followers"].iloc[-1])
        steps = np.diff(
            np.concatenate([[out["followers_start"]], during["followers"].to_numpy(float)])
        )
        out["steps"] = steps[1:] if not len(before) else steps
    out["net"] = (
        out["followers_end"] - out["followers_start"]
        if np.isfinite(out["followers_end"])
        else (out["gained"] - out["lost"])
    )
    out["growth"] = M.follower_growth_rate(out["followers_start"], out["followers_end"])
    return out


def kpis(
    posts: pd.DataFrame,
    account_daily: pd.DataFrame,
    brand: BrandConfig,
    month: str,
    *,
    seed: int = 0,
    n_resamples: int = 2000,
) -> Kpis:
    """Every target of ``brand.targets`` for sprint ``month``.

    Post metrics (engagement rates, per-post counts): the median of per-post values over the
    sprint's organic posts on the target's platform, with a bootstrap interval over posts; the
    baseline is the format-matched median of the previous :data:`BASELINE_SPRINTS` sprints (same
    platform and format, weighted by this sprint's format mix), and ``vs_baseline`` their ratio
    with a stratified bootstrap interval. ``follower_growth``: net new followers / followers at the
    start (interval: bootstrap over days); ``posts_published``: a count (no interval).
    """
    _check_month(month)
    frame = posts if "sprint" in posts and "rate" in posts else prepare_posts(posts, account_daily)
    frame = M.select_scope(frame, "organic")
    prev = previous_sprints(month)
    rows = []
    for k, t in enumerate(brand.targets):
        rows.append(_one_kpi(frame, account_daily, t, month, prev, seed + k, n_resamples))
    cols = ["name", "metric", "platform", "value", "low", "high", "target", "baseline",
            "vs_baseline", "vs_low", "vs_high", "vs_baseline_verdict", "status", "n_posts",
            "definition"]  # fmt: skip
    return Kpis(month, pd.DataFrame(rows, columns=cols))


def _one_kpi(frame, daily, t: Target, month, prev, seed, n_resamples) -> dict:
    row = {"name": t.name, "metric": t.metric, "platform": t.platform or "all", "target": t.target}
    mine = frame if t.platform is None else frame[frame["platform"] == t.platform]
    cur, base = mine[mine["sprint"] == month], mine[mine["sprint"].isin(prev)]
    nan_iv = M.Interval(np.nan, np.nan, np.nan)
    if t.metric in M.METRICS:
        col = f"_kpi_{t.metric}"
        cur, base = cur.copy(), base.copy()
        cur[col] = M.per_post(cur, t.metric)
        base[col] = M.per_post(base, t.metric)
        iv = _median_interval(cur[col])
        baseline, ratio = _matched_ratio(cur, base, col, n_resamples, seed + 1000)
        res = M.aggregate(cur, t.metric)
        row |= {"value": iv.estimate, "low": iv.low, "high": iv.high, "n_posts": res.n_posts,
                "definition": res.label}  # fmt: skip
    elif t.metric == "posts_published":
        counts = [int((base["sprint"] == s).sum()) for s in prev]
        baseline = float(np.mean(counts))
        value = float(len(cur))
        ratio = M.Interval(value / baseline if baseline else np.nan, np.nan, np.nan)
        iv = nan_iv
        row |= {"value": value, "low": np.nan, "high": np.nan, "n_posts": len(cur),
                "definition": "posts published in the sprint (all formats, organic)"}  # fmt: skip
    elif t.metric == "follower_growth":
        g = _daily_growth(daily, t.platform, month)
        past = [_daily_growth(daily, t.platform, s)["growth"] for s in prev]
        past = [x for x in past if np.isfinite(x)]
        baseline = float(np.mean(past)) if past else np.nan
        steps = g.get("steps")
        low = high = np.nan
        if steps is not None and len(steps) > 1 and np.isfinite(g["followers_start"]):
            rng = np.random.default_rng(seed)
            sums = steps[rng.integers(0, len(steps), (n_resamples, len(steps)))].sum(axis=1)
            low, high = np.quantile(sums / g["followers_start"], [0.025, 0.975])
        iv = M.Interval(g["growth"], float(low), float(high), method="bootstrap over days")
        ratio = M.Interval(g["growth"] / baseline if baseline else np.nan, np.nan, np.nan)
        row |= {"value": g["growth"], "low": iv.low, "high": iv.high, "n_posts": len(cur),
                "definition": "net new followers in the sprint / followers at its start"}  # fmt: skip
    else:  # pragma: no cover - config validates metric names
        raise AnalysisError(f"target {t.name!r}: metric {t.metric!r} is not supported.")
    row |= {
        "baseline": baseline,
        "vs_baseline": ratio.estimate,
        "vs_low": ratio.low,
        "vs_high": ratio.high,
        "vs_baseline_verdict": _baseline_word(ratio),
        "status": kpi_status(row["value"], t.target, iv.low, iv.high),
    }
    return row


# ====================================================================================== breakdowns
def breakdown(frame: pd.DataFrame, month: str, dim: str) -> pd.DataFrame:
    """The sprint's organic posts by platform and ``dim`` (pillar, series, format, or platform):
    each platform's primary rate (median of per-post rates, rate of totals beside it) and the
    median index vs the trailing baseline of the same platform and format."""
    cur = M.select_scope(frame[frame["sprint"] == month], "organic")
    by = ["platform"] if dim == "platform" else ["platform", dim]
    parts = []
    for metric, sub in cur.groupby("rate_metric"):
        t = M.metric_table(sub, metric, by=by)
        idx = sub.assign(**{c: sub[c].astype("string").fillna("(none)") for c in by})
        med = idx.groupby(by)["index_format"].median().rename("index_vs_baseline").reset_index()
        parts.append(t.merge(med, on=by, how="left"))
    if not parts:
        return pd.DataFrame(columns=by + ["metric", "value", "rate_of_totals", "n_posts"])
    out = pd.concat(parts, ignore_index=True)
    keep = by + [
        "metric",
        "value",
        "rate_of_totals",
        "index_vs_baseline",
        "n_posts",
        "n_missing",
        "label",
    ]
    return out[keep].sort_values(by).reset_index(drop=True)


def format_table(
    frame: pd.DataFrame, month: str, *, sprints: int = 3, seed: int = 0, n_resamples: int = 2000
) -> pd.DataFrame:
    """Per platform and format, posts of the last ``sprints`` sprints (``month`` included: one
    sprint holds too few posts of a format to judge it) against the platform's trailing baseline
    over all formats: the median of each post's rate / baseline (1 = the platform's usual post)
    with a bootstrap interval over posts."""
    window = previous_sprints(month, sprints - 1) + [month]
    cur = M.select_scope(frame[frame["sprint"].isin(window)], "organic")
    cur = cur.dropna(subset=["index_platform"])
    rows = []
    for k, ((platform, fmt), sub) in enumerate(cur.groupby(["platform", "format"])):
        iv = M.bootstrap_interval(sub["index_platform"], n_resamples=n_resamples, seed=seed + k)
        others = cur[(cur["platform"] == platform) & (cur["format"] != fmt)]["index_platform"]
        vs = M.bootstrap_ratio(
            sub["index_platform"], others, n_resamples=n_resamples, seed=seed + k
        )
        rows.append({"platform": platform, "format": fmt, "metric": sub["rate_metric"].iloc[0],
                     "median_rate": sub["rate"].median(), "index_vs_platform_baseline": iv.estimate,
                     "low": iv.low, "high": iv.high, "vs_other_formats": vs.estimate,
                     "vs_low": vs.low, "vs_high": vs.high, "n_posts": len(sub),
                     "p_value": _differs_p(sub["index_platform"], others),
                     "verdict": _baseline_word(iv)})  # fmt: skip
    cols = ["platform", "format", "metric", "median_rate", "index_vs_platform_baseline", "low",
            "high", "vs_other_formats", "vs_low", "vs_high", "n_posts", "p_value", "p_adjusted",
            "verdict"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    finite = out["p_value"].notna()
    if finite.any():
        from statsmodels.stats.multitest import multipletests

        out.loc[finite, "p_adjusted"] = multipletests(out.loc[finite, "p_value"], method="fdr_bh")[
            1
        ]
    return out


FORMATS_MULTIPLICITY = (
    "A format is named strongest only when it beats the platform's other formats after a "
    "Benjamini-Hochberg adjustment across every format in the table (false discovery rate 5%; "
    "Mann-Whitney test of the posts' indices), with at least 5 posts."
)


def _differs_p(a: pd.Series, b: pd.Series) -> float:
    """Two-sided Mann-Whitney p-value: do this format's posts' indices differ from the other
    formats' on the platform? NaN with fewer than 2 posts on either side."""
    from scipy import stats as st

    a, b = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    if a.size < 2 or b.size < 2:
        return np.nan
    return float(st.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def top_posts(frame: pd.DataFrame, month: str, n: int = 5, *, bottom: bool = False) -> pd.DataFrame:
    """The sprint's best (or worst) organic posts by their index vs the trailing baseline of the
    same platform and format, with their captions as plain text (escape before any HTML)."""
    cur = M.select_scope(frame[frame["sprint"] == month], "organic").dropna(subset=["index_format"])
    cur = cur.sort_values("index_format", ascending=bottom).head(n)
    out = pd.DataFrame({
        "platform": cur["platform"], "published": M._local_time(cur).dt.strftime("%Y-%m-%d"),
        "format": cur["format"], "series": cur["series"].astype("string").fillna(""),
        "caption": cur["text"].map(lambda t: _text(t, 120)) if "text" in cur else "",
        "metric": cur["rate_metric"], "rate": cur["rate"], "index_vs_baseline": cur["index_format"],
        "permalink": cur["permalink"].map(_text) if "permalink" in cur else "",
    })  # fmt: skip
    return out.reset_index(drop=True)


# ====================================================================================== series
def series_verdict(interval: M.Interval, n_sprints: int, rule: SeriesRule) -> str:
    """keep / scale / sunset / too early to tell, from the window ratio's interval.

    Sunset needs the whole interval below ``rule.sunset_below``; scale the whole interval above
    ``rule.scale_above``; fewer than ``rule.min_sprints`` sprints with posts (or no interval) is
    too early to tell; anything else is keep.
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
        return self.table.copy()

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


# ====================================================================================== audience
def follower_growth(account_daily: pd.DataFrame, month: str) -> pd.DataFrame:
    """Per platform: followers at the start and end of the sprint, follows gained and lost, net
    new followers, growth rate (net / start), and the mean growth of the previous sprints."""
    _check_month(month)
    rows = []
    if account_daily is None or account_daily.empty:
        return pd.DataFrame(columns=["platform", "followers_start", "followers_end", "gained",
                                     "lost", "net", "growth", "baseline_growth"])  # fmt: skip
    daily = account_daily.copy()
    daily["date"] = pd.to_datetime(daily["date"])
    for platform in sorted(daily["platform"].unique()):
        g = _daily_growth(daily, platform, month)
        past = [_daily_growth(daily, platform, s)["growth"] for s in previous_sprints(month)]
        past = [x for x in past if np.isfinite(x)]
        g.pop("steps", None)
        rows.append(
            {"platform": platform, **g, "baseline_growth": np.mean(past) if past else np.nan}
        )
    out = pd.DataFrame(rows)
    return out[~(out[["followers_end", "gained", "lost"]].isna().all(axis=1))].reset_index(
        drop=True
    )


def loyalty(account_daily: pd.DataFrame, month: str) -> pd.DataFrame:
    """Returning audience share (returning viewers / all viewers) per platform for the sprint and
    the previous sprints, where the exports carry viewers (YouTube, TikTok). Empty without data."""
    cols = ["platform", "sprint", "returning_viewers", "total_viewers", "returning_share"]
    if account_daily is None or account_daily.empty or "returning_viewers" not in account_daily:
        return pd.DataFrame(columns=cols)
    d = account_daily.dropna(subset=["returning_viewers", "total_viewers"]).copy()
    if d.empty:
        return pd.DataFrame(columns=cols)
    d["sprint"] = pd.to_datetime(d["date"]).dt.strftime("%Y-%m")
    d = d[d["sprint"].isin(previous_sprints(month) + [month])]
    g = (
        d.groupby(["platform", "sprint"])[["returning_viewers", "total_viewers"]]
        .sum()
        .reset_index()
    )
    g["returning_share"] = [
        M.returning_audience_share(r, t)
        for r, t in zip(g["returning_viewers"], g["total_viewers"], strict=True)
    ]
    return g[cols]


def awareness(frame: pd.DataFrame, month: str, *, history: int = 12) -> pd.DataFrame:
    """Per platform and sprint (the last ``history`` sprints): organic posts, reach, views and
    impressions summed over posts and their median per post; ``views_change`` marks the sprint in
    which Meta's Views change falls for that platform (compare across it with care)."""
    sprints = previous_sprints(month, history - 1) + [month]
    f = M.select_scope(frame, "organic")
    f = f[f["sprint"].isin(sprints)]
    rows = []
    for (platform, sprint), g in f.groupby(["platform", "sprint"]):
        row = {"platform": platform, "sprint": sprint, "posts": len(g)}
        for m in ("reach", "views", "impressions"):
            row[m] = g[m].sum(min_count=1) if m in g else np.nan
            row[f"{m}_per_post"] = g[m].median() if m in g else np.nan
        change = M.VIEWS_CHANGE.get(platform)
        row["views_change"] = bool(change and change.strftime("%Y-%m") == sprint)
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class BestTime:
    """Day-of-week x hour heatmap of the median index vs the platform's trailing baseline."""

    table: pd.DataFrame  # rows: weekday (Mon..Sun), columns: hour block label
    counts: pd.DataFrame
    n_posts: int
    excluded_day_only: int
    sprints: tuple[str, ...]
    min_posts: int

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots()
        sns.heatmap(self.table.astype(float), annot=True, fmt=".2f", cmap="RdBu", center=1,
                    annot_kws={"fontsize": 8},
                    cbar_kws={"label": "× usual post (blue better)"}, ax=ax)  # fmt: skip
        ax.set(xlabel="hour (local time)", ylabel="")
        ax.tick_params(axis="y", rotation=0)
        return ax


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def best_time(
    frame: pd.DataFrame, month: str, *, sprints: int = 6, hour_block: int = 3, min_posts: int = 3
) -> BestTime:
    """When posts do best: over the last ``sprints`` sprints, the median of each post's rate /
    its platform's trailing baseline, by weekday and ``hour_block``-hour block of local time.
    Cells with fewer than ``min_posts`` posts are blank. Posts with only a publishing date
    (``date_precision == "day"``) are left out and counted."""
    window = previous_sprints(month, sprints - 1) + [month]
    f = M.select_scope(frame, "organic")
    f = f[f["sprint"].isin(window)].dropna(subset=["index_platform"])
    day_only = (  # a date without a time of day (precision "day", or "month" for some sheets)
        f["date_precision"].astype("string").fillna("minute").isin(["day", "month"])
        if "date_precision" in f
        else pd.Series(False, index=f.index)
    )
    used = f[~day_only]
    local = M._local_time(used)
    labels = [f"{h:02d}-{h + hour_block - 1:02d}" for h in range(0, 24, hour_block)]
    block = pd.Categorical([labels[h // hour_block] for h in local.dt.hour], categories=labels)
    day = pd.Categorical([_DAYS[d] for d in local.dt.day_of_week], categories=list(_DAYS))
    data = pd.DataFrame({"day": day, "hour": block, "index": used["index_platform"].to_numpy()})
    counts = (
        data.pivot_table(
            index="day", columns="hour", values="index", aggfunc="size", observed=False
        )
        .fillna(0)
        .astype(int)
    )
    med = data.pivot_table(
        index="day", columns="hour", values="index", aggfunc="median", observed=False
    )
    med = med.reindex(index=list(_DAYS), columns=labels).where(
        counts.reindex(index=list(_DAYS), columns=labels) >= min_posts
    )
    return BestTime(med, counts, len(used), int(day_only.sum()), tuple(window), min_posts)


# ====================================================================================== retro
#: The retro sections a takeaway can come from; the retro notebook marks each with an anchor
#: (``<a id="...">``, see :func:`socialnb.plots.anchor`) so the executive summary links to it.
TAKEAWAY_SECTIONS: tuple[str, ...] = (
    "Planned vs shipped",
    "KPIs vs target and baseline",
    "Series health",
    "Formats vs the platform baseline",
    "Follower growth",
)


@dataclass(frozen=True)
class Takeaway:
    """One executive-summary line and the table it comes from."""

    text: str
    table: str

    def __post_init__(self) -> None:
        if self.table not in TAKEAWAY_SECTIONS:  # the retro notebook has an anchor for each
            raise ValueError(f"takeaway section {self.table!r} is not in TAKEAWAY_SECTIONS")

    @property
    def anchor(self) -> str:
        """The ``id`` of the section the takeaway comes from (see :func:`socialnb.plots.anchor`)."""
        from .plots import anchor

        return anchor(self.table)


@dataclass(frozen=True, eq=False)
class Retro:
    """The sprint retro of one brand and month (every table the notebook shows)."""

    brand: str
    brand_name: str
    month: str
    delivery: Delivery
    match: CalendarMatch
    kpis: Kpis
    breakdowns: dict[str, pd.DataFrame]
    formats: pd.DataFrame
    top: pd.DataFrame
    bottom: pd.DataFrame
    series: SeriesHealth
    followers: pd.DataFrame
    loyalty: pd.DataFrame
    awareness: pd.DataFrame
    best_time: BestTime
    takeaways: tuple[Takeaway, ...]
    views_change: dict[str, str] = field(default_factory=dict)
    has_calendar: bool = True
    has_targets: bool = True

    def summary_line(self) -> str:
        """The sprint's delivery in one plain sentence (what the retro's first section says)."""
        d = self.delivery
        parts = [f"{d.shipped} of {d.planned} planned posts shipped within the sprint"]
        if d.planned:
            parts[0] += f" ({d.delivery_rate:.0%})"
        extra = [
            f"{n} {what}"
            for n, what in (
                (d.slipped, "slipped to a later sprint"),
                (d.dropped, "dropped"),
                (d.not_shipped, "not shipped"),
                (d.ambiguous, "ambiguous (several posts fit)"),
            )
            if n
        ]
        text = parts[0] + (": " + ", ".join(extra) if extra else "") + "."
        text += f" {d.published_posts} posts went out in the sprint"
        bits = []
        if d.unplanned_posts:
            bits.append(f"{d.unplanned_posts} unplanned")
        if d.shipped_from_earlier:
            bits.append(f"{d.shipped_from_earlier} planned for an earlier sprint")
        text += (", of which " + " and ".join(bits) if bits else "") + "."
        if d.likely_matches:
            text += (
                f" {d.likely_matches} not-shipped row{'s' * (d.likely_matches > 1)} look"
                f"{'s' * (d.likely_matches == 1)} like one of the unplanned posts: check "
                "the rows below."
            )
        return text

    def plot_breakdowns(self):
        """One chart of every breakdown: each platform's, pillar's, series' and format's median
        post against the usual post of its platform and format (1 = usual), as a heat map with
        the ratio written in each cell. Breakdowns with no rows (no calendar: no pillar or
        series) are left out. Returns the figure, or ``None`` when there is nothing to draw."""
        import matplotlib.pyplot as plt
        import numpy as np
        import seaborn as sns

        grids = []
        for dim in ("platform", "pillar", "series", "format"):
            b = self.breakdowns.get(dim)
            if b is None or b.empty or b["index_vs_baseline"].notna().sum() == 0:
                continue
            if dim != "platform" and set(b[dim].astype(str)) <= {"(none)"}:
                continue  # no calendar tags: nothing to compare
            key = "platform" if dim == "platform" else dim
            col = "all posts" if dim == "platform" else key
            g = b.assign(_col=col if dim == "platform" else b[key].astype(str))
            grids.append((dim, g.pivot_table(index="platform", columns="_col",
                                             values="index_vs_baseline", aggfunc="first")))  # fmt: skip
        if not grids:
            return None
        platforms = sorted({p for _, g in grids for p in g.index})
        widths = [max(1.6, g.shape[1]) for _, g in grids]
        fig, axes = plt.subplots(
            1, len(grids), figsize=(min(9.5, 1.6 + 0.55 * sum(widths)), 1.3 + 0.3 * len(platforms)),
            gridspec_kw={"width_ratios": widths}, squeeze=False,
        )  # fmt: skip
        for n, (ax, (dim, g)) in enumerate(zip(axes[0], grids, strict=True)):
            g = g.reindex(platforms)
            sns.heatmap(np.log2(g.astype(float)), annot=g.astype(float), fmt=".2f", cmap="RdBu",
                        center=0, vmin=-1.5, vmax=1.5, cbar=False, linewidths=0.5,
                        linecolor="white", annot_kws={"fontsize": 8}, ax=ax)  # fmt: skip
            ax.set_title(dim, fontsize=10)
            ax.set(xlabel="", ylabel="")
            ax.tick_params(axis="x", rotation=40, labelsize=8)
            ax.tick_params(axis="y", rotation=0, labelsize=8, left=False)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
            if n:
                ax.set_yticklabels([])
        fig.suptitle("Median post vs a usual post of its platform and format (1 = usual; "
                     "blue better, red worse)", fontsize=10)  # fmt: skip
        fig.tight_layout()
        return fig

    def headline(self) -> dict:
        """The headline results the report collects (``socialnb.record``); planned posts and
        the delivery rate are missing (None) without a content calendar, not 0."""
        return {
            "planned_posts": self.delivery.planned if self.has_calendar else None,
            "published_posts": self.delivery.published_posts,
            "delivery_rate": self.delivery.delivery_rate if self.has_calendar else None,
            "series_verdicts": self.series.verdicts,
            "sunset_candidates": self.series.sunset_candidates,
            "kpis": self.kpis.records(),
            "takeaways": [{"text": t.text, "table": t.table} for t in self.takeaways],
        }

    def record(self) -> dict:
        """Record every headline with :func:`socialnb.record`; returns them."""
        from ._record import record

        out = self.headline()
        for name, value in out.items():
            record(name, value)
        return out

    def why_unranked(self) -> str:
        """Why no post of the sprint can be compared with a baseline (formats, top and bottom
        posts, best time), in one sentence: no exposure in the exports, or no history yet."""
        b = self.breakdowns["platform"]
        if b.empty or not (b["n_posts"] > 0).any():
            names = sorted({str(M.definition(M.PRIMARY_RATE.get(p, "er_impressions")).denominator)
                            for p in b["platform"]}) or ["exposure"]  # fmt: skip
            return (
                f"No organic post of {self.month} has an engagement rate: the exports report no "
                f"{' or '.join(names)} for them, so posts cannot be compared with a baseline."
            )
        return (
            "Too little history to compare: each post is compared with the posts of the same "
            "platform and format in the three sprints before it, and there are none yet."
        )

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(t.text, t.table) for t in self.takeaways], columns=["takeaway", "see table"]
        )


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


def _takeaways(
    d: Delivery,
    k: Kpis,
    s: SeriesHealth,
    formats: pd.DataFrame,
    fol: pd.DataFrame,
    has_calendar: bool = True,
):
    out = []
    if not has_calendar:
        out.append(Takeaway(
            f"Delivery: {d.published_posts} posts published; with no content calendar "
            "(calendar.csv) planned vs shipped is not measured.", "Planned vs shipped"))  # fmt: skip
    else:
        out.append(Takeaway(
            f"Delivery: {d.shipped} of {d.planned} planned posts shipped within the sprint "
            f"({_pct(d.delivery_rate)}); {d.slipped} slipped, {d.dropped + d.not_shipped} dropped "
            f"or not shipped, and {d.unplanned_posts} of {d.published_posts} published posts "
            "were unplanned.", "Planned vs shipped"))  # fmt: skip
    if len(k.table):
        st = k.table["status"].value_counts()
        worst = k.table[k.table["status"] == "off track"]["name"].tolist()
        text = (f"KPIs: {st.get('on track', 0)} of {len(k.table)} on track, "
                f"{st.get('at risk', 0)} at risk, {st.get('off track', 0)} off track")  # fmt: skip
        text += f" ({', '.join(worst)})." if worst else "."
        out.append(Takeaway(text, "KPIs vs target and baseline"))
    if len(s.table):
        parts = [f"{v}: {', '.join(s.table[s.table['verdict'] == v]['series'])}"
                 for v in ("sunset", "scale", "keep", "too early to tell") if (s.table["verdict"] == v).any()]  # fmt: skip
        out.append(Takeaway("Series: " + "; ".join(parts) + ".", "Series health"))
    f = formats.dropna(subset=["vs_other_formats"])
    f = f[(f["n_posts"] >= 5) & (f["vs_low"] > 1) & (f["p_adjusted"] < 0.05)]
    if len(f):
        top = f.sort_values("vs_other_formats", ascending=False).iloc[0]
        out.append(Takeaway(
            f"Strongest format: {top['format']} on {top['platform']}, at "
            f"{top['vs_other_formats']:.2f}x the platform's other formats over the last three "
            f"sprints (95% interval {top['vs_low']:.2f}-{top['vs_high']:.2f}, "
            f"{top['n_posts']} posts; BH-adjusted p = {top['p_adjusted']:.2g} across "
            f"{formats['p_adjusted'].notna().sum()} formats).",
            "Formats vs the platform baseline"))  # fmt: skip
    else:
        out.append(Takeaway(
            "Formats: no format clearly beat the platform's other formats over the last three "
            "sprints (none with at least 5 posts survives the Benjamini-Hochberg adjustment "
            "across formats with its interval above 1).",
            "Formats vs the platform baseline"))  # fmt: skip
    g = fol.dropna(subset=["growth"]) if len(fol) else fol
    if len(g):
        top = g.sort_values("growth", ascending=False).iloc[0]
        out.append(Takeaway(
            f"Audience: {top['platform']} grew fastest, {top['growth']:+.1%} followers "
            f"({top['net']:+,.0f}); baseline {_pct(top['baseline_growth'])} a sprint.",
            "Follower growth"))  # fmt: skip
    return tuple(out[:5])


def retro(
    posts: pd.DataFrame,
    calendar: pd.DataFrame,
    account_daily: pd.DataFrame,
    brand: BrandConfig,
    month: str,
    *,
    seed: int = 0,
    n_resamples: int = 2000,
) -> Retro:
    """Compute the whole retro of sprint ``month`` from DataFrames (see the module docstring)."""
    _check_month(month)
    if posts.empty:
        raise AnalysisError(
            f"brand {brand.slug!r} has no posts in the warehouse. What to do: put the platform "
            f"exports under data/{brand.slug}/raw/ and run `socialnb ingest`."
        )
    posts = M.with_format(posts)  # a post whose export names no format is "unknown", kept
    match = match_calendar(calendar, posts)
    tagged = tag_posts(posts, match)
    frame = _with_indices(prepare_posts(tagged, account_daily))
    if not (frame["sprint"] == month).any():
        raise AnalysisError(
            f"parameter 'month' = {month!r}: brand {brand.slug!r} has no posts in that sprint "
            f"(posts run from {frame['sprint'].min()} to {frame['sprint'].max()}). "
            "What to do: pick a month with posts, or ingest its exports."
        )
    d = delivery(match, tagged, month)
    k = kpis(frame, account_daily, brand, month, seed=seed, n_resamples=n_resamples)
    s = series_health(frame, month, brand.series_rule, seed=seed, n_resamples=n_resamples)
    formats = format_table(frame, month, seed=seed, n_resamples=n_resamples)
    fol = follower_growth(account_daily, month)
    has_calendar = bool(len(calendar))
    return Retro(
        brand=brand.slug,
        brand_name=brand.name,
        month=month,
        delivery=d,
        match=match,
        kpis=k,
        breakdowns={
            dim: breakdown(frame, month, dim) for dim in ("platform", "pillar", "series", "format")
        },
        formats=formats,
        top=top_posts(frame, month),
        bottom=top_posts(frame, month, bottom=True),
        series=s,
        followers=fol,
        loyalty=loyalty(account_daily, month),
        awareness=awareness(frame, month),
        best_time=best_time(frame, month),
        takeaways=_takeaways(d, k, s, formats, fol, has_calendar),
        views_change={p: day.isoformat() for p, day in M.VIEWS_CHANGE.items()},
        has_calendar=has_calendar,
        has_targets=bool(brand.targets),
    )


def build_retro(
    workspace: str | Path, brand: str, month: str, *, seed: int = 0, n_resamples: int = 2000
) -> Retro:
    """Load brand ``brand`` from ``workspace`` (its warehouse and calendar) and compute the retro.

    The calendar is read from ``calendar.csv``/``calendar.xlsx`` with
    :func:`socialnb.calendar.load_calendar` (so a bad calendar fails with its row and column).
    """
    from .calendar import load_calendar
    from .workspace import Workspace

    _check_month(month)
    ws = Workspace(workspace)
    cfg = ws.brand(brand)
    folder = Path(ws.path) / brand
    path = next(
        (p for p in (folder / "calendar.csv", folder / "calendar.xlsx") if p.exists()), None
    )
    if path is None:
        from .config import CALENDAR_COLUMNS

        calendar = pd.DataFrame(columns=list(CALENDAR_COLUMNS) + ["calendar_row"])
    else:
        calendar = load_calendar(path)
    return retro(
        ws.posts(brand),
        calendar,
        ws.account_daily(brand),
        cfg,
        month,
        seed=seed,
        n_resamples=n_resamples,
    )
