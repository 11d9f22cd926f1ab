"""Large CSVs are parsed by DuckDB (the fast path); it must give exactly what the exact csv-module
path gives, with the same physical line numbers, and problems must still be reported at their line."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import socialnb
from socialnb.errors import ExportError
from socialnb.ingest import _raw

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
