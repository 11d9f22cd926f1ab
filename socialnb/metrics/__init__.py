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

The package's parts: :mod:`~socialnb.metrics.definitions` (what each metric is, per post:
engagements, exposure, every rate), :mod:`~socialnb.metrics.aggregate` (a metric over a group of
posts, both aggregations named, and the rates a page records) and
:mod:`~socialnb.metrics.intervals` (seeded bootstrap intervals over posts).
"""

from __future__ import annotations

from .aggregate import (
    MEDIAN_OF_POSTS,
    RATE_GROUPS,
    RATE_OF_TOTALS,
    MetricResult,
    aggregate,
    metric_table,
    shown_rates,
    views_change_within,
)
from .definitions import (
    ENGAGEMENT_PARTS,
    METRICS,
    METRICS_VERSION,
    PRIMARY_RATE,
    SCOPES,
    UNKNOWN_FORMAT,
    VIEWS_CHANGE,
    MetricDefinition,
    definition,
    engagements,
    exposure,
    exposure_metric,
    follower_growth_rate,
    followers_at_posting,
    per_post,
    primary_rate,
    returning_audience_share,
    select_scope,
    with_engagements,
    with_format,
)
from .intervals import Interval, bootstrap_interval, bootstrap_ratio

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
