"""The index's facts from the warehouse (``report.index._brand_facts``) read the posts without
the calendar's tags, which the index never shows (issue 15: less CPU per brand in the report's
parent), and are the same facts, charts included, as from the tagged posts."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from socialnb import Workspace
from socialnb.calendar.match import TAGS
from socialnb.report.index import _brand_facts


def test_posts_without_tags_are_the_tagged_posts_without_the_tag_columns(sample_workspace):
    ws = Workspace(sample_workspace)
    tagged, untagged = ws.posts("fernway"), ws.posts("fernway", tags=False)
    assert tagged[list(TAGS)].notna().any().any()  # the sample's calendar tags some posts
    pd.testing.assert_frame_equal(tagged.drop(columns=list(TAGS)), untagged)


def test_the_index_facts_from_untagged_posts_are_those_from_tagged_posts(
    sample_workspace, monkeypatch
):
    ws = Workspace(sample_workspace)
    reads: list[bool] = []
    posts = Workspace.posts

    def spy(self, brand=None, *, tags=True):
        reads.append(tags)
        return posts(self, brand, tags=tags)

    monkeypatch.setattr(Workspace, "posts", spy)
    facts = _brand_facts(ws, "fernway", "2026-10", "Europe/London")
    assert reads == [False]  # the calendar is not read for the index
    monkeypatch.setattr(
        Workspace, "posts", lambda self, brand=None, *, tags=True: posts(self, brand)
    )
    assert json.dumps(_brand_facts(ws, "fernway", "2026-10", "Europe/London"), default=str) == (
        json.dumps(facts, default=str)
    )
    assert len(facts["story"]["charts"]) == 3 and facts["story"]["numbers"] is not None
    assert not facts["story"]["problems"], facts["story"]["problems"]


def test_a_wrong_brand_is_still_named_when_the_posts_are_read_without_tags(sample_workspace):
    from socialnb.errors import ConfigError

    with pytest.raises(ConfigError, match="no brand 'nobody'"):
        Workspace(sample_workspace).posts("nobody", tags=False)
