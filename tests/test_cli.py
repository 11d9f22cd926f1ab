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
    for command in ("sample", "init", "ingest", "report", "formats"):
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


# --- refusals: exit 2, one line saying why, nothing written ---------------------------------


@pytest.fixture()
def x_workspace(tmp_path: Path) -> Path:
    """Brand ``lisa`` made of two real X exports (January and March 2021 files)."""
    ws = tmp_path / "data"
    raw = ws / "lisa" / "raw"
    raw.mkdir(parents=True)
    (ws / "lisa" / "brand.yaml").write_text("name: Lisa\ntimezone: Europe/London\n")
    for f in sorted(X_EXPORTS.glob("*.csv")):
        if "_20210101_" in f.name or "_20210301_" in f.name:
            shutil.copy(f, raw / f.name)
    return ws


def _report(ws: Path, out: Path, *args: str):
    return CliRunner().invoke(
        main,
        ["report", "--workspace", str(ws), "--reports", str(out), "--quiet", *args],
        catch_exceptions=False,
    )


def _refusal_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.output
    return lines[0]


def test_report_of_a_month_in_the_future_is_refused(x_workspace: Path, tmp_path: Path):
    result = _report(x_workspace, tmp_path / "reports", "--month", "2999-01")
    assert result.exit_code == 2
    assert "2999-01 is in the future" in _refusal_line(result)
    assert not (tmp_path / "reports").exists()


def test_report_of_a_month_after_the_newest_export_is_refused(x_workspace: Path, tmp_path: Path):
    result = _report(x_workspace, tmp_path / "reports", "--month", "2021-06")
    assert result.exit_code == 2
    line = _refusal_line(result)
    assert "2021-06 begins after brand 'lisa'" in line and "newest export" in line
    assert "pick a month up to 2021-0" in line
    assert not (tmp_path / "reports").exists()


def test_report_of_a_month_without_posts_is_refused(x_workspace: Path, tmp_path: Path):
    result = _report(x_workspace, tmp_path / "reports", "--month", "2020-11")
    assert result.exit_code == 2
    line = _refusal_line(result)
    assert "brand 'lisa' has no posts in 2020-11" in line
    assert "from 2021-01 to 2021-03" in line
    assert not (tmp_path / "reports").exists()


def test_report_of_a_brand_without_any_posts_is_refused(workspace: Path, tmp_path: Path):
    result = _report(workspace, tmp_path / "reports", "--month", "2021-02")
    assert result.exit_code == 2
    assert "brand 'acme' has no posts in the warehouse" in _refusal_line(result)
    assert not (tmp_path / "reports").exists()


def test_report_of_an_unknown_brand_is_refused_listing_the_known_ones(
    x_workspace: Path, tmp_path: Path
):
    result = _report(x_workspace, tmp_path / "reports", "--month", "2021-01", "--brand", "lsia")
    assert result.exit_code == 2
    line = _refusal_line(result)
    assert "lsia" in line and "Brands there (folders with a brand.yaml): lisa" in line
    assert not (tmp_path / "reports").exists()
    assert not (x_workspace / "warehouse.duckdb").exists()


def test_ingest_of_an_unknown_brand_is_refused_listing_the_known_ones(x_workspace: Path):
    result = _run("ingest", "--workspace", str(x_workspace), "--brand", "lsia", "--quiet")
    assert result.exit_code == 2
    line = _refusal_line(result)
    assert "unknown brand(s) lsia" in line and "(folders with a brand.yaml): lisa" in line
    assert not (x_workspace / "warehouse.duckdb").exists()


def test_report_with_an_invalid_brand_yaml_is_refused(x_workspace: Path, tmp_path: Path):
    (x_workspace / "lisa" / "brand.yaml").write_text("name: Lisa\ntimezone: Mars/Olympus\n")
    result = _report(x_workspace, tmp_path / "reports", "--month", "2021-01")
    assert result.exit_code == 2
    assert "Mars/Olympus" in _refusal_line(result)
    assert not (tmp_path / "reports").exists()


def test_an_every_brand_run_skips_a_brand_without_posts_loudly_and_reports_the_others(
    x_workspace: Path, tmp_path: Path
):
    (x_workspace / "newco" / "raw").mkdir(parents=True)
    (x_workspace / "newco" / "brand.yaml").write_text("name: NewCo\ntimezone: UTC\n")
    result = _report(x_workspace, tmp_path / "reports", "--month", "2021-01", "-n", "overview")
    assert "skipped newco: brand 'newco' has no posts" in result.output, result.output
    assert (tmp_path / "reports" / "lisa" / "2021-01" / "index.html").exists()
    assert not (tmp_path / "reports" / "newco").exists()


def test_a_brand_without_posts_named_with_brand_is_refused(x_workspace: Path, tmp_path: Path):
    (x_workspace / "newco" / "raw").mkdir(parents=True)
    (x_workspace / "newco" / "brand.yaml").write_text("name: NewCo\ntimezone: UTC\n")
    result = _report(x_workspace, tmp_path / "reports", "--month", "2021-01", "--brand", "newco")
    assert result.exit_code == 2
    assert "brand 'newco' has no posts" in _refusal_line(result)
    assert not (tmp_path / "reports").exists()
