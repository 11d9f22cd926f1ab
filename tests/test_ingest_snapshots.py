"""Ingest integrity (issue 11 findings 1-5, 11, 12, 14; issue 10 several brands): time decides
between downloads, the path as laid out decides brand and export time, one writer at a time, the
same bytes load the same wherever they lie, plan files are checked before anything loads."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

import socialnb
from socialnb.cli import main
from socialnb.errors import ConfigError, WarehouseError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "fernway"
X = ROOT.parent / "shared" / "datasets" / "twitter_analytics_debruine"
TWEETS = X / "tweet_level" / "tweet_activity_metrics_LisaDeBruine_20210101_20210201_en.csv"


def brand(root: Path, slug: str = "demo", extra: str = "") -> Path:
    folder = root / slug
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    (folder / "brand.yaml").write_text(f"name: {slug.title()}\ntimezone: UTC\n{extra}")
    return folder


def tweet_rows() -> tuple[list[str], list[dict]]:
    with TWEETS.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_tweets(path: Path, header: list[str], rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def tables(ws: socialnb.Workspace) -> dict[str, pd.DataFrame]:
    con = ws.connect()
    try:
        out = {}
        for name, key in (
            ("post_snapshots", "brand, platform, post_id, exported_at"),
            ("account_daily_values", "brand, platform, account, date, metric, exported_at"),
            ("ingest_log", "brand, source_hash"),
        ):
            frame = con.execute(f"SELECT * FROM {name} ORDER BY {key}").df()
            out[name] = frame.drop(columns=["ingested_at"], errors="ignore")
        return out
    finally:
        con.close()


def newest_first(rows: list[dict]) -> int:
    return max(range(len(rows)), key=lambda i: rows[i]["time"])


# -- finding 1: the later download wins by time, never by hash ------------------------------------
@pytest.mark.parametrize("later_first", [True, False])
def test_of_two_downloads_with_the_same_export_time_the_one_reaching_later_wins_in_any_order(
    tmp_path, later_first
):
    header, rows = tweet_rows()
    newest = newest_first(rows)
    target = next(i for i in range(len(rows)) if i != newest)
    older = [r for i, r in enumerate(rows) if i != newest]  # taken before the newest tweet
    later = [dict(r) for r in rows]
    later[target]["impressions"] = str(int(float(later[target]["impressions"])) + 1000)
    folder = brand(tmp_path)
    a = write_tweets(folder / "raw" / "a" / TWEETS.name, header, older)
    b = write_tweets(folder / "raw" / "b" / TWEETS.name, header, later)
    ws = socialnb.Workspace(tmp_path)
    for path in [b, a] if later_first else [a, b]:
        report = ws.ingest([path])
        assert report.ok, str(report)
    posts = ws.posts("demo")
    row = posts[posts["post_id"] == later[target]["Tweet id"]].iloc[0]
    assert row["impressions"] == float(later[target]["impressions"])
    log = ws.ingest_log().set_index("source_file")
    assert log.loc[f"demo/raw/b/{TWEETS.name}", "rows_loaded"] == len(later)
    assert log.loc[f"demo/raw/a/{TWEETS.name}", "rows_loaded"] == 0
    assert log.loc[f"demo/raw/a/{TWEETS.name}", "rows_superseded"] == len(older)


def test_rows_loaded_counts_only_the_rows_that_are_current_after_the_load(tmp_path):
    header, rows = tweet_rows()
    newest = newest_first(rows)
    older = [r for i, r in enumerate(rows) if i != newest]
    folder = brand(tmp_path)
    write_tweets(folder / "raw" / "b" / TWEETS.name, header, rows)
    a = write_tweets(folder / "raw" / "a" / TWEETS.name, header, older)
    ws = socialnb.Workspace(tmp_path)
    ws.ingest([folder / "raw" / "b"])
    report = ws.ingest([a])
    (done,) = report.loaded
    assert (done.rows, done.superseded) == (0, len(older))
    result = CliRunner().invoke(main, ["ingest", "-w", str(tmp_path), "--quiet"])
    assert result.exit_code == 0


def test_two_downloads_that_time_cannot_order_are_said_out_loud_with_what_to_do(tmp_path):
    header, rows = tweet_rows()
    changed = [dict(r) for r in rows]
    changed[0]["impressions"] = str(int(float(changed[0]["impressions"])) + 1000)
    folder = brand(tmp_path)
    write_tweets(folder / "raw" / "a" / TWEETS.name, header, rows)
    write_tweets(folder / "raw" / "b" / TWEETS.name, header, changed)
    result = CliRunner().invoke(main, ["ingest", "-w", str(tmp_path), "--quiet"])
    assert result.exit_code == 1
    assert "folder named for the day" in result.output
    log = socialnb.Workspace(tmp_path).ingest_log()
    assert log["rows_ambiguous"].sum() == 1
    assert "ambiguous_with" in " ".join(log["detail"])


# -- findings 2 and 3: the path as laid out ---------------------------------------------------------
def test_a_symlinked_raw_folder_and_month_folder_keep_their_brand_and_download_day(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    month = tmp_path / "month-store"
    (elsewhere / "2021-02-03").mkdir(parents=True)
    shutil.copy(TWEETS, elsewhere / "2021-02-03" / TWEETS.name)
    month.mkdir()
    other = X / "tweet_level" / "tweet_activity_metrics_LisaDeBruine_20210201_20210301_en.csv"
    shutil.copy(other, month / other.name)
    os.symlink(month, elsewhere / "2021-03-02", target_is_directory=True)
    root = tmp_path / "ws"
    brand(root)
    (root / "demo" / "raw").rmdir()
    os.symlink(elsewhere, root / "demo" / "raw", target_is_directory=True)
    ws = socialnb.Workspace(root)
    report = ws.ingest()
    assert report.ok and len(report.loaded) == 2, str(report)
    snaps = ws.snapshots("demo")
    assert len(ws.posts("demo")) > 0
    assert set(snaps["exported_at_source"]) == {"download folder"}
    assert sorted(snaps["exported_at"].dt.strftime("%Y-%m-%d").unique()) == [
        "2021-02-03",
        "2021-03-02",
    ]


def test_a_file_outside_every_brand_without_brand_is_refused_saying_pass_brand(tmp_path):
    brand(tmp_path / "ws")
    with pytest.raises(ConfigError, match="--brand"):
        socialnb.Workspace(tmp_path / "ws").ingest([TWEETS])
    result = CliRunner().invoke(main, ["ingest", str(TWEETS), "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2 and "--brand" in result.output
    assert not (tmp_path / "ws" / "warehouse.duckdb").exists()


# -- finding 4: one writer at a time ----------------------------------------------------------------
_CHILD = """
import sys, socialnb
socialnb.Workspace(sys.argv[1]).ingest(sys.argv[2:], brand="demo")
"""


def test_rebuild_waits_for_no_one_it_refuses_while_an_ingest_writes_and_loses_nothing(tmp_path):
    root = tmp_path / "ws"
    brand(root)
    marker = tmp_path / "inside"
    env = dict(
        os.environ,
        SOCIALNB_TEST_SLEEP_IN_TRANSACTION="3",
        SOCIALNB_TEST_SLEEP_IN_TRANSACTION_MARKER=str(marker),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), str(TWEETS)],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(1200):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), child.stderr.read().decode()[-2000:]
        with pytest.raises(WarehouseError) as err:
            socialnb.Workspace(root).ingest(rebuild=True)
        assert "--rebuild" not in str(err.value) and "wait" in str(err.value)
        result = CliRunner().invoke(main, ["ingest", "-w", str(root), "--rebuild"])
        assert result.exit_code == 2 and "--rebuild" not in result.output
    finally:
        child.wait(timeout=120)
        child.stderr.close()
    assert child.returncode == 0
    assert len(socialnb.Workspace(root).posts("demo")) == int(marker.read_text())


# -- finding 5: the same bytes load the same wherever they lie ----------------------------------------
def test_a_copy_of_the_same_bytes_at_another_path_gives_the_same_tables_in_any_order(tmp_path):
    month = sorted((SAMPLE / "raw" / "2025-05").iterdir())
    originals = [(p, f"2025-05/{p.name}") for p in month]
    views = SAMPLE / "raw" / "2025-05" / "Views.csv"
    copies = [  # a re-save in a later download folder, a browser's "(1)" copy
        (views, "2025-06-15/Views.csv"),
        (views, "2025-05/Views (1).csv"),
        (month[0], f"2025-07-01/{month[0].name}"),
    ]
    reference = None
    for name, batches in (
        ("originals first", [originals, copies]),
        ("copies first", [copies, originals]),
        ("all at once", [originals + copies]),
    ):
        root = tmp_path / name.replace(" ", "-")
        folder = brand(root, "fernway")
        shutil.copy(SAMPLE / "brand.yaml", folder / "brand.yaml")
        ws = socialnb.Workspace(root)
        for batch in batches:
            for src, rel in batch:
                (folder / "raw" / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(src, folder / "raw" / rel)
            assert ws.ingest().ok
        got = tables(ws)
        if reference is None:
            reference = got
        else:
            for t in got:
                pd.testing.assert_frame_equal(got[t], reference[t], obj=f"{name}: {t}")


def test_random_orders_and_duplicated_copies_give_identical_tables(tmp_path):
    """Property: any arrival order and any set of extra copies give the same tables (seeded)."""
    months = ["2025-04", "2025-05"]
    files = [p for m in months for p in sorted((SAMPLE / "raw" / m).iterdir())]
    files.append(TWEETS)  # a real export: the DeBruine X account, a second brand of the workspace
    rels = [f"fernway/raw/{p.parent.name}/{p.name}" for p in files[:-1]]
    rels.append(f"debruine/raw/2021-02-01/{TWEETS.name}")
    rng = random.Random(11)
    reference = None
    for trial in range(4):
        root = tmp_path / f"t{trial}"
        shutil.copy(SAMPLE / "brand.yaml", brand(root, "fernway") / "brand.yaml")
        brand(root, "debruine")
        order = list(range(len(files)))
        rng.shuffle(order)
        dups = rng.sample(range(len(files)), 3)
        arrivals = [(files[i], rels[i]) for i in order]
        for i in dups:  # a copy in a later download folder, or a "(1)" copy beside it
            rel = Path(rels[i])
            name = f"{rel.stem} (1){rel.suffix}" if rng.random() < 0.5 else rel.name
            where = rel.parent if "(1)" in name else rel.parent.parent / "2026-11-20"
            arrivals.insert(rng.randrange(len(arrivals) + 1), (files[i], f"{where}/{name}"))
        ws = socialnb.Workspace(root)
        cuts = sorted(rng.sample(range(1, len(arrivals)), 2))
        for lo, hi in zip([0, *cuts], [*cuts, len(arrivals)], strict=True):
            for src, rel in arrivals[lo:hi]:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(src, root / rel)
            report = ws.ingest()
            assert report.ok, str(report)
        got = tables(ws)
        if reference is None:
            reference = got
            assert len(got["post_snapshots"]) > 100
        else:
            for name in got:
                pd.testing.assert_frame_equal(
                    got[name], reference[name], obj=f"trial {trial} {name}"
                )


# -- issue 10: several brands --------------------------------------------------------------------------
def test_two_brands_with_identical_files_each_keep_their_own_posts(tmp_path):
    for slug in ("alpha", "beta"):
        folder = brand(tmp_path, slug)
        (folder / "raw" / "2021-02-01").mkdir()
        shutil.copy(TWEETS, folder / "raw" / "2021-02-01" / TWEETS.name)
    ws = socialnb.Workspace(tmp_path)
    report = ws.ingest()
    assert report.ok and len(report.loaded) == 2, str(report)
    a, b = ws.posts("alpha"), ws.posts("beta")
    assert len(a) == len(b) > 0
    assert set(ws.ingest_log()["brand"]) == {"alpha", "beta"}


def test_an_old_warehouse_is_refused_with_what_to_do_and_rebuild_replaces_it(tmp_path):
    folder = brand(tmp_path)
    (folder / "raw" / "2021-02-01").mkdir()
    shutil.copy(TWEETS, folder / "raw" / "2021-02-01" / TWEETS.name)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.close()
    ws = socialnb.Workspace(tmp_path)
    with pytest.raises(WarehouseError, match="ingest --rebuild"):
        ws.ingest()
    assert ws.ingest(rebuild=True).ok
    assert len(ws.posts("demo")) > 0


# -- findings 11, 12, 14: plan files first, identity, future folders ---------------------------------------
@pytest.mark.parametrize(
    "yaml_text, key",
    [
        ("pillars: {education: forty}\n", "pillars.education"),
        ("cadence: {x: twice}\n", "cadence.x"),
        ("capacity_hours: sixty\n", "capacity_hours"),
        ("targets:\n  - {metric: er_reach, target: 5%}\n", "targets[0].target"),
        ("platforms: x\n", "platforms"),
        ("platforms: [x, facebook]\n", "platforms"),
    ],
)
def test_a_brand_yaml_type_error_is_a_config_error_naming_key_and_value_exit_two(
    tmp_path, yaml_text, key
):
    folder = brand(tmp_path, extra=yaml_text)
    (folder / "raw" / "2021-02-01").mkdir()
    shutil.copy(TWEETS, folder / "raw" / "2021-02-01" / TWEETS.name)
    with pytest.raises(ConfigError, match=re.escape(f"brand.yaml, key '{key}'")):
        socialnb.Workspace(tmp_path).validate("demo")
    result = CliRunner().invoke(main, ["ingest", "-w", str(tmp_path), "--quiet"])
    assert result.exit_code == 2 and key in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_latin1_brand_yaml_names_the_file_line_and_encoding(tmp_path):
    folder = brand(tmp_path)
    (folder / "brand.yaml").write_bytes("name: Caf\xe9 Lum\xe9\ntimezone: UTC\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="brand.yaml: line 1 is not UTF-8"):
        socialnb.Workspace(tmp_path).validate("demo")


def test_a_corrupt_calendar_xlsx_is_refused_before_any_data_file_is_committed(tmp_path):
    folder = brand(tmp_path)
    (folder / "raw" / "2021-02-01").mkdir()
    shutil.copy(TWEETS, folder / "raw" / "2021-02-01" / TWEETS.name)
    (folder / "calendar.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = CliRunner().invoke(main, ["ingest", "-w", str(tmp_path), "--quiet"])
    assert result.exit_code == 2 and "calendar.xlsx" in result.output
    assert not (tmp_path / "warehouse.duckdb").exists()


@pytest.mark.parametrize(
    "name, text, where",
    [
        ("ideas.csv", "id,title\nI1,Hello\n", "ideas.csv"),
        ("experiments.yaml", "experiments: [1, 2\n", "experiments.yaml"),
        (
            "calendar.csv",
            "sprint,planned_date,platform,title,status\n2026-13,x,x,t,planned\n",
            "row 2",
        ),
    ],
)
def test_a_bad_plan_file_stops_ingest_before_any_data_file_loads(tmp_path, name, text, where):
    folder = brand(tmp_path)
    (folder / "raw" / "2021-02-01").mkdir()
    shutil.copy(TWEETS, folder / "raw" / "2021-02-01" / TWEETS.name)
    (folder / name).write_text(text)
    with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
        socialnb.Workspace(tmp_path).ingest()
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_mapping_that_uses_itself_is_a_config_error_before_anything_loads(tmp_path):
    folder = brand(tmp_path)
    (folder / "raw" / "2021-02-01").mkdir()
    shutil.copy(TWEETS, folder / "raw" / "2021-02-01" / TWEETS.name)
    loop = folder / "raw" / "posts.csv.mapping.yaml"
    loop.write_text(f"use: {loop}\n")
    (folder / "raw" / "posts.csv").write_text("id,when\n1,2021-01-01\n")
    result = CliRunner().invoke(main, ["ingest", "-w", str(tmp_path), "--quiet"])
    assert result.exit_code == 2 and re.search("refers to itself|never ends", result.output)
    assert "Traceback" not in result.output
    with pytest.raises(ConfigError, match="refers to itself|never ends"):
        socialnb.Workspace(tmp_path).ingest([TWEETS], brand="demo", mapping=str(loop))


def test_a_download_folder_dated_after_today_is_refused(tmp_path):
    folder = brand(tmp_path)
    (folder / "raw" / "2062-11-02").mkdir()
    shutil.copy(TWEETS, folder / "raw" / "2062-11-02" / TWEETS.name)
    report = socialnb.Workspace(tmp_path).ingest()
    (bad,) = report.rejected
    assert "2062-11-02" in bad.message and "rename the folder" in bad.message


def test_an_export_of_another_account_is_refused_saying_what_to_do(tmp_path):
    folder = brand(tmp_path, extra="platforms: {x: {account: SomeoneElse}}\n")
    (folder / "raw" / "2021-02-01").mkdir()
    shutil.copy(TWEETS, folder / "raw" / "2021-02-01" / TWEETS.name)
    ws = socialnb.Workspace(tmp_path)
    report = ws.ingest()
    (bad,) = report.rejected
    assert "SomeoneElse" in bad.message and "brand.yaml" in bad.message
    (folder / "brand.yaml").write_text(
        "name: Demo\ntimezone: UTC\nplatforms: {x: {account: '@LisaDeBruine'}}\n"
    )
    assert ws.ingest().ok


# -- finding 15 (plan-file side): messages name the real row and cause ------------------------------
_CAL_HEAD = "sprint,planned_date,platform,title,status\n"


def test_calendar_rows_after_blank_lines_are_numbered_as_the_spreadsheet_shows(tmp_path):
    from socialnb.calendar import load_calendar

    path = tmp_path / "calendar.csv"
    path.write_text(
        _CAL_HEAD + "\n2026-10,2026-10-01,x,a,planned\n\n2026-10,2026-10-02,x,b,bogus\n"
    )
    with pytest.raises(ConfigError, match=r"row 5, column 'status'.*: unknown status 'bogus'"):
        load_calendar(path)


def test_an_unclosed_quote_in_a_calendar_is_reported_where_it_opens(tmp_path):
    from socialnb.calendar import load_calendar

    path = tmp_path / "calendar.csv"
    rows = [
        f'2026-10,2026-10-0{i},x,"t{i},planned\n'
        if i == 2
        else f"2026-10,2026-10-0{i},x,t{i},planned\n"
        for i in range(1, 9)
    ]
    path.write_text(_CAL_HEAD + "".join(rows))
    with pytest.raises(ConfigError, match=r"line 3: a quoted cell .* never closed"):
        load_calendar(path)


def test_a_damaged_calendar_workbook_is_called_damaged(tmp_path):
    from socialnb.calendar import load_calendar

    path = tmp_path / "calendar.xlsx"
    path.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(ConfigError, match="not a readable workbook"):
        load_calendar(path)
