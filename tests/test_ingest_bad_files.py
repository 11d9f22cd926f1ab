"""The bad-file corpus (tests/bad_files/, written by make_bad_files.py there): every file is refused
with a SocialnbError naming the file, the line and column where there is one, and what to do; and
trying to ingest it leaves the warehouse file byte-for-byte the same."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest

import socialnb
from socialnb.errors import ExportError, SocialnbError

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_files"
GOOD = ROOT / "tests" / "fixtures" / "exports"

_spec = importlib.util.spec_from_file_location("make_bad_files", BAD / "make_bad_files.py")
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
EXPECT: dict[str, tuple[int | None, str]] = _mod.EXPECT


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_has_at_least_30_files_and_each_is_on_disk_as_generated():
    assert len(EXPECT) >= 30
    for name, data in _mod.FILES.items():
        if name.endswith(".xlsx"):  # openpyxl stamps the time into the zip: compare existence only
            assert (BAD / name).is_file(), name
        else:
            assert (BAD / name).read_bytes() == data, (
                f"{name}: run tests/bad_files/make_bad_files.py"
            )


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_a_bad_file_is_refused_with_file_line_column_and_what_to_do(name):
    line, phrase = EXPECT[name]
    path = BAD / name
    with pytest.raises(SocialnbError) as info:
        socialnb.read_export(path, tz="Europe/London")
    err = info.value
    message = str(err)
    assert isinstance(err, ExportError)
    assert name in message
    assert "What to do:" in message
    assert phrase.casefold() in message.casefold()
    if line is not None:
        assert err.line == line
        assert f"line {line}" in message
    if err.column is not None:
        assert "column" in message


@pytest.fixture(scope="module")
def base_workspace(tmp_path_factory) -> Path:
    """A workspace whose warehouse already holds one good file."""
    root = tmp_path_factory.mktemp("ws")
    (root / "demo").mkdir()
    (root / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: UTC\n")
    ws = socialnb.Workspace(root)
    report = ws.ingest([GOOD / "instagram_pt.csv"], brand="demo")
    assert report.ok
    return root


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_ingesting_a_bad_file_leaves_the_warehouse_byte_for_byte_identical(
    name, base_workspace, tmp_path
):
    root = tmp_path / "ws"
    shutil.copytree(base_workspace, root)
    warehouse = root / "warehouse.duckdb"
    before = sha(warehouse)
    raw_before = sha(BAD / name)
    report = socialnb.Workspace(root).ingest([BAD / name], brand="demo")
    assert not report.ok
    assert [f.status for f in report.files] == ["rejected"]
    assert name in report.rejected[0].message
    assert sha(warehouse) == before
    assert sha(BAD / name) == raw_before  # raw files are never modified


def test_a_folder_of_good_and_bad_files_loads_the_good_and_lists_each_rejected_with_its_reason(
    tmp_path,
):
    drop = tmp_path / "downloads"
    drop.mkdir()
    good = [
        "instagram_pt.csv",
        "linkedin_updates_2020.xlsx",
        "YouTube Content 2025-12-01_2025-12-31.zip",
    ]
    bad = ["11_non_numeric_count.csv", "16_unknown_tool.csv", "17_zip_with_nothing_useful.zip"]
    for n in good:
        shutil.copy(GOOD / n, drop / n)
    for n in bad:
        shutil.copy(BAD / n, drop / n)
    ws_root = tmp_path / "ws"
    (ws_root / "demo").mkdir(parents=True)
    (ws_root / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: UTC\n")
    report = socialnb.Workspace(ws_root).ingest([drop], brand="demo")
    by_name = {Path(f.path).name: f for f in report.files}
    assert {n for n, f in by_name.items() if f.status == "loaded"} == set(good)
    assert {n for n, f in by_name.items() if f.status == "rejected"} == set(bad)
    assert not report.ok
    text = str(report)
    for n in bad:
        assert n in text and "What to do:" in by_name[n].message
    frame = report.to_frame()
    assert (frame["status"] == "rejected").sum() == 3
