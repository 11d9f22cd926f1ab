"""Tests for socialnb.ideation.series: the retro's series verdicts without the whole retro, and
the weekday each series keeps."""

from __future__ import annotations

import pandas as pd
import pytest

from socialnb import Workspace, retro
from socialnb import ideation as I


def test_the_series_verdicts_are_the_retros(sample_workspace):
    ws = Workspace(sample_workspace)
    mine = I.series_verdicts(ws, "fernway", "2026-10")
    theirs = retro.build_retro(sample_workspace, "fernway", "2026-10").series
    pd.testing.assert_frame_equal(mine.table, theirs.table)
    assert mine.sunset_candidates == theirs.sunset_candidates
    assert mine.rule == ws.brand("fernway").series_rule


def test_the_series_verdicts_take_the_posts_the_caller_has(sample_workspace):
    ws = Workspace(sample_workspace)
    posts = ws.posts("fernway")
    given = I.series_verdicts(sample_workspace, "fernway", "2026-10", posts=posts)
    assert given.verdicts == I.series_verdicts(ws, "fernway", "2026-10").verdicts
    without = posts[posts["series"].astype("string").fillna("") != "Gear Friday"]
    assert "Gear Friday" not in I.series_verdicts(ws, "fernway", "2026-10", posts=without).verdicts


def test_a_bad_month_is_refused_before_any_work(sample_workspace):
    from socialnb.errors import ParameterError

    with pytest.raises(ParameterError, match="YYYY-MM"):
        I.series_verdicts(sample_workspace, "fernway", "October")


def test_a_series_keeps_the_weekday_brand_yaml_gives_over_its_history():
    posts = pd.DataFrame({"series": ["Tips", "Tips", "tips "],
                          "published_local": ["2026-10-02 09:00", "2026-10-09 09:00",
                                              "2026-10-13 09:00"]})  # fmt: skip
    history = I.series_weekdays(posts).set_index("series")
    assert (
        history.loc["Tips", "weekdays"] == ("fri",) and history.loc["Tips", "source"] == "history"
    )
    given = I.series_weekdays(posts, {"Tips": ["mon"]})
    assert given["weekdays"].tolist() == [("mon",)] and given["source"].tolist() == ["brand.yaml"]
