"""The real X/Twitter Analytics exports (../shared/datasets/twitter_analytics_debruine, CC BY-SA 4.0,
Nordmann & DeBruine 2022) ingest completely; counts and totals are checked against the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import socialnb

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "twitter_analytics_debruine"
TWEETS = sorted((DATA / "tweet_level").glob("*.csv"))
DAILY = sorted((DATA / "daily").glob("*.csv"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _num(v: str) -> float:
    return 0.0 if v in ("", "-") else float(v)


def test_there_are_twelve_monthly_files_of_each_kind():
    assert len(TWEETS) == 12 and len(DAILY) == 12


@pytest.mark.parametrize("path", TWEETS, ids=lambda p: p.name[-25:])
def test_every_tweet_file_reads_completely_with_matching_totals(path):
    rows = _rows(path)
    posts = socialnb.read_export(path)
    assert posts.attrs["format"] == "x_tweet_activity"
    assert len(posts) == len({r["Tweet id"] for r in rows})
    assert set(posts["post_id"]) == {r["Tweet id"] for r in rows}
    for canonical, column in (
        ("impressions", "impressions"),
        ("likes", "likes"),
        ("shares", "retweets"),
        ("comments", "replies"),
        ("platform_engagements", "engagements"),
    ):
        assert posts[canonical].sum() == pytest.approx(sum(_num(r[column]) for r in rows)), (
            canonical
        )
    assert (posts["published_at"].dt.tz is not None) and (posts["assumed_tz"] == "UTC").all()


def test_the_whole_year_ingests_into_a_workspace_with_totals(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: UTC\n")
    ws = socialnb.Workspace(tmp_path)
    report = ws.ingest([DATA / "tweet_level", DATA / "daily"], brand="demo")
    assert report.ok, str(report)
    assert len(report.loaded) == 24
    all_rows = [r for p in TWEETS for r in _rows(p)]
    posts = ws.posts()
    assert len(posts) == len({r["Tweet id"] for r in all_rows})
    daily = ws.account_daily()
    day_rows = [r for p in DAILY for r in _rows(p)]
    assert len(daily) == len({r["Date"] for r in day_rows})
    assert daily["impressions"].sum() == pytest.approx(
        sum(_num(r["impressions"]) for r in day_rows)
    )
