"""Large CSVs are parsed by DuckDB (the fast paths); they must give exactly what the exact csv-module
path gives, with the same physical line numbers, and problems must still be reported at their line.

Two fast paths: ``read_csv_table`` parses large files with DuckDB into pandas (every reader), and
``Workspace.ingest`` loads large Meta content exports inside DuckDB end to end
(``socialnb.ingest._bulk``). Both are switched on for small files here by lowering their size
thresholds, and compared with the exact path on the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from test_ingest_stream_x import _workspace as stream_workspace

import socialnb
from socialnb.errors import ExportError
from socialnb.ingest import _bulk, _raw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from ingest import generate  # noqa: E402


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "Jan-01-2025_Dec-31-2025_1.csv"
    generate(path, 3000)
    text = path.read_text(encoding="utf-8-sig")
    # captions with line breaks (as real Meta exports have), an N/A and a blank metric
    text = text.replace(': a caption, with ""quotes""', ": a caption\nover two lines", 40)
    lines = text.split("\n")
    head, tail = lines[10].split(",Lifetime,")
    lines[10] = head + ",Lifetime,N/A," + tail.split(",", 1)[1]  # Views of this post: N/A
    path.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")
    return path


def _read(path: Path, fast: bool, monkeypatch) -> pd.DataFrame:
    monkeypatch.setattr(_raw, "FAST_PATH_BYTES", 0 if fast else 10**12)
    return socialnb.read_export(path, tz="Europe/London")


def test_the_fast_path_gives_the_same_rows_and_lines_as_the_exact_path(big_csv, monkeypatch):
    fast = _read(big_csv, True, monkeypatch)
    exact = _read(big_csv, False, monkeypatch)
    assert len(fast) == 3000
    assert fast["views"].isna().sum() == 1
    assert fast["source_row"].iloc[-1] == 3000 + 1 + 40  # 40 captions span two lines
    pd.testing.assert_frame_equal(fast, exact)


def test_a_bad_cell_in_a_large_file_is_still_reported_at_its_line_and_column(
    big_csv, tmp_path, monkeypatch
):
    lines = big_csv.read_text(encoding="utf-8-sig").split("\n")
    bad = tmp_path / big_csv.name
    head, tail = lines[-2].split(",Lifetime,")
    lines[-2] = head + ",Lifetime,lots," + tail.split(",", 1)[1]
    bad.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(_raw, "FAST_PATH_BYTES", 0)
    with pytest.raises(ExportError) as info:
        socialnb.read_export(bad)
    expected_line = len(lines) - 1  # the last record (file ends with a newline)
    assert info.value.line == expected_line and info.value.column == "Views"


# -- the DuckDB end-to-end ingest of large Meta content exports ----------------------------------

BRAND_YAML = """name: Demo
timezone: Europe/London
platforms:
  facebook: {account: Fernway Outdoor Co.}
