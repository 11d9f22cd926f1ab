"""A file's lineage (its hash, name, format, zone, metric era, matched header names and where its
export time came from) is stored once, in ``lineages`` (schema 5), and every row of
``post_snapshots`` still shows the lineage of the file and table it was read from (issue 15: on
a million rows, those strings cost more to write than the rest of the row)."""

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
LINEAGE = list(wh_schema.LINEAGE_COLUMNS)


def _table(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_every_row_shows_the_lineage_of_its_own_table(tmp_path):
    first, second = (socialnb.read_export(p) for p in TWEETS[:2])
    second = second.copy()
    second["raw_headers"] = "Tweet id|time|impressions"  # another table of the same file
    second["source_hash"] = first["source_hash"].iloc[0]
    second["source_file"] = first["source_file"].iloc[0]
    second = second[~second["post_id"].isin(first["post_id"])]
    second.loc[second.index[:3], "exported_at_source"] = "content"  # differs within a table
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        wh.load_file(con, [first, second], brand="b")
        got = _table(con, f"SELECT post_id, {', '.join(LINEAGE)} FROM post_snapshots")
        stored = _table(con, "DESCRIBE post_snapshot_rows")["column_name"].tolist()
        lineages = con.execute("SELECT count(*) FROM lineages").fetchall()[0][0]
    finally:
        con.close()
    want = pd.concat([first, second])[["post_id", *LINEAGE]].astype(object)
    merged = got.merge(want, on="post_id", suffixes=("", "_read"))
    assert len(merged) == len(want) == len(got)
    for name in LINEAGE:
        assert (merged[name].fillna("-") == merged[f"{name}_read"].fillna("-")).all(), name
    assert merged["raw_headers"].nunique() == 2
    assert lineages == 3  # the first table's, the second's, the second's three other rows'
    assert "lineage" in stored and not set(LINEAGE) & set(stored)


def test_the_post_snapshots_view_has_the_columns_of_a_canonical_post_row(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        view = _table(con, "DESCRIBE post_snapshots")["column_name"].tolist()
    finally:
        con.close()
    assert view == ["brand", *socialnb.schema.POST_FIELDS]


def test_a_file_loaded_for_two_brands_shares_its_lineage_and_a_reload_keeps_the_other_brand(
    tmp_path,
):
    frame = socialnb.read_export(TWEETS[0])
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        wh.load_file(con, [frame], brand="a")
        wh.load_file(con, [frame], brand="b")
        wh.load_file(con, [frame], brand="a")  # a reload forgets brand a's rows, then loads them
        counts = dict(
            con.execute("SELECT brand, count(*) FROM post_snapshots GROUP BY brand").fetchall()
        )
        lineages = con.execute("SELECT count(*) FROM lineages").fetchall()[0][0]
        missing = con.execute(
            "SELECT count(*) FROM post_snapshots WHERE source_hash IS NULL"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert counts == {"a": len(frame), "b": len(frame)}
    assert lineages == 1 and missing == 0


def test_a_lineage_key_clash_is_refused_and_the_warehouse_is_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    try:
        wh.load_file(con, [socialnb.read_export(TWEETS[0])], brand="b")
        before = _table(con, "SELECT * FROM post_snapshots ORDER BY post_id")
        log = _table(con, "SELECT * FROM ingest_log")
        key = con.execute("SELECT lineage FROM lineages").fetchall()[0][0]
        monkeypatch.setattr(wh_schema, "lineage_key", lambda lineage: key)  # a clash
        other = socialnb.read_export(TWEETS[1]).copy()
        other["raw_headers"] = "Tweet id|time"
        with pytest.raises(WarehouseError, match="same key"):
            wh.load_file(con, [other], brand="b")
        after = _table(con, "SELECT * FROM post_snapshots ORDER BY post_id")
        pd.testing.assert_frame_equal(after, before)
        pd.testing.assert_frame_equal(_table(con, "SELECT * FROM ingest_log"), log)
    finally:
        con.close()


def test_a_lineage_key_is_the_same_in_every_warehouse_and_tells_missing_from_empty():
    lineage = {name: f"v-{name}" for name in LINEAGE}
    assert wh_schema.lineage_key(lineage) == wh_schema.lineage_key(dict(lineage))
    assert wh_schema.lineage_key({**lineage, "metric_era": None}) != wh_schema.lineage_key(
        {**lineage, "metric_era": ""}
    )
    assert wh_schema.lineage_key({**lineage, "metric_era": float("nan")}) == wh_schema.lineage_key(
        {**lineage, "metric_era": None}
    )
