"""A metric over a group of posts: the median of per-post values with the rate of totals beside
it, each named (:data:`MEDIAN_OF_POSTS`, :data:`RATE_OF_TOTALS`), and the rates a page records
(:func:`shown_rates`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..periods import local_time
from .definitions import VIEWS_CHANGE, MetricDefinition, _num_den, definition, select_scope


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


#: The columns :func:`_views_breaks` reads.
_VIEWS_BREAK_COLUMNS = ("platform", "published_local", "published_at", "metric_era")


def _views_breaks(posts: pd.DataFrame, local: pd.Series | None = None) -> tuple[str, ...]:
    """The Views changes the posts' publishing times straddle; ``local`` is
    :func:`~socialnb.periods.local_time` of ``posts`` when the caller has it."""
    if not len(posts) or "platform" not in posts:
        return ()
    marks = []
    for name, day in VIEWS_CHANGE.items():
        mine = (posts["platform"] == name).to_numpy(dtype=bool, na_value=False)
        if not mine.any():
            continue
        if local is None:  # only for posts of a platform with a Views change
            local = local_time(posts)
        t = pd.Timestamp(day)
        span = local[mine]
        eras = set()
        if "metric_era" in posts:
            eras = {e for e in posts.loc[mine, "metric_era"].dropna().astype(str) if e}
        if (span.min() < t <= span.max()) or len(eras) > 1:
            marks.append(f"{name} Views change {day.isoformat()}")
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
        return pd.DataFrame([self._record()])

    def _record(self) -> dict:
        d = self.definition
        return {
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
    return _result(d, scope, include_clicks, chosen, num, den)


def _result(d: MetricDefinition, scope: str, include_clicks: bool, chosen, num, den, local=None):
    """:func:`aggregate` of posts ``chosen`` (already in ``scope``) whose numerator and
    denominator are ``num`` and ``den`` (:func:`~socialnb.metrics.definitions._num_den`) and
    local publishing times ``local`` (``None``: computed when needed)."""
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
        views_breaks=_views_breaks(chosen, local),
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
    if not by:
        return aggregate(posts, metric, scope=scope, include_clicks=include_clicks).to_frame()
    # the scope and each post's numerator and denominator once; then each group's share
    d = definition(metric)
    chosen = select_scope(posts, scope)
    num, den = _num_den(chosen, d, include_clicks)
    keys = chosen[by].astype("string").fillna("(none)")
    narrow = chosen[[c for c in _VIEWS_BREAK_COLUMNS if c in chosen]]  # all _result reads
    # local times once when they are times already (each post's own); text is parsed per group
    stamped = "published_at" in chosen and "published_local" in chosen
    stamped = stamped and pd.api.types.is_datetime64_any_dtype(chosen["published_local"])
    local = local_time(narrow) if stamped and len(narrow) else None
    rows = []
    for key, at in keys.groupby(by, sort=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        part = local.iloc[at] if local is not None else None
        res = _result(d, scope, include_clicks, narrow.iloc[at], num.iloc[at], den.iloc[at], part)
        rows.append(dict(zip(by, key, strict=True)) | res._record())
    empty = _result(d, scope, include_clicks, narrow.iloc[0:0], num.iloc[0:0], den.iloc[0:0])
    return pd.DataFrame(rows, columns=by + list(empty._record()))


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
