"""Every reader on files made in the documented layouts (tests/fixtures/exports/, written by
make_fixtures.py there), plus the sample brand's raw files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import socialnb
from socialnb.ingest import formats, read_frames
from socialnb.schema import DAILY_FIELDS, POST_FIELDS

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "exports"
SAMPLE_RAW = ROOT / "data" / "fernway" / "raw"


def frames(name: str, tz: str = "Europe/London") -> dict[str, pd.DataFrame]:
    return {f.attrs["format"]: f for f in read_frames(FIX / name, tz=tz)}


def test_every_reader_is_listed_with_platform_and_kind():
    table = formats()
    assert {
        "linkedin_page",
        "tiktok_content",
        "tiktok_overview",
        "tiktok_follower_history",
        "tiktok_viewers",
        "youtube_table",
        "youtube_chart",
        "youtube_totals",
        "facebook_insights_legacy",
        "meta_facebook_content",
        "x_tweet_activity",
    } <= set(table["id"])
    assert set(table["kind"]) == {"posts", "daily"}


def test_linkedin_workbook_yields_posts_and_daily_with_format_from_content_type():
    got = read_frames(FIX / "linkedin_page_2024_1711000000000.xlsx")
    kinds = sorted(f.attrs["kind"] for f in got)
    assert kinds == ["daily", "posts"]
    posts = next(f for f in got if f.attrs["kind"] == "posts")
    assert list(posts.columns) == list(POST_FIELDS)
    assert posts["post_id"].tolist() == [
        "7101234567890123456",
        "7101234567890123457",
        "7101234567890123458",
    ]
    assert posts["format"].tolist() == ["image", "video", "carousel"]  # Content Type, not Post type
    assert posts["distribution"].tolist() == ["organic", "boosted", "organic"]
    assert posts["published_local"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-14",
        "2024-03-02",
        "2024-02-28",
    ]
    assert any("MM/DD/YYYY" in n for n in posts.attrs["notes"])
    # the export moment is the epoch-milliseconds in the file name
    assert posts["exported_at"].iloc[0] == pd.Timestamp(1711000000000, unit="ms", tz="UTC")
    daily = next(f for f in got if f.attrs["kind"] == "daily")
    assert list(daily.columns) == list(DAILY_FIELDS)
    assert daily["engagements"].tolist() == [11.0, 2.0]  # reactions may be negative (unlikes)


def test_linkedin_2020_update_names_and_day_first_dates_are_resolved_from_the_column():
    posts = read_frames(FIX / "linkedin_updates_2020.xlsx")[0]
    assert posts["published_local"].dt.strftime("%Y-%m-%d").tolist() == ["2020-03-13", "2020-03-02"]
    assert posts["shares"].tolist() == [2.0, 1.0]  # Shares -> shares (Reposts today)
    assert any("DD/MM/YYYY" in n for n in posts.attrs["notes"])


def test_tiktok_content_zip_spanish_yearless_dates_and_partial_note():
    posts = socialnb.read_export(FIX / "Content_2026-01-01_2026-01-02.zip", tz="Europe/London")
    assert posts.attrs["format"] == "tiktok_content"
    assert posts["post_id"].tolist() == ["7312345678901234567", "7312345678901234568"]
    # December 28 is before the snapshot (January 2): previous year; February 10 cannot be after it either
    assert posts["published_local"].dt.strftime("%Y-%m-%d").tolist() == ["2025-12-28", "2025-02-10"]
    assert posts["likes"].isna().tolist() == [False, True]  # `undefined` is missing, not zero
    assert posts["shares"].tolist() == [3.0, 0.0]  # header with a trailing NBSP
    assert any("not the full list" in n for n in posts.attrs["notes"])


@pytest.mark.parametrize(
    ("name", "fmt", "column", "first_date", "values"),
    [
        (
            "Overview.csv",
            "tiktok_overview",
            "video_views",
            "06-18",
            [700.0, 650.0],
        ),  # Vietnamese months
        (
            "FollowerHistory.csv",
            "tiktok_follower_history",
            "followers",
            "08-09",
            [4200.0, 4205.0],
        ),  # Portuguese
        (
            "Viewers.csv",
            "tiktok_viewers",
            "returning_viewers",
            "08-09",
            [100.0, float("nan")],
        ),  # English
    ],
)
def test_tiktok_daily_files_in_localised_month_names(name, fmt, column, first_date, values):
    daily = read_frames(FIX / name)[0]
    assert daily.attrs["format"] == fmt
    assert daily["date"].dt.strftime("%m-%d").iloc[0] == first_date
    pd.testing.assert_series_equal(daily[column], pd.Series(values, name=column), check_names=False)


def test_youtube_zip_total_row_leading_space_ids_thumbnail_impressions_and_blank_publish_time():
    got = frames("YouTube Content 2025-12-01_2025-12-31.zip")
    assert set(got) == {"youtube_table", "youtube_chart", "youtube_totals"}
    table = got["youtube_table"]
    assert table["post_id"].tolist() == [
        "-abcdefghij",
        "ABCDEFGHIJK",
    ]  # Total dropped, space stripped
    assert table["impressions"].tolist() == [20000.0, 10000.0]  # "Thumbnail impressions"
    assert table["follows"].tolist() == [5.0, -2.0]  # subscribers can be negative
    assert table["watch_time_s"].tolist() == [20.25 * 3600, 20.25 * 3600]
    assert table["published_at"].isna().tolist() == [False, True]
    assert table["metric_era"].iloc[0] == "thumbnail impressions"
    assert got["youtube_totals"]["views"].tolist() == [950.0, 1250.0]
    assert got["youtube_chart"]["video_views"].tolist() == [900.0, 1200.0]


def test_legacy_facebook_spreadsheetml_two_header_rows_and_repeated_names():
    posts = socialnb.read_export(
        FIX / "Facebook Insights Data Export (Post Level) - Fernway - 2019-07-01.xls"
    )
    assert posts.attrs["format"] == "facebook_insights_legacy"
    assert posts["post_id"].tolist() == [
        "123456789012345_987654321098765",
        "123456789012345_987654321098766",
    ]
    assert posts["reach"].tolist() == [1500.0, 900.0]
    # three columns share one name; row 2 tells like / comment / share apart
    assert posts["likes"].tolist() == [40.0, 12.0]
    assert posts["comments"].isna().tolist() == [False, True]
    assert posts["shares"].tolist() == [3.0, 1.0]
    assert posts["account"].iloc[0] == "Fernway"  # from the file name
    assert posts["text"].iloc[0] == "Hello & welcome"


def test_legacy_facebook_csv_with_api_name_headers_and_xlsx_with_excel_serial_dates():
    csv_posts = socialnb.read_export(
        FIX / "Facebook Insights Data Export (Post Level) - Fernway - 2019-04-01.csv"
    )
    assert csv_posts["impressions"].tolist() == [900.0, 350.0]
    assert csv_posts["published_local"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2019-03-14 10:00",
        "2019-03-02 18:15",
    ]
    xl = socialnb.read_export(
        FIX / "Facebook Insights Data Export (Post Level) - Fernway - 2019-03-01.xlsx"
    )
    assert xl["published_local"].iloc[0] == pd.Timestamp("2019-03-01 12:00")
    assert xl["format"].iloc[0] == "video"


def test_portuguese_instagram_and_x_headers():
    ig = socialnb.read_export(FIX / "instagram_pt.csv", tz="America/Sao_Paulo")
    assert ig.attrs["format"] == "meta_instagram_content"
    assert ig["format"].tolist() == ["image", "reel"]
    assert ig["likes"].tolist() == [60.0, 300.0]
    assert ig["saves"].isna().tolist() == [False, True]
    x = socialnb.read_export(FIX / "tweet_activity_metrics_fernway_20210101_20210201_pt.csv")
    assert x["likes"].tolist() == [1.0] and x["profile_visits"].tolist() == [
        1.0
    ]  # trailing colon header


def test_every_sample_raw_file_reads():
    files = sorted(p for p in SAMPLE_RAW.rglob("*") if p.is_file())
    assert files
    platforms = set()
    for path in files:
        for frame in read_frames(path, tz="Europe/London"):
            assert len(frame), path
            platforms.add(frame["platform"].iloc[0])
    assert platforms == {"facebook", "instagram", "x", "linkedin", "tiktok", "youtube"}
