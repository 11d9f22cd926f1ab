"""The other formats on the streaming path (issue 15): X Premium account_analytics_content (the
sample brand's export repeated with new post ids) and a Meta content export that the all-SQL load
hands over (a thousands separator): streamed, they give the exact path's tables."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from test_ingest_stream_x import _ingest, _same, _Spy, _streamed_as_exact, _tables

from socialnb.ingest import _bulk, _stream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from ingest import generate  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "fernway" / "raw"


def _premium(path: Path) -> Path:
    """The sample brand's X Premium content exports, every row repeated with a new post id (in
    the id and the link) until the file is over the streaming threshold."""
    sources = sorted(SAMPLE.glob("*/account_analytics_content_*.csv"))
    if not sources:
        pytest.fail(f"no X Premium export in {SAMPLE}: run `make sample`")
    header: list[str] = []
    rows: list[list[str]] = []
    for source in sources:
        with source.open(encoding="utf-8-sig", newline="") as fh:
            found = list(csv.reader(fh))
        header, rows = found[0], rows + found[1:]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    pid, link = header.index("Post id"), header.index("Post Link")
    n = 0
    while out.tell() < _stream.STREAM_BYTES + 4096:
        for row in rows:
            new = list(row)
            new[pid] = str(3_000_000_000_000_000_000 + n)
            new[link] = row[link].replace(row[pid], new[pid])
            writer.writerow(new)
            n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_large_x_premium_export_is_streamed_and_gives_the_same_tables(tmp_path, monkeypatch):
    path = _premium(tmp_path / "src" / "account_analytics_content_2026-01-01_2026-10-31.csv")
    streamed = _streamed_as_exact(tmp_path, path, monkeypatch)
    snap = streamed["snapshots"]
    assert (snap["date_precision"] == "day").all() and snap["source_row"].max() > len(snap) + 1


def test_a_large_meta_export_the_sql_load_hands_over_is_streamed_and_gives_the_same_tables(
    tmp_path, monkeypatch
):
    path = tmp_path / "src" / "Jan-01-2025_Dec-31-2025_1.csv"
    path.parent.mkdir()
    generate(path, 16_000)
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    head, tail = lines[400].split(",Lifetime,")
    lines[400] = head + ',Lifetime,"1,234",' + tail.split(",", 1)[1]  # the SQL load refuses it
    path.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")
    assert path.stat().st_size >= _stream.STREAM_BYTES
    calls = []
    real = _bulk._load
    monkeypatch.setattr(_bulk, "_load", lambda *a, **k: calls.append(1) or real(*a, **k))
    spy = _Spy(monkeypatch)
    streamed = _tables(_ingest(tmp_path / "s", [path], stream=True, monkeypatch=monkeypatch))
    assert calls and (spy.duck, spy.exact, spy.whole) == (1, 0, 0)  # tried in SQL, then streamed
    monkeypatch.setattr(_bulk, "BULK_BYTES", 10**12)
    exact = _tables(_ingest(tmp_path / "e", [path], stream=False, monkeypatch=monkeypatch))
    _same(streamed, exact)
    assert streamed["snapshots"].set_index("source_row").loc[401, "views"] == 1234
