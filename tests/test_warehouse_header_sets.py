"""A file's matched header names are stored once (``header_sets``, schema 4), and every row of
``post_snapshots`` still shows the names of the table it was read from (issue 15: on a million
rows the names cost more to write than the rest of a row's lineage together)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import socialnb
from socialnb import warehouse as wh
from socialnb.errors import WarehouseError
from socialnb.warehouse import schema as wh_schema

ROOT = Path(__file__).resolve().parents[1]
TWEETS = sorted(
    (ROOT.parent / "shared" / "datasets" / "twitter_analytics_debruine" / "tweet_level").glob(
        "*.csv"
    )
)


def _table(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_every_row_shows_the_header_names_of_its_own_table(tmp_path):
    first, second = (socialnb.read_export(p) for p in TWEETS[:2])
    second = second.copy()
    second["raw_headers"] = "Tweet id|time|impressions"  # another table of the same file
    second["source_hash"] = first["source_hash"].iloc[0]
    second["source_file"] = first["source_file"].iloc[0]
    second = second[~second["post_id"].isin(first["post_id"])]
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        wh.load_file(con, [first, second], brand="b")
        got = _table(con, "SELECT post_id, raw_headers FROM post_snapshots")
        stored = _table(con, "DESCRIBE post_snapshot_rows")["column_name"].tolist()
        sets = con.execute("SELECT count(*) FROM header_sets").fetchall()[0][0]
    finally:
        con.close()
    want = pd.concat([first, second])[["post_id", "raw_headers"]]
    merged = got.merge(want, on="post_id", suffixes=("", "_read"))
    assert len(merged) == len(want) == len(got)
    assert (merged["raw_headers"] == merged["raw_headers_read"]).all()
    assert merged["raw_headers"].nunique() == 2 and sets == 2
    assert "raw_headers" not in stored and "header_set" in stored


def test_the_post_snapshots_view_has_the_columns_of_a_canonical_post_row(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        view = _table(con, "DESCRIBE post_snapshots")["column_name"].tolist()
    finally:
        con.close()
    assert view == ["brand", *socialnb.schema.POST_FIELDS]


def test_a_header_key_clash_is_refused_and_the_warehouse_is_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    try:
        wh.load_file(con, [socialnb.read_export(TWEETS[0])], brand="b")
        before = _table(con, "SELECT * FROM post_snapshots ORDER BY post_id")
        log = _table(con, "SELECT * FROM ingest_log")
        key = con.execute("SELECT header_set FROM header_sets").fetchall()[0][0]
        monkeypatch.setattr(wh_schema, "header_set_key", lambda names: key)  # a clash
        other = socialnb.read_export(TWEETS[1]).copy()
        other["raw_headers"] = "Tweet id|time"
        with pytest.raises(WarehouseError, match="same key"):
            wh.load_file(con, [other], brand="b")
        after = _table(con, "SELECT * FROM post_snapshots ORDER BY post_id")
        pd.testing.assert_frame_equal(after, before)
        pd.testing.assert_frame_equal(_table(con, "SELECT * FROM ingest_log"), log)
    finally:
        con.close()
