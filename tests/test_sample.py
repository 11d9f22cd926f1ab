"""Promises of the sample brand (socialnb.sample): real-format files, reproducible bytes, planted truths.

The planted truths are checked on the generated raw files themselves, read with the csv module
(not through the ingest layer), so a failure here points at the generator.
"""

from __future__ import annotations

import csv
import glob
import shutil
import statistics
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

import socialnb
from socialnb import sample as S
from socialnb.config import CALENDAR_COLUMNS, IDEAS_COLUMNS, load_brand
from socialnb.errors import ConfigError
from socialnb.sample import LAST_COMPLETE_MONTH, PLANTED, SAMPLE_MONTHS, write_sample

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "fernway"
MONTHS3 = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@pytest.fixture(scope="module")
def brand(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("ws"))


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _meta_rows(brand: Path, key: str, folder: str = "20??-??") -> list[dict[str, str]]:
    out = []
    for f in sorted(glob.glob(str(brand / "raw" / folder / "*.csv"))):
        if Path(f).name[:3] not in MONTHS3:
            continue
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows and key in rows[0]:
            for r in rows:
                r["_month"] = Path(f).parent.name
            out += rows
    return out


def _num(v: str) -> float | None:
    try:
        return float(v)
    except ValueError:
        return None


def _er_ig(r: dict[str, str]) -> float | None:
    parts = [_num(r[k]) for k in ("Likes", "Comments", "Shares", "Saves")]
    reach = _num(r["Reach"])
    return None if not reach or None in parts else sum(parts) / reach


def _er_fb(r: dict[str, str]) -> float | None:
    reach = _num(r["Reach"])
    return _num(r["Reactions, Comments and Shares"]) / reach if reach else None


def test_the_sample_is_byte_for_byte_reproducible_and_matches_the_committed_copy(tmp_path, brand):
    again = _tree(write_sample(tmp_path))
    assert again == _tree(brand)
    assert COMMITTED.exists(), "data/fernway is missing: run socialnb.sample.write_sample('data')"
    committed = _tree(COMMITTED)
    assert sorted(committed) == sorted(again)
    differing = [name for name in again if again[name] != committed[name]]
    assert differing == []


def test_existing_brand_folder_is_not_overwritten_without_permission(tmp_path):
    (tmp_path / "fernway").mkdir()
    with pytest.raises(ConfigError, match="overwrite=True"):
        write_sample(tmp_path)
    assert write_sample(tmp_path, overwrite=True) == tmp_path / "fernway"
    assert (tmp_path / "fernway" / "brand.yaml").exists()


def test_every_month_has_each_platforms_export_and_the_whole_brand_stays_small(brand):
    months = sorted(p.name for p in (brand / "raw").iterdir())
    assert months == sorted([*SAMPLE_MONTHS, PLANTED["reexport"]["folder"]])
    assert PLANTED["reexport"]["folder"] == PLANTED["reexport"]["exported"] == "2026-11-02"
    assert len(SAMPLE_MONTHS) == 19 and LAST_COMPLETE_MONTH == SAMPLE_MONTHS[-1] == "2026-10"
    for month in SAMPLE_MONTHS:
        names = [p.name for p in (brand / "raw" / month).iterdir()]
        assert sum(n[:3] in MONTHS3 for n in names) == 2  # facebook + instagram content
        assert {
            "Facebook follows.csv",
            "Facebook followers.csv",
            "Instagram followers.csv",
            "Views.csv",
        } <= set(names)
        assert sum(n.endswith(".xlsx") for n in names) == 1
        assert sum(n.endswith(".zip") for n in names) == 5
        x = "tweet_activity_metrics_" if month < "2025-10" else "account_analytics_content_"
        assert any(n.startswith(x) for n in names)
    assert sum(p.stat().st_size for p in brand.rglob("*") if p.is_file()) < 3_000_000


def test_meta_files_carry_their_real_encodings_and_headers(brand):
    fb = next(p for p in (brand / "raw" / "2026-10").iterdir() if p.name.startswith("Oct-01-2026"))
    data = fb.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    daily = (brand / "raw" / "2026-10" / "Views.csv").read_bytes()
    assert daily.startswith(b"\xff\xfe")
    lines = daily.decode("utf-16").splitlines()
    assert lines[:3] == ["sep=,", "Views", '"Date","Primary"']
    assert lines[3].startswith('"2026-10-01T00:00:00","')
    fb_rows = _meta_rows(brand, "Page name")
    assert all(r["Date"] == "Lifetime" for r in fb_rows)
    assert {r["Post type"] for r in fb_rows} == {"Photos", "Videos", "Reels", "Links"}
    assert any("Views" not in r for r in fb_rows) and any("Impressions" not in r for r in fb_rows)
    ig_rows = _meta_rows(brand, "Account username")
    assert any(r["Reach"] == "" and r["Saves"] == "" for r in ig_rows)  # collab posts
    assert sum("N/A" in (r["Follows"], r["Shares"]) for r in ig_rows) == 2


