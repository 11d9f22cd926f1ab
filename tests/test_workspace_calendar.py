"""One calendar matcher (issue 13): ``Workspace.posts`` tags posts with
:func:`socialnb.retro.match_calendar` alone, the warehouse's ``posts`` view holds no calendar
join, and the retro and every page reading posts see the same matches."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import socialnb
from socialnb import warehouse as wh
from socialnb.retro import match_calendar

ROOT = Path(__file__).resolve().parents[1]
#: The sample's tags per post as main's code gave them before issue 13 (the view's id/link join,
#: then match_calendar for the rest), recorded from the sample brand.
BEFORE = ROOT / "tests" / "fixtures" / "calendar" / "fernway-post-tags-before-issue13.csv"
TAGS = ["pillar", "series", "idea_id", "planned_sprint"]


def _tags(posts: pd.DataFrame) -> pd.DataFrame:
    cols = ["platform", "post_id", *TAGS]
    out = posts[cols].astype("string").sort_values(["platform", "post_id"])
    return out.reset_index(drop=True)


def test_the_sample_posts_keep_the_same_calendar_tags_as_before_the_single_matcher(
    sample_workspace,
):
    now = _tags(socialnb.Workspace(sample_workspace).posts("fernway"))
    before = pd.read_csv(BEFORE, dtype="string")
    pd.testing.assert_frame_equal(now, before[now.columns.tolist()])
    assert now["pillar"].notna().sum() > 1000  # the fixture holds real matches, not blanks


def test_the_retro_match_and_workspace_posts_agree_post_by_post(sample_workspace):
    ws = socialnb.Workspace(sample_workspace)
    posts, calendar = ws.posts("fernway"), ws.calendar("fernway")
    rows = match_calendar(calendar, posts).rows.dropna(subset=["post_id"])
    assert len(rows) > 100 and rows["method"].nunique() >= 2  # id/link and title-and-date
    by_post = rows.set_index(rows["platform"].astype(str) + "|" + rows["post_id"].astype(str))
    assert by_post.index.is_unique
    tagged = posts.set_index(posts["platform"].astype(str) + "|" + posts["post_id"].astype(str))
    for col, src in {"pillar": "pillar", "series": "series", "idea_id": "idea_id"}.items():
        retro = by_post[src].astype("string").replace("", pd.NA)
        shown = tagged.loc[by_post.index, col].astype("string")
        pd.testing.assert_series_equal(shown, retro, check_names=False)
    assert (tagged.loc[by_post.index, "planned_sprint"] == by_post["sprint"]).all()
    # a post no calendar row took carries no tag at all
    untaken = tagged.index.difference(by_post.index)
    assert len(untaken) and tagged.loc[untaken, TAGS].isna().all().all()


def test_the_posts_view_is_the_latest_snapshot_without_calendar_columns(sample_workspace):
    con = socialnb.Workspace(sample_workspace).connect()
    try:
        view = [r[0] for r in con.execute("DESCRIBE posts").fetchall()]
        table = [r[0] for r in con.execute("DESCRIBE post_snapshots").fetchall()]
        n_view = con.execute("SELECT count(*) FROM posts").fetchall()[0][0]
        n_keys = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT brand, platform, post_id FROM post_snapshots)"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert view == table and "pillar" not in view
    assert n_view == n_keys


def test_a_brand_without_calendar_gets_the_tag_columns_all_missing(tmp_path, datasets):
    folder = tmp_path / "solo"
    (folder / "raw").mkdir(parents=True)
    (folder / "brand.yaml").write_text("name: Solo\ntimezone: UTC\n")
    tweets = sorted(datasets.glob("twitter_analytics_debruine/tweet_level/*.csv"))[0]
    shutil.copy(tweets, folder / "raw" / tweets.name)
    ws = socialnb.Workspace(tmp_path)
    assert ws.ingest().ok
    posts = ws.posts("solo")
    assert len(posts) > 0
    assert set(TAGS) <= set(posts.columns) and posts[TAGS].isna().all().all()


@pytest.mark.parametrize("version", ["1", "2", "3", "4"])
def test_a_warehouse_of_an_older_schema_is_refused_with_the_rebuild_command(tmp_path, version):
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [version])
    con.close()
    before = path.read_bytes()
    with pytest.raises(socialnb.errors.WarehouseError, match="ingest --rebuild"):
        wh.connect(path)
    assert path.read_bytes() == before
    assert wh.SCHEMA_VERSION == 5
