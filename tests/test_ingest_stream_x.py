"""Large X tweet_activity_metrics exports take the streaming path (socialnb.ingest._stream, issue
15): the file is never read whole into memory, and the warehouse gets exactly what the exact
csv-module path gives, with the same physical line numbers; anything irregular falls back to the
exact path before the warehouse is touched, and a bad file is refused at its line with the
warehouse unchanged.

The file is made of the real X exports in ../shared/datasets (DeBruine, 839 cells with line
breaks) repeated with new tweet ids, over the 4 MiB threshold."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import socialnb
from socialnb.ingest import _raw, _stream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from ingest import X_EXPORTS, X_ID0, generate_x  # noqa: E402

NAME = "tweet_activity_metrics_FernwayOutdoor_20210101_20220101_en.csv"
ROWS = 9000  # about 4.6 MB


@pytest.fixture(scope="module")
def big_x(tmp_path_factory) -> Path:
    if not X_EXPORTS.is_dir():
        pytest.fail(f"{X_EXPORTS} is missing: the real X exports are needed")
    path = tmp_path_factory.mktemp("x") / NAME
    generate_x(path, ROWS, seed=7)
    assert path.stat().st_size >= _stream.STREAM_BYTES
    return path


def _records(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, records and the physical line each record starts on, by the csv module."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        prev, records, starts = reader.line_num, [], []
        for record in reader:
            records.append(record)
            starts.append(prev + 1)
            prev = reader.line_num
    return header, records, starts


def _write(path: Path, header: list[str], records: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _workspace(
    root: Path,
    files: list[Path],
    *,
    month: str = "2021-12",
    brand_yaml: str = "name: Demo\ntimezone: Europe/London\n",
) -> socialnb.Workspace:
    """A workspace whose brand ``demo`` has ``files`` in ``raw/<month>/`` (not yet ingested)."""
    raw = root / "demo" / "raw" / month
    raw.mkdir(parents=True)
    (root / "demo" / "brand.yaml").write_text(brand_yaml)
    for f in files:
        shutil.copy(f, raw / f.name)
    return socialnb.Workspace(root)


def _tables(ws: socialnb.Workspace) -> dict[str, pd.DataFrame]:
    con = ws.connect()
    try:
        return {
            "snapshots": con.execute(
                "SELECT * FROM post_snapshots ORDER BY platform, post_id, exported_at"
            ).df(),
            "daily": con.execute("SELECT * FROM account_daily_values ORDER BY ALL").df(),
            "log": con.execute(
                "SELECT * EXCLUDE (ingested_at) FROM ingest_log ORDER BY source_hash"
            ).df(),
        }
    finally:
        con.close()


class _Spy:
    """Which paths one ingest took: DuckDB parses (streamed or in memory), exact csv-module reads,
    and whole files read into memory."""

    def __init__(self, monkeypatch) -> None:
        self.duck = self.exact = self.whole = 0
        duck, records, whole = _stream.duck_table, _raw._records, _raw.raw_from_bytes

        def count(name, real):
            def wrapped(*a, **k):
                setattr(self, name, getattr(self, name) + 1)
                return real(*a, **k)

            return wrapped

        monkeypatch.setattr(_stream, "duck_table", count("duck", duck))
        monkeypatch.setattr(_raw, "_records", count("exact", records))
        monkeypatch.setattr(_raw, "raw_from_bytes", count("whole", whole))


def _ingest(root: Path, files: list[Path], *, stream: bool, monkeypatch) -> socialnb.Workspace:
    """Ingest on the streaming path, or on the exact csv-module path (both fast paths off)."""
    monkeypatch.setattr(_stream, "STREAM_BYTES", _stream.STREAM_BYTES if stream else 10**12)
    monkeypatch.setattr(_raw, "FAST_PATH_BYTES", 10**12)
    ws = _workspace(root, files)
    report = ws.ingest(brand="demo")
    assert report.ok, str(report)
    return ws


def _same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=True)


def _streamed_as_exact(root: Path, path: Path, monkeypatch) -> dict[str, pd.DataFrame]:
    """The tables of ``path`` ingested on the streaming path, after checking that it was
    streamed (one DuckDB parse, no exact read, never read whole) and that the exact path gives
    the same tables."""
    spy = _Spy(monkeypatch)
    streamed = _tables(_ingest(root / "s", [path], stream=True, monkeypatch=monkeypatch))
    assert (spy.duck, spy.exact, spy.whole) == (1, 0, 0)
    exact = _tables(_ingest(root / "e", [path], stream=False, monkeypatch=monkeypatch))
    assert spy.exact == 1
    _same(streamed, exact)
    return streamed


def test_a_large_x_export_is_streamed_and_gives_the_same_tables_as_the_exact_path(
    big_x, tmp_path, monkeypatch
):
    streamed = _streamed_as_exact(tmp_path, big_x, monkeypatch)
    snap = streamed["snapshots"]
    assert len(snap) == ROWS and snap["format_source"].str.startswith("inferred").all()
    assert streamed["log"]["rows_loaded"].tolist() == [ROWS]


def test_multi_line_tweets_keep_their_physical_line_numbers(big_x, tmp_path, monkeypatch):
    _, records, starts = _records(big_x)
    assert sum("\n" in cell for r in records for cell in r) > 1000  # real line breaks in tweets
    ws = _ingest(tmp_path / "s", [big_x], stream=True, monkeypatch=monkeypatch)
    snap = _tables(ws)["snapshots"]
    line = dict(zip(snap["post_id"], snap["source_row"], strict=True))
    assert [line[r[0]] for r in records] == starts
    assert starts[-1] > 2 + len(records) - 1  # the later records sit lower than their index
    assert line[str(X_ID0)] == 2


def test_odd_but_valid_cells_are_still_streamed_and_read_by_the_readers_cell_contract(
    big_x, tmp_path, monkeypatch
):
    """A thousands separator, spaces around a number, a line end in a count, a repeated tweet id:
    the column stays text (or the reader dedupes) on the streaming path, with the exact path's
    values, lines and notes."""
    header, records, starts = _records(big_x)
    col = header.index("impressions")
    records[10][col] = "1,234"
    records[11][col] = " 77 "
    records[12][header.index("likes")] = "N/A"
    records[13][header.index("retweets")] = "5\n"  # a line end in a metric cell read as text
    records[501] = list(records[500])
    odd = _write(tmp_path / "src" / big_x.name, header, records)
    streamed = _streamed_as_exact(tmp_path, odd, monkeypatch)
    snap = streamed["snapshots"].set_index("post_id")
    assert snap.loc[records[10][0], "impressions"] == 1234
    assert snap.loc[records[11][0], "impressions"] == 77
    assert snap.loc[records[13][0], "shares"] == 5
    assert snap.loc[records[14][0], "source_row"] == starts[14] + 1  # after the extra line end
    assert "repeat a post id" in streamed["log"]["detail"].iloc[0]


@pytest.mark.parametrize(
    "change",
    ["blank line", "lone CR in a tweet", "line end in a column not read"],
)
def test_an_irregular_large_file_falls_back_to_the_exact_path_and_loads_the_same(
    big_x, tmp_path, monkeypatch, change
):
    header, records, _ = _records(big_x)
    if change == "lone CR in a tweet":
        records[40][header.index("Tweet text")] = "before\rafter"
    elif change == "line end in a column not read":
        records[40][header.index("app opens")] = "0\n"
    odd = _write(tmp_path / "src" / big_x.name, header, records)
    if change == "blank line":
        lines = odd.read_text(encoding="utf-8").split("\n")
        lines.insert(300, "")
        odd.write_text("\n".join(lines), encoding="utf-8")
    spy = _Spy(monkeypatch)
    streamed = _tables(_ingest(tmp_path / "s", [odd], stream=True, monkeypatch=monkeypatch))
    assert spy.duck == 1 and spy.exact == 1  # tried, found irregular, read exactly
    exact = _tables(_ingest(tmp_path / "e", [odd], stream=False, monkeypatch=monkeypatch))
    _same(streamed, exact)


@pytest.mark.parametrize(
    ("cell", "phrase", "column"),
    [
        ("-5", "'-5' is negative", "impressions"),
        ("lots", "'lots' is not a number", "likes"),
        ("2021-13-45 10:00 +0000", "is not a date/time", "time"),
        ("unclosed quote", "malformed CSV", None),
    ],
)
def test_a_bad_large_file_is_refused_at_its_line_and_the_warehouse_is_unchanged(
    big_x, tmp_path, monkeypatch, cell, phrase, column
):
    ws = _workspace(tmp_path / "ws", [])
    first = X_EXPORTS / sorted(p.name for p in X_EXPORTS.glob("*.csv"))[0]
    assert ws.ingest([first], brand="demo").ok
    before = hashlib.sha256(ws.warehouse_path.read_bytes()).hexdigest()
    header, records, starts = _records(big_x)
    row = 6000
    bad = tmp_path / "src" / big_x.name
    if column is not None:
        records[row][header.index(column)] = cell
        _write(bad, header, records)
    else:  # the tweet id's closing quote lost
        text = _write(bad, header, records).read_text(encoding="utf-8")
        target = '"' + records[row][0] + '"'
        bad.write_text(text.replace(target, target[:-1], 1), encoding="utf-8")
    report = ws.ingest([bad], brand="demo")
    assert [f.status for f in report.files] == ["rejected"]
    message = report.rejected[0].message
    assert phrase in message and "What to do:" in message, message
    assert f"line {starts[row]}" in message, message
    if column is not None:
        assert column in message, message
    assert hashlib.sha256(ws.warehouse_path.read_bytes()).hexdigest() == before


def test_a_large_x_export_loaded_before_is_skipped_without_being_parsed(
    big_x, tmp_path, monkeypatch
):
    ws = _ingest(tmp_path / "s", [big_x], stream=True, monkeypatch=monkeypatch)
    before = ws.warehouse_path.read_bytes()
    spy = _Spy(monkeypatch)
    again = ws.ingest(brand="demo")
    assert [f.status for f in again.files] == ["skipped"]
    assert (spy.duck, spy.exact, spy.whole) == (0, 0, 0)
    assert ws.warehouse_path.read_bytes() == before


def test_a_large_file_with_a_bad_byte_far_past_its_head_is_refused_at_that_line(
    big_x, tmp_path, monkeypatch
):
    """The head decodes; DuckDB refuses the byte, and the exact path names its line."""
    _, records, starts = _records(big_x)
    data = big_x.read_bytes()
    target = records[7000][0].encode()
    bad = tmp_path / "src" / big_x.name
    bad.parent.mkdir()
    bad.write_bytes(data.replace(b'"' + target + b'","', b'"' + target + b'","\xff', 1))
    ws = _workspace(tmp_path / "ws", [])
    report = ws.ingest([bad], brand="demo")
    assert [f.status for f in report.files] == ["rejected"]
    message = report.rejected[0].message
    assert "is not valid UTF-8" in message and f"line {starts[7000]}" in message, message
    assert not ws.warehouse_path.exists() or not ws.posts().shape[0]


def test_a_large_x_export_with_windows_line_ends_and_a_bom_is_streamed_the_same(
    big_x, tmp_path, monkeypatch
):
    crlf = tmp_path / "src" / big_x.name
    crlf.parent.mkdir()
    crlf.write_bytes(b"\xef\xbb\xbf" + big_x.read_bytes().replace(b"\n", b"\r\n"))
    streamed = _streamed_as_exact(tmp_path, crlf, monkeypatch)
    assert streamed["snapshots"]["text"].str.contains("\r\n").any()  # kept as written
