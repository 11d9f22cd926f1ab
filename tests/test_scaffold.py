"""`socialnb init`: a brand.yaml skeleton and starter plan files from the exports a brand has;
the files load, their example rows count in no analysis, and nothing existing is overwritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialnb import experiments, ideation
from socialnb.calendar import load_calendar
from socialnb.cli import main
from socialnb.config import load_brand
from socialnb.errors import ConfigError
from socialnb.scaffold import STARTER_FILES, init_brand

ROOT = Path(__file__).resolve().parents[1]
X_DATA = ROOT.parent / "shared" / "datasets" / "twitter_analytics_debruine"
SAMPLE = ROOT / "data" / "fernway"
PLATFORM_SET = {"facebook", "instagram", "x", "linkedin", "tiktok", "youtube"}


@pytest.fixture()
def x_brand(tmp_path: Path) -> Path:
    """A workspace whose brand ``lisa`` has nothing but the real DeBruine X exports in raw/."""
    raw = tmp_path / "data" / "lisa" / "raw"
    raw.mkdir(parents=True)
    for f in sorted(X_DATA.glob("*/*.csv")):
        shutil.copy(f, raw / f.name)
    return tmp_path / "data"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_init_on_real_x_exports_writes_a_brand_yaml_naming_the_platform_and_account(x_brand):
    result = init_brand(x_brand, "lisa", timezone="Europe/London")
    assert [p.name for p in result.written] == list(STARTER_FILES)
    assert result.skipped == ()
    assert result.platforms == {"x": ("LisaDeBruine",)}
    frame = result.to_frame()
    assert len(frame) == 24 and frame["problem"].isna().all()
    assert sorted(frame["kind"].unique()) == ["daily", "posts"]
    brand = load_brand(x_brand / "lisa")
    assert brand.name == "Lisa" and brand.timezone == "Europe/London"
    assert brand.platforms == {"x": {"account": "LisaDeBruine"}}
    assert result.warnings == ()
    assert result.months == tuple(f"2021-{m:02d}" for m in range(1, 13))


def test_the_command_says_what_it_found_wrote_and_which_month_to_report_next(x_brand):
    result = CliRunner().invoke(
        main, ["init", "-w", str(x_brand), "--brand", "lisa", "-t", "Europe/London"]
    )
    assert result.exit_code == 0, result.output
    assert "found    x: 24 file(s) (12 daily, 12 posts); account LisaDeBruine" in result.output
    assert result.output.count("wrote") == len(STARTER_FILES)
    assert "socialnb report --brand lisa --month 2021-12" in result.output


def test_the_starter_files_load_and_their_example_rows_count_in_no_analysis(x_brand):
    init_brand(x_brand, "lisa", timezone="Europe/London")
    folder = x_brand / "lisa"
    calendar = load_calendar(folder / "calendar.csv")
    assert len(calendar) == 1
    assert calendar.loc[0, "status"] == "dropped" and calendar.loc[0, "sprint"] == "2000-01"
    assert "delete this line" in calendar.loc[0, "title"]
    ideas = ideation.load_ideas(folder)
    assert len(ideas) == 1 and ideas.loc[0, "status"] == "rejected"
    assert ideas.loc[0, "platform"] == "x"
    # only backlog and planned ideas are scored: the example never is
    assert not ideas["status"].isin(["backlog", "planned"]).any()
    registry = experiments.load_experiments(folder)
    assert [e.id for e in registry] == ["example-delete-me"]
    assert registry[0].status == "planned" and registry[0].platform == "x"
    assert experiments.select_experiments(registry, "2021-06") == ()  # never analysed
    text = (folder / "experiments.yaml").read_text(encoding="utf-8")
    assert "Delete it" in text


def test_a_second_init_changes_nothing_and_says_what_it_skipped(x_brand):
    init_brand(x_brand, "lisa", timezone="Europe/London")
    folder = x_brand / "lisa"
    (folder / "ideas.csv").write_text("id,title\n", encoding="utf-8")  # the team's own file
    before = _snapshot(folder)
    again = init_brand(x_brand, "lisa", timezone="America/New_York")
    assert again.written == ()
    assert [p.name for p in again.skipped] == list(STARTER_FILES)
    assert _snapshot(folder) == before

    result = CliRunner().invoke(main, ["init", "-w", str(x_brand), "--brand", "lisa"])
    assert result.exit_code == 0, result.output
    assert result.output.count("skipped") == len(STARTER_FILES)
    assert "wrote" not in result.output
    assert _snapshot(folder) == before


def test_init_on_the_sample_exports_finds_every_platform_and_the_accounts_they_name(tmp_path):
    raw = tmp_path / "acme" / "raw"
    shutil.copytree(SAMPLE / "raw" / "2026-10", raw)
    result = init_brand(tmp_path, "acme", timezone="Europe/London")
    sample = load_brand(SAMPLE)
    assert set(result.platforms) == set(sample.platforms)
    brand = load_brand(tmp_path / "acme")
    for platform, accounts in result.platforms.items():
        if len(accounts) == 1:  # named by the exports: the same account the sample declares
            assert brand.platforms[platform] == sample.platforms[platform]
        else:  # LinkedIn and YouTube exports name no account: left for the user, and said so
            assert accounts == () and brand.platforms[platform] == {}
    yaml_text = (tmp_path / "acme" / "brand.yaml").read_text(encoding="utf-8")
    assert "none names the account" in yaml_text
    for name in ("calendar.csv", "ideas.csv"):
        assert (tmp_path / "acme" / name).is_file()
    assert load_calendar(tmp_path / "acme" / "calendar.csv").loc[0, "platform"] in PLATFORM_SET


def test_several_accounts_on_one_platform_are_left_for_the_user_to_choose(x_brand):
    raw = x_brand / "lisa" / "raw"
    shutil.copy(
        SAMPLE / "raw" / "2026-10" / "account_analytics_content_2026-10-01_2026-10-31.csv", raw
    )
    result = init_brand(x_brand, "lisa", timezone="UTC")
    assert result.platforms == {"x": ("FernwayOutdoor", "LisaDeBruine")}
    assert load_brand(x_brand / "lisa").platforms == {"x": {}}
    assert any("several accounts" in w for w in result.warnings)


def test_without_a_time_zone_utc_is_written_with_a_warning_that_says_why(x_brand):
    result = CliRunner().invoke(main, ["init", "-w", str(x_brand), "--brand", "lisa"], input="")
    assert result.exit_code == 0, result.output
    assert load_brand(x_brand / "lisa").timezone == "UTC"
    warning = " ".join(result.output.split())
    assert "brand.yaml says UTC" in warning and "local times without a zone" in warning
    assert "CHECK" in (x_brand / "lisa" / "brand.yaml").read_text(encoding="utf-8")


def test_files_that_are_not_exports_are_listed_not_fatal(x_brand):
    (x_brand / "lisa" / "raw" / "notes.txt").write_text("call the agency\n", encoding="utf-8")
    result = init_brand(x_brand, "lisa", timezone="UTC")
    assert any(w.startswith("raw/notes.txt: not read") for w in result.warnings)
    assert result.platforms == {"x": ("LisaDeBruine",)}


def test_an_empty_brand_folder_gets_files_that_load(tmp_path):
    result = init_brand(tmp_path / "new-ws", "acme", timezone="UTC")
    assert result.exports == () and any("no exports" in w for w in result.warnings)
    brand = load_brand(tmp_path / "new-ws" / "acme")
    assert brand.platforms == {}
    assert (tmp_path / "new-ws" / "acme" / "raw").is_dir()
    load_calendar(tmp_path / "new-ws" / "acme" / "calendar.csv")
    ideation.load_ideas(tmp_path / "new-ws" / "acme")
    experiments.load_experiments(tmp_path / "new-ws" / "acme")


@pytest.mark.parametrize(
    ("brand", "timezone", "needle"),
    [("acme", "Mars/Olympus", "not an IANA time zone"), ("../up", "UTC", "not a folder name")],
)
def test_a_bad_time_zone_or_slug_is_refused_and_nothing_is_written(
    tmp_path, brand, timezone, needle
):
    with pytest.raises(ConfigError, match=needle):
        init_brand(tmp_path, brand, timezone=timezone)
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(main, ["init", "-w", str(tmp_path), "-b", brand, "-t", timezone])
    assert result.exit_code == 2 and needle in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_time_zone_is_asked_when_not_given_and_the_answer_is_written(x_brand):
    asked = []

    def ask() -> str:
        asked.append(True)
        return "America/Chicago"

    result = init_brand(x_brand, "lisa", ask_timezone=ask)
    assert asked and result.timezone == "America/Chicago" and not result.timezone_defaulted
    assert load_brand(x_brand / "lisa").timezone == "America/Chicago"
    assert not any("UTC" in w for w in result.warnings)
