"""Issue 10, formats: every post of every reader gets a format (never NA; ``unknown`` when nothing
tells) and ``format_source`` says how it is known: exported, inferred by a named rule, unknown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from socialnb.ingest import read_frames
from socialnb.schema import FORMATS, POST_FIELDS

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "exports"
DATA = ROOT.parent / "shared" / "datasets"
DEBRUINE = DATA / "twitter_analytics_debruine" / "tweet_level"

XP = (
    "Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,"
    "Replies,Reposts\n"
    '2115432141421202095,"Wed, Oct 28, 2026","Read https://t.co/abc",'
    "https://x.com/Fernway/status/2115432141421202095,1124,10,29,2,1,1,3,3\n"
    '2115432141421202096,"Wed, Oct 28, 2026","Hi",'
    "https://x.com/Fernway/status/2115432141421202096,1124,10,29,2,1,1,3,3\n"
)


def _posts(path: Path, **kw) -> pd.DataFrame:
    frames = [f for f in read_frames(path, tz="Europe/London", **kw) if f.attrs["kind"] == "posts"]
    return pd.concat(frames, ignore_index=True)


def _check(posts: pd.DataFrame) -> None:
    assert len(posts)
    assert "format_source" in POST_FIELDS
    assert posts["format"].notna().all() and posts["format_source"].notna().all()
    assert set(posts["format"]) <= set(FORMATS)
    src = posts["format_source"]
    assert (src.isin(["exported", "unknown"]) | src.str.startswith("inferred: ")).all()
    assert ((posts["format"] == "unknown") == (src == "unknown")).all()


@pytest.mark.parametrize(
    "name",
    [
        "instagram_pt.csv",
        "tweet_activity_metrics_fernway_20210101_20210201_pt.csv",
        "linkedin_page_2024_1711000000000.xlsx",
        "linkedin_updates_2020.xlsx",
        "Content_2026-01-01_2026-01-02.zip",
        "YouTube Content 2025-12-01_2025-12-31.zip",
        "Facebook Insights Data Export (Post Level) - Fernway - 2019-04-01.csv",
        "Facebook Insights Data Export (Post Level) - Fernway - 2019-03-01.xlsx",
    ],
)
def test_every_reader_gives_every_post_a_format_and_says_how_it_is_known(name):
    _check(_posts(FIX / name))


def test_mapped_files_get_a_format_or_unknown():
    for mapping, path in (
        ("facebook_metrics", DATA / "facebook_metrics" / "dataset_Facebook.csv"),
        (
            "facebook_freecodecamp_page",
            DATA / "facebook_freecodecamp_page" / "freeCodeCamp-facebook-page-activity.csv",
        ),
    ):
        _check(_posts(path, mapping=mapping))


def test_x_premium_posts_without_media_columns_stay_unknown_never_guessed(tmp_path):
    path = tmp_path / "account_analytics_content_2026-10-01_2026-10-31.csv"
    path.write_text(XP)
    posts = _posts(path)
    _check(posts)
    assert posts["format"].tolist() == ["unknown", "unknown"]


def test_x_legacy_formats_are_inferred_from_media_columns_and_links_on_the_real_debruine_files():
    files = sorted(DEBRUINE.glob("tweet_activity_metrics_*.csv"))
    assert len(files) == 12
    posts = pd.concat([_posts(f) for f in files], ignore_index=True)
    _check(posts)
    raw = pd.concat([pd.read_csv(f, dtype={"Tweet id": str}) for f in files], ignore_index=True)
    media = (raw["media views"] > 0) | (raw["media engagements"] > 0)
    link = raw["Tweet text"].str.contains("https?://", regex=True)
    counts = posts["format"].value_counts().to_dict()
    assert counts == {
        "media": int(media.sum()),
        "link": int((~media & link).sum()),
        "text": int((~media & ~link).sum()),
    }
    assert counts == {"text": 1826, "media": 632, "link": 629}
    by_rule = posts.groupby("format")["format_source"].unique().to_dict()
    assert list(by_rule["media"]) == ["inferred: media views > 0"]
    assert list(by_rule["text"]) == ["inferred: no media views, no link in the text"]
