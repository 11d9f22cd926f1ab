"""The bulk path hashes a new file while DuckDB stages it (issue 15): a file whose bytes the
warehouse holds already is still skipped, with nothing written, whether its path was loaded before
(hashed first, never parsed) or it is a copy at a new path (found out after staging)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import socialnb
from socialnb.ingest import _bulk

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from ingest import generate  # noqa: E402

NAME = "Jan-01-2025_Dec-31-2025_1.csv"


@pytest.fixture
def loaded(tmp_path, monkeypatch) -> tuple[socialnb.Workspace, Path]:
    monkeypatch.setattr(_bulk, "BULK_BYTES", 0)  # every file takes the bulk path
    raw = tmp_path / "demo" / "raw" / "2025-12"
    raw.mkdir(parents=True)
    (tmp_path / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: UTC\n")
    generate(raw / NAME, 500)
    ws = socialnb.Workspace(tmp_path)
    report = ws.ingest()
    assert report.ok and len(report.loaded) == 1, str(report)
    return ws, raw / NAME


def _spy(monkeypatch) -> list[bool]:
    """Record each bulk call's hash_first and whether it staged the file."""
    calls: list[bool] = []
    real_ingest, real_stage = _bulk.ingest_file, _bulk._stage
    monkeypatch.setattr(_bulk, "_stage", lambda *a: calls.append(True) or real_stage(*a))

    def ingest_file(*a, **k):
        calls.append(("hash_first", k["hash_first"]))
        return real_ingest(*a, **k)

    monkeypatch.setattr(_bulk, "ingest_file", ingest_file)
    return calls


def test_a_file_loaded_before_at_the_same_path_is_skipped_without_being_parsed(loaded, monkeypatch):
    ws, _ = loaded
    before = ws.warehouse_path.read_bytes()
    calls = _spy(monkeypatch)
    report = ws.ingest()
    assert [f.status for f in report.files] == ["skipped"]
    assert calls == [("hash_first", True)]  # hashed first, never staged
    assert ws.warehouse_path.read_bytes() == before


def test_a_copy_at_a_new_path_is_hashed_while_staged_and_skipped_without_writing(
    loaded, monkeypatch
):
    ws, first = loaded
    later = first.parent.parent / "2026-01-05" / NAME  # a later download folder: a worse copy
    later.parent.mkdir()
    shutil.copy(first, later)
    before = ws.warehouse_path.read_bytes()
    calls = _spy(monkeypatch)
    report = ws.ingest([later], brand="demo")
    assert [(f.status, f.message) for f in report.files] == [
        ("skipped", "already in the warehouse")
    ]
    assert calls == [("hash_first", False), True]  # staged while hashed, then found known
    assert ws.warehouse_path.read_bytes() == before
