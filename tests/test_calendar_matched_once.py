"""A page matches the calendar once (issue 15): ``Workspace.tagged_posts`` gives the tagged posts
and their match, the retro reuses it, and the ideation page's series verdicts use the tags of
the posts it already has; the results are those of matching again."""

from __future__ import annotations

import pandas as pd
import pytest

from socialnb import Workspace
from socialnb import calendar as C
from socialnb import ideation as I
from socialnb import retro as R
from socialnb.retro import summary


@pytest.fixture
def count_matches(monkeypatch):
    """Counts the calls of match_calendar wherever the package calls it from."""
    calls = []
    original = C.match_calendar

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(C, "match_calendar", counted)  # Workspace.posts imports it from here
    monkeypatch.setattr(summary, "match_calendar", counted)
    return calls


def test_tagged_posts_are_the_workspace_posts_and_their_match_is_the_calendar_files(
    sample_workspace,
):
    ws = Workspace(sample_workspace)
    calendar = C.brand_calendar(sample_workspace / "fernway")
    posts, match = ws.tagged_posts("fernway", calendar)
    pd.testing.assert_frame_equal(posts, ws.posts("fernway"))
    pd.testing.assert_frame_equal(match.rows, C.match_calendar(calendar, posts).rows)


def test_the_retro_matches_the_calendar_once_and_gives_what_matching_twice_gave(
    sample_workspace, count_matches
):
    got = R.build_retro(sample_workspace, "fernway", "2026-10", n_resamples=200)
    assert len(count_matches) == 1
    ws = Workspace(sample_workspace)
    calendar = C.brand_calendar(sample_workspace / "fernway")
    want = R.retro(ws.posts("fernway"), calendar, ws.account_daily("fernway"),
                   ws.brand("fernway"), "2026-10", n_resamples=200)  # fmt: skip
    assert len(count_matches) == 3  # ws.posts, then the retro's own match
    pd.testing.assert_frame_equal(got.match.rows, want.match.rows)
    pd.testing.assert_frame_equal(got.delivery.rows, want.delivery.rows)
    pd.testing.assert_frame_equal(got.series.table, want.series.table)
    assert got.headline() == want.headline()


def test_the_series_verdicts_of_given_posts_match_nothing_again(sample_workspace, count_matches):
    ws = Workspace(sample_workspace)
    posts = ws.posts("fernway")
    assert len(count_matches) == 1
    given = I.series_verdicts(ws, "fernway", "2026-10", posts=posts, n_resamples=200)
    assert len(count_matches) == 1
    read = I.series_verdicts(ws, "fernway", "2026-10", n_resamples=200)
    assert len(count_matches) == 2
    pd.testing.assert_frame_equal(given.table, read.table)


def test_a_brand_without_a_calendar_file_gets_an_empty_calendar_with_its_columns(tmp_path):
    cal = C.brand_calendar(tmp_path)
    assert cal.empty and list(cal.columns) == [*C.CALENDAR_COLUMNS, "calendar_row"]


def test_a_calendar_edited_after_the_ingest_tags_every_page_as_the_file_says(
    sample_workspace, tmp_path
):
    """Edited and not ingested again (a notebook run by hand): the retro and every page reading
    ``Workspace.posts`` (overview, ideation, the index) tag posts with the file as it is now."""
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(sample_workspace, root)
    path = root / "fernway" / "calendar.csv"
    sheet = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = sheet[(sheet["sprint"] == "2026-10") & (sheet["post_id"] != "")].index[0]
    sheet.loc[row, "pillar"] = "edited-after-ingest"
    sheet.to_csv(path, index=False)  # the warehouse still holds the old rows
    ws = Workspace(root)
    posts = ws.posts("fernway")
    assert "edited-after-ingest" in set(posts["pillar"].dropna())
    assert "edited-after-ingest" not in set(ws.calendar("fernway")["pillar"].dropna())  # stored
    tagged, _ = ws.tagged_posts("fernway", C.brand_calendar(root / "fernway"))
    pd.testing.assert_frame_equal(posts, tagged)  # one calendar for every page
    got = R.build_retro(root, "fernway", "2026-10", n_resamples=100)
    pillars = set(got.breakdowns["pillar"]["pillar"])
    assert "edited-after-ingest" in pillars  # delivery and tags come from the one file
    edited = got.match.rows[got.match.rows["pillar"] == "edited-after-ingest"]
    assert len(edited) == 1 and edited["post_id"].notna().all()


def test_posts_read_the_calendar_file_only_when_it_changed_since_the_ingest(
    sample_workspace, tmp_path, monkeypatch
):
    import shutil

    import socialnb.workspace.core as core

    root = tmp_path / "ws"
    shutil.copytree(sample_workspace, root)
    ws = Workspace(root)
    before = ws.posts("fernway")
    assert before["pillar"].notna().any()

    def no_file_read(folder):
        raise AssertionError("the calendar file was read although the warehouse holds it")

    monkeypatch.setattr(core, "brand_calendar", no_file_read)
    pd.testing.assert_frame_equal(ws.posts("fernway"), before)  # unchanged: the stored copy
    monkeypatch.undo()
    (root / "fernway" / "calendar.csv").unlink()  # removed since: no calendar, no tags
    after = ws.posts("fernway")
    assert after["pillar"].isna().all() and len(after) == len(before)
