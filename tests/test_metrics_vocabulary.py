"""socialnb.metrics as the one vocabulary: exposure by platform, and both aggregations named."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from socialnb import metrics as M
from socialnb import periods

NAN = np.nan


@pytest.fixture
def posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": ["instagram", "instagram", "x", "tiktok", "mastodon"],
            "reach": [100.0, 300.0, 50.0, NAN, NAN],
            "impressions": [400.0, 900.0, 1000.0, NAN, 80.0],
            "views": [NAN, NAN, NAN, 2000.0, NAN],
            "likes": [9.0, 3.0, 10.0, 100.0, 4.0],
            "comments": [1.0, 0.0, 0.0, 20.0, 0.0],
            "distribution": ["organic", "organic", "organic", "organic", "organic"],
            "published_at": pd.to_datetime(["2026-10-01"] * 5, utc=True),
        }
    )


def test_exposure_is_each_platforms_own_measure_and_nan_where_not_reported(posts):
    assert M.exposure(posts).tolist() == [100.0, 300.0, 1000.0, 2000.0, 80.0]
    posts.loc[2, "impressions"] = NAN  # X's reach is never its exposure
    assert math.isnan(M.exposure(posts).iloc[2])
    assert M.exposure(posts.drop(columns=["views"])).isna().iloc[3]


def test_exposure_metric_is_the_denominator_of_the_platforms_primary_rate():
    for platform, rate in M.PRIMARY_RATE.items():
        assert M.exposure_metric(platform) == M.definition(rate).denominator
    assert M.primary_rate("mastodon") == "er_impressions"  # a platform no table lists


def test_both_aggregations_have_a_value_and_a_label_that_says_which(posts):
    res = M.aggregate(posts[posts["platform"] == "instagram"], "er_reach")
    assert res.value == pytest.approx(np.median([0.1, 0.01]))
    assert res.rate_of_totals == pytest.approx(13 / 400)
    assert (res.numerator_sum, res.denominator_sum) == (13.0, 400.0)
    assert res.value_of(M.MEDIAN_OF_POSTS) == res.value
    assert res.value_of(M.RATE_OF_TOTALS) == res.rate_of_totals
    assert res.label_of(M.MEDIAN_OF_POSTS) == res.label
    assert (
        res.totals_label == "rate of totals: sum of engagements / sum of reach, organic posts, v1"
    )
    assert res.label.startswith(M.MEDIAN_OF_POSTS.replace("rates", "engagements"))
    assert (res.aggregation, res.totals_aggregation) == (M.MEDIAN_OF_POSTS, M.RATE_OF_TOTALS)
    row = res.to_frame().iloc[0]
    assert row["totals_label"] == res.totals_label


def test_a_count_is_labelled_as_a_mean_per_post_beside_its_median(posts):
    res = M.aggregate(posts, "comments_per_post")
    assert res.totals_label.startswith("mean of comments per post")
    assert res.totals_aggregation == "mean per post"


def test_the_sums_are_missing_when_no_post_has_a_value():
    frame = pd.DataFrame({"platform": ["x"], "likes": [1.0], "published_at": ["2026-10-01"]})
    res = M.aggregate(frame, "er_reach")
    assert math.isnan(res.numerator_sum) and math.isnan(res.rate_of_totals) and res.n_posts == 0


def test_a_posts_local_time_has_one_definition():
    from socialnb.metrics import definitions

    assert definitions.local_time is periods.local_time
    assert not hasattr(M, "_local_time") and not hasattr(definitions, "_local_time")
