"""socialnb.retro (and the calendar it reads): matching, delivery, KPI status, the series rule,
and the planted truths of the sample brand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb import metrics as M
from socialnb import retro as R
from socialnb.calendar import load_calendar
from socialnb.config import CALENDAR_COLUMNS, SeriesRule
from socialnb.errors import AnalysisError, ConfigError
from socialnb.schema import POST_FIELDS


def _posts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in list(POST_FIELDS) + ["pillar", "series"]:
        if col not in frame:
            frame[col] = np.nan
    frame["published_local"] = pd.to_datetime(frame["published_local"])
    return frame


def _calendar(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([{c: "" for c in CALENDAR_COLUMNS} | r for r in rows])
    frame["planned_date"] = pd.to_datetime(frame["planned_date"])
    frame["calendar_row"] = range(2, len(frame) + 2)
    return frame


# ------------------------------------------------------------------------------ matching
@pytest.fixture
def match_case():
    posts = _posts([
        dict(platform="instagram", post_id="111", published_local="2026-10-05 10:00",
             text="Autumn layering guide for wet ridges", permalink="https://www.instagram.com/p/AAA/"),
        dict(platform="instagram", post_id="222", published_local="2026-10-08 10:00",
             text="Ridgeline 35 packing demo in one minute", permalink="https://www.instagram.com/p/BBB/"),
        dict(platform="x", post_id="333", published_local="2026-10-10 18:00",
             text="Map reading in one minute: the compass", permalink="https://x.com/a/status/333"),
        # two near-identical posts on the same day: a title cannot tell them apart
        dict(platform="x", post_id="444", published_local="2026-10-20 09:00",
             text="Weekly trail report from the Peaks", permalink="https://x.com/a/status/444"),
        dict(platform="x", post_id="445", published_local="2026-10-20 15:00",
             text="Weekly trail report from the Peaks!", permalink="https://x.com/a/status/445"),
        # slipped: planned for September, published in October
        dict(platform="facebook", post_id="555", published_local="2026-10-01 08:00",
             text="Gear Friday: the stove", permalink="https://facebook.com/p/555"),
        # nobody planned this one
        dict(platform="facebook", post_id="666", published_local="2026-10-12 08:00",
             text="Surprise giveaway", permalink="https://facebook.com/p/666"),
    ])  # fmt: skip
    cal = _calendar([
        dict(sprint="2026-10", planned_date="2026-10-05", platform="instagram",
             title="Autumn layering guide", status="published", post_id="111"),
        dict(sprint="2026-10", planned_date="2026-10-08", platform="instagram",
             title="Packing demo", status="published", post_link="http://instagram.com/p/BBB?utm=x"),
        dict(sprint="2026-10", planned_date="2026-10-11", platform="x",
             title="Map reading in one minute", status="published"),
        dict(sprint="2026-10", planned_date="2026-10-20", platform="x",
             title="Weekly trail report", status="published"),
        dict(sprint="2026-10", planned_date="2026-10-25", platform="x",
             title="Something we never posted", status="planned"),
        dict(sprint="2026-10", planned_date="2026-10-26", platform="x",
             title="Cut for time", status="dropped"),
        dict(sprint="2026-09", planned_date="2026-09-30", platform="facebook",
             title="Gear Friday: the stove", status="published", post_id="555"),
        dict(sprint="2026-10", planned_date="2026-10-27", platform="x",
             title="Wrong id", status="published", post_id="999"),
    ])  # fmt: skip
    return posts, cal


def test_calendar_rows_match_by_id_then_link_then_title_and_date_saying_how(match_case):
    posts, cal = match_case
    rows = R.match_calendar(cal, posts).rows.set_index("calendar_row")
    assert rows.loc[2, ["post_id", "method"]].tolist() == ["111", "post id"]
    assert rows.loc[3, ["post_id", "method"]].tolist() == ["222", "link"]
    assert rows.loc[4, ["post_id", "method"]].tolist() == ["333", "title and date"]
    assert rows.loc[4, "similarity"] >= 0.6
    assert rows.loc[8, ["post_id", "method", "outcome"]].tolist() == ["555", "post id", "slipped"]


def test_ambiguous_and_unmatched_rows_are_explicit(match_case):
    posts, cal = match_case
    rows = R.match_calendar(cal, posts).rows.set_index("calendar_row")
    assert rows.loc[5, "outcome"] == "ambiguous"
    assert set(rows.loc[5, "candidates"].split(", ")) == {"444", "445"}
    assert pd.isna(rows.loc[5, "post_id"])
    assert rows.loc[6, "outcome"] == "not shipped"
    assert rows.loc[7, "outcome"] == "dropped"
    assert rows.loc[9, "outcome"] == "not shipped"
    assert "999 not found" in rows.loc[9, "note"]


def test_a_post_fills_at_most_one_calendar_row():
    posts = _posts([dict(platform="x", post_id="1", published_local="2026-10-01 09:00",
                         text="Trail tips for wet weather")])  # fmt: skip
    cal = _calendar([
        dict(sprint="2026-10", planned_date="2026-10-01", platform="x",
             title="Trail tips for wet weather", status="published"),
        dict(sprint="2026-10", planned_date="2026-10-02", platform="x",
             title="Trail tips wet weather", status="published"),
    ])  # fmt: skip
    rows = R.match_calendar(cal, posts).rows
    assert rows["post_id"].notna().sum() == 1
    assert rows.loc[0, "post_id"] == "1"


def test_delivery_counts_shipped_slipped_dropped_and_unplanned(match_case):
    posts, cal = match_case
    match = R.match_calendar(cal, posts)
    d = R.delivery(match, posts, "2026-10")
    assert (d.planned, d.shipped, d.dropped, d.not_shipped, d.ambiguous) == (7, 3, 1, 2, 1)
    assert d.delivery_rate == pytest.approx(3 / 7)
    assert d.published_posts == 7
    # 444 and 445 are unmatched (ambiguous row), 666 was never planned
    assert set(d.unplanned["post_id"]) == {"444", "445", "666"}
    assert d.shipped_from_earlier == 1
    sept = R.delivery(match, posts, "2026-09")
    assert (sept.planned, sept.slipped, sept.shipped) == (1, 1, 0)


def test_title_matched_posts_get_the_calendar_tags(match_case):
    posts, cal = match_case
    cal.loc[2, "series"] = "Map Minute"
    tagged = R.tag_posts(posts, R.match_calendar(cal, posts))
    assert tagged.set_index("post_id").loc["333", "series"] == "Map Minute"


# ------------------------------------------------------------------------------ post links
PAGE = "104857396021573"


@pytest.mark.parametrize(
    ("calendar_link", "post_id", "permalink"),
    [
        # a reel: the calendar has the /reel/ link, the export the page_post id and a pfbid
        ("https://www.facebook.com/reel/1187346625790121/?s=share", f"{PAGE}_1187346625790121",
         f"https://www.facebook.com/{PAGE}/posts/pfbid02kXq9cJzVbW3RfHx7YpGdN1sTuM4aLe8oKiB6vHnQ5wZ1l"),
        # the export's permalink is the reel link, the calendar the page's numeric post link
        (f"https://m.facebook.com/{PAGE}/posts/1187346625790121", "1187346625790121",
         "https://www.facebook.com/reel/1187346625790121"),
        (f"https://www.facebook.com/permalink.php?story_fbid=1187346625790121&id={PAGE}",
         f"{PAGE}_1187346625790121", ""),
        ("https://www.facebook.com/watch/?v=1187346625790121", f"{PAGE}_1187346625790121", ""),
        (f"https://www.facebook.com/photo/?fbid=1187346625790121&set=a.{PAGE}",
         f"{PAGE}_1187346625790121", ""),
        # the same pfbid link on both sides
        (f"https://facebook.com/{PAGE}/posts/pfbid02kXq9cJzVbW3RfHx7YpGdN1sTuM4aLe8oKiB6vHnQ5wZ1l/",
         f"{PAGE}_1187346625790121",
         f"https://www.facebook.com/{PAGE}/posts/pfbid02kXq9cJzVbW3RfHx7YpGdN1sTuM4aLe8oKiB6vHnQ5wZ1l"),
        ("https://www.facebook.com/share/r/1AbCdEfGhI/", f"{PAGE}_1187346625790121",
         "https://www.facebook.com/share/r/1AbCdEfGhI/"),
        # Instagram: /reel/ in the calendar, /p/ in the export (one shortcode), account prefix
        ("https://www.instagram.com/reel/C9xQ2bLtR4k/?igsh=MWx0", "17998765432101234",
         "https://www.instagram.com/p/C9xQ2bLtR4k/"),
        ("https://instagram.com/fernway.outdoors/p/C9xQ2bLtR4k", "17998765432101234",
         "https://www.instagram.com/reels/C9xQ2bLtR4k/"),
    ],
)  # fmt: skip
def test_every_form_of_a_facebook_or_instagram_link_finds_its_post(
    calendar_link, post_id, permalink
):
    platform = "instagram" if "instagram" in calendar_link else "facebook"
    posts = _posts([
        dict(platform=platform, post_id=post_id, published_local="2026-10-05 10:00",
             text="Drying a down jacket properly", permalink=permalink),
        dict(platform=platform, post_id="17911111111111111", published_local="2026-10-05 12:00",
             text="Something else", permalink="https://www.instagram.com/p/ZZZZZZZZZZZ/"),
    ])  # fmt: skip
    cal = _calendar([dict(sprint="2026-10", planned_date="2026-10-05", platform=platform,
                          title="Unrelated title", status="published", post_link=calendar_link)])  # fmt: skip
    row = R.match_calendar(cal, posts).rows.iloc[0]
    assert (row["post_id"], row["method"], row["outcome"]) == (post_id, "link", "shipped")


def test_link_key_names_one_post_by_one_key_and_keeps_undecodable_links_apart():
    from socialnb.calendar import link_key, post_keys

    assert link_key("https://www.facebook.com/reel/1187346625790121/") == "id:1187346625790121"
    assert link_key("facebook.com/permalink.php?story_fbid=pfbid0Ab&id=1") == "pfbid:pfbid0Ab"
    assert link_key("https://www.facebook.com/share/p/1AbC/") == "share:1AbC"
    assert link_key("https://www.instagram.com/p/AbC_d-1/") == "ig:AbC_d-1"
    assert link_key("https://www.instagram.com/p/abc_d-1/") != link_key("instagram.com/p/AbC_d-1")
    assert link_key("https://x.com/fernway/status/1851234567890") == "id:1851234567890"
    assert link_key("https://youtu.be/dQw4w9WgXcQ") == link_key("youtube.com/watch?v=dQw4w9WgXcQ")
    assert link_key("") == "" and link_key(None) == "" and link_key(float("nan")) == ""
    assert post_keys(f"{PAGE}_1187346625790121", "") == {
        f"id:{PAGE}_1187346625790121",
        "id:1187346625790121",
    }


def test_a_pfbid_link_no_post_carries_falls_back_to_title_and_date_and_says_so():
    posts = _posts([
        dict(platform="facebook", post_id=f"{PAGE}_1187346625790121",
             published_local="2026-10-05 10:00", text="Drying a down jacket properly, step by step",
             permalink="https://www.facebook.com/reel/1187346625790121"),
    ])  # fmt: skip
    cal = _calendar([dict(sprint="2026-10", planned_date="2026-10-05", platform="facebook",
                          title="Drying a down jacket properly", status="published",
                          post_link=f"https://www.facebook.com/{PAGE}/posts/pfbid02kXq9cJzVbW3Rf")])  # fmt: skip
    match = R.match_calendar(cal, posts)
    row = match.rows.iloc[0]
    assert (row["post_id"], row["method"], row["outcome"]) == (
        f"{PAGE}_1187346625790121",
        "title and date",
        "shipped",
    )
    assert "cannot be decoded offline" in row["note"] and "title and date" in row["note"]
    assert R.delivery(match, posts, "2026-10").unplanned_posts == 0


def test_an_ordinary_link_that_matches_nothing_is_not_guessed_by_title():
    posts = _posts([dict(platform="x", post_id="1851234567890", published_local="2026-10-05 10:00",
                         text="Drying a down jacket", permalink="https://x.com/a/status/1851234567890")])  # fmt: skip
    cal = _calendar([dict(sprint="2026-10", planned_date="2026-10-05", platform="x",
                          title="Drying a down jacket", status="published",
                          post_link="https://x.com/a/status/1859999999999")])  # fmt: skip
    row = R.match_calendar(cal, posts).rows.iloc[0]
    assert pd.isna(row["post_id"]) and row["note"] == "link not found among the posts"


def test_a_not_shipped_row_with_an_obvious_unplanned_post_is_flagged_never_merged():
    posts = _posts([
        dict(platform="tiktok", post_id="7658351464431776961", published_local="2026-10-07 18:00",
             text="Here is how we handle the river crossing", permalink=""),
        dict(platform="tiktok", post_id="7658351464431770000", published_local="2026-10-20 18:00",
             text="Here is how we handle the river crossing again", permalink=""),
        dict(platform="x", post_id="1851234567890", published_local="2026-10-06 18:00",
             text="Here is how we handle the river crossing", permalink=""),
    ])  # fmt: skip
    cal = _calendar([
        # a wrong post id (typo): not matched, but the obvious post is flagged
        dict(sprint="2026-10", planned_date="2026-10-06", platform="tiktok",
             title="How we handle the river crossing", status="published",
             post_id="7658351464431776999"),
        dict(sprint="2026-10", planned_date="2026-10-25", platform="tiktok",
             title="Winter boots care", status="planned"),
    ])  # fmt: skip
    match = R.match_calendar(cal, posts)
    rows = match.rows
    assert rows.loc[0, "outcome"] == "not shipped" and pd.isna(rows.loc[0, "post_id"])
    assert rows.loc[0, "likely_post_id"] == "7658351464431776961"
    assert "1 day after the planned date" in rows.loc[0, "likely_reason"]
    assert pd.isna(rows.loc[1, "likely_post_id"]) and rows.loc[1, "likely_reason"] == ""
    d = R.delivery(match, posts, "2026-10")
    assert d.likely_matches == 1 and d.not_shipped == 2
    flagged = d.unplanned.set_index("post_id")["likely_calendar_row"]
    assert flagged["7658351464431776961"] == 2 and pd.isna(flagged["1851234567890"])


def test_the_warehouse_posts_carry_the_same_calendar_matches_as_the_retro(tmp_path):
    from socialnb import warehouse as wh
    from socialnb.workspace import Workspace

    posts = _posts([
        dict(platform="facebook", post_id=f"{PAGE}_1187346625790121", published_local="2026-10-05 10:00",
             text="Drying a down jacket properly", permalink="https://www.facebook.com/reel/1187346625790121"),
        dict(platform="instagram", post_id="17998765432101234", published_local="2026-10-06 10:00",
             text="Ridgeline 35 first look", permalink="https://www.instagram.com/p/C9xQ2bLtR4k/"),
    ])  # fmt: skip
    posts["published_at"] = posts["published_local"].dt.tz_localize("UTC")
    posts["exported_at"] = pd.Timestamp("2026-11-01", tz="UTC")
    cal = _calendar([
        dict(sprint="2026-10", planned_date="2026-10-05", platform="facebook", pillar="care",
             title="Down jacket", status="published", post_link=f"https://www.facebook.com/{PAGE}/posts/1187346625790121"),
        dict(sprint="2026-10", planned_date="2026-10-06", platform="instagram", pillar="gear",
             title="Ridgeline", status="published", post_link="https://www.instagram.com/reel/C9xQ2bLtR4k/"),
    ])  # fmt: skip
    root = tmp_path / "ws"
    (root / "demo").mkdir(parents=True)
    (root / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: UTC\n")
    ws = Workspace(root)
    con = ws.connect(read_only=False)
    try:
        wh.load_posts(con, posts.drop(columns=["pillar", "series"]), brand="demo")
        wh.replace_calendar(
            con, "demo", cal.drop(columns=["calendar_row"]).assign(calendar_row=cal["calendar_row"])
        )
    finally:
        con.close()
    tagged = ws.posts("demo").set_index("post_id")
    retro_match = R.match_calendar(cal, posts).rows.set_index("post_id")
    assert tagged.loc[f"{PAGE}_1187346625790121", "pillar"] == "care"
    assert tagged.loc["17998765432101234", "pillar"] == "gear"
    assert set(retro_match.index.dropna()) == set(tagged.dropna(subset=["pillar"]).index)


# ------------------------------------------------------------------------------ KPI status
@pytest.mark.parametrize(
    ("value", "low", "high", "status"),
    [
        (0.05, 0.04, 0.06, "on track"),
        (0.045, 0.03, 0.05, "at risk"),  # the target is the top of the interval
        (0.045, 0.03, 0.0499, "off track"),
        (46.0, np.nan, np.nan, "at risk"),  # count: within 10%
        (44.0, np.nan, np.nan, "off track"),
        (np.nan, np.nan, np.nan, "no data"),
    ],
)
def test_kpi_status_follows_the_stated_rule(value, low, high, status):
    target = 0.05 if value is not np.nan and (value < 1 or np.isnan(value)) else 50.0
    assert R.kpi_status(value, target, low, high) == status


# ------------------------------------------------------------------------------ series rule
RULE = SeriesRule(min_sprints=3, window=3, sunset_below=0.8, scale_above=1.2)


@pytest.mark.parametrize(
    ("low", "high", "n", "verdict"),
    [
        (0.5, 0.7999, 6, "sunset"),
        (0.5, 0.8, 6, "keep"),  # touching the line is not evidence
        (1.2, 1.6, 6, "keep"),
        (1.2001, 1.6, 6, "scale"),
        (0.5, 0.7, 2, "too early to tell"),
        (0.7, 1.3, 6, "keep"),
    ],
)
def test_series_rule_at_its_thresholds(low, high, n, verdict):
    iv = M.Interval((low + high) / 2, low, high)
    assert R.series_verdict(iv, n, RULE) == verdict


def _series_world(gear_ratio: float, sprints: int = 8, seed: int = 0) -> pd.DataFrame:
    """Instagram images: 6 regular posts a sprint at rate 0.04, and 4 Gear Friday posts whose
    rate is 0.04 until the last three sprints, then 0.04 * gear_ratio (small noise)."""
    rng = np.random.default_rng(seed)
    months = [str(pd.Period("2026-10", "M") - k) for k in range(sprints - 1, -1, -1)]
    rows = []
    for j, m in enumerate(months):
        recent = j >= sprints - 3
        for k in range(10):
            series = "Gear Friday" if k < 4 else np.nan
            rate = 0.04 * (gear_ratio if (recent and k < 4) else 1.0) * rng.uniform(0.97, 1.03)
            rows.append(dict(platform="instagram", post_id=f"{m}-{k}", format="image",
                             published_local=f"{m}-{k + 1:02d} 09:00", reach=10000.0,
                             likes=round(rate * 10000), comments=0.0, shares=0.0, saves=0.0,
                             distribution="organic", series=series))  # fmt: skip
    return R.prepare_posts(_posts(rows))


@pytest.mark.parametrize(("ratio", "verdict"), [(0.6, "sunset"), (1.0, "keep"), (1.5, "scale")])
def test_series_health_gives_the_verdict_the_evidence_supports(ratio, verdict):
    health = R.series_health(_series_world(ratio), "2026-10", RULE, n_resamples=500)
    assert health.verdicts == {"Gear Friday": verdict}
    assert health.table.iloc[0]["ratio"] == pytest.approx(ratio, rel=0.08)


def test_one_bad_month_does_not_sunset_a_series():
    frame = _series_world(1.0)
    bad = (frame["sprint"] == "2026-10") & (frame["series"] == "Gear Friday")
    frame.loc[bad, "rate"] *= 0.5
    health = R.series_health(frame, "2026-10", RULE, n_resamples=500)
    assert health.verdicts["Gear Friday"] == "keep"


def test_a_new_series_is_too_early_to_tell():
    frame = _series_world(0.5)
    frame = frame[(frame["series"] != "Gear Friday") | (frame["sprint"] >= "2026-09")]
    health = R.series_health(frame, "2026-10", RULE, n_resamples=500)
    assert health.verdicts == {"Gear Friday": "too early to tell"}
    assert "the rule needs 3" in health.table.iloc[0]["reason"]
    assert "0.8" in health.rule_text and "1.2" in health.rule_text


def test_series_health_is_reproducible_with_a_seed():
    frame = _series_world(0.7)
    a = R.series_health(frame, "2026-10", RULE, seed=1, n_resamples=300).table
    b = R.series_health(frame, "2026-10", RULE, seed=1, n_resamples=300).table
    pd.testing.assert_frame_equal(a, b)


def test_best_time_leaves_out_and_counts_day_only_posts():
    frame = _series_world(1.0)
    frame["date_precision"] = "minute"
    frame.loc[frame.index[:5], "date_precision"] = "day"
    frame = R._with_indices(frame)
    bt = R.best_time(frame, "2026-10", sprints=3)
    assert (
        bt.excluded_day_only + bt.n_posts
        == frame[frame["sprint"] >= "2026-08"]["index_platform"].notna().sum()
    )
    assert list(bt.table.index) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_captions_come_back_as_plain_single_line_text():
    assert R._text("<b>hi</b>\n\tthere\x00") == "<b>hi</b> there"
    assert R._text("x" * 200, 10).endswith("\u2026")


def test_a_month_that_is_not_a_sprint_is_refused():
    with pytest.raises(AnalysisError, match="YYYY-MM"):
        R.previous_sprints("2026-13")


# ------------------------------------------------------------------------------ bad calendars
HEADER = ",".join(CALENDAR_COLUMNS)
GOOD = "2026-10,2026-10-05,instagram,education,,reel,,A title,planned,123,,maya,2"


@pytest.mark.parametrize(
    ("body", "row", "column", "words"),
    [
        (GOOD.replace("instagram", "myspace"), 2, "platform", "unknown platform 'myspace'"),
        (GOOD.replace("2026-10-05", "5th Oct"), 2, "planned_date", "'5th Oct' is not a date"),
        (GOOD + "\n" + GOOD.replace("A title", "Other"), 3, "post_id", "already used by row 2"),
        (GOOD.replace(",123,,", ",,https://x.com/a/1,") + "\n"
         + GOOD.replace(",123,,", ",,https://x.com/a/1,"), 3, "post_link", "already used by row 2"),
    ],
)  # fmt: skip
def test_bad_calendar_input_names_the_row_and_column(tmp_path, body, row, column, words):
    path = tmp_path / "calendar.csv"
    path.write_text(HEADER + "\n" + body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_calendar(path)
    msg = str(err.value)
    assert f"row {row}, column '{column}'" in msg and words in msg and "What to do" in msg


def test_a_calendar_missing_a_column_says_which(tmp_path):
    path = tmp_path / "calendar.csv"
    cols = [c for c in CALENDAR_COLUMNS if c != "planned_date"]
    path.write_text(",".join(cols) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="row 1, column 'planned_date': this column is missing"):
        load_calendar(path)


def test_the_same_post_id_on_two_platforms_is_allowed(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(HEADER + "\n" + GOOD + "\n" + GOOD.replace("instagram", "x") + "\n")
    assert len(load_calendar(path)) == 2


# ------------------------------------------------------------------------------ the sample brand
@pytest.fixture(scope="module")
def sample_retro(sample_workspace):
    return R.build_retro(sample_workspace, "fernway", "2026-10", n_resamples=1000)


@pytest.mark.slow
def test_the_sample_retro_sunsets_gear_friday_scales_summit_stories_keeps_trail_tips(sample_retro):
    assert sample_retro.series.sunset_candidates == ["Gear Friday"]
    assert sample_retro.series.verdicts["Trail Tips"] == "keep"
    assert sample_retro.series.verdicts["Summit Stories"] == "scale"
    table = sample_retro.series.table.set_index("series")
    assert table.loc["Summit Stories", "low"] > 1.2  # the whole interval above the scale line
    assert table.loc["Gear Friday", "high"] < 0.8  # the whole interval below the sunset line
    assert table.loc["Trail Tips", "low"] < 1 < table.loc["Trail Tips", "high"]


@pytest.mark.slow
def test_the_sample_retro_shows_reels_above_baseline_and_the_strongest_format(sample_retro):
    f = sample_retro.formats.to_frame().set_index(["platform", "format"])
    for platform in ("instagram", "facebook"):
        mine = f.loc[platform]
        assert mine["index_vs_platform_baseline"].idxmax() == "reel"
    reel = f.loc[("instagram", "reel")]
    assert reel["index_vs_platform_baseline"] > 1.15
    assert reel["vs_low"] > 1  # the whole interval: reels beat instagram's other formats
    assert "reel" in sample_retro.takeaways[3].text


@pytest.mark.slow
def test_the_sample_retro_headlines_have_the_recorded_shape(sample_retro):
    h = sample_retro.headline()
    assert set(h) == {"planned_posts", "published_posts", "delivery_rate", "series_verdicts",
                      "sunset_candidates", "kpis", "takeaways"}  # fmt: skip
    assert h["planned_posts"] > 0 and 0 < h["delivery_rate"] <= 1
    assert {k["name"] for k in h["kpis"]} >= {"Instagram engagement rate", "X engagement rate"}
    assert all(set(k) == {"name", "value", "baseline", "target", "status"} for k in h["kpis"])
    assert all(k["status"] in ("on track", "at risk", "off track", "no data") for k in h["kpis"])
    assert 3 <= len(sample_retro.takeaways) <= 5
    tables = {"Planned vs shipped", "KPIs vs target and baseline", "Series health",
              "Formats vs the platform baseline", "Follower growth"}  # fmt: skip
    assert {t.table for t in sample_retro.takeaways} <= tables
    assert h["takeaways"] == [{"text": t.text, "table": t.table} for t in sample_retro.takeaways]
