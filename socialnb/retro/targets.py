"""KPIs of brand.yaml's targets against the target and the trailing baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _stats
from .. import metrics as M
from ..config import BrandConfig, Target
from ..errors import AnalysisError
from .audience import _daily_growth
from .base import (
    _baseline_word,
    _check_month,
    prepare_posts,
    previous_sprints,
)

#: How a KPI's status is decided (printed on the page).
KPI_STATUS_RULE = (
    "on track: the sprint's value is at or above the target; at risk: below the target, but the "
    "target is inside its 95% bootstrap interval (or, for counts without an interval, within 10% "
    "of it); off track: the whole interval is below the target (or a count more than 10% short)."
)


def kpi_status(value: float, target: float, low: float = np.nan, high: float = np.nan) -> str:
    """Status of a KPI under :data:`KPI_STATUS_RULE` (higher is better).

    Examples
    --------
    >>> kpi_status(0.045, 0.05, low=0.03, high=0.06)  # the target is inside the interval
    'at risk'
    >>> kpi_status(0.045, 0.05, low=0.03, high=0.049)
    'off track'
    >>> kpi_status(12.0, 10.0)
    'on track'
    """
    if not np.isfinite(value):
        return "no data"
    if value >= target:
        return "on track"
    if np.isfinite(high):
        return "at risk" if high >= target else "off track"
    return "at risk" if value >= 0.9 * target else "off track"


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


#: Columns of :attr:`Kpis.table`.
KPI_COLUMNS: tuple[str, ...] = (
    "name", "metric", "platform", "value", "low", "high", "target", "baseline", "vs_baseline",
    "vs_low", "vs_high", "vs_baseline_verdict", "status", "n_posts", "aggregation",
    "rate_of_totals", "definition",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Kpis:
    """KPIs vs target and vs the trailing baseline (see :data:`KPI_STATUS_RULE`).

    ``table`` has one row per target: ``value`` (the sprint's median post for post metrics:
    ``aggregation`` says so), its 95% ``low``/``high``, ``target``, ``baseline``, ``vs_baseline``
    and its interval, ``status``, ``n_posts``, ``rate_of_totals`` (for rates: the other view of
    the same quantity, sum of engagements / sum of the denominator, the one the overview shows)
    and ``definition`` (the metric's label).
    """

    month: str
    table: pd.DataFrame
    rule: str = KPI_STATUS_RULE

    def to_frame(self) -> pd.DataFrame:
        """One row per KPI."""
        return self.table.copy()

    def __repr__(self) -> str:
        st = self.table["status"].value_counts()
        counts = ", ".join(f"{st.get(k, 0)} {k}" for k in ("on track", "at risk", "off track"))
        return f"Kpis({self.month}: {len(self.table)} KPIs, {counts})"

    def records(self) -> list[dict]:
        """``[{name, value, baseline, target, status}]`` for ``socialnb.record``."""
        cols = ["name", "value", "baseline", "target", "status"]
        return [
            {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
            for r in self.table[cols].to_dict("records")
        ]

    def shown_rates(self) -> list[dict]:
        """Every rate KPI as shown, in both views (median post and rate of totals), as rows for
        ``socialnb.record("rates_shown", ...)`` (:func:`socialnb.metrics.shown_rates`)."""
        rates = self.table["metric"].map(_is_rate).astype(bool)
        t = self.table.loc[rates].assign(scope="organic")
        t["platform"] = t["platform"].where(t["platform"] != "all", None)
        t = t[["platform", "metric", "scope", "value", "rate_of_totals", "n_posts"]]
        return M.shown_rates(t, month=self.month, aggregation=M.MEDIAN_OF_POSTS) + M.shown_rates(
            t, month=self.month, aggregation=M.RATE_OF_TOTALS
        )

    def plot(self, ax=None):
        """Each KPI's value with its 95% interval, as a share of its target (1 = on target)."""
        import matplotlib.pyplot as plt

        t = self.table.dropna(subset=["value"])
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.6 + 0.3 * len(t)))
        scale = t["target"].where(t["target"] != 0)
        y = range(len(t))
        ax.errorbar(
            t["value"] / scale, y, fmt="o", color="#0072B2", ecolor="#9ab", capsize=2,
            xerr=[((t["value"] - t["low"]) / scale).clip(lower=0).fillna(0),
                  ((t["high"] - t["value"]) / scale).clip(lower=0).fillna(0)],
        )  # fmt: skip
        ax.set_yticks(list(y), t["name"])
        ax.invert_yaxis()
        ax.axvline(1, color="#555", lw=1)
        ax.set(xlabel="value / target (1 = on target), 95% interval", ylabel="")
        return ax