def test_x_legacy_export_copies_the_real_header_and_quoting(brand):
    real = sorted(
        (ROOT.parent / "shared/datasets/twitter_analytics_debruine/tweet_level").glob("*.csv")
    )
    ours = next((brand / "raw" / "2025-05").glob("tweet_activity_metrics_*"))
    first = ours.read_text(encoding="utf-8").split("\n", 1)[0]
    if real:
        assert first == real[0].read_text(encoding="utf-8").split("\n", 1)[0]
    rows = list(csv.reader(ours.open(encoding="utf-8", newline="")))
    assert all(len(r) == 40 for r in rows)
    assert all(r[4].endswith(".0") and r[-1] == "-" for r in rows[1:])


def test_reels_earn_about_1_6_times_the_engagements_per_reach_of_images(brand):
    for rows, er, base, reel in (
        (_meta_rows(brand, "Account username"), _er_ig, {"IG image", "IG carousel"}, "IG reel"),
        (_meta_rows(brand, "Page name"), _er_fb, {"Photos"}, "Reels"),
    ):
        reels = [er(r) for r in rows if r["Post type"] == reel]
        images = [
            er(r) for r in rows if r["Post type"] in base and not r.get("Funded content status")
        ]
        ratio = statistics.median([x for x in reels if x is not None]) / statistics.median(
            [x for x in images if x is not None]
        )
        assert 1.45 < ratio < 1.75, ratio
    assert PLANTED["reel_multiplier"] == 1.6


def _series_er(brand: Path, series: str) -> dict[str, list[float]]:
    by: dict[str, list[float]] = {}
    for rows, er, text in (
        (_meta_rows(brand, "Account username"), _er_ig, "Description"),
        (_meta_rows(brand, "Page name"), _er_fb, "Title"),
    ):
        for r in rows:
            if r[text].startswith(series + ":") and er(r) is not None:
                by.setdefault(r["_month"], []).append(
                    er(r) / statistics.median([er(x) for x in rows if er(x) is not None])
                )
    return by


@pytest.mark.parametrize(
    ("series", "low", "high"),
    [("Gear Friday", 0.0, 0.9), ("Trail Tips", 0.8, 1.25), ("Summit Stories", 1.15, 9.9)],
)
def test_series_trends_show_in_the_last_three_sprints_against_the_three_before(
    brand, series, low, high
):
    # planted: 0.92**3 = 0.78, 1 and 1.12**3 = 1.40; a median of about 15 posts over a median
    # of about 15 moves by +-15% from draw to draw, so the bounds test the direction only (the
    # size is checked against the retro's baseline in test_the_seed_draws_every_truth_...)
    by = _series_er(brand, series)
    assert all(len(by[m]) >= 2 for m in SAMPLE_MONTHS)
    last = [x for m in SAMPLE_MONTHS[-3:] for x in by[m]]
    before = [x for m in SAMPLE_MONTHS[-6:-3] for x in by[m]]
    assert low < statistics.median(last) / statistics.median(before) < high


def test_experiment_posts_are_real_ids_in_the_exports(brand):
    reg = yaml.safe_load((brand / "experiments.yaml").read_text(encoding="utf-8"))["experiments"]
    ig = {r["Post ID"]: r for r in _meta_rows(brand, "Account username")}
    fb = {r["Post ID"]: r for r in _meta_rows(brand, "Page name")}
    ids = {e["id"]: e for e in reg}
    assert set(ids) == {
        "hook-question",
        "caption-length",
        "reel-vs-carousel",
        "cta-split",
        "carousel-cover-text",
    }
    for eid, n in (("hook-question", 24), ("caption-length", 8), ("reel-vs-carousel", 8)):
        pool = fb if ids[eid]["platform"] == "facebook" else ig
        for v in ids[eid]["variants"]:
            assert len(v["posts"]) == n and all(p in pool for p in v["posts"])
    pairs = zip(*(v["posts"] for v in ids["reel-vs-carousel"]["variants"]), strict=True)
    assert all(
        ig[c]["Post type"] == "IG carousel" and ig[r]["Post type"] == "IG reel" for c, r in pairs
    )
    hq = ids["hook-question"]["variants"]
    rates = [statistics.median([_er_ig(ig[p]) for p in v["posts"]]) for v in hq]
    assert 1.2 < rates[1] / rates[0] < 1.5  # the planted +35% shows
    assert PLANTED["experiments"]["hook-question"]["posts_per_variant"] == 24
    assert (ids["hook-question"]["start"], ids["hook-question"]["end"]) == (
        date(2025, 12, 1),
        date(2026, 5, 31),
    )
    rvc = ig[ids["reel-vs-carousel"]["variants"][0]["posts"][0]]["Publish time"]
    last_hook = max(
        ig[p]["Publish time"][6:10] + ig[p]["Publish time"][:5] for v in hq for p in v["posts"]
    )
    assert last_hook < rvc[6:10] + rvc[:5]  # the hook test ends before reel-vs-carousel begins
    assert [(v["successes"], v["exposure"]) for v in ids["cta-split"]["variants"]] == [
        (412, 20140),
        (489, 19890),
    ]
    assert ids["carousel-cover-text"]["status"] == "planned"


