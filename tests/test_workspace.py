"""Workspace.ingest on the sample brand: every raw file loads, a re-export in a download-day
folder becomes the current snapshot, and the report says what happened to each file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import socialnb

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "fernway"


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    brand = root / "fernway"
    (brand / "raw").mkdir(parents=True)
    for name in ("brand.yaml", "calendar.csv"):
        shutil.copy(SAMPLE / name, brand / name)
    for month in ("2026-08", "2026-09"):
        shutil.copytree(SAMPLE / "raw" / month, brand / "raw" / month)
    reexport = next(
        p
        for p in (SAMPLE / "raw" / "2026-11-02", SAMPLE / "raw" / "2026-09-reexport")
        if p.is_dir()
    )
    shutil.copytree(
        reexport, brand / "raw" / "2026-11-02"
    )  # a download-day folder: a later snapshot
    ws = socialnb.Workspace(root)
    return ws, ws.ingest()


def test_every_sample_file_loads_and_covers_all_six_platforms(sample_ws):
    ws, report = sample_ws
    assert report.ok, str(report)
    assert len(report.loaded) == len(
        [p for p in (ws.path / "fernway" / "raw").rglob("*") if p.is_file()]
    )
    assert set(ws.posts("fernway")["platform"]) == {
        "facebook",
        "instagram",
        "x",
        "linkedin",
        "tiktok",
        "youtube",
    }
    assert set(ws.account_daily("fernway")["platform"]) == {
        "facebook",
        "instagram",
        "x",
        "linkedin",
        "tiktok",
        "youtube",
    }


def test_the_reexport_in_a_download_day_folder_is_the_current_snapshot(sample_ws):
    ws, _ = sample_ws
    snaps = ws.snapshots("fernway")
    again = snaps[snaps["source_file"].str.contains("2026-11-02")]
    assert len(again)
    current = ws.posts("fernway").set_index(["platform", "post_id"])
    keys = list(zip(again["platform"], again["post_id"], strict=True))
    assert (
        current.loc[keys, "exported_at"]
        == pd.Timestamp("2026-11-02", tz="Europe/London").tz_convert("UTC")
    ).all()
    older = snaps.set_index(["platform", "post_id"]).loc[keys]
    assert older.groupby(level=[0, 1]).size().min() == 2  # both snapshots are kept


def test_ingest_report_lists_every_file_and_skips_seen_ones(sample_ws):
    ws, first = sample_ws
    frame = first.to_frame()
    assert list(frame.columns) == [
        "path",
        "brand",
        "status",
        "format",
        "kind",
        "rows",
        "message",
        "superseded",
        "ambiguous",
    ]
    assert (frame["brand"] == "fernway").all()
    again = ws.ingest()
    assert {f.status for f in again.files} == {"skipped"} and again.ok
