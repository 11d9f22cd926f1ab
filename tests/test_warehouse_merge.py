"""The warehouse keeps one row per key without a key index (issue 15): uniqueness is checked in
SQL before the commit, and a file superseding another's rows replaces them (no ON CONFLICT)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import socialnb
from socialnb import warehouse as wh
from socialnb.errors import WarehouseError

ROOT = Path(__file__).resolve().parents[1]
TWEETS = sorted(
    (ROOT.parent / "shared" / "datasets" / "twitter_analytics_debruine" / "tweet_level").glob(
        "*.csv"
    )
)[0]


def _posts() -> pd.DataFrame:
    return socialnb.read_export(TWEETS)


def _dump(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM post_snapshots ORDER BY platform, post_id, exported_at").df()


def test_the_snapshot_tables_hold_no_key_index():
    con = wh.connect(":memory:")
    try:
        keys = con.execute(
            "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    finally:
        con.close()
    assert {r[0] for r in keys} == {"meta", "ingest_log", "lineages"}  # small tables


@pytest.mark.parametrize("stored_first", [False, True])
def test_a_file_with_a_repeated_key_is_refused_and_changes_nothing(tmp_path, stored_first):
    frame = _posts()
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        if stored_first:  # the same export time stored already: the anti-join path
            other = frame.copy()
            other["source_hash"] = "other"
            wh.load_posts(con, other, brand="b")
        before = _dump(con)
        twice = pd.concat([frame, frame.iloc[:1]], ignore_index=True)
        twice.attrs = dict(frame.attrs)
        with pytest.raises(WarehouseError, match="same key"):
            wh.load_posts(con, twice, brand="b")
        pd.testing.assert_frame_equal(_dump(con), before)
    finally:
        con.close()


def test_a_later_file_replaces_the_rows_it_supersedes_and_keeps_one_row_per_key(tmp_path):
    frame = _posts()
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        wh.load_posts(con, frame, brand="b")
        newer = frame.copy()
        newer["source_hash"] = "newer"
        newer["likes"] = newer["likes"].fillna(0) + 1
        newer.loc[newer["published_at"].idxmax(), "published_at"] += pd.Timedelta(days=1)  # later
        wh.load_posts(con, newer, brand="b")
        rows = _dump(con)
        assert not rows.duplicated(["brand", "platform", "post_id", "exported_at"]).any()
        assert len(rows) == len(frame) and set(rows["source_hash"]) == {"newer"}
        log = con.execute("SELECT source_hash, rows_loaded, rows_superseded FROM ingest_log").df()
        old = log.set_index("source_hash").drop("newer")
        assert int(old["rows_loaded"].iloc[0]) == 0
        assert int(old["rows_superseded"].iloc[0]) == len(frame)
    finally:
        con.close()