def test_reexport_holds_the_same_posts_with_grown_totals(brand):
    first = {r["Post ID"]: r for r in _meta_rows(brand, "Account username", "2026-09")}
    again = {r["Post ID"]: r for r in _meta_rows(brand, "Account username", "2026-11-02")}
    assert set(first) == set(again)
    assert all(int(again[p]["Likes"]) >= int(first[p]["Likes"]) for p in first)
    assert sum(int(r["Views"]) for r in again.values()) > sum(
        int(r["Views"]) for r in first.values()
    )


def test_brand_calendar_and_ideas_follow_the_workspace_contracts(brand):
    cfg = load_brand(brand)
    assert cfg.slug == "fernway" and cfg.timezone == "Europe/London" and cfg.capacity_hours == 60
    assert set(cfg.platforms) == set(PLANTED["accounts"])
    with open(brand / "calendar.csv", encoding="utf-8", newline="") as fh:
        cal = list(csv.DictReader(fh))
    with open(brand / "ideas.csv", encoding="utf-8", newline="") as fh:
        ideas = list(csv.DictReader(fh))
    assert tuple(cal[0]) == CALENDAR_COLUMNS and tuple(ideas[0]) == IDEAS_COLUMNS
    assert {r["status"] for r in cal} == {"published", "dropped", "planned"}
    assert {r["sprint"] for r in cal if r["status"] == "planned"} == {"2026-11"}
    published = [r for r in cal if r["status"] == "published"]
    neither = [r for r in published if not r["post_id"] and not r["post_link"]]
    assert 0.05 < len(neither) / len(published) < 0.15
    assert any(r["post_link"] and not r["post_id"] for r in published)
    idea_ids = {r["id"] for r in ideas}
    shipped = {r["idea_id"] for r in cal if r["sprint"] == LAST_COMPLETE_MONTH and r["idea_id"]}
    assert shipped and shipped <= idea_ids
    assert {r["status"] for r in ideas} == {"backlog", "planned", "shipped", "rejected"}
    assert any(r["format"] == "live" and r["platform"] == "youtube" for r in ideas)


def test_tiktok_and_youtube_zips_keep_their_quirks(brand):
    tt = zipfile.ZipFile(brand / "raw" / "2025-12" / "Viewers_2025-12-01_2025-12-31.zip")
    assert b'"undefined"' in tt.read("Viewers.csv")
    content = zipfile.ZipFile(next((brand / "raw" / "2026-10").glob("Content_*.zip"))).read(
        "Content.csv"
    )
    assert content.startswith(b"\xef\xbb\xbf") and "Total shares\xa0".encode() in content
    yt = zipfile.ZipFile(next((brand / "raw" / "2025-07").glob("Content 2025-07-01*.zip")))
    table = yt.read("Table data.csv").decode("utf-8").splitlines()
    assert table[1].startswith("Total,") and any(line.startswith(" -") for line in table)
    new = zipfile.ZipFile(next((brand / "raw" / "2026-01").glob("Content 2026-01-01*.zip")))
    assert "Thumbnail impressions" in new.read("Table data.csv").decode("utf-8").splitlines()[0]


def test_the_reexport_folder_is_a_download_day_so_it_ingests_as_the_later_snapshot(brand, tmp_path):
    (tmp_path / "fernway" / "raw").mkdir(parents=True)
    shutil.copy(brand / "brand.yaml", tmp_path / "fernway" / "brand.yaml")
    for folder in ("2026-09", "2026-11-02"):
        shutil.copytree(brand / "raw" / folder, tmp_path / "fernway" / "raw" / folder)
    ws = socialnb.Workspace(tmp_path)
    assert ws.ingest().ok
    snaps = ws.snapshots("fernway")
    meta = snaps[snaps["platform"].isin(["facebook", "instagram"])]
    again = meta[meta["source_file"].str.contains("2026-11-02")]
    keys = set(zip(again["platform"], again["post_id"], strict=True))
    assert len(keys) > 15
    sizes = meta.groupby(["platform", "post_id"]).size()
    assert (sizes.loc[sorted(keys)] == 2).all()  # the September export and the re-export
    posts = ws.posts("fernway").set_index(["platform", "post_id"]).loc[sorted(keys)]
    later = pd.Timestamp("2026-11-02", tz="Europe/London").tz_convert("UTC")
    assert (posts["exported_at"] == later).all()
    first = meta[~meta["source_file"].str.contains("2026-11-02")]
    first = first.set_index(["platform", "post_id"]).loc[sorted(keys)]
    assert (posts["likes"] >= first["likes"]).all()
    assert posts["reach"].sum() > first["reach"].sum()


def test_the_seed_draws_every_truth_at_about_its_planted_size():
    figures = S._realised_figures(S._build(S.SEED))
    assert set(figures) == set(S._SEED_BOUNDS)
    outside = {
        k: v for k, v in figures.items() if not S._SEED_BOUNDS[k][0] <= v <= S._SEED_BOUNDS[k][1]
    }
    assert outside == {}
    assert PLANTED["seed"] == S.SEED
    assert PLANTED["series"]["Summit Stories"]["multiplier"]["2026-10"] == pytest.approx(1.12**6)