def _is_rate(metric: str) -> bool:
    return metric in M.METRICS and M.definition(metric).is_rate


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
    return Kpis(month, pd.DataFrame(rows, columns=list(KPI_COLUMNS)))


def _post_metric(cur, base, metric, seed, n_resamples):
    """A post metric: the sprint's median post (interval over posts) and the format-matched
    baseline ratio."""
    col = f"_kpi_{metric}"
    cur, base = cur.copy(), base.copy()
    cur[col] = M.per_post(cur, metric)
    base[col] = M.per_post(base, metric)
    iv = _median_interval(cur[col])
    baseline, ratio = _matched_ratio(cur, base, col, n_resamples, seed + 1000)
    res = M.aggregate(cur, metric)
    row = {"value": iv.estimate, "low": iv.low, "high": iv.high, "n_posts": res.n_posts,
           "aggregation": res.aggregation, "definition": res.label,
           "rate_of_totals": res.rate_of_totals if res.definition.is_rate else np.nan}  # fmt: skip
    return row, iv, baseline, ratio


def _posts_published(cur, base, prev):
    counts = [int((base["sprint"] == s).sum()) for s in prev]
    baseline = float(np.mean(counts))
    value = float(len(cur))
    ratio = M.Interval(value / baseline if baseline else np.nan, np.nan, np.nan)
    row = {"value": value, "low": np.nan, "high": np.nan, "n_posts": len(cur), "aggregation": "count",
           "definition": "posts published in the sprint (all formats, organic)"}  # fmt: skip
    return row, M.Interval(np.nan, np.nan, np.nan), baseline, ratio


def _follower_growth(daily, platform, month, prev, n_posts, seed, n_resamples):
    g, *before = _daily_growth(daily, platform, [month, *prev])
    past = [x["growth"] for x in before if np.isfinite(x["growth"])]
    baseline = float(np.mean(past)) if past else np.nan
    steps = g.get("steps")
    low = high = np.nan
    if steps is not None and len(steps) > 1 and np.isfinite(g["followers_start"]):
        rng = np.random.default_rng(seed)
        sums = steps[rng.integers(0, len(steps), (n_resamples, len(steps)))].sum(axis=1)
        low, high = np.quantile(sums / g["followers_start"], [0.025, 0.975])
    iv = M.Interval(g["growth"], float(low), float(high), method="bootstrap over days")
    ratio = M.Interval(g["growth"] / baseline if baseline else np.nan, np.nan, np.nan)
    row = {"value": g["growth"], "low": iv.low, "high": iv.high, "n_posts": n_posts,
           "aggregation": "rate of the sprint",
           "definition": "net new followers in the sprint / followers at its start"}  # fmt: skip
    return row, iv, baseline, ratio


def _one_kpi(frame, daily, t: Target, month, prev, seed, n_resamples) -> dict:
    row = {"name": t.name, "metric": t.metric, "platform": t.platform or "all", "target": t.target}
    mine = frame if t.platform is None else frame[frame["platform"] == t.platform]
    cur, base = mine[mine["sprint"] == month], mine[mine["sprint"].isin(prev)]
    if t.metric in M.METRICS:
        part, iv, baseline, ratio = _post_metric(cur, base, t.metric, seed, n_resamples)
    elif t.metric == "posts_published":
        part, iv, baseline, ratio = _posts_published(cur, base, prev)
    elif t.metric == "follower_growth":
        part, iv, baseline, ratio = _follower_growth(
            daily, t.platform, month, prev, len(cur), seed, n_resamples
        )
    else:  # pragma: no cover - config validates metric names
        raise AnalysisError(f"target {t.name!r}: metric {t.metric!r} is not supported.")
    return (
        row
        | part
        | {
            "baseline": baseline,
            "vs_baseline": ratio.estimate,
            "vs_low": ratio.low,
            "vs_high": ratio.high,
            "vs_baseline_verdict": _baseline_word(ratio),
            "status": kpi_status(part["value"], t.target, iv.low, iv.high),
        }
    )
