"""socialnb.metrics: every metric on hand-computed cases, definitions carried, seeded intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb import metrics as M
from socialnb.errors import AnalysisError
from socialnb.schema import POST_FIELDS


def _posts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in POST_FIELDS:
        if col not in frame:
            frame[col] = np.nan
    return frame


@pytest.fixture
def posts() -> pd.DataFrame:
    return _posts(
        [
            # engagements 10+2+3+5 = 20
            dict(platform="instagram", post_id="1", likes=10, comments=2, shares=3, saves=5,
                 reach=200, impressions=400, views=500, clicks=7, follows=4,
                 distribution="organic", published_local="2026-10-01 09:00"),
            # saves not reported: engagements 30+0+10 = 40 (NaN part left out, not 0)
            dict(platform="instagram", post_id="2", likes=30, comments=0, shares=10,
                 saves=np.nan, reach=1000, impressions=2000, views=2500, clicks=3, follows=1,
                 distribution="organic", published_local="2026-10-02 09:00"),
            # a zero reach: no rate by reach
            dict(platform="instagram", post_id="3", likes=1, comments=1, shares=0, saves=0,
                 reach=0, impressions=10, views=10, clicks=0, follows=0,
                 distribution="organic", published_local="2026-10-03 09:00"),
            # boosted: never in the organic scope
            dict(platform="instagram", post_id="4", likes=500, comments=50, shares=50, saves=0,
                 reach=10000, impressions=12000, views=15000, clicks=100, follows=20,
                 distribution="boosted", published_local="2026-10-04 09:00"),
        ]
    )  # fmt: skip


def test_engagements_add_the_reported_parts_and_leave_clicks_out(posts):
    assert M.engagements(posts).tolist() == [20.0, 40.0, 2.0, 600.0]
    assert M.engagements(posts, include_clicks=True).tolist() == [27.0, 43.0, 2.0, 700.0]


def test_engagements_are_nan_when_no_part_is_reported():
    frame = _posts([dict(platform="x", post_id="1")])
    assert np.isnan(M.engagements(frame).iloc[0])


def test_platform_engagements_are_kept_beside_ours(posts):
    posts["platform_engagements"] = [99.0, 1.0, 2.0, 3.0]
    out = M.with_engagements(posts)
    assert out["platform_engagements"].tolist() == [99.0, 1.0, 2.0, 3.0]
    assert out["engagements"].tolist() == [20.0, 40.0, 2.0, 600.0]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("er_reach", [20 / 200, 40 / 1000, np.nan, 600 / 10000]),
        ("er_impressions", [20 / 400, 40 / 2000, 2 / 10, 600 / 12000]),
        ("er_views", [20 / 500, 40 / 2500, 2 / 10, 600 / 15000]),
        ("virality_rate", [3 / 400, 10 / 2000, 0.0, 50 / 12000]),
        ("virality_rate_views", [3 / 500, 10 / 2500, 0.0, 50 / 15000]),
        ("save_rate", [5 / 200, np.nan, np.nan, 0 / 10000]),
        ("send_rate", [3 / 200, 10 / 1000, np.nan, 50 / 10000]),
        ("ctr", [7 / 400, 3 / 2000, 0.0, 100 / 12000]),
        ("follow_rate", [4 / 200, 1 / 1000, np.nan, 20 / 10000]),
        ("conversation_rate", [2, 0, 1, 50]),
        ("amplification_rate", [3, 10, 0, 50]),
        ("applause_rate", [10, 30, 1, 500]),
        ("reach_per_post", [200, 1000, 0, 10000]),
        ("saves_per_post", [5, np.nan, 0, 0]),
    ],
)
def test_every_per_post_metric_matches_its_hand_computed_value(posts, metric, expected):
    got = M.per_post(posts, metric).to_numpy()
    np.testing.assert_allclose(got, np.asarray(expected, dtype=float), equal_nan=True)


def test_follower_rates_use_the_followers_at_posting_time(posts):
    daily = pd.DataFrame({
        "platform": ["instagram"] * 3,
        "date": pd.to_datetime(["2026-09-30", "2026-10-02", "2026-10-03"]),
        "followers": [1000.0, 2000.0, np.nan],
    })  # fmt: skip
    with_f = M.followers_at_posting(posts, daily)
    # 10-01 -> level of 09-30; 10-02 -> its own day; 10-03 and 10-04 -> last known (10-02)
    assert with_f["followers"].tolist() == [1000.0, 2000.0, 2000.0, 2000.0]
    np.testing.assert_allclose(M.per_post(with_f, "er_followers"), [0.02, 0.02, 0.001, 0.3])
    np.testing.assert_allclose(M.per_post(with_f, "conversation_per_1k"), [2.0, 0.0, 0.5, 25.0])


def test_follower_rates_without_followers_say_how_to_add_them(posts):
    with pytest.raises(AnalysisError, match="followers_at_posting"):
        M.per_post(posts, "er_followers")


def test_aggregate_is_the_median_of_per_post_rates_with_the_rate_of_totals_beside_it(posts):
    res = M.aggregate(posts, "er_reach")  # organic: posts 1-3; post 3 has no reach
    assert res.value == pytest.approx(np.median([0.1, 0.04]))
    assert res.rate_of_totals == pytest.approx(60 / 1200)
    assert (res.n_posts, res.n_missing) == (2, 1)
    assert res.scope == "organic"


def test_boosted_posts_are_reported_apart(posts):
    assert M.aggregate(posts, "er_reach", scope="boosted").value == pytest.approx(0.06)
    assert M.aggregate(posts, "er_reach", scope="all").n_posts == 3
    with pytest.raises(AnalysisError, match="scope"):
        M.aggregate(posts, "er_reach", scope="paid")


def test_every_result_carries_its_definition(posts):
    res = M.aggregate(posts, "er_reach")
    assert res.label == "median of per-post engagements / reach, organic posts, v1"
    row = res.to_frame().iloc[0]
    assert (row["numerator"], row["denominator"], row["aggregation"], row["scope"]) == (
        "engagements",
        "reach",
        "median of per-post rates",
        "organic",
    )
    assert row["version"] == M.METRICS_VERSION
    assert M.aggregate(posts, "saves_per_post").to_frame().iloc[0]["denominator"] == "post"


def test_unknown_metric_names_the_choices(posts):
    with pytest.raises(AnalysisError, match="er_reach"):
        M.aggregate(posts, "engagement_rate")


def test_metric_table_gives_one_row_per_group(posts):
    posts["format"] = ["reel", "image", "reel", "reel"]
    t = M.metric_table(posts, "er_reach", by=["format"])
    assert t.set_index("format")["value"].to_dict() == pytest.approx({"image": 0.04, "reel": 0.1})


def test_a_series_crossing_metas_views_change_is_marked():
    frame = _posts([
        dict(platform="facebook", post_id="1", likes=1, reach=10, published_local="2025-11-01"),
        dict(platform="facebook", post_id="2", likes=1, reach=10, published_local="2025-12-01"),
    ])  # fmt: skip
    res = M.aggregate(frame, "er_reach")
    assert res.views_breaks == ("facebook Views change 2025-11-15",)
    assert "crosses facebook Views change 2025-11-15" in res.label
    inside = M.aggregate(frame.iloc[1:], "er_reach")
    assert inside.views_breaks == ()
    assert M.views_change_within("2025-01-01", "2025-12-31") == {
        "instagram": pd.Timestamp("2025-04-21"),
        "facebook": pd.Timestamp("2025-11-15"),
    }


def test_follower_growth_and_returning_share_follow_their_definitions():
    assert M.follower_growth_rate(1000, 1050) == pytest.approx(0.05)
    assert np.isnan(M.follower_growth_rate(np.nan, 1050))
    assert M.returning_audience_share(30, 120) == pytest.approx(0.25)
    assert np.isnan(M.returning_audience_share(3, 0))


def test_bootstrap_interval_is_reproducible_with_a_seed_and_covers_the_median():
    values = np.random.default_rng(1).lognormal(size=40)
    a = M.bootstrap_interval(values, seed=3)
    b = M.bootstrap_interval(values, seed=3)
    c = M.bootstrap_interval(values, seed=4)
    assert (a.low, a.high) == (b.low, b.high)
    assert (a.low, a.high) != (c.low, c.high)
    assert a.estimate == pytest.approx(np.median(values))
    assert a.low < a.estimate < a.high
    assert M.bootstrap_interval([5.0]).low == M.bootstrap_interval([5.0]).high == 5.0
    assert np.isnan(M.bootstrap_interval([]).estimate)


def test_bootstrap_interval_covers_the_true_median_about_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    hits = 0
    for k in range(200):
        x = rng.exponential(size=30)  # true median ln 2
        iv = M.bootstrap_interval(x, n_resamples=500, seed=k)
        hits += iv.low <= np.log(2) <= iv.high
    assert 0.88 <= hits / 200 <= 0.99


def test_bootstrap_ratio_of_identical_groups_is_one_and_separates_a_real_difference():
    same = M.bootstrap_ratio([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], seed=0)
    assert same.estimate == 1.0 and same.low < 1 < same.high
    far = M.bootstrap_ratio(np.full(10, 2.0) + np.arange(10) / 100, np.ones(10), seed=0)
    assert far.low > 1.9
    assert np.isnan(M.bootstrap_ratio([1, 2], []).estimate)
