"""The `socialnb` command's promises to people and schedulers: clear messages, trustworthy exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialnb.cli import main

ROOT = Path(__file__).resolve().parents[1]
X_EXPORTS = ROOT.parent / "shared" / "datasets" / "twitter_analytics_debruine" / "tweet_level"


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "data"
    (ws / "acme" / "raw").mkdir(parents=True)
    (ws / "acme" / "brand.yaml").write_text("name: Acme\ntimezone: Europe/London\n")
    return ws


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_command_answers_help():
    for command in ("sample", "ingest", "report", "formats"):
        result = _run(command, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_ingest_of_good_exports_exits_zero_and_says_what_it_loaded(workspace: Path):
    for f in sorted(X_EXPORTS.glob("*.csv"))[:2]:
        shutil.copy(f, workspace / "acme" / "raw" / f.name)
    result = _run("ingest", "--workspace", str(workspace), "--quiet")
    assert result.exit_code == 0, result.output
    assert "2 loaded, 0 already in the warehouse, 0 rejected" in result.output
    again = _run("ingest", "--workspace", str(workspace), "--quiet")
    assert again.exit_code == 0
    assert "0 loaded, 2 already in the warehouse, 0 rejected" in again.output


def test_ingest_with_a_bad_file_loads_the_rest_names_the_file_and_exits_one(workspace: Path):
    good = sorted(X_EXPORTS.glob("*.csv"))[0]
    shutil.copy(good, workspace / "acme" / "raw" / good.name)
    lines = good.read_text(encoding="utf-8").splitlines()
    bad = workspace / "acme" / "raw" / "tweet_activity_metrics_acme_20210101_20210201_en.csv"
    broken = (
        lines[2].replace('"215.0"', '"lots"', 1)
        if '"215.0"' in lines[2]
        else lines[2].replace('.0"', 'x"', 1)
    )
    bad.write_text("\n".join([lines[0], lines[1], broken]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--workspace", str(workspace), "--quiet"])
    assert result.exit_code == 1
    assert "1 loaded, 0 already in the warehouse, 1 rejected" in result.output
    assert (
        bad.name in result.output and "line 3" in result.output and "What to do:" in result.output
    )


def test_ingest_of_a_missing_workspace_is_a_usage_error_with_advice(tmp_path: Path):
    result = CliRunner().invoke(main, ["ingest", "--workspace", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "socialnb sample" in result.output


def test_sample_refuses_to_overwrite_an_existing_brand(tmp_path: Path):
    (tmp_path / "fernway").mkdir()
    (tmp_path / "fernway" / "brand.yaml").write_text("name: mine\ntimezone: UTC\n")
    result = CliRunner().invoke(main, ["sample", "--workspace", str(tmp_path)])
    assert result.exit_code == 2
    assert (tmp_path / "fernway" / "brand.yaml").read_text() == "name: mine\ntimezone: UTC\n"


def test_formats_lists_every_platform():
    result = _run("formats")
    assert result.exit_code == 0
    for platform in ("facebook", "instagram", "x", "linkedin", "tiktok", "youtube"):
        assert platform in result.output


def test_report_with_a_malformed_month_exits_two_before_running_anything(
    workspace: Path, tmp_path: Path
):
    result = CliRunner().invoke(
        main,
        [
            "report",
            "--workspace",
            str(workspace),
            "--reports",
            str(tmp_path / "r"),
            "--month",
            "October",
        ],
    )
    assert result.exit_code == 2
    assert "month" in result.output.lower()
    assert not (tmp_path / "r" / "acme").exists()
