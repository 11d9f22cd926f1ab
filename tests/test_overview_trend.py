"""``overview.month_trend`` (the index's trend charts) computes each platform's months in one pass
and gives what one ``aggregate`` per month and platform gave (the old loop, kept here as the
reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb import Workspace, overview, periods
from socialnb import metrics as M


def _reference(posts, daily, month, months=12):
    """month_trend as it was: one _rate_row (metrics.aggregate) per month and platform."""
    daily = daily if daily is not None else pd.DataFrame(columns=["platform", "date"])
    post_m = overview._months(posts)
    platforms = sorted(posts["platform"].dropna().unique()) if len(posts) else []
    span = [periods.shift_month(month, -k) for k in range(months - 1, -1, -1)]
    level = pd.DataFrame(columns=["platform", "month", "followers"])
    if len(daily) and "followers" in daily:
        d = daily.dropna(subset=["followers"]).assign(month=lambda f: overview._months(f, True))
        d = d.sort_values("date").groupby(["platform", "month"], as_index=False).last()
        level = d[["platform", "month", "followers"]]
    rows = []
    cur = M.with_engagements(posts[post_m.isin(span)]) if len(posts) else posts
    cur_m = post_m[cur.index] if len(posts) else post_m
    for m in span:
        sub_m = cur[cur_m == m]
        for platform in platforms:
            sub = sub_m[sub_m["platform"] == platform]
            row = overview._rate_row(sub, platform)
            hit = level[(level["platform"] == platform) & (level["month"] == m)]["followers"]
            rows.append({
                "month": m, "platform": platform,
                "followers": float(hit.iloc[-1]) if len(hit) else np.nan,
                "engagement_rate": row["engagement_rate"],
                "exposure": row["exposure"] if row["posts"] else np.nan,
            })  # fmt: skip
    return pd.DataFrame(
        rows, columns=["month", "platform", "followers", "engagement_rate", "exposure"]
    )


@pytest.mark.parametrize("month", ["2026-10", "2025-09", "2025-04"])
def test_the_trend_equals_one_aggregate_per_month_and_platform(sample_workspace, month):
    ws = Workspace(sample_workspace)
    posts, daily = ws.posts("fernway"), ws.account_daily("fernway")
    got = overview.month_trend(posts, daily, month)
    assert got["engagement_rate"].notna().any()  # the comparison is not of empty columns
    pd.testing.assert_frame_equal(got, _reference(posts, daily, month))


@pytest.mark.parametrize("platform", ["x", "facebook", "instagram", "youtube"])
def test_the_trend_of_one_platform_alone_and_of_no_post_equal_the_reference(
    sample_workspace, platform
):
    posts = Workspace(sample_workspace).posts("fernway")
    mine = posts[posts["platform"] == platform]
    pd.testing.assert_frame_equal(
        overview.month_trend(mine, None, "2026-10"), _reference(mine, None, "2026-10")
    )
    none = posts.iloc[0:0]
    pd.testing.assert_frame_equal(
        overview.month_trend(none, None, "2026-10"), _reference(none, None, "2026-10")
    )
