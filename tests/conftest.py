"""Shared fixtures: seeded randomness, closed figures, and a ready sample workspace."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"
SAMPLE = ROOT / "data" / "fernway"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _seed_and_close():
    random.seed(0)
    np.random.seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The shared real data sets (../shared/datasets)."""
    assert DATASETS.is_dir(), (
        f"{DATASETS} is missing: the tests need the shared data sets beside the project"
    )
    return DATASETS


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory) -> Path:
    """A copy of the committed sample brand, ingested into its own warehouse (read-only use)."""
    from socialnb import Workspace

    root = tmp_path_factory.mktemp("sample-ws")
    shutil.copytree(SAMPLE, root / "fernway")
    report = Workspace(root).ingest()
    assert report.ok, str(report)
    return root


@pytest.fixture(scope="session")
def sample_report_month(sample_workspace, tmp_path_factory) -> Path:
    """The sample report of fernway's 2026-10, run once (default jobs, no ingest): its month
    folder (pages, executed notebooks, summary.json)."""
    from socialnb import report

    out = tmp_path_factory.mktemp("sample-report")
    result = report.run_report(
        sample_workspace, "2026-10", brands=["fernway"], reports_dir=out, ingest=False,
        echo=lambda _m: None,
    )  # fmt: skip
    assert result.ok, result.failures
    return out / "fernway" / "2026-10"
