"""Platform, format and date precision are stored as ENUMs of their vocabularies (schema 5; issue
15: a few values on every row cost less as one byte than as a string), come back as text, and a
value outside the vocabulary is refused with its file and line, nothing loaded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import socialnb
from socialnb import warehouse as wh
from socialnb.errors import WarehouseError
from socialnb.schema import DATE_PRECISIONS, FORMATS, PLATFORMS

ROOT = Path(__file__).resolve().parents[1]
TWEETS = sorted(
    (ROOT.parent / "shared" / "datasets" / "twitter_analytics_debruine" / "tweet_level").glob(
        "*.csv"
    )
)
COLUMNS = ["platform", "format", "date_precision"]


def test_the_stored_columns_are_enums_of_the_vocabularies_and_the_view_gives_text(tmp_path):
    frame = socialnb.read_export(TWEETS[0])
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        wh.load_file(con, [frame], brand="b")
        stored = {r[0]: r[1] for r in con.execute("DESCRIBE post_snapshot_rows").fetchall()}
        view = {r[0]: r[1] for r in con.execute("DESCRIBE post_snapshots").fetchall()}
        got = wh.query(con, "SELECT post_id, platform, format, date_precision FROM post_snapshots")
    finally:
        con.close()
    for name, values in zip(COLUMNS, (PLATFORMS, FORMATS, DATE_PRECISIONS), strict=True):
        assert stored[name].startswith("ENUM(") and all(f"'{v}'" in stored[name] for v in values)
        assert view[name] == "VARCHAR"
        assert got[name].dtype != "category"
    merged = got.merge(frame[["post_id", *COLUMNS]], on="post_id", suffixes=("", "_read"))
    assert len(merged) == len(frame)
    for name in COLUMNS:
        assert (merged[name].astype(str) == merged[f"{name}_read"].astype(str)).all()


@pytest.mark.parametrize(
    ("column", "value"), [("format", "gif"), ("platform", "mastodon"), ("date_precision", "hour")]
)
def test_a_value_outside_the_vocabulary_is_refused_at_its_line_and_nothing_is_loaded(
    tmp_path, column, value
):
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        wh.load_file(con, [socialnb.read_export(TWEETS[0])], brand="b")
        before = con.execute("SELECT * FROM post_snapshots ORDER BY post_id").df()
        log = con.execute("SELECT * FROM ingest_log").df()
        other = socialnb.read_export(TWEETS[1]).copy()
        other[column] = other[column].astype(object)
        other.loc[other.index[4], column] = value
        line = other["source_row"].iloc[4]
        with pytest.raises(WarehouseError, match=f"line {line}: {column} '{value}' is not one of"):
            wh.load_file(con, [other], brand="b")
        pd.testing.assert_frame_equal(
            con.execute("SELECT * FROM post_snapshots ORDER BY post_id").df(), before
        )
        pd.testing.assert_frame_equal(con.execute("SELECT * FROM ingest_log").df(), log)
    finally:
        con.close()
