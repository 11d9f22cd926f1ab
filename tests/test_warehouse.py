"""Warehouse promises: one transaction per file, idempotent and order-independent loads, a killed
ingest loses nothing that was committed and leaves no half file, rebuild gives the same tables."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import socialnb
from socialnb import warehouse as wh

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "exports"
X = ROOT.parent / "shared" / "datasets" / "twitter_analytics_debruine"
FILES = [
    *sorted((X / "tweet_level").glob("*.csv"))[:3],
    *sorted((X / "daily").glob("*.csv"))[:2],
    FIX / "instagram_pt.csv",
    FIX / "linkedin_page_2024_1711000000000.xlsx",
    FIX / "YouTube Content 2025-12-01_2025-12-31.zip",
    FIX / "Content_2026-01-01_2026-01-02.zip",
]
_DROP = ["ingested_at"]


def demo_workspace(root: Path, slug: str = "demo", tz: str = "UTC") -> socialnb.Workspace:
    """A workspace with one brand (files from elsewhere are loaded with brand=slug)."""
    (root / slug).mkdir(parents=True, exist_ok=True)
    (root / slug / "brand.yaml").write_text(f"name: {slug.title()}\ntimezone: {tz}\n")
    return socialnb.Workspace(root)


def tables(ws: socialnb.Workspace) -> dict[str, pd.DataFrame]:
    con = ws.connect()
    try:
        out = {}
        for name, key in (
            ("post_snapshots", "brand, platform, post_id, exported_at"),
            ("account_daily_values", "brand, platform, account, date, metric, exported_at"),
            ("ingest_log", "brand, source_hash"),
        ):
            frame = con.execute(f"SELECT * FROM {name} ORDER BY {key}").df()
            out[name] = frame.drop(columns=[c for c in _DROP if c in frame]).reset_index(drop=True)
        return out
    finally:
        con.close()


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("ordered")
    ws = demo_workspace(root)
    report = ws.ingest(FILES, brand="demo")
    assert report.ok, str(report)
    return ws


def test_each_file_is_one_ingest_log_row_even_when_it_holds_several_tables(loaded):
    log = loaded.ingest_log()
    assert len(log) == len(FILES)
    yt = log[log["source_file"].str.contains("YouTube")].iloc[0]
    assert yt["source_format"] == "youtube_table+youtube_chart+youtube_totals"
    assert yt["kind"] == "posts+daily"


def test_reingesting_the_same_files_changes_nothing(loaded):
    before = tables(loaded)
    report = loaded.ingest(FILES, brand="demo")
    assert [f.status for f in report.files] == ["skipped"] * len(FILES)
    assert_same(before, tables(loaded))


def test_files_in_any_order_give_the_same_tables(loaded, tmp_path):
    shuffled = FILES[:]
    random.Random(7).shuffle(shuffled)
    other = demo_workspace(tmp_path)
    assert other.ingest(shuffled, brand="demo").ok
    a, b = tables(loaded), tables(other)
    for t in (a, b):  # the log's row order and file paths are not data
        t["ingest_log"] = t["ingest_log"].sort_values("source_hash").reset_index(drop=True)
    assert_same(a, b)


def test_load_file_rolls_back_every_table_when_one_fails(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        frames = socialnb.ingest.read_frames(FIX / "linkedin_page_2024_1711000000000.xlsx")
        broken = frames[1].copy()
        broken.attrs = dict(frames[1].attrs)
        broken["date"] = None  # violates NOT NULL in account_daily_values
        with pytest.raises(duckdb.Error):
            wh.load_file(con, [frames[0], broken], brand=None)
        counts = [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("post_snapshots", "account_daily_values", "ingest_log")
        ]
        assert counts == [0, 0, 0]
    finally:
        con.close()


_CHILD = """
import sys, socialnb
ws = socialnb.Workspace(sys.argv[1])
ws.ingest(sys.argv[2:], brand="demo")
"""


def test_a_process_killed_inside_a_load_leaves_the_warehouse_as_before_that_file(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    ws = demo_workspace(root)
    assert ws.ingest(FILES[:2], brand="demo").ok
    before = tables(ws)
    marker = tmp_path / "inside-transaction"
    env = dict(
        os.environ,
        SOCIALNB_TEST_SLEEP_IN_TRANSACTION="60",
        SOCIALNB_TEST_SLEEP_IN_TRANSACTION_MARKER=str(marker),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), *map(str, FILES[2:])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # wait until the child has written a file's rows inside its transaction, then kill it hard
        for _ in range(1200):
            if marker.exists():
                break
            if child.poll() is not None:
                pytest.fail(f"child ended early: {child.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)
        else:
            pytest.fail("the child never started writing")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert int(marker.read_text()) > 0  # rows had been written, uncommitted, when it died
    assert_same(before, tables(ws))
    # and the next ingest completes the job
    assert ws.ingest(FILES, brand="demo").ok
    assert len(ws.ingest_log()) == len(FILES)


def test_rebuild_recreates_the_warehouse_from_raw_with_the_same_tables(tmp_path):
    root = tmp_path / "ws"
    raw = root / "demo" / "raw" / "2021-01"
    raw.mkdir(parents=True)
    (root / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: Europe/London\n")
    for f in FILES:
        shutil.copy(f, raw / f.name)
    hashes = {p.name: p.read_bytes() for p in raw.iterdir()}
    ws = socialnb.Workspace(root)
    first = ws.ingest(brand="demo")
    assert first.ok, str(first)
    before = tables(ws)
    rebuilt = ws.ingest(rebuild=True)
    assert rebuilt.ok and len(rebuilt.loaded) == len(FILES)
    after = tables(ws)
    assert_same(before, after)
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == hashes  # raw files untouched