"""


def _edge_cases(path: Path) -> None:
    """Rows the SQL path must treat exactly as the pandas path does (lines 201-208)."""
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    header = next(csv.reader([lines[0]]))
    col = {name: header.index(name) for name in header}
    edits = {
        200: {"Page name": ""},  # blank page name: filled from brand.yaml
        201: {"Page name": "   "},  # whitespace only: blank too
        202: {"Title": "\u00a0", "Description": "Described here"},  # NBSP title -> description
        203: {"Publish time": "03/30/2025 01:30"},  # the spring-forward gap in Europe/London
        204: {"Publish time": "10/26/2025 01:30"},  # the autumn overlap: first occurrence
        205: {"Post type": "Carousel Photos"},  # an unknown format -> NA
        206: {"Views from Boosted posts": "120"},
        207: {"Funded content status": "Boosted"},
        208: {"Reach": "N/A", "Shares": ""},
    }
    for i, change in edits.items():
        fields = next(csv.reader([lines[i]]))
        for name, value in change.items():
            fields[col[name]] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(fields)
        lines[i] = out.getvalue()
    path.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def edge_csv(big_csv, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("edge") / big_csv.name
    shutil.copy(big_csv, path)
    _edge_cases(path)
    return path


def _workspace(root: Path, files: list[Path]) -> socialnb.Workspace:
    return stream_workspace(root, files, month="2025-12", brand_yaml=BRAND_YAML)


def _tables(ws: socialnb.Workspace) -> dict[str, pd.DataFrame]:
    con = ws.connect()
    try:
        snap = con.execute(
            "SELECT * FROM post_snapshots ORDER BY platform, post_id, exported_at"
        ).df()
        log = con.execute(
            "SELECT * EXCLUDE (ingested_at) FROM ingest_log ORDER BY source_hash"
        ).df()
        nulls = con.execute(  # NULL, not NaN, for missing metrics on both paths
            "SELECT count(views), count(impressions), count(*) FILTER (WHERE isnan(views)) "
            "FROM post_snapshots"
        ).fetchall()
    finally:
        con.close()
    return {"snapshots": snap, "log": log, "nulls": pd.DataFrame(nulls)}


def _ingest(
    root: Path, files: list[Path], *, bulk: bool, monkeypatch, undecided: int = 0
) -> socialnb.Workspace:
    monkeypatch.setattr(_bulk, "BULK_BYTES", 0 if bulk else 10**12)
    monkeypatch.setattr(_raw, "FAST_PATH_BYTES", 10**12)  # the other side: csv-module only
    ws = _workspace(root, files)
    report = ws.ingest(brand="demo")
    assert not report.rejected, str(report)
    assert sum(f.ambiguous for f in report.files) == undecided, str(report)
    return ws


def test_the_duckdb_ingest_gives_the_same_tables_as_the_exact_path(edge_csv, tmp_path, monkeypatch):
    calls = []
    real = _bulk._load
    monkeypatch.setattr(_bulk, "_load", lambda *a, **k: calls.append(1) or real(*a, **k))
    fast = _tables(_ingest(tmp_path / "fast", [edge_csv], bulk=True, monkeypatch=monkeypatch))
    assert calls, "the DuckDB path was not taken"
    exact = _tables(_ingest(tmp_path / "exact", [edge_csv], bulk=False, monkeypatch=monkeypatch))
    snap = fast["snapshots"]
    assert len(snap) == 3000 and snap["source_row"].max() == 3000 + 1 + 40
    assert (snap["account"] == "Fernway Outdoor Co.").sum() == len(snap)  # blanks filled
    assert (snap["distribution"] == "boosted").sum() == 2
    assert snap["text"].eq("Described here").sum() == 1
    assert snap["format"].isna().sum() == 0 and (snap["format"] == "unknown").sum() == 1
    assert set(snap["format_source"]) == {"exported", "unknown"}
    for name in fast:
        pd.testing.assert_frame_equal(fast[name], exact[name], check_dtype=True)


def test_reloading_over_an_existing_export_time_gives_the_same_tables_on_both_paths(
    big_csv, edge_csv, tmp_path, monkeypatch
):
    """Two exports with the same export time and the same newest date: the rows that differ
    cannot be ordered, are reported as undecided and keep the first file's values, on both
    paths alike."""
    out = {}
    for bulk in (True, False):
        a, b = (
            tmp_path / f"{bulk}a" / big_csv.name,
            tmp_path / f"{bulk}b" / "Jan-01-2025_Dec-31-2025_2.csv",
        )
        a.parent.mkdir()
        b.parent.mkdir()
        shutil.copy(big_csv, a)
        shutil.copy(edge_csv, b)
        out[bulk] = _tables(
            _ingest(tmp_path / f"ws{bulk}", [a, b], bulk=bulk, monkeypatch=monkeypatch, undecided=3)
        )
    assert len(out[True]["log"]) == 2
    for name in out[True]:
        pd.testing.assert_frame_equal(out[True][name], out[False][name])


def test_a_bad_large_file_is_rejected_at_its_line_and_leaves_the_warehouse_byte_for_byte_identical(
    big_csv, edge_csv, tmp_path, monkeypatch
):
    ws = _ingest(tmp_path / "ws", [edge_csv], bulk=True, monkeypatch=monkeypatch)
    warehouse = ws.warehouse_path
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    lines = big_csv.read_text(encoding="utf-8-sig").split("\n")
    head, tail = lines[100].split(",Lifetime,")
    lines[100] = head + ",Lifetime,-5," + tail.split(",", 1)[1]  # a negative count
    bad = tmp_path / "Feb-01-2025_Feb-28-2025_9.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    report = ws.ingest([bad], brand="demo")
    assert [f.status for f in report.files] == ["rejected"]
    message = report.rejected[0].message
    assert bad.name in message and "negative" in message and "What to do:" in message
    assert "line 101" in message and "Views" in message  # index 100 = line 101 (header is 1)
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before


def test_an_irregular_large_file_takes_the_exact_path_and_gives_the_same_tables(
    big_csv, tmp_path, monkeypatch
):
    """A repeated post id and a spreadsheet-style thousands separator: the SQL path hands over
    to the exact path, which keeps the last row of the id (with a note) and reads '1,234'."""
    lines = big_csv.read_text(encoding="utf-8-sig").split("\n")
    lines[301] = lines[300]  # the same post listed twice
    head, tail = lines[400].split(",Lifetime,")
    lines[400] = head + ',Lifetime,"1,234",' + tail.split(",", 1)[1]
    odd = tmp_path / big_csv.name
    odd.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")
    fast = _ingest(tmp_path / "fast", [odd], bulk=True, monkeypatch=monkeypatch)
    exact = _ingest(tmp_path / "exact", [odd], bulk=False, monkeypatch=monkeypatch)
    a, b = _tables(fast), _tables(exact)
    snap = a["snapshots"].set_index("source_row")
    assert len(snap) == 2999 and snap.loc[401, "views"] == 1234
    assert "repeat a post id" in a["log"]["detail"].iloc[0]
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_a_large_file_already_loaded_is_skipped(edge_csv, tmp_path, monkeypatch):
    ws = _ingest(tmp_path / "ws", [edge_csv], bulk=True, monkeypatch=monkeypatch)
    again = ws.ingest(brand="demo")
    assert [f.status for f in again.files] == ["skipped"]


def _wall_clock_edges(zone: str, year: int) -> list[str]:
    """Meta ``Publish time`` cells at and around every UTC offset change of ``zone`` in ``year``
    (gaps, overlaps and their edges), found by pandas on an hourly UTC grid."""
    hours = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="min", tz="UTC")
    local = hours.tz_convert(zone).tz_localize(None)
    offset = local - hours.tz_localize(None)
    cells = []
    for i in (offset[1:] != offset[:-1]).nonzero()[0] + 1:
        before, after = offset[i - 1], offset[i]
        start = hours[i].tz_localize(None) + min(before, after)  # the gap or overlap's start
        width = abs(after - before)
        for t in (
            -pd.Timedelta(minutes=1),
            pd.Timedelta(0),
            width / 2,
            width - pd.Timedelta(minutes=1),
            width,
        ):
            cells.append((start + t).strftime("%m/%d/%Y %H:%M"))
    return cells


@pytest.mark.parametrize(
    "zone",
    [
        "America/Adak",  # pandas moves a gap's times a whole hour on (not to the gap's end)
        "Australia/Lord_Howe",  # a 30-minute change
        "Europe/Dublin",  # "negative" summer time in the tz database
        "America/Havana",  # changes at midnight
        "Asia/Kolkata",  # no change at all
    ],
)
def test_the_duckdb_ingest_places_wall_clock_times_as_the_exact_path_in_any_zone(
    zone, big_csv, tmp_path, monkeypatch
):
    lines = big_csv.read_text(encoding="utf-8-sig").split("\n")
    header = next(csv.reader([lines[0]]))
    at = header.index("Publish time")
    edges = _wall_clock_edges(zone, 2025)
    for i, cell in enumerate(edges, start=500):
        fields = next(csv.reader([lines[i]]))
        fields[at] = cell
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(fields)
        lines[i] = out.getvalue()
    path = tmp_path / big_csv.name
    path.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")
    brand = BRAND_YAML.replace("Europe/London", zone)
    calls = []
    real = _bulk._load
    monkeypatch.setattr(_bulk, "_load", lambda *a, **k: calls.append(1) or real(*a, **k))
    tables = {}
    for bulk in (True, False):
        monkeypatch.setattr(_bulk, "BULK_BYTES", 0 if bulk else 10**12)
        monkeypatch.setattr(_raw, "FAST_PATH_BYTES", 10**12)
        ws = stream_workspace(tmp_path / str(bulk), [path], month="2025-12", brand_yaml=brand)
        report = ws.ingest(brand="demo")
        assert not report.rejected, str(report)
        assert [f.status for f in report.files] == ["loaded"]
        tables[bulk] = _tables(ws)
    assert calls == [1], "the DuckDB path was not taken (or taken twice)"
    for name in tables[True]:
        pd.testing.assert_frame_equal(tables[True][name], tables[False][name])
    snap = tables[True]["snapshots"].set_index("source_row")
    assert (snap["assumed_tz"] == zone).all()
    assert len(edges) == (0 if zone == "Asia/Kolkata" else 10)


def test_a_large_meta_export_is_ingested_without_importing_pandas(tmp_path):
    """The DuckDB ingest needs neither pandas nor numpy (their import is a tenth of a
    million-row ingest); they are imported only for work that needs them."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "brand.yaml").write_text("name: B\ntimezone: Europe/London\n")
    path = tmp_path / "Jan-01-2025_Dec-31-2025_1.csv"
    generate(path, 2000)
    code = textwrap.dedent(
        f"""
        import sys
        import socialnb
        from socialnb.ingest import _bulk
        _bulk.BULK_BYTES = 0
        report = socialnb.Workspace({str(tmp_path)!r}).ingest([{str(path)!r}], brand="b")
        assert report.ok and report.loaded[0].rows == 2000, str(report)
        print(sorted(m for m in ("pandas", "numpy") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


# -- one cell contract on every path ----------------------------------------------------------------

#: Cells put in a count column (Views) and in a measure column (Seconds viewed): every kind the
#: exact path accepts or refuses. Each path must accept the same cells with the same values and
#: refuse the same cells at the same line and column.
CELL_KINDS = [
    "1234",  # plain
    "825.0",  # a whole number written with a decimal part
    "1,234",  # thousands separator
    "N/A",  # missing token
    "",  # blank
    " 7 ",  # spaces around
    "NaN",  # not a missing token: refused (DuckDB's cast reads it as NaN)
    "1_000",  # refused (DuckDB's cast reads it as 1000)
    "inf",
    "12%",  # a percentage in a count column: refused
    "1.234",  # a fraction (or a European thousands separator): refused in a count
    "2.5",
    "1e30",  # beyond any real count
    "1e3",
    "-5",
    "0x10",
]


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "Jan-01-2025_Dec-31-2025_1.csv"
    generate(path, 40)
    return path


def _with_cell(src: Path, dest: Path, column: str, value: str, line: int = 21) -> Path:
    lines = src.read_text(encoding="utf-8-sig").split("\n")
    header = next(csv.reader([lines[0]]))
    fields = next(csv.reader([lines[line - 1]]))
    fields[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    lines[line - 1] = out.getvalue()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")
    return dest


def _outcome(path: Path, fast: bool, monkeypatch):
    try:
        frame = _read(path, fast, monkeypatch)
    except ExportError as exc:
        return ("refused", exc.line, exc.column)
    return ("read", frame[["post_id", "views", "watch_time_s", "source_row"]])


@pytest.mark.parametrize("column", ["Views", "Seconds viewed"])
@pytest.mark.parametrize("cell", CELL_KINDS)
def test_the_fast_and_the_exact_csv_paths_accept_and_refuse_the_same_cells(
    small_csv, tmp_path, monkeypatch, cell, column
):
    path = _with_cell(small_csv, tmp_path / small_csv.name, column, cell)
    calls = []
    real = _raw._fast_table
    monkeypatch.setattr(_raw, "_fast_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    fast = _outcome(path, True, monkeypatch)
    assert calls, "the fast path was not tried"
    exact = _outcome(path, False, monkeypatch)
    assert fast[0] == exact[0], (cell, fast, exact)
    if fast[0] == "read":
        pd.testing.assert_frame_equal(fast[1], exact[1])
    else:
        assert fast == exact == ("refused", 21, column)


def test_counts_are_whole_non_negative_and_sane_and_percentages_only_in_rates(
    small_csv, tmp_path, monkeypatch
):
    expected = {
        "12%": "is a percentage, but this column is a count",
        "1.234": "is not a whole number",
        "2.5": "is not a whole number",
        "1e30": "larger than any real count",
        "NaN": "is not a number",
        "1_000": "is not a number",
        "inf": "not a finite number",
    }
    for cell, phrase in expected.items():
        path = _with_cell(
            small_csv, tmp_path / cell.replace("%", "pct") / small_csv.name, "Views", cell
        )
        with pytest.raises(ExportError, match=phrase) as info:
            _read(path, False, monkeypatch)
        assert info.value.line == 21 and info.value.column == "Views"
    # a measure may be fractional; a rate may be a percentage (LinkedIn's engagement rate is
    # checked in test_ingest.py)
    path = _with_cell(small_csv, tmp_path / "m" / small_csv.name, "Seconds viewed", "2.5")
    assert _read(path, False, monkeypatch)["watch_time_s"].iloc[19] == 2.5


def _bulk_outcome(root: Path, path: Path, bulk: bool, monkeypatch):
    monkeypatch.setattr(_bulk, "BULK_BYTES", 0 if bulk else 10**12)
    monkeypatch.setattr(_raw, "FAST_PATH_BYTES", 10**12)
    ws = _workspace(root, [path])
    report = ws.ingest(brand="demo")
    if not report.ok:
        message = report.rejected[0].message
        return ("refused", message[message.index(path.name) :])
    return ("read", _tables(ws))


@pytest.mark.parametrize("cell", CELL_KINDS)
def test_the_duckdb_ingest_and_the_exact_path_accept_and_refuse_the_same_cells(
    small_csv, tmp_path, monkeypatch, cell
):
    path = _with_cell(small_csv, tmp_path / "src" / small_csv.name, "Views", cell)
    path = _with_cell(path, tmp_path / "src2" / small_csv.name, "Seconds viewed", cell, line=30)
    fast = _bulk_outcome(tmp_path / "fast", path, True, monkeypatch)
    exact = _bulk_outcome(tmp_path / "exact", path, False, monkeypatch)
    assert fast[0] == exact[0], (cell, fast, exact)
    if fast[0] == "read":
        for name in fast[1]:
            pd.testing.assert_frame_equal(fast[1][name], exact[1][name])
    else:
        assert fast[1] == exact[1]


def test_a_large_file_cut_inside_its_last_value_is_refused_on_every_path(
    small_csv, tmp_path, monkeypatch
):
    cut = tmp_path / "src" / small_csv.name
    cut.parent.mkdir()
    cut.write_bytes(small_csv.read_bytes()[:-2])  # "…,123\n" -> "…,12"
    with pytest.raises(ExportError, match="cut short inside its last line"):
        _read(cut, True, monkeypatch)
    for bulk in (True, False):
        outcome = _bulk_outcome(tmp_path / f"ws{bulk}", cut, bulk, monkeypatch)
        assert outcome[0] == "refused" and "cut short inside its last line" in outcome[1]
