"""The sample package (socialnb.sample.{plan,draws,posts,platforms,plan_files,write}): the same
bytes as before the split, the CLI's real flag in its refusal, no half-written folder."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest

from socialnb import periods
from socialnb.errors import ConfigError
from socialnb.sample import (
    LAST_COMPLETE_MONTH,
    PLANTED,
    SAMPLE_MONTHS,
    SEED,
    draws,
    plan_files,
    platforms,
    posts,
    write,
    write_sample,
)
from socialnb.sample.plan import FIRST_MONTH, NEXT_MONTH

FIXTURE = Path(__file__).parent / "fixtures" / "sample" / "fernway-sha256.json"


def test_every_file_of_the_sample_hashes_as_recorded_on_main_before_the_split(tmp_path):
    root = write_sample(tmp_path)
    got = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    assert got == json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_an_existing_folder_is_refused_naming_the_cli_flag_that_exists(tmp_path):
    (tmp_path / "fernway").mkdir()
    with pytest.raises(ConfigError) as err:
        write_sample(tmp_path)
    assert err.value.path == tmp_path / "fernway"
    assert "--force" in err.value.fix and "--overwrite" not in str(err.value)


def test_a_failed_write_leaves_no_half_written_folder(tmp_path, monkeypatch):
    def fail(root: Path) -> None:
        (root / "raw").mkdir()
        raise OSError("disk full")

    monkeypatch.setattr(write, "_write_all", fail)
    with pytest.raises(OSError, match="disk full"):
        write_sample(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_months_are_the_periods_vocabulary():
    assert periods.month_range(FIRST_MONTH, LAST_COMPLETE_MONTH) == SAMPLE_MONTHS
    assert periods.next_month(LAST_COMPLETE_MONTH) == NEXT_MONTH
    assert PLANTED["months"] == list(SAMPLE_MONTHS) and PLANTED["seed"] == SEED
    assert draws._export_moment("2025-12").isoformat() == "2026-01-02T09:00:00+00:00"


def test_java_doubles_are_written_as_the_legacy_x_export_wrote_them():
    assert [draws._java_double(x) for x in (0, 0.0125, 12.0, 1e-4, 2.5e8)] == [
        "0.0",
        "0.0125",
        "12.0",
        "1.0E-4",
        "2.5E8",
    ]


def test_the_world_is_the_same_for_the_same_seed_and_each_post_has_its_totals():
    a, b = posts._build(SEED), posts._build(SEED)
    assert [p["post_id"] for p in a["posts"]] == [p["post_id"] for p in b["posts"]]
    ids = [(p["platform"], p["post_id"]) for p in a["posts"]]
    assert len(ids) == len(set(ids))
    snap = posts._at(a["posts"][0], datetime(2030, 1, 1, tzinfo=draws.TZ))
    assert set(snap) == {*posts._TOTALS, "exposure", "paid"}


def test_a_zip_member_carries_the_given_time_not_the_clock():
    when = datetime(2026, 3, 2, 9, 0)
    data = platforms._zip_bytes([("a.csv", b"x,y\n")], when)
    assert data == platforms._zip_bytes([("a.csv", b"x,y\n")], when)
    info = zipfile.ZipFile(BytesIO(data)).getinfo("a.csv")
    assert info.date_time == (2026, 3, 2, 9, 0, 0) and info.external_attr >> 16 == 0o644


def test_the_backlog_starts_with_the_fixed_ideas_and_has_unique_ids():
    import random

    ideas = plan_files._ideas(random.Random(SEED + 2))
    assert len(ideas) == 42 and len({r[0] for r in ideas}) == 42
    assert [r[1] for r in ideas[: len(plan_files.FIXED_IDEAS)]] == [
        i[0] for i in plan_files.FIXED_IDEAS
    ]
    text = plan_files._experiments_yaml(
        {
            "hook-question": {"statement": ["1"], "question": ["2"]},
            "caption-length": {"short": [], "long": []},
            "reel-vs-carousel": {"carousel": [], "reel": []},
        }
    )
    assert '{name: question, posts: ["2"]}' in text and "end: 2026-05-31" in text
