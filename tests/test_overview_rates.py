"""socialnb.overview's rates are socialnb.metrics' rates, and it says which ones it shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb import metrics as M
from socialnb import overview

NAN = np.nan


@pytest.fixture
def posts() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "platform": ["facebook", "facebook", "facebook", "x", "x", "x"],
            "published_at": pd.to_datetime(
                [
                    "2026-10-01 10:00",
                    "2026-10-15 10:00",
                    "2026-10-31 23:30",
                    "2026-10-02 09:00",
                    "2026-10-03 09:00",
                    "2026-09-30 23:30",
                ],
                utc=True,
            ),  # fmt: skip
            "reach": [1000.0, 200.0, 500.0, NAN, NAN, NAN],
            "impressions": [NAN, NAN, NAN, 400.0, 600.0, 100.0],
            "likes": [10.0, 8.0, 5.0, 4.0, 6.0, 1.0],
            "comments": [1.0, 2.0, NAN, 0.0, 1.0, 0.0],
            "format": ["image", "reel", "reel", None, "text", "text"],
            "distribution": ["organic", "organic", "boosted", "organic", "organic", "organic"],
        }
    )
    # local times a day ahead of UTC near the month's ends: the month is the local one
    frame["published_local"] = (frame["published_at"] + pd.Timedelta(hours=1)).dt.tz_localize(None)
    return frame


def test_platform_rates_are_the_metrics_rate_of_totals_of_each_primary_rate(posts):
    t = overview.platform_totals(posts, "2026-10").set_index("platform")
    local = posts[posts["published_local"].dt.strftime("%Y-%m") == "2026-10"]
    for platform in ("facebook", "x"):
        res = M.aggregate(local[local["platform"] == platform], M.primary_rate(platform))
        assert t.loc[platform, "engagement_rate"] == pytest.approx(res.rate_of_totals)
        assert t.loc[platform, "rate_posts"] == res.n_posts
        assert t.loc[platform, "definition"] == res.totals_label
        assert t.loc[platform, "metric"] == M.primary_rate(platform)
    assert t.loc["x", "posts"] == 3  # 2026-09-30 23:30 UTC is October in local time


def test_rates_shown_name_the_aggregation_and_the_group(posts):
    month = "2026-10"
    rows = overview.rates_shown(overview.platform_totals(posts, month), month)
    rows += overview.rates_shown(overview.format_rates(posts, month), month)
    assert {r["aggregation"] for r in rows} == {M.RATE_OF_TOTALS}
    by_key = {(r["platform"], r.get("format")): r for r in rows}
    assert by_key[("x", None)]["metric"] == "er_impressions"
    assert by_key[("x", "unknown")]["value"] == pytest.approx(4 / 400)  # no format named
    assert ("facebook", "reel") in by_key and by_key[("facebook", "reel")]["n_posts"] == 1


def test_the_month_in_numbers_shows_the_same_platform_rates_as_the_overview(posts):
    month = "2026-10"
    index = overview.month_in_numbers(posts, None, month).rates_shown()
    page = overview.rates_shown(overview.platform_totals(posts, month), month)
    assert sorted((r["platform"], r["value"]) for r in index) == sorted(
        (r["platform"], r["value"]) for r in page
    )


def test_exposure_metric_stays_importable_from_overview():
    assert overview.exposure_metric("youtube") == M.exposure_metric("youtube") == "views"
