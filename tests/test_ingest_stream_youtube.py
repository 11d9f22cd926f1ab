"""Large YouTube Studio ``Table data.csv`` exports take the streaming path (issue 15) and give the
exact path's tables: the Total row dropped, net subscribers below zero, fractional watch hours,
private videos without a publish time, ids with Studio's defensive leading space; a bad id is
refused at its line with the warehouse unchanged."""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from test_ingest_stream_x import _streamed_as_exact, _workspace

from socialnb.ingest import _stream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from ingest import generate_youtube  # noqa: E402

ROWS = 48_000  # about 4.7 MB


def _table_file(path: Path, edits: dict[int, dict[str, str]]) -> Path:
    """A generated Table data.csv with ``edits`` (data row -> column -> cell) applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    generate_youtube(path, ROWS, seed=3)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row, change in edits.items():
        for column, value in change.items():
            rows[2 + row][header.index(column)] = value  # after the header and the Total row
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    assert path.stat().st_size >= _stream.STREAM_BYTES
    return path


def test_a_large_youtube_table_is_streamed_and_gives_the_same_tables_as_the_exact_path(
    tmp_path, monkeypatch
):
    edits = {
        5: {"Video publish time": ""},  # a private video: kept without a date
        6: {"Content": " " + "Abc_def-123"},  # Studio's defensive leading space
        7: {"Views": "1,234"},  # a thousands separator: the column stays text
        8: {"Video title": "A title\nover two lines"},
        9: {"Watch time (hours)": "N/A"},
    }
    path = _table_file(tmp_path / "src" / "Table data.csv", edits)
    streamed = _streamed_as_exact(tmp_path, path, monkeypatch)
    snap = streamed["snapshots"].set_index("post_id")
    assert len(snap) == ROWS and "Total" not in snap.index
    assert snap.loc["Abc_def-123", "source_row"] == 9  # header, Total, then data row 6
    assert snap["follows"].min() < 0 and snap["watch_time_s"].isna().sum() == 1
    assert snap["source_row"].max() == ROWS + 2 + 1  # one title over two lines


def test_a_bad_video_id_in_a_large_table_is_refused_at_its_line_and_nothing_is_written(
    tmp_path, monkeypatch
):
    ws = _workspace(tmp_path / "ws", [])
    good = _table_file(tmp_path / "a" / "Table data.csv", {})
    assert ws.ingest([good], brand="demo").ok
    before = hashlib.sha256(ws.warehouse_path.read_bytes()).hexdigest()
    bad = _table_file(tmp_path / "b" / "Table data.csv", {30_000: {"Content": "not a video"}})
    report = ws.ingest([bad], brand="demo")
    assert [f.status for f in report.files] == ["rejected"]
    message = report.rejected[0].message
    assert "line 30003" in message and "is not a YouTube video id" in message, message
    assert hashlib.sha256(ws.warehouse_path.read_bytes()).hexdigest() == before


def _chart_file(path: Path, videos: int = 210, days: int = 320) -> Path:
    """A YouTube Studio ``Chart data.csv`` (the sample brand's header: one row a video a day)."""
    rng = np.random.default_rng(5)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Date", "Content", "Video title", "Video publish time", "Duration", "Views"])
    ids = [f"vid{v:08d}" for v in range(videos)]
    for d, day in enumerate(pd.date_range("2025-01-01", periods=days, freq="D")):
        views = rng.integers(0, 900, videos)
        for v, vid in enumerate(ids):
            title = f"Video {v}, part {d % 3}" + ("\nsecond line" if (v + d) % 97 == 0 else "")
            writer.writerow([f"{day:%Y-%m-%d}", vid, title, "Jan 1, 2025", 300 + v, views[v]])
    writer.writerow(["2025-02-01", "", "an untitled row", "", "", "12"])  # quarantined: no id
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    assert path.stat().st_size >= _stream.STREAM_BYTES
    return path


def test_a_large_youtube_chart_is_streamed_and_gives_the_same_daily_values(tmp_path, monkeypatch):
    path = _chart_file(tmp_path / "src" / "Chart data.csv")
    streamed = _streamed_as_exact(tmp_path, path, monkeypatch)
    daily = streamed["daily"]
    assert len(daily) >= 320 and streamed["log"]["rows_rejected"].tolist() == [1]
