"""``metrics.metric_table`` computes the scope and each post's parts once for the whole table
(issue 15); every row is still exactly :func:`socialnb.metrics.aggregate` of its group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb import metrics as M
from socialnb import retro as R


def _reference_table(posts, metric, *, by, scope="organic", include_clicks=False):
    """metric_table as it was: aggregate() of every group of ``by``, groups sorted."""
    keys = posts[by].astype("string").fillna("(none)")
    rows = []
    for key, sub in posts.groupby([keys[c] for c in by], sort=True):
        key = key if isinstance(key, tuple) else (key,)
        res = M.aggregate(sub, metric, scope=scope, include_clicks=include_clicks)
        if res.n_posts == 0 and res.n_missing == 0:
            continue
        rows.append(dict(zip(by, key, strict=True)) | res.to_frame().iloc[0].to_dict())
    empty = M.aggregate(posts.iloc[0:0], metric, scope=scope, include_clicks=include_clicks)
    return pd.DataFrame(rows, columns=by + list(empty.to_frame()))


def _hand_made() -> pd.DataFrame:
    """Instagram across Meta's Views change, X beside it, a boosted post, missing reach, a
    missing format and pillar, a 0 denominator and a group of boosted posts only."""
    rng = np.random.default_rng(3)
    rows = []
    days = pd.date_range("2025-03-20", "2025-05-20", freq="6D")
    for k, day in enumerate(days):
        for platform in ("instagram", "x"):
            rows.append(dict(platform=platform, post_id=f"{platform}{k}",
                             format=[None, "reel", "image"][k % 3], pillar=["gear", None][k % 2],
                             likes=float(rng.integers(0, 50)), comments=float(rng.integers(0, 5)),
                             shares=0.0, saves=np.nan if k % 4 else 1.0, clicks=2.0,
                             reach=[np.nan, 0.0, 900.0, 1500.0][k % 4],
                             impressions=float(rng.integers(500, 3000)), views=np.nan,
                             distribution=["organic", "organic", "boosted", None][k % 4],
                             published_at=day.tz_localize("UTC"), published_local=day))  # fmt: skip
    rows.append(rows[0] | dict(post_id="only-boosted", pillar="ads", distribution="boosted"))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("scope", ["organic", "boosted", "all"])
@pytest.mark.parametrize("by", [["platform"], ["platform", "format"], ["pillar", "format"]])
@pytest.mark.parametrize("metric", ["er_reach", "er_impressions", "saves_per_post", "ctr"])
def test_each_row_of_metric_table_is_aggregate_of_its_group(metric, by, scope):
    times = _hand_made()
    text = times.assign(published_local=times["published_local"].astype(str))  # parsed per group
    for posts, include_clicks in [(times, False), (times, True), (text, False)]:
        got = M.metric_table(posts, metric, by=by, scope=scope, include_clicks=include_clicks)
        want = _reference_table(posts, metric, by=by, scope=scope, include_clicks=include_clicks)
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_metric_table_names_the_views_change_only_in_the_groups_it_crosses():
    t = M.metric_table(_hand_made(), "er_reach", by=["platform"], scope="all").set_index("platform")
    assert "instagram Views change" in t.loc["instagram", "views_break"]
    assert t.loc["x", "views_break"] == ""


def test_the_sample_breakdowns_are_aggregate_of_each_group(sample_workspace):
    from socialnb import Workspace

    ws = Workspace(sample_workspace)
    frame = R.prepare_posts(ws.posts("fernway"), ws.account_daily("fernway"))
    for metric, sub in frame.groupby("rate_metric"):
        for by in (["platform", "series"], ["sprint", "format"]):
            got = M.metric_table(sub, metric, by=by)
            pd.testing.assert_frame_equal(got, _reference_table(sub, metric, by=by))
